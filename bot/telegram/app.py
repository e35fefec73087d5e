"""The Telegram front end process: receives updates, stores them, runs the handlers.

Updates are stored in the inbox before they are acknowledged: in polling mode the offset
that confirms an update is sent only after it was stored; in webhook mode the HTTP 200 is
returned only after it was stored, and once it was handled (WEBHOOK_ANSWER_WAIT_S at most),
so that Telegram, which posts a chat's next update only after that answer, keeps a
citizen's updates in order across several front-end replicas. Each citizen's updates are
handled in order, different citizens in parallel.

An update id is deduplicated within a window (INBOX_DEDUP_HOURS): a redelivered update is
stored and handled once, while an id Telegram (or a restarted Bot API server) reuses
after the window is a new message. An update stored but not finished within a lease (the
process died, a handler failed) is handled again from its stored JSON by the retry job. A
job applies the retention periods hourly.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import hmac
import logging
import socket
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Bot, BotCommand, Update
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes
from telegram.warnings import PTBUserWarning

from bot import metrics
from bot.config import Settings
from bot.store.db import get_engine
from bot.store.repository import Repository
from bot.telegram import handlers, health
from bot.telegram.conversation import Conversation, RasaClient
from bot.telegram.live import LiveRelay
from bot.telegram.outbox import OutboxWorker, retry_after_seconds
from bot.telegram.request import AiohttpRequest
from bot.telegram.store import Arrival, AsyncStore, handling
from bot.telegram.throttle import COALESCE_MAX_CHARS, ChatThrottle, coalesce, coalescible
from bot.telegram.unstored import Unstored
from bot.texts import text

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"
POLL_TIMEOUT_S = 25
# How long a webhook request waits for its update's handling before it is answered anyway
# (a turn is usually under a second; Rasa is given RASA_TIMEOUT_S, 15 s, before the
# message waits in the inbox, and Telegram's own patience is not documented).
WEBHOOK_ANSWER_WAIT_S = 10.0
# The updates asked of Telegram (allowed_updates, polling and webhook alike): the kinds
# `classify` tells apart. The handlers act on messages, edits and button presses; channel
# posts and the bot's own membership changes are stored and closed. Update.ALL_TYPES also
# opted into chat_member and message reactions (sent only on request) and polls, inline
# queries, payments and business messages: nothing here reads them, and each would cost a
# request and an inbox row.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "channel_post", "my_chat_member")
PURGE_INTERVAL_S = 3600.0


def classify(update: Update) -> str:
    """A short name for the kind of update (stored in the inbox)."""
    for kind in ("callback_query", "edited_message", "message", "channel_post", "my_chat_member"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def readable_update(data: Any, bot: Bot) -> Update | None:
    """The update, or None when the front end cannot read it: python-telegram-bot refuses
    it, or an id, a text or a button's data it relies on has the wrong type."""
    try:
        update = Update.de_json(data, bot)
    except Exception:
        return None
    if update is None or not _is_int(update.update_id):
        return None
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    query = update.callback_query
    if (chat is not None and not _is_int(chat.id)) or (user is not None and not _is_int(user.id)):
        return None
    if message is not None and not all(
        isinstance(value, (str, type(None))) for value in (message.text, message.caption)
    ):
        return None
    if message is not None and (chat is None or (user is None and chat.type != "channel")):
        return None  # a message has a chat; only channel posts come without a sender
    if query is not None and not isinstance(query.data, (str, type(None))):
        return None
    return update


def without_nul(data: Any) -> Any:
    """The decoded update with U+0000 removed from every string: PostgreSQL's text columns
    refuse it (a held message, a display name), and it means nothing in a chat."""
    if isinstance(data, str):
        return data.replace("\x00", "")
    if isinstance(data, list):
        return [without_nul(item) for item in data]
    if isinstance(data, dict):
        return {without_nul(key): without_nul(value) for key, value in data.items()}
    return data


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def replica_name(settings: Settings) -> str:
    """This front end's name among replicas (its outbox claims): host and port, so that a
    replica restarted in place takes back its own claims at once (bot.store.outbox)."""
    return f"{socket.gethostname()}:{settings.frontend_port}"


