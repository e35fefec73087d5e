"""Draft attachments: photos and documents sent while a complaint is being written, kept
until it is filed (they become the ticket's attachments, `Repository.file_ticket`) or
cancelled (`Repository.discard_drafts`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.store.models import DraftAttachment


class DraftRepository:
    """Attachments waiting for their complaint."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, sender_id: str, **fields: Any) -> int:
        """Keep an attachment until the complaint it belongs to is filed."""
        with Session(self.engine) as s, s.begin():
            row = DraftAttachment(sender_id=sender_id, **fields)
            s.add(row)
            s.flush()
            return row.id

    def count_by_kind(self, sender_id: str) -> dict[str, int]:
        """How many attachments of each kind ("photo", "document") wait for the sender's
        complaint (shown in the summary before it is sent)."""
        with Session(self.engine) as s:
            rows = s.execute(
                select(DraftAttachment.kind, func.count())
                .where(DraftAttachment.sender_id == sender_id)
                .group_by(DraftAttachment.kind)
            )
            return {str(kind): int(count) for kind, count in rows}
