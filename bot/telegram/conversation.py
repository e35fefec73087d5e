"""The bridge between citizens and Rasa: carrying their messages without losing any.

Every update is stored in the inbox before it is acknowledged (see `app.py`). A message
for Rasa is forwarded at once unless an earlier message of the same citizen still waits;
when Rasa does not answer, the message stays pending, the citizen is told it was received,
and `retry_pending` (run by the job queue) forwards it later, in order per citizen.

Rasa's replies are queued in the outbox in the transaction that closes the message in the
inbox, then sent at once (`deliver`): when Telegram refuses or times out, or the process
dies before sending, the outbox worker delivers them later, in order. A message Rasa has
answered is never sent to Rasa again, and its answer is never lost.

`RasaClient` speaks to Rasa's REST channel and HTTP API over one shared aiohttp session. With
a token (RASA_AUTH_TOKEN, `rasa run --auth-token`) every request carries it as `?token=`,
Rasa's way: the HTTP API answers 401 without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
from telegram import Bot, Message
from telegram.constants import ChatAction, ParseMode

from bot import metrics
from bot.logging_config import correlation_id
from bot.telegram import rendering
from bot.telegram.outbox import OutboxWorker
from bot.telegram.store import Arrival, AsyncStore, InboxItem
from bot.texts import text

log = logging.getLogger(__name__)
TYPING_REFRESH_S = 4.5
# "typing…" only for an answer that takes longer than this: most answers come sooner, and
# each indicator is one more call to Telegram, counted in TELEGRAM_OVERALL_MAX_RATE (25/s
# for all chats): with one per message (2.6 rate-limited calls a message in bench/load.py)
# that limit alone held the whole path under 10 messages/s.
TYPING_DELAY_S = 1.0
# ... and only while at most this share of that limit is in use: "typing…" is a courtesy,
# and when Rasa is slow (when it is shown at all) one went for every message in flight
# every few seconds: 0.3 to 1.1 calls a message in bench/load.py's loaded runs, up to 40%
# of the calls the limit counted, which the answers then waited behind (issue 12).
TYPING_MAX_LIMITER_SHARE = 0.5

# -- Rasa's REST channel and HTTP API ------------------------------------------------------


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) did not answer usefully."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        metrics.RASA_ERRORS.inc()  # each failed call of Rasa's API raises one


class TurnFailed(RasaUnavailable):
    """Rasa took the message but answered nothing: an action failed (the action server is
    down, or died while running it). Rasa logged the message and went on without the
    action's events, so sending the message again would be a second message (a confirmed
    complaint answered as a stray "yes"): the failed action is run again instead."""


# The key of a message's metadata in Rasa's tracker naming its inbox row (rasa_addons/once.py).
INBOX_ID_KEY = "inbox_id"

# A waiting payload that is no message: the action whose run failed in a turn Rasa took,
# to be run again (a citizen's text never starts with '/': citizen_words).
RERUN_PREFIX = "/!rerun "


@dataclass(frozen=True)
class FormState:
    """Which form is active in a conversation, and which slot it asks for."""

    active_loop: str | None
    requested_slot: str | None


class RasaClient:
    """Sends citizens' messages to Rasa; the sender id is the Telegram user id.

    One aiohttp session (its connection pool) serves every call, opened on first use (on
    the running event loop). aiohttp, not httpx: a call to Rasa cost the front end about
    1.2 ms of CPU through httpx and 0.13 ms through aiohttp (10 at once, bench/load.py's
    shape), a share of the front end's cost per message (issue 12)."""

    def __init__(self, base_url: str, timeout: float = 15.0, auth_token: str = ""):
        self.base_url = base_url.rstrip("/")
        self._token: dict[str, str] = {"token": auth_token} if auth_token else {}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # trust_env: HTTP_PROXY and NO_PROXY, as httpx read them.
            self._session = aiohttp.ClientSession(timeout=self._timeout, trust_env=True)
        return self._session

    async def close(self) -> None:
        """Close the shared HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(
        self,
        method: str,
        path: str,
        params: dict[str, str],
        body: Any = None,
        timeout: float | None = None,
        check: bool = False,
    ) -> tuple[int, bytes]:
        """One request: its status and body. RasaUnavailable when it fails on the way
        (connection, timeout) or, with `check`, answers an error status."""
        options: dict[str, Any] = {"params": params, "json": body}
        if timeout is not None:
            options["timeout"] = aiohttp.ClientTimeout(total=timeout)
        try:
            async with self._client().request(
                method, f"{self.base_url}{path}", **options
            ) as response:
                content = await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RasaUnavailable(_without_token(exc)) from exc
        if check and response.status >= 400:
            raise RasaUnavailable(f"HTTP {response.status}: {_text(content)[:200]}")
        return response.status, content

    async def send(
        self,
        sender_id: str,
        message: str,
        expect_reply: bool = True,
        inbox_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """Post a message to the REST channel and return Rasa's replies.

        Every turn of our assistant says something; no reply at all means the turn failed
        (typically the action server is down, which Rasa only logs), so it counts as
        unavailable and the message is retried. `inbox_id` goes along as the message's
        metadata, which Rasa keeps in the tracker's user event: a message Rasa took before
        is answered from the conversation, not taken twice (rasa_addons/once.py).
        """
        body: dict[str, Any] = {"sender": sender_id, "message": message}
        if inbox_id is not None:
            body["metadata"] = {INBOX_ID_KEY: inbox_id}
        status, content = await self._call("POST", "/webhooks/rest/webhook", self._token, body)
        if status != 200:
            raise RasaUnavailable(f"HTTP {status}: {_text(content)[:200]}")
        replies = json.loads(content)
        if not isinstance(replies, list):
            raise RasaUnavailable(f"unexpected reply: {str(replies)[:200]}")
        if expect_reply and not replies:
            raise TurnFailed("no reply: the action server may be down")
        return replies

    async def failed_action(self, sender_id: str) -> str | None:
        """The action that failed in the conversation's latest turn: the last one after
        the latest message, other than listening (None if there is none)."""
        _, content = await self._call(
            "GET",
            f"/conversations/{sender_id}/tracker",
            {"include_events": "AFTER_RESTART", **self._token},
            check=True,
        )
        for event in reversed(json.loads(content).get("events") or []):
            if event.get("event") == "user":
                return None
            name = event.get("name")
            if event.get("event") == "action" and name and name != "action_listen":
                return str(name)
        return None

    async def execute(self, sender_id: str, action: str) -> list[dict[str, Any]]:
        """Run one action in the conversation (Rasa's HTTP API); its messages."""
        status, content = await self._call(
            "POST",
            f"/conversations/{sender_id}/execute",
            {"include_events": "NONE", **self._token},
            {"name": action},
        )
        if status != 200:
            raise RasaUnavailable(f"HTTP {status}: {_text(content)[:200]}")
        messages = json.loads(content).get("messages") or []
        if not messages:
            raise TurnFailed(f"no reply from {action}: the action server may be down")
        # Rasa runs just that action: the turn ends listening, as after any message, or
        # the next message meets a conversation that never listened (and gets the
        # fallback).
        try:
            await self._call(
                "POST",
                f"/conversations/{sender_id}/tracker/events",
                {"include_events": "NONE", **self._token},
                [{"event": "action", "name": "action_listen"}],
                check=True,
            )
        except RasaUnavailable as exc:  # the answer is there: deliver it anyway
            log.warning("could not close the rerun turn of %s: %s", sender_id, exc)
        return list(messages)

    async def form_state(self, sender_id: str) -> FormState:
        """The active form and requested slot of a conversation (HTTP API)."""
        _, content = await self._call(
            "GET",
            f"/conversations/{sender_id}/tracker",
            {"include_events": "NONE", **self._token},
            check=True,
        )
        tracker = json.loads(content)
        loop = (tracker.get("active_loop") or {}).get("name")
        requested = (tracker.get("slots") or {}).get("requested_slot")
        return FormState(loop, requested if loop else None)

    async def set_slots(self, sender_id: str, slots: dict[str, Any]) -> None:
        """Set slots in a conversation without a message (e.g. shared coordinates)."""
        events = [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
        await self._call(
            "POST",
            f"/conversations/{sender_id}/tracker/events",
            {"include_events": "NONE", **self._token},
            events,
            check=True,
        )

    async def reachable(self) -> bool:
        """True when the Rasa server answers and has a model loaded."""
        try:
            status, content = await self._call("GET", "/status", self._token, timeout=3)
            return status == 200 and bool(json.loads(content).get("model_file"))
        except (RasaUnavailable, ValueError):
            return False


def citizen_words(text: str) -> str:
    """A citizen's text as Rasa must read it: words, never a command.

    Rasa strips a message and reads one that starts with '/' as an intent with entities
    ('/restart', '/inform{...}'), skipping the NLU. Only the front end's own payloads may
    do that: a citizen's '/ restart' (not a Telegram command, for the space) silently
    restarted the conversation, and its empty answer looked like an outage that held the
    citizen's later messages. Such a text loses its leading slashes ('restart'); slashes
    alone become '?'. Anything else goes verbatim.
    """
    words = text.strip()
    if not words.startswith("/"):
        return text
    while words.startswith("/"):
        words = words[1:].strip()
    return words or "?"


def _without_token(exc: BaseException) -> str:
    """The error for logs and the inbox, without the token (an error may quote the URL)."""
    message = f"{type(exc).__name__}: {exc}"
    return re.sub(r"token=[^&\s'\"]+", "token=***", message)


def _text(content: bytes) -> str:
    return content.decode("utf-8", "replace")


# -- the citizen <-> Rasa bridge -----------------------------------------------------------


class Conversation:
    """The citizen <-> Rasa bridge, shared by all handlers."""

    def __init__(
        self,
        bot: Bot,
        rasa: RasaClient,
        store: AsyncStore,
        retry_max_delay_s: float = 60.0,
        sender: OutboxWorker | None = None,
    ):
        self.bot = bot
        self.rasa = rasa
        self.store = store
        self.retry_max_delay_s = retry_max_delay_s
        self.sender = sender or OutboxWorker(bot, store)  # sends the queued replies
        self._sender_locks: dict[str, asyncio.Lock] = {}
        # Inbox rows handled again after their handling was abandoned (a front end died
        # mid-turn): a button pressed in one of them was pressed once (messages.py).
        self.recovered: set[int] = set()

    def _lock(self, sender_id: str) -> asyncio.Lock:
        return self._sender_locks.setdefault(sender_id, asyncio.Lock())

    def _delay(self, attempts: int) -> float:
        return float(min(2 ** max(attempts - 1, 0), self.retry_max_delay_s))

    async def forward(
        self,
        inbox_id: int | None,
        sender_id: str,
        chat_id: int,
        payload: str,
        arrival: Arrival | None = None,
    ) -> None:
        """Send a citizen's message (inbox row `inbox_id`, stored as `arrival` if it is
        the update being handled) to Rasa and deliver the replies (or keep it for the retry
        worker)."""
        correlation_id.set(inbox_id)  # this task's log lines carry the inbox id
        started = time.monotonic()
        async with self._lock(sender_id):
            if await self.store.has_pending(sender_id, arrival):
                # Keep the order: this one waits behind the earlier message.
                await self.store.mark_pending(inbox_id, payload, "queued behind earlier", 0)
                return
            try:
                async with self.typing(chat_id):
                    replies = await self._turn(sender_id, payload, inbox_id)
            except RasaUnavailable as exc:
                log.warning("Rasa unavailable for %s: %s", sender_id, exc)
                payload = await self._retry_payload(sender_id, payload, exc)
                await self.store.mark_pending(inbox_id, payload, str(exc), self._delay(1))
                await self.say(chat_id, text("queued_notice"))
                return
            await self.deliver(chat_id, replies, inbox_id)
            metrics.REPLY_LATENCY.observe(time.monotonic() - started)

    async def retry_pending(self) -> int:
        """Forward waiting messages, oldest first per citizen. Returns how many went through."""
        delivered = 0
        for head in await self.store.pending_heads():
            async with self._lock(head.sender_id):
                item: InboxItem | None = head
                while item is not None:
                    if not await self.store.claim_pending(item):
                        break  # another front end forwards it, and those behind it
                    try:
                        async with self.typing(item.chat_id):
                            replies = await self._turn(item.sender_id, item.payload, item.id)
                    except RasaUnavailable as exc:
                        payload = await self._retry_payload(item.sender_id, item.payload, exc)
                        attempts = item.attempts + 1
                        await self.store.mark_pending(
                            item.id, payload, str(exc), self._delay(attempts)
                        )
                        break
                    await self.deliver(item.chat_id, replies, item.id)
                    delivered += 1
                    item = next(
                        (
                            h
                            for h in await self.store.pending_heads(now=_far_future())
                            if h.sender_id == head.sender_id
                        ),
                        None,
                    )
        return delivered

    async def _turn(
        self, sender_id: str, payload: str, inbox_id: int | None = None
    ) -> list[dict[str, Any]]:
        """A message to Rasa, or the run of an action that failed before. A message Rasa
        took before (sent again after a timeout or a crash) is not taken twice: Rasa
        answers it from the conversation (rasa_addons/once.py, by its inbox id)."""
        if inbox_id is not None:
            self.recovered.discard(inbox_id)
        if payload.startswith(RERUN_PREFIX):
            return await self.rasa.execute(sender_id, payload.removeprefix(RERUN_PREFIX))
        return await self.rasa.send(sender_id, payload, inbox_id=inbox_id)

    async def _retry_payload(self, sender_id: str, payload: str, error: RasaUnavailable) -> str:
        """What to try again: the message, or, when Rasa took it and an action failed, a
        new run of that action (the message must not reach Rasa twice)."""
        if not isinstance(error, TurnFailed) or payload.startswith(RERUN_PREFIX):
            return payload  # Rasa did not take the message (or it is a rerun already)
        try:
            action = await self.rasa.failed_action(sender_id)
        except RasaUnavailable as exc:  # the message is then sent again: logged
            log.warning("could not read the failed turn of %s: %s", sender_id, exc)
            return payload
        return f"{RERUN_PREFIX}{action}" if action else payload

    @contextlib.asynccontextmanager
    async def typing(self, chat_id: int, delay: float = TYPING_DELAY_S) -> AsyncIterator[None]:
        """Show "typing…" in the chat while the body runs, once it has run `delay` seconds
        (refreshed every few seconds)."""

        async def keep_typing() -> None:
            await asyncio.sleep(delay)
            while True:
                if rate_to_spare(self.bot):
                    with contextlib.suppress(Exception):
                        await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
                await asyncio.sleep(TYPING_REFRESH_S)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def deliver(
        self, chat_id: int, replies: list[dict[str, Any]], inbox_id: int | None = None
    ) -> None:
        """Close the citizen's message (inbox row `inbox_id`) and send Rasa's replies to it.

        The replies are queued in the outbox in the same transaction, then sent at once;
        what Telegram does not take now waits there for the outbox worker. Keyboards'
        payloads are remembered for button presses.
        """
        messages = rendering.from_rasa(replies) or [rendering.Outgoing(text("empty_reply"))]
        claimed = await self.store.queue_conversation(
            chat_id, [(m.text, m.buttons) for m in messages], inbox_id
        )
        await self.sender.send(claimed)

    async def say(
        self, chat_id: int, body: str, buttons: list[tuple[str, str]] | None = None
    ) -> Message:
        """Send plain text (escaped, split at Telegram's limit), buttons on the last part."""
        chunks = rendering.html_chunks(body)
        sent: Message | None = None
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            markup = rendering.keyboard([t for t, _ in buttons]) if buttons and last else None
            sent = await self.bot.send_message(
                chat_id, chunk, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        assert sent is not None
        if buttons:
            await self.store.remember_keyboard(
                chat_id, sent.message_id, [t for t, _ in buttons], [p for _, p in buttons]
            )
        return sent


def rate_to_spare(bot: Bot) -> bool:
    """True unless the bot's Telegram rate limit (TELEGRAM_OVERALL_MAX_RATE, python-telegram-
    bot's AIORateLimiter) has more than TYPING_MAX_LIMITER_SHARE of its capacity in use
    (a bot without that limiter always has some to spare)."""
    limiter = getattr(getattr(bot, "rate_limiter", None), "_base_limiter", None)
    if limiter is None or not hasattr(limiter, "has_capacity"):
        return True
    return bool(limiter.has_capacity(limiter.max_rate * TYPING_MAX_LIMITER_SHARE))


def _far_future() -> Any:
    """A time after every retry delay: the next pending message is due right away."""
    from datetime import datetime, timezone

    return datetime.max.replace(tzinfo=timezone.utc)
