"""Delivering the outbox: officer replies and status changes, exactly once, with backoff.

Whoever causes a message (the console, an action) writes it to `outbox_messages`; this worker
claims due rows, sends them and records the result. `retry_after` from Telegram is honoured,
other failures back off exponentially, and a citizen who blocked the bot is marked and not
retried.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.telegram import rendering
from bot.telegram.store import AsyncStore

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

    async def run_once(self) -> int:
        """Deliver what is due. Returns how many messages were sent."""
        sent = 0
        claimed = await self.store.claim_due()
        for position, item in enumerate(claimed):
            try:
                message_id = 0
                for chunk in rendering.html_chunks(item.text):
                    message = await self.bot.send_message(
                        item.chat_id, chunk, parse_mode=ParseMode.HTML
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
            except BadRequest as exc:  # will not get better by retrying (e.g. chat not found)
                log.warning("outbox %s refused: %s", item.id, exc)
                await self.store.outbox_retry(item.id, 0, str(exc), give_up=True)
            except TelegramError as exc:
                attempts = item.attempts + 1
                delay = min(2.0**attempts, MAX_BACKOFF_S)
                give_up = attempts >= self.max_attempts
                log.warning("outbox %s failed (%s), attempt %d", item.id, exc, attempts)
                await self.store.outbox_retry(item.id, delay, str(exc), give_up=give_up)
            else:
                await self.store.outbox_sent(item.id, message_id)
                sent += 1
        return sent
