"""Sent inline keyboards: their buttons carry only an index; the payloads are kept here, and
each keyboard can be used once."""

from __future__ import annotations

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.store.models import SentKeyboard, utcnow


class KeyboardRepository:
    """Payloads of sent keyboards."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def remember(
        self, chat_id: int, message_id: int, titles: list[str], payloads: list[str]
    ) -> None:
        """Keep the payloads of a sent keyboard; its buttons carry only indexes."""
        with Session(self.engine) as s, s.begin():
            s.add(
                SentKeyboard(
                    chat_id=chat_id, message_id=message_id, titles=titles, payloads=payloads
                )
            )

    def use_button(self, chat_id: int, message_id: int, index: int) -> tuple[str, str] | None:
        """(title, payload) of the pressed button, once; None if used before or unknown."""
        with Session(self.engine) as s, s.begin():
            result = s.execute(
                update(SentKeyboard)
                .where(
                    SentKeyboard.chat_id == chat_id,
                    SentKeyboard.message_id == message_id,
                    SentKeyboard.used_at.is_(None),
                )
                .values(used_at=utcnow())
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row = s.scalar(
                select(SentKeyboard).where(
                    SentKeyboard.chat_id == chat_id, SentKeyboard.message_id == message_id
                )
            )
            if row is None or not 0 <= index < len(row.payloads):
                return None
            return row.titles[index], row.payloads[index]
