"""The outbox on SQLite and PostgreSQL: claiming, delivery results, blocked chats."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import Category, Citizen, OutboxMessage, Privacy, Ticket
from bot.store.outbox import OutboxRepository, queue_for_reporter
from bot.store.repository import ComplaintDraft, Repository


def enqueue(engine: Engine, chat_id: int, text: str, kind: str) -> int:
    """A message queued the way the console queues one (a pending row, due now)."""
    with Session(engine) as s, s.begin():
        row = OutboxMessage(chat_id=chat_id, text=text, kind=kind)
        s.add(row)
        s.flush()
        return row.id


def status_of(engine: Engine, outbox_id: int) -> str | None:
    with Session(engine) as s:
        return s.scalar(select(OutboxMessage.status).where(OutboxMessage.id == outbox_id))


def test_outbox_lifecycle(repo: Repository) -> None:
    m = OutboxRepository(repo.engine)
    first = enqueue(repo.engine, 42, "Balasan petugas", "reply")
    second = enqueue(repo.engine, 42, "Status berubah", "status")
    claimed = m.claim_due()
    assert [c.id for c in claimed] == [first, second]
    assert m.claim_due() == []  # claimed rows are not handed out twice
    m.sent(first, 1001)
    m.retry(second, 60, "timeout", give_up=False)
    assert status_of(repo.engine, first) == "sent"
    assert status_of(repo.engine, second) == "pending"
    assert m.claim_due() == []  # not due yet


def test_released_messages_come_back_after_the_pause(repo: Repository) -> None:
    m = OutboxRepository(repo.engine)
    first = enqueue(repo.engine, 42, "satu", "reply")
    second = enqueue(repo.engine, 42, "dua", "reply")
    m.claim_due()
    m.release([first, second], 0)
    assert [c.id for c in m.claim_due()] == [first, second]
    m.release([first], 60)
    assert status_of(repo.engine, first) == "pending"
    assert m.claim_due() == []  # due only after the pause


def test_interrupted_sends_are_requeued(repo: Repository) -> None:
    m = OutboxRepository(repo.engine)
    outbox_id = enqueue(repo.engine, 42, "Balasan", "reply")
    m.claim_due()
    assert m.requeue_interrupted() == 1
    assert status_of(repo.engine, outbox_id) == "pending"


def test_blocked_chat_stops_its_outbox_and_marks_the_citizen(repo: Repository) -> None:
    m = OutboxRepository(repo.engine)
    repo.ensure_citizen("42")
    a = enqueue(repo.engine, 42, "satu", "reply")
    b = enqueue(repo.engine, 42, "dua", "reply")
    m.claim_due()
    m.blocked(42, "Forbidden: bot was blocked by the user")
    assert status_of(repo.engine, a) == status_of(repo.engine, b) == "blocked"
    with Session(repo.engine) as s:
        assert s.scalar(select(Citizen.blocked_bot).where(Citizen.sender_id == "42")) is True


def test_a_message_for_the_reporter_needs_a_reachable_reporter(repo: Repository) -> None:
    draft = ComplaintDraft(
        "Jalan berlubang di depan pasar.", "Pasar", Category.INFRASTRUKTUR, Privacy.PUBLIC
    )
    ticket, _ = repo.file_ticket("42", draft)
    with Session(repo.engine) as s, s.begin():
        row = s.scalar(select(Ticket).where(Ticket.public_id == ticket.public_id))
        assert row is not None
        outbox_id = queue_for_reporter(s, row, "Tiket Anda diproses.", "status")
        citizen = s.get(Citizen, row.citizen_id)
        assert citizen is not None
        citizen.telegram_user_id = None  # a channel without a Telegram chat
        assert queue_for_reporter(s, row, "Tiket Anda selesai.", "status") is None
        row.citizen_id = None  # the reporter deleted their data
        assert queue_for_reporter(s, row, "Tiket Anda selesai.", "status") is None
    assert outbox_id is not None
    claimed = OutboxRepository(repo.engine).claim_due()
    assert [(c.id, c.chat_id, c.text) for c in claimed] == [(outbox_id, 42, "Tiket Anda diproses.")]