def bot_id_of(token: str) -> int:
    """The bot's numeric id, the part of the token before the colon (0 if there is none)."""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 0


class SenderQueues:
    """Runs each citizen's updates one after another, citizens concurrently.

    With a throttle, a sender over their rate waits in their own queue (nobody else
    does); their queued texts are then coalesced into one turn (bot.telegram.throttle).
    """

    def __init__(
        self,
        application: Application,
        throttle: ChatThrottle | None = None,
        on_throttled: Callable[[Update], Awaitable[None]] | None = None,
        on_coalesced: Callable[[list[Update]], Awaitable[None]] | None = None,
    ) -> None:
        self.application = application
        self.throttle = throttle
        self.on_throttled = on_throttled  # the first wait of a flood: the notice
        self.on_coalesced = on_coalesced  # updates whose text went along with an earlier one
        self._queues: dict[str, collections.deque[Update]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # Update ids queued or being handled here, with what storing them answered (None
        # for an update recovered from the inbox).
        self.in_flight: dict[int, Arrival | None] = {}
        # Update id -> resolved once its handling finished (the webhook's answer waits).
        self._handled: dict[int, asyncio.Future[None]] = {}
        self.puts = 0  # updates queued so far (an arrival stored meanwhile may be stale)

    def busy(self, key: str) -> bool:
        """True while the citizen has an update queued or being handled here."""
        return key in self._queues

    def put(self, key: str, update: Update, arrival: Arrival | None = None) -> None:
        """Queue an update behind the same citizen's earlier ones."""
        self.puts += 1
        self.in_flight[update.update_id] = arrival
        self._handled.setdefault(update.update_id, asyncio.get_running_loop().create_future())
        queue = self._queues.setdefault(key, collections.deque())
        queue.append(update)
        task = self._tasks.get(key)
        if task is None or task.done():
            self._tasks[key] = asyncio.create_task(self._drain(key, queue))

    async def _drain(self, key: str, queue: collections.deque[Update]) -> None:
        while queue:
            batch = [queue.popleft()]
            try:
                await self._pace(key, queue, batch)
                # What storing it answered, for the handlers (bot.telegram.store.handling);
                # texts taken along into one turn are read again.
                handling.set(self.in_flight.get(batch[0].update_id) if len(batch) == 1 else None)
                await self.application.process_update(coalesce(batch, self.application.bot))
                if len(batch) > 1 and self.on_coalesced is not None:
                    await self.on_coalesced(batch[1:])
            except Exception:  # the error handler logged it; keep serving this citizen
                log.exception("update %s failed", batch[0].update_id)
            finally:
                for update in batch:
                    self.in_flight.pop(update.update_id, None)
                    handled = self._handled.pop(update.update_id, None)
                    if handled is not None and not handled.done():
                        handled.set_result(None)
        # Idle: forget this citizen's queue (no await since the check above, so no update
        # can have slipped in).
        if self._queues.get(key) is queue:
            del self._queues[key]
            self._tasks.pop(key, None)

    async def _pace(self, key: str, queue: collections.deque[Update], batch: list[Update]) -> None:
        """Wait for the sender's next token (buttons never wait: a press is answered at
        once); after a wait, take the texts queued behind a text along (into `batch`)."""
        throttle, first = self.throttle, batch[0]
        if throttle is None or first.callback_query is not None:
            return
        wait = throttle.wait_s(key)
        if wait > 0:
            if throttle.first_wait(key) and self.on_throttled is not None:
                await self.on_throttled(first)
            await asyncio.sleep(wait)
            if coalescible(first):
                size = len(_text(first))
                while queue and coalescible(queue[0]):
                    size += 1 + len(_text(queue[0]))
                    if size > COALESCE_MAX_CHARS:
                        break
                    batch.append(queue.popleft())
        throttle.take(key)

    async def handled(self, update_id: int, timeout: float) -> None:
        """Wait (at most `timeout` seconds) until the update queued here was handled."""
        future = self._handled.get(update_id)
        if future is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(future), timeout)

    async def join(self) -> None:
        """Wait for everything queued so far."""
        while any(not t.done() for t in self._tasks.values()):
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)


