"""Carrying messages between a citizen and Rasa without losing any.

Every update is stored in the inbox before it is acknowledged (see `app.py`). A message
for Rasa is forwarded at once unless an earlier message of the same citizen still waits;
when Rasa does not answer, the message stays pending, the citizen is told it was received,
and `retry_pending` (run by the job queue) forwards it later, in order per citizen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from telegram import Bot, Message
from telegram.constants import ChatAction, ParseMode

from bot.telegram import rendering
from bot.telegram.rasa_client import RasaClient, RasaUnavailable
from bot.telegram.store import AsyncStore, InboxItem
from bot.texts import text

log = logging.getLogger(__name__)
TYPING_REFRESH_S = 4.5


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
