"""Delivering the outbox: officer replies and status changes, exactly once, with backoff.

Whoever causes a message (the console, an action) writes it to `outbox_messages`; this worker
claims due rows, sends them and records the result. `retry_after` from Telegram is honoured,
other failures back off exponentially, and a citizen who blocked the bot is marked and not
retried. A message's buttons (its own, or its kind's: bot.store.outbox.buttons_of) go
under its last part. The assistant's replies in a conversation are sent by the same code
right after they were queued (`send`), and only wait for this worker when that failed.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.telegram import rendering
from bot.telegram.store import AsyncStore, OutboxItem

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 300.0


def retry_after_seconds(exc: RetryAfter) -> float:
    """Telegram's retry_after as seconds (PTB gives an int or a timedelta)."""
    delay = exc.retry_after
    return float(delay) if isinstance(delay, (int, float)) else delay.total_seconds()


class OutboxWorker:
    """Sends due outbox messages; one `run_once` per job-queue tick."""

    def __init__(self, bot: Bot, store: AsyncStore, max_attempts: int = 8):
        self.bot = bot
        self.store = store
        self.max_attempts = max_attempts
        self._renew_every_s: float | None = None

    @property
    def renew_every_s(self) -> float:
        """Claims are renewed every third of their lease while a batch is being sent."""
        if self._renew_every_s is None:
            self._renew_every_s = self.store.outbox_lease.total_seconds() / 3
        return self._renew_every_s

    @renew_every_s.setter
    def renew_every_s(self, seconds: float) -> None:
        self._renew_every_s = seconds

    async def run_once(self) -> int:
        """Deliver what is due. Returns how many messages were sent."""
        return await self.send(await self.store.claim_due())

    async def send(self, claimed: list[OutboxItem]) -> int:
        """Send claimed messages in order and record each result; returns how many went.

        After a failure, the chat's later messages in `claimed` wait as long as the
        failed one (a chat's messages never overtake each other); after Telegram's 429,
        all of them do.
        """
        sent = 0
        held: dict[int, float] = {}  # chat id -> delay of its failed message
        loop = asyncio.get_running_loop()
        renewed_at = loop.time()
        lost: set[int] = set()  # claims whose lease ran out and another front end took
        for position, item in enumerate(claimed):
            if loop.time() - renewed_at >= self.renew_every_s:
                rest = [i.id for i in claimed[position:]]
                lost |= set(rest) - await self.store.renew_outbox(rest)
                renewed_at = loop.time()
            if item.id in lost:
                log.warning("outbox %s: claim expired, left to the front end that took it", item.id)
                continue
            if item.chat_id in held:
                await self.store.release_outbox([item.id], held[item.chat_id])
                continue
            try:
                message_id = 0
                chunks = rendering.html_chunks(item.text)
                titles = [title for title, _ in item.buttons]
                for index, chunk in enumerate(chunks):
                    last = index == len(chunks) - 1
                    message = await self.bot.send_message(
                        item.chat_id,
                        chunk,
                        parse_mode=ParseMode.HTML,
                        reply_markup=rendering.keyboard(titles) if titles and last else None,
                    )
                    message_id = message.message_id
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                log.info("outbox %s: rate limited, retry after %s s", item.id, seconds)
                await self.store.outbox_retry(item.id, float(seconds), str(exc), give_up=False)
                # Telegram asked us to slow down: hand the rest back for after the pause.
                await self.store.release_outbox(
                    [i.id for i in claimed[position + 1 :]], float(seconds)
                )
                break
            except Forbidden as exc:
                log.info("outbox %s: chat %s blocked the bot", item.id, item.chat_id)
                await self.store.outbox_blocked(item.chat_id, str(exc))
                held[item.chat_id] = 0.0  # its other messages are marked blocked too
            except BadRequest as exc:  # will not get better by retrying (e.g. chat not found)
                log.warning("outbox %s refused: %s", item.id, exc)
                await self.store.outbox_retry(item.id, 0, str(exc), give_up=True)
            except TelegramError as exc:
                attempts = item.attempts + 1
                delay = min(2.0**attempts, MAX_BACKOFF_S)
                give_up = attempts >= self.max_attempts
                log.warning("outbox %s failed (%s), attempt %d", item.id, exc, attempts)
                await self.store.outbox_retry(item.id, delay, str(exc), give_up=give_up)
                held[item.chat_id] = delay
            else:
                # Its keyboard kept for presses, then recorded sent (one database trip).
                await self.store.outbox_delivered(item, message_id)
                sent += 1
        return sent
