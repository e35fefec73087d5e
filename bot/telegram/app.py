"""The Telegram front end process: receives updates, stores them, runs the handlers.

Updates are stored in the inbox before they are acknowledged: in polling mode the offset
that confirms an update is sent only after it was stored; in webhook mode the HTTP 200 is
returned only after it was stored. Each citizen's updates are handled in order, different
citizens in parallel.

An update id is deduplicated within a window (INBOX_DEDUP_HOURS): a redelivered update is
stored and handled once, while an id Telegram (or a restarted Bot API server) reuses
after the window is a new message. An update stored but not finished within a lease (the
process died, a handler failed) is handled again from its stored JSON by the retry job. A
job applies the retention periods hourly.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import BotCommand, Update
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

from bot.config import Settings
from bot.store.db import get_engine
from bot.store.repository import Repository
from bot.telegram import handlers, health
from bot.telegram.conversation import Conversation, RasaClient
from bot.telegram.outbox import OutboxWorker, retry_after_seconds
from bot.telegram.store import Arrival, AsyncStore

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"
POLL_TIMEOUT_S = 25
PURGE_INTERVAL_S = 3600.0


def classify(update: Update) -> str:
    """A short name for the kind of update (stored in the inbox)."""
    for kind in ("callback_query", "edited_message", "message", "channel_post", "my_chat_member"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def bot_id_of(token: str) -> int:
    """The bot's numeric id, the part of the token before the colon (0 if there is none)."""
    head = token.split(":", 1)[0]
    return int(head) if head.isdigit() else 0


class SenderQueues:
    """Runs each citizen's updates one after another, citizens concurrently."""

    def __init__(self, application: Application) -> None:
        self.application = application
        self._queues: dict[str, asyncio.Queue[Update]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # Update ids queued or being handled here, with what storing them answered (None
        # for an update recovered from the inbox).
        self.in_flight: dict[int, Arrival | None] = {}

    def put(self, key: str, update: Update, arrival: Arrival | None = None) -> None:
        """Queue an update behind the same citizen's earlier ones."""
        self.in_flight[update.update_id] = arrival
        queue = self._queues.setdefault(key, asyncio.Queue())
        queue.put_nowait(update)
        task = self._tasks.get(key)
        if task is None or task.done():
            self._tasks[key] = asyncio.create_task(self._drain(key, queue))

    async def _drain(self, key: str, queue: asyncio.Queue[Update]) -> None:
        while not queue.empty():
            update = queue.get_nowait()
            try:
                await self.application.process_update(update)
            except Exception:  # the error handler logged it; keep serving this citizen
                log.exception("update %s failed", update.update_id)
            finally:
                self.in_flight.pop(update.update_id, None)
        # Idle: forget this citizen's queue (no await since the check above, so no update
        # can have slipped in).
        if self._queues.get(key) is queue:
            del self._queues[key]
            self._tasks.pop(key, None)

    async def join(self) -> None:
        """Wait for everything queued so far."""
        while any(not t.done() for t in self._tasks.values()):
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)


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
        self.queues = SenderQueues(self.application)
        self._poller: asyncio.Task[None] | None = None
        self._site_runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()
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
        jobs.run_repeating(self._purge_tick, interval=PURGE_INTERVAL_S, first=5.0, name="purge")
        await self._start_http()
        if settings.telegram_webhook_url:
            await self.application.bot.set_webhook(
                settings.telegram_webhook_url,
                secret_token=settings.telegram_webhook_secret or None,
                allowed_updates=Update.ALL_TYPES,
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

    async def accept(self, update: Update) -> bool:
        """Store an update, then queue it. False for a duplicate (stored within the window).

        The arrival that stored the row handles it; any other arrival of the same update
        (redelivery, another replica) is dropped, even while the first is still being
        handled. If that handling never finishes, the retry job recovers it.
        """
        user = update.effective_user
        chat = update.effective_chat
        arrival = await self.store.store_update(
            update.update_id,
            update.to_dict(),
            classify(update),
            str(user.id) if user else None,
            chat.id if chat else None,
        )
        if arrival is None:
            log.info("duplicate update %s ignored", update.update_id)
            return False
        self._queue(update, arrival)
        return True

    def _queue(self, update: Update, arrival: Arrival | None = None) -> None:
        user = update.effective_user
        chat = update.effective_chat
        key = str(user.id) if user else f"chat:{chat.id if chat else 0}"
        self.queues.put(key, update, arrival)

    async def _poll(self) -> None:
        bot = self.application.bot
        offset: int | None = None
        backoff = 1.0
        while not self._stopping.is_set():
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT_S, allowed_updates=Update.ALL_TYPES
                )
                backoff = 1.0
            except RetryAfter as exc:
                await asyncio.sleep(retry_after_seconds(exc))
                continue
            except (TimedOut, NetworkError, TelegramError) as exc:
                log.warning("getUpdates failed: %s (retrying in %.0f s)", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            for update in updates:
                try:
                    await self.accept(update)
                except Exception:
                    # Not stored: do not confirm it; Telegram will deliver it again.
                    log.exception("could not store update %s", update.update_id)
                    await asyncio.sleep(1)
                    break
                offset = update.update_id + 1

    # -- HTTP: webhook receiver and health --------------------------------------------------

    async def _start_http(self) -> None:
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_get("/healthz", self._health)
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
        secret = self.settings.telegram_webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if secret and not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook request with a wrong secret token from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            data: Any = await request.json()
            update = Update.de_json(data, self.application.bot)
        except Exception:
            return web.Response(status=400, text="bad update")
        try:
            await self.accept(update)
        except Exception:
            log.exception("could not store update %s", update.update_id)
            return web.Response(status=500, text="not stored")  # Telegram retries
        return web.Response(text="ok")

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

    async def _retry_tick(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
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
            self._queue(Update.de_json(item.raw, self.application.bot))
            recovered += 1
        return recovered

    async def _purge_tick(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.purge()
        except Exception:
            log.exception("retention purge failed")

    async def purge(self) -> None:
        """Apply the retention periods to the inbox and outbox (README, "Retention")."""
        settings = self.settings
        report = await self.store.purge(
            raw_after=timedelta(days=settings.inbox_raw_retention_days),
            delete_after=timedelta(days=settings.inbox_retention_days),
            outbox_after=timedelta(days=settings.outbox_retention_days),
        )
        if report.inbox_blanked or report.inbox_deleted or report.outbox_blanked:
            log.info(
                "retention: %d raw updates blanked, %d inbox rows deleted, %d outbox texts blanked",
                report.inbox_blanked,
                report.inbox_deleted,
                report.outbox_blanked,
            )