def _text(update: Update) -> str:
    return (update.message.text if update.message is not None else None) or ""


def _sender_key(update: Update) -> str:
    """The queue an update waits in: its sender's (a channel post's: its chat's)."""
    user = update.effective_user
    chat = update.effective_chat
    return str(user.id) if user else f"chat:{chat.id if chat else 0}"


class TelegramFrontend:
    """Polling or webhook receiver, handlers, retry and outbox jobs, health endpoint."""

    def __init__(self, settings: Settings):
        self.settings = settings
        engine = get_engine(settings.database_url)
        self.store = AsyncStore(
            engine,
            Repository(
                engine,
                timezone=settings.timezone,
                verification_days=settings.verification_working_days,
            ),
            settings.rasa_tracker_url,
            bot_id_of(settings.telegram_bot_token),
            dedup_window=timedelta(hours=settings.inbox_dedup_hours),
            replica=replica_name(settings),
            outbox_lease=timedelta(seconds=settings.outbox_lease_s),
            claim_lease=timedelta(seconds=settings.inbox_claim_lease_s),
        )
        self.rasa = RasaClient(
            settings.rasa_url,
            timeout=settings.rasa_timeout_s,
            auth_token=settings.rasa_auth_token,
        )
        self.application: Application = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token)
            .base_url(settings.telegram_api_base_url)
            .base_file_url(settings.telegram_api_file_url)
            .updater(None)
            # Bot API calls over aiohttp (bot.telegram.request: a fraction of httpx's CPU);
            # getUpdates on a connection of its own, as python-telegram-bot's default.
            .request(AiohttpRequest())
            .get_updates_request(AiohttpRequest(connection_pool_size=1))
            .rate_limiter(
                AIORateLimiter(
                    overall_max_rate=settings.telegram_overall_max_rate,
                    group_max_rate=settings.telegram_group_max_rate,
                    max_retries=0,  # RetryAfter reaches us: the outbox reschedules durably
                )
            )
            .build()
        )
        self.conversation = Conversation(
            self.application.bot, self.rasa, self.store, settings.rasa_retry_max_delay_s
        )
        self.outbox = OutboxWorker(self.application.bot, self.store, settings.outbox_max_attempts)
        self.live = LiveRelay(self.application.bot, self.store, settings.handoff_take_timeout_s)
        self.queues = SenderQueues(
            self.application,
            ChatThrottle(settings.chat_rate_burst, settings.chat_rate_interval_s),
            on_throttled=self._throttled,
            on_coalesced=self._coalesced,
        )
        self._poller: asyncio.Task[None] | None = None
        self._site_runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
        self.unstored = Unstored(self.application.bot)  # updates the database refused
        self.port: int | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect to Telegram, start jobs, the HTTP endpoint and polling or the webhook."""
        settings = self.settings
        settings.attachments_dir.mkdir(parents=True, exist_ok=True)
        self.application.bot_data["deps"] = handlers.HandlerDeps(
            conversation=self.conversation,
            store=self.store,
            attachments_dir=settings.attachments_dir,
            max_photo_bytes=settings.max_photo_bytes,
            max_document_bytes=settings.max_document_bytes,
            arrivals=self.queues.in_flight,
        )
        handlers.register(self.application)
        await self.application.initialize()
        await self.application.start()
        await self.application.bot.set_my_commands(
            [BotCommand(name, description) for name, description in handlers.COMMANDS]
        )
        requeued = await self.store.requeue_interrupted()
        if requeued:
            log.warning("%d outbox messages interrupted by a restart are queued again", requeued)
        jobs = self.application.job_queue
        assert jobs is not None, "python-telegram-bot[job-queue] is required"
        jobs.run_repeating(self._outbox_tick, interval=settings.outbox_poll_s, first=0.2)
        jobs.run_repeating(self._retry_tick, interval=1.0, first=1.0)
        jobs.run_repeating(self._live_tick, interval=settings.outbox_poll_s, first=0.3)
        jobs.run_repeating(self._purge_tick, interval=PURGE_INTERVAL_S, first=5.0, name="purge")
        await self._start_http()
        if settings.telegram_webhook_url:
            # Every replica registers the same webhook (Telegram answers "already set");
            # none deletes it on stopping, so the others keep receiving. Updates waiting at
            # Telegram (a switch from polling, an outage) are kept: dropping them would lose
            # citizens' messages.
            await self.application.bot.set_webhook(
                settings.telegram_webhook_url,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
                max_connections=settings.telegram_webhook_max_connections,
                drop_pending_updates=False,
            )
            log.info("webhook mode: %s", settings.telegram_webhook_url)
        else:
            await self.application.bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll())
            log.info("long polling %s", settings.telegram_api_base_url)

    async def stop(self) -> None:
        """Stop receiving, finish queued updates, close everything."""
        self._stopping.set()
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        await self.queues.join()
        if self._site_runner is not None:
            await self._site_runner.cleanup()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        await self.rasa.close()
        await asyncio.to_thread(self.store.close)  # waits for calls still running

    async def run_forever(self) -> None:
        """Start, then serve until cancelled."""
        await self.start()
        try:
            await self._stopping.wait()
        finally:
            await self.stop()

    # -- receiving -------------------------------------------------------------------------

    async def accept(self, update: Update, raw: dict[str, Any] | None = None) -> bool:
        """Store an update (`raw`: as Telegram sent it, else as python-telegram-bot writes
        it), then queue it. False for a duplicate (stored within the window).

        The arrival that stored the row handles it; any other arrival of the same update
        (redelivery, another replica) is dropped, even while the first is still being
        handled. If that handling never finishes, the retry job recovers it.
        """
        user = update.effective_user
        chat = update.effective_chat
        key = _sender_key(update)
        puts, busy = self.queues.puts, self.queues.busy(key)
        arrival = await self.store.store_update(
            update.update_id,
            update.to_dict() if raw is None else raw,
            classify(update),
            str(user.id) if user else None,
            chat.id if chat else None,
        )
        if arrival is None:
            log.info("duplicate update %s ignored", update.update_id)
            return False
        if busy or self.queues.puts != puts:
            # An earlier update of the sender was queued or handled while this one was
            # stored (or something was queued meanwhile): its turn may open a live chat,
            # so whether one goes on is read again when this one is handled.
            arrival = dataclasses.replace(arrival, live_chat=None)
        metrics.MESSAGES_RECEIVED.labels(classify(update)).inc()
        self.queues.put(key, update, arrival)
        return True

    def _queue(self, update: Update, arrival: Arrival | None = None) -> None:
        self.queues.put(_sender_key(update), update, arrival)

    async def accept_raw(self, data: Any) -> bool:
        """Store and queue an update as Telegram sent it (decoded JSON).

        An update the front end cannot read (a field missing or of the wrong type) is
        stored with kind 'malformed' and closed at once, never handled: it must not stop
        the updates behind it (in polling mode it would never be confirmed, so every
        getUpdates, and every restart, would return it again). False for a duplicate or an
        update without a usable id.
        """
        data = without_nul(data)
        update = readable_update(data, self.application.bot)
        if update is not None:
            return await self.accept(update, data)  # read by readable_update: a dict
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.warning("an update without an id was ignored")
            return False
        log.warning("update %s is malformed: stored, not handled", update_id)
        arrival = await self.store.store_update(update_id, data, "malformed", None, None)
        if arrival is None:
            return False
        await self.store.mark_done(arrival.inbox_id, "malformed")
        return True

    async def _poll(self) -> None:
        bot = self.application.bot
        offset: int | None = None
        backoff = 1.0
        while not self._stopping.is_set():
            try:
                # Raw JSON, read one update at a time by accept_raw: Bot.get_updates reads
                # the whole batch at once and fails on one malformed update.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", PTBUserWarning)  # "use Bot.get_updates"
                    raw = await bot.do_api_request(
                        "getUpdates",
                        api_kwargs={
                            "offset": offset,
                            "timeout": POLL_TIMEOUT_S,
                            "allowed_updates": list(ALLOWED_UPDATES),
                        },
                        read_timeout=POLL_TIMEOUT_S + 10,
                    )
                updates = raw if isinstance(raw, list) else []
                backoff = 1.0
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except (TimedOut, NetworkError, TelegramError) as exc:
                log.warning("getUpdates failed: %s (retrying in %.0f s)", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            for position, data in enumerate(updates):
                update_id = data.get("update_id") if isinstance(data, dict) else None
                try:
                    await self.accept_raw(data)
                except Exception as exc:
                    # Not stored: do not confirm it; Telegram will deliver it again. Its
                    # sender (and those of the updates behind it) is told once.
                    await self.unstored.failed(updates[position:], exc)
                    await asyncio.sleep(1)
                    break
                self.unstored.stored(data)
                if isinstance(update_id, int):
                    offset = update_id + 1
            # The handlers just queued start first (up to their first wait), and only then
            # is the next getUpdates built and sent: building it costs python-telegram-bot
            # a few tenths of a millisecond that would otherwise delay every message's
            # turn (issue 12). The stored updates are confirmed by that getUpdates, as before.
            await asyncio.sleep(0)

    async def _throttled(self, update: Update) -> None:
        """A sender's flood starts waiting: tell them once, in a private chat only."""
        chat = update.effective_chat
        if chat is None or chat.type != "private":
            return
        try:
            await self.conversation.say(chat.id, text("throttled"))
        except Exception:  # a courtesy: the messages are kept and answered anyway
            log.exception("could not send the throttle notice to %s", chat.id)

    async def _coalesced(self, updates: list[Update]) -> None:
        """Close the inbox rows of texts that went to Rasa with an earlier text."""
        for update in updates:
            arrival = self.queues.in_flight.get(update.update_id)
            await self.store.mark_done(
                await self.store.inbox_id(update.update_id, arrival), "coalesced"
            )

    # -- HTTP: webhook receiver and health --------------------------------------------------

    async def _start_http(self) -> None:
        """aiohttp's server (pinned in requirements/app.in) for /healthz and the webhook.
        PTB's Updater.start_webhook (tornado) is not used: it answers Telegram as soon as an
        update is queued in memory and reads each update with Update.de_json, while this
        receiver answers only after the update is stored (and handled), and stores an
        unreadable update instead of failing on it."""
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/livez", self._live)
        if self.settings.telegram_webhook_url:
            app.router.add_post(WEBHOOK_PATH, self._webhook)
        self._site_runner = web.AppRunner(app, access_log=None)
        await self._site_runner.setup()
        site = web.TCPSite(
            self._site_runner, self.settings.frontend_host, self.settings.frontend_port
        )
        await site.start()
        server: Any = site._server
        sockets = server.sockets if server is not None else []
        self.port = sockets[0].getsockname()[1] if sockets else self.settings.frontend_port

    async def _webhook(self, request: web.Request) -> web.Response:
        """One update from Telegram: refused (403, nothing read or stored) without the
        secret token; 200 once stored (a duplicate too), 400 for a body that is no JSON,
        500 when the database refused it (Telegram then delivers it again)."""
        secret = self.settings.telegram_webhook_secret.encode()
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        # Constant time; an empty secret (the settings refuse one in webhook mode) matches
        # nothing.
        if not secret or not hmac.compare_digest(given, secret):
            log.warning("webhook request with a wrong secret token from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            data: Any = await request.json()
        except Exception:
            return web.Response(status=400, text="bad update")
        try:
            queued = await self.accept_raw(data)
        except Exception as exc:
            await self.unstored.failed([data], exc)  # logged, the sender told once
            return web.Response(status=500, text="not stored")  # Telegram retries
        self.unstored.stored(data)
        if queued:
            # Answer once it was handled: Telegram sends a chat's next update only after
            # this answer, so with several front ends a citizen's messages still reach Rasa
            # one after another, in order. It is stored: after WEBHOOK_ANSWER_WAIT_S the
            # answer goes anyway and the handling goes on.
            await self.queues.handled(data["update_id"], WEBHOOK_ANSWER_WAIT_S)
        return web.Response(text="ok")

    async def _live(self, _request: web.Request) -> web.Response:
        """Liveness: the process answers (readiness, with its dependencies: /healthz)."""
        return web.json_response({"status": "ok"})

    async def _metrics(self, _request: web.Request) -> web.Response:
        with contextlib.suppress(Exception):  # the database down: the last values stay
            await self.store.refresh_gauges()
        body, content_type = metrics.render()
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def _health(self, _request: web.Request) -> web.Response:
        report = await self.health()
        return web.json_response(report, status=200 if report["ok"] else 503)

    async def health(self) -> dict[str, Any]:
        """Reachability of Telegram, Rasa, the action server and the database."""
        return await health.check(
            self.application.bot,
            self.settings.rasa_url,
            self.settings.action_endpoint_url,
            self.settings.database_url,
            self.settings.rasa_auth_token,
        )

    # -- jobs ------------------------------------------------------------------------------

    async def _outbox_tick(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.outbox.run_once()
        except Exception:
            log.exception("outbox tick failed")

    async def _live_tick(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.live.run_once()
        except Exception:
            log.exception("live chat tick failed")

    async def _retry_tick(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            if self.queues.throttle is not None:
                self.queues.throttle.forget_idle()
            await self.conversation.retry_pending()
            await self.recover_unfinished()
        except Exception:
            log.exception("inbox retry failed")

    async def recover_unfinished(self) -> int:
        """Handle again the updates whose handling was abandoned. Returns how many."""
        recovered = 0
        for item in await self.store.claim_unfinished():
            if item.update_id in self.queues.in_flight:
                continue  # still queued here behind the citizen's earlier messages
            log.warning(
                "update %s was not finished: handling it again (attempt %d)",
                item.update_id,
                item.attempt,
            )
            # Rasa answers it from the conversation if it took it before the handler died
            # (rasa_addons/once.py); a button pressed in it counts once (messages.py).
            self.conversation.recovered.add(item.id)
            self._queue(Update.de_json(item.raw, self.application.bot))
            recovered += 1
        return recovered

    async def _purge_tick(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.purge()
        except Exception:
            log.exception("retention purge failed")

    async def purge(self) -> None:
        """Apply the retention periods to the inbox, outbox and live chats (README, "Retention")."""
        settings = self.settings
        report = await self.store.purge(
            raw_after=timedelta(days=settings.inbox_raw_retention_days),
            delete_after=timedelta(days=settings.inbox_retention_days),
            outbox_after=timedelta(days=settings.outbox_retention_days),
            live_chat_after=timedelta(days=settings.live_chat_retention_days),
        )
        if any(
            (
                report.inbox_blanked,
                report.inbox_deleted,
                report.outbox_blanked,
                report.live_chats_purged,
            )
        ):
            log.info(
                "retention: %d raw updates blanked, %d inbox rows deleted, %d outbox texts "
                "blanked, %d ended live chats cleared",
                report.inbox_blanked,
                report.inbox_deleted,
                report.outbox_blanked,
                report.live_chats_purged,
            )
