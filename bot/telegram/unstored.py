"""Updates the front end could not store, and the citizens who sent them.

When the database refuses the write that stores an update (the disk is full or read-only,
the server is unreachable), the update is not confirmed to Telegram: in polling mode the
offset stays, in webhook mode the answer is a 500, and Telegram delivers it again until it
is stored and handled (it keeps updates for 24 hours). Its sender is told once, in
private chats, that the message was received and will be answered without sending it
again (the `queued_notice` every outage uses); telling them to send it again would get it
answered twice once the database takes writes. The first failure of a streak is logged as
an error with its cause, later ones briefly at most once a minute, the recovery once.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.telegram import rendering
from bot.texts import text

log = logging.getLogger(__name__)
REPEAT_LOG_S = 60.0
MAX_REMEMBERED = 10_000


def _raw(update: Any) -> dict[str, Any]:
    if isinstance(update, Update):
        return update.to_dict()
    return update if isinstance(update, dict) else {}


def private_chat_of(update: Any) -> int | None:
    """The private chat an update (raw JSON or an Update) came from, if any."""
    data = _raw(update)
    query = data.get("callback_query")
    message = (
        data.get("message")
        or data.get("edited_message")
        or (query.get("message") if isinstance(query, dict) else None)
    )
    chat = message.get("chat") if isinstance(message, dict) else None
    if not isinstance(chat, dict) or chat.get("type") != "private":
        return None
    chat_id = chat.get("id")
    return chat_id if isinstance(chat_id, int) and not isinstance(chat_id, bool) else None


def update_id_of(update: Any) -> int | None:
    value = _raw(update).get("update_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Unstored:
    """Tells each sender of an unstored update once; logs the streak of failures."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.failures = 0
        self._told: set[int] = set()  # update ids whose sender was told
        self._logged_at = 0.0

    async def failed(self, updates: Sequence[Any], error: BaseException) -> None:
        """`updates[0]` could not be stored (nor, for now, those after it)."""
        self.failures += 1
        first = update_id_of(updates[0]) if updates else None
        now = time.monotonic()
        if self.failures == 1:
            log.error(
                "could not store update %s: %s. The database refuses writes (disk full or "
                "read-only? unreachable?); the update is not confirmed to Telegram, which "
                "delivers it again, and its sender is told it will be answered",
                first,
                error,
                exc_info=error,
            )
            self._logged_at = now
        elif now - self._logged_at >= REPEAT_LOG_S:
            log.error("still cannot store update %s (%d tries): %s", first, self.failures, error)
            self._logged_at = now
        for update in updates:
            await self._tell(update)

    def stored(self, update: Any) -> None:
        """An update was stored: the database takes writes again."""
        if self.failures:
            log.warning("updates are stored again after %d failed tries", self.failures)
            self.failures = 0
        update_id = update_id_of(update)
        if update_id is not None:
            self._told.discard(update_id)

    async def _tell(self, update: Any) -> None:
        update_id, chat_id = update_id_of(update), private_chat_of(update)
        if update_id is None or chat_id is None or update_id in self._told:
            return
        if len(self._told) >= MAX_REMEMBERED:
            self._told.clear()
        self._told.add(update_id)
        with contextlib.suppress(TelegramError):
            await self.bot.send_message(
                chat_id, rendering.escape(text("queued_notice")), parse_mode=ParseMode.HTML
            )
