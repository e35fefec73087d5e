"""Draft attachments on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.drafts import DraftRepository
from bot.store.models import Attachment, Category, DraftAttachment, Privacy, Ticket
from bot.store.repository import ComplaintDraft, Repository


def drafts_of(engine: Engine, sender_id: str) -> list[str]:
    """The kinds of the draft attachments waiting for this sender, oldest first."""
    with Session(engine) as s:
        return list(
            s.scalars(
                select(DraftAttachment.kind)
                .where(DraftAttachment.sender_id == sender_id)
                .order_by(DraftAttachment.id)
            )
        )


def test_drafts_become_the_tickets_attachments(repo: Repository) -> None:
    m = DraftRepository(repo.engine)
    m.add("42", kind="photo", telegram_file_id="f1", path="/x/f1.jpg", size_bytes=10)
    assert drafts_of(repo.engine, "42") == ["photo"]
    draft = ComplaintDraft(
        "Jalan berlubang di depan pasar.", "Pasar", Category.INFRASTRUKTUR, Privacy.PUBLIC
    )
    ticket, _ = repo.file_ticket("42", draft)
    with Session(repo.engine) as s:
        ticket_id = s.scalar(select(Ticket.id).where(Ticket.public_id == ticket.public_id))
        kinds = s.scalars(select(Attachment.kind).where(Attachment.ticket_id == ticket_id)).all()
    assert kinds == ["photo"]
    assert drafts_of(repo.engine, "42") == []


def test_cancelled_drafts_are_discarded(repo: Repository) -> None:
    m = DraftRepository(repo.engine)
    m.add("42", kind="photo", telegram_file_id="f1")
    assert repo.discard_drafts("42") == 1
    assert drafts_of(repo.engine, "42") == []
