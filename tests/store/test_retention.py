"""Retention of inbox and outbox rows on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.inbox import InboxRepository
from bot.store.models import Category, InboxMessage, OutboxMessage, Privacy, Ticket, utcnow
from bot.store.outbox import OutboxRepository
from bot.store.repository import ComplaintDraft, Repository
from bot.store.retention import purge


def store(m: InboxRepository, update_id: int, sender: str = "42") -> int | None:
    return m.store_update(update_id, {"update_id": update_id}, "message", sender, int(sender))


def age_inbox(repo: Repository, hours: float) -> None:
    """Make every stored update `hours` older (time passing, without waiting)."""
    with Session(repo.engine) as s, s.begin():
        for row in s.scalars(select(InboxMessage)).all():
            row.created_at = _aware(row.created_at) - timedelta(hours=hours)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def enqueue(s: Session, chat_id: int, text: str, kind: str, ticket_id: int | None = None) -> int:
    row = OutboxMessage(chat_id=chat_id, text=text, kind=kind, ticket_id=ticket_id)
    s.add(row)
    s.flush()
    return row.id


def test_retention_blanks_then_deletes_inbox_rows(repo: Repository) -> None:
    m = InboxRepository(repo.engine, 1)
    for update_id in (50, 51, 52, 53):
        store(m, update_id)
    m.mark_done(m.inbox_id(50))
    m.mark_pending(m.inbox_id(51), "halo", "rasa down", 0)
    m.hold(m.inbox_id(52), "pesan sebelum setuju")
    m.mark_done(m.inbox_id(53))
    age_inbox(repo, 8 * 24)
    report = purge(repo.engine, raw_after=timedelta(days=7), delete_after=timedelta(days=30))
    assert report.inbox_blanked == 4 and report.inbox_deleted == 0
    with Session(repo.engine) as s:
        rows = {r.update_id: r for r in s.scalars(select(InboxMessage))}
    assert all(r.raw is None for r in rows.values())
    assert rows[50].payload is None  # handled: the text is not needed any more
    assert rows[51].payload == "halo"  # still waiting for Rasa
    assert rows[52].payload == "pesan sebelum setuju"  # still waiting for consent
    age_inbox(repo, 23 * 24)  # 31 days old
    report = purge(repo.engine, raw_after=timedelta(days=7), delete_after=timedelta(days=30))
    assert report.inbox_deleted == 3
    with Session(repo.engine) as s:
        left = s.scalars(select(InboxMessage.update_id)).all()
    assert left == [51]  # a message still waiting for Rasa is never thrown away


def test_retention_keeps_recent_rows_untouched(repo: Repository) -> None:
    m = InboxRepository(repo.engine, 1)
    store(m, 60)
    m.mark_done(m.inbox_id(60))
    report = purge(repo.engine, raw_after=timedelta(days=7), delete_after=timedelta(days=30))
    assert (report.inbox_blanked, report.inbox_deleted, report.outbox_blanked) == (0, 0, 0)
    with Session(repo.engine) as s:
        row = s.scalar(select(InboxMessage))
    assert row is not None and row.raw == {"update_id": 60}


def test_retention_blanks_old_group_notices_and_ticketless_messages(repo: Repository) -> None:
    outbox = OutboxRepository(repo.engine)
    draft = ComplaintDraft(
        "Saluran air tersumbat di depan sekolah.",
        "Jl. Mawar",
        Category.INFRASTRUKTUR,
        Privacy.PUBLIC,
    )
    ticket, _ = repo.file_ticket("42", draft)
    with Session(repo.engine) as s, s.begin():
        ticket_id = s.scalar(select(Ticket.id).where(Ticket.public_id == ticket.public_id))
        notice = enqueue(s, -1001, "Tiket baru: saluran air tersumbat", "unit_notice", ticket_id)
        reply = enqueue(s, 42, "Balasan petugas tentang tiket Anda", "reply", ticket_id)
        loose = enqueue(s, 42, "Pesan tanpa tiket", "reply")
        waiting = enqueue(s, -1001, "Belum terkirim", "unit_notice", ticket_id)
    for outbox_id in (notice, reply, loose):
        outbox.sent(outbox_id, 1)
    with Session(repo.engine) as s, s.begin():
        for row in s.scalars(select(OutboxMessage)).all():
            row.created_at = utcnow() - timedelta(days=31)
    report = purge(
        repo.engine,
        raw_after=timedelta(days=7),
        delete_after=timedelta(days=30),
        outbox_after=timedelta(days=30),
    )
    assert report.outbox_blanked == 2
    with Session(repo.engine) as s:
        texts = dict(s.execute(select(OutboxMessage.id, OutboxMessage.text)).tuples().all())
        status = dict(s.execute(select(OutboxMessage.id, OutboxMessage.status)).tuples().all())
    assert texts[notice] == texts[loose] == "[dihapus]"
    # A message to the citizen about a ticket is part of the ticket's record.
    assert texts[reply] == "Balasan petugas tentang tiket Anda"
    assert texts[waiting] == "Belum terkirim" and status[waiting] == "pending"
    assert status[notice] == "sent"  # the delivery state stays for the ticket's history
