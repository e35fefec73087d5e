"""The bridge between citizens and Rasa: carrying their messages without losing any.

Every update is stored in the inbox before it is acknowledged (see `app.py`). A message
for Rasa is forwarded at once unless an earlier message of the same citizen still waits;
when Rasa does not answer, the message stays pending, the citizen is told it was received,
and `retry_pending` (run by the job queue) forwards it later, in order per citizen.

`RasaClient` speaks to Rasa's REST channel and HTTP API over one shared httpx client. With
a token (RASA_AUTH_TOKEN, `rasa run --auth-token`) every request carries it as `?token=`,
Rasa's way: the HTTP API answers 401 without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from telegram import Bot, Message
from telegram.constants import ChatAction, ParseMode

from bot.telegram import rendering
from bot.telegram.store import AsyncStore, InboxItem
from bot.texts import text

log = logging.getLogger(__name__)
TYPING_REFRESH_S = 4.5

# -- Rasa's REST channel and HTTP API ------------------------------------------------------


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) did not answer usefully."""


@dataclass(frozen=True)
class FormState:
    """Which form is active in a conversation, and which slot it asks for."""

    active_loop: str | None
    requested_slot: str | None


class RasaClient:
    """Sends citizens' messages to Rasa; the sender id is the Telegram user id."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 15.0,
        client: httpx.AsyncClient | None = None,
        auth_token: str = "",
    ):
        self.base_url = base_url.rstrip("/")
        self._token: dict[str, str] = {"token": auth_token} if auth_token else {}
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._owns_client = client is None

    async def close(self) -> None:
        """Close the shared HTTP client."""
        if self._owns_client:
            await self._client.aclose()

    async def send(
        self, sender_id: str, message: str, expect_reply: bool = True
    ) -> list[dict[str, Any]]:
        """Post a message to the REST channel and return Rasa's replies.

        Every turn of our assistant says something; no reply at all means the turn failed
        (typically the action server is down, which Rasa only logs), so it counts as
        unavailable and the message is retried.
        """
        try:
            response = await self._client.post(
                f"{self.base_url}/webhooks/rest/webhook",
                params=self._token,
                json={"sender": sender_id, "message": message},
            )
        except httpx.HTTPError as exc:
            raise RasaUnavailable(_without_token(exc)) from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"HTTP {response.status_code}: {response.text[:200]}")
        replies = response.json()
        if not isinstance(replies, list):
            raise RasaUnavailable(f"unexpected reply: {str(replies)[:200]}")
        if expect_reply and not replies:
            raise RasaUnavailable("no reply: the action server may be down")
        return replies

    async def form_state(self, sender_id: str) -> FormState:
        """The active form and requested slot of a conversation (HTTP API)."""
        try:
            response = await self._client.get(
                f"{self.base_url}/conversations/{sender_id}/tracker",
                params={"include_events": "NONE", **self._token},
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailable(_without_token(exc)) from exc
        tracker = response.json()
        loop = (tracker.get("active_loop") or {}).get("name")
        requested = (tracker.get("slots") or {}).get("requested_slot")
        return FormState(loop, requested if loop else None)

    async def set_slots(self, sender_id: str, slots: dict[str, Any]) -> None:
        """Set slots in a conversation without a message (e.g. shared coordinates)."""
        events = [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
        try:
            response = await self._client.post(
                f"{self.base_url}/conversations/{sender_id}/tracker/events",
                params={"include_events": "NONE", **self._token},
                json=events,
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailable(_without_token(exc)) from exc

    async def reachable(self) -> bool:
        """True when the Rasa server answers and has a model loaded."""
        try:
            response = await self._client.get(
                f"{self.base_url}/status", params=self._token, timeout=3
            )
            return response.status_code == 200 and bool(response.json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            return False


def _without_token(exc: httpx.HTTPError) -> str:
    """The error for logs and the inbox, without the token (httpx quotes the URL)."""
    message = f"{type(exc).__name__}: {exc}"
    return re.sub(r"token=[^&\s'\"]+", "token=***", message)


# -- the citizen <-> Rasa bridge -----------------------------------------------------------


class Conversation:
    """The citizen <-> Rasa bridge, shared by all handlers."""

    def __init__(
        self,
        bot: Bot,
        rasa: RasaClient,
        store: AsyncStore,
        retry_max_delay_s: float = 60.0,
    ):
        self.bot = bot
        self.rasa = rasa
        self.store = store
        self.retry_max_delay_s = retry_max_delay_s
        self._sender_locks: dict[str, asyncio.Lock] = {}

    def _lock(self, sender_id: str) -> asyncio.Lock:
        return self._sender_locks.setdefault(sender_id, asyncio.Lock())

    def _delay(self, attempts: int) -> float:
        return float(min(2 ** max(attempts - 1, 0), self.retry_max_delay_s))

    async def forward(
        self, inbox_id: int | None, sender_id: str, chat_id: int, payload: str
    ) -> None:
        """Send a citizen's message (inbox row `inbox_id`) to Rasa and deliver the replies
        (or keep it for the retry worker)."""
        async with self._lock(sender_id):
            if await self.store.has_pending(sender_id):
                # Keep the order: this one waits behind the earlier message.
                await self.store.mark_pending(inbox_id, payload, "queued behind earlier", 0)
                return
            try:
                async with self.typing(chat_id):
                    replies = await self.rasa.send(sender_id, payload)
            except RasaUnavailable as exc:
                log.warning("Rasa unavailable for %s: %s", sender_id, exc)
                await self.store.mark_pending(inbox_id, payload, str(exc), self._delay(1))
                await self.say(chat_id, text("queued_notice"))
                return
            await self.store.mark_done(inbox_id)
            await self.deliver(chat_id, replies)

    async def retry_pending(self) -> int:
        """Forward waiting messages, oldest first per citizen. Returns how many went through."""
        delivered = 0
        for head in await self.store.pending_heads():
            async with self._lock(head.sender_id):
                item: InboxItem | None = head
                while item is not None:
                    try:
                        async with self.typing(item.chat_id):
                            replies = await self.rasa.send(item.sender_id, item.payload)
                    except RasaUnavailable as exc:
                        attempts = item.attempts + 1
                        await self.store.mark_pending(
                            item.id, item.payload, str(exc), self._delay(attempts)
                        )
                        break
                    await self.store.mark_done(item.id)
                    await self.deliver(item.chat_id, replies)
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

    @contextlib.asynccontextmanager
    async def typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" in the chat while the body runs (refreshed every few seconds)."""

        async def keep_typing() -> None:
            while True:
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

    async def deliver(self, chat_id: int, replies: list[dict[str, Any]]) -> None:
        """Send Rasa's replies; keyboards' payloads are remembered for button presses."""
        messages = rendering.from_rasa(replies)
        if not messages:
            await self.say(chat_id, text("empty_reply"))
            return
        for outgoing in messages:
            await self.say(chat_id, outgoing.text, outgoing.buttons)

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


def _far_future() -> Any:
    """A time after every retry delay: the next pending message is due right away."""
    from datetime import datetime, timezone

    return datetime.max.replace(tzinfo=timezone.utc)
