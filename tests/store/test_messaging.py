"""The Telegram channel's tables on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store import ComplaintDraft, Repository
from bot.store.messaging import MessagingRepository
from bot.store.models import Attachment, Category, Citizen, InboxMessage, Privacy, Ticket, utcnow


def messaging(repo: Repository, bot_id: int = 1) -> MessagingRepository:
    return MessagingRepository(repo.engine, bot_id)


def store(m: MessagingRepository, update_id: int, sender: str = "42") -> bool:
    return m.store_update(update_id, {"update_id": update_id}, "message", sender, int(sender))


def test_an_update_is_stored_once_per_bot(repo: Repository) -> None:
    m = messaging(repo)
    assert store(m, 10)
    assert not store(m, 10)
    assert store(messaging(repo, bot_id=2), 10)  # another bot counts its own update ids
    assert m.update_status(10) == "received"
    assert m.last_update_id() == 10


def test_pending_messages_are_retried_oldest_first_per_sender(repo: Repository) -> None:
    m = messaging(repo)
    for update_id, sender in ((1, "42"), (2, "42"), (3, "43")):
        store(m, update_id, sender)
        m.mark_pending(update_id, f"pesan {update_id}", "rasa down", 0)
    heads = {h.sender_id: h.update_id for h in m.pending_heads(now=utcnow() + timedelta(seconds=1))}
    assert heads == {"42": 1, "43": 3}
    assert m.has_pending("42") and not m.has_pending("44")
    m.mark_done(1)
    heads = {h.sender_id: h.update_id for h in m.pending_heads(now=utcnow() + timedelta(seconds=1))}
    assert heads["42"] == 2


def test_backoff_delays_the_retry(repo: Repository) -> None:
    m = messaging(repo)
    store(m, 5)
    assert m.mark_pending(5, "halo", "down", 30) == 1
    assert m.pending_heads() == []
    assert [h.update_id for h in m.pending_heads(now=utcnow() + timedelta(seconds=31))] == [5]


def test_held_messages_are_released_in_order(repo: Repository) -> None:
    m = messaging(repo)
    for update_id in (7, 8):
        store(m, update_id)
        m.hold(update_id, f"pesan {update_id}")
    assert [i.payload for i in m.release_held("42")] == ["pesan 7", "pesan 8"]
    assert m.release_held("42") == []


def test_outbox_lifecycle(repo: Repository) -> None:
    m = messaging(repo)
    first = m.enqueue(42, "Balasan petugas", "reply")
    second = m.enqueue(42, "Status berubah", "status")
    claimed = m.claim_due()
    assert [c.id for c in claimed] == [first, second]
    assert m.claim_due() == []  # claimed rows are not handed out twice
    m.outbox_sent(first, 1001)
    m.outbox_retry(second, 60, "timeout", give_up=False)
    assert m.outbox_status(first) == "sent" and m.outbox_status(second) == "pending"
    assert m.claim_due() == []  # not due yet


def test_interrupted_sends_are_requeued(repo: Repository) -> None:
    m = messaging(repo)
    outbox_id = m.enqueue(42, "Balasan", "reply")
    m.claim_due()
    assert m.requeue_interrupted() == 1
    assert m.outbox_status(outbox_id) == "pending"


def test_blocked_chat_stops_its_outbox_and_marks_the_citizen(repo: Repository) -> None:
    m = messaging(repo)
    repo.ensure_citizen("42")
    a = m.enqueue(42, "satu", "reply")
    b = m.enqueue(42, "dua", "reply")
    m.claim_due()
    m.outbox_blocked(a, 42, "Forbidden: bot was blocked by the user")
    assert m.outbox_status(a) == m.outbox_status(b) == "blocked"
    with Session(repo.engine) as s:
        assert s.scalar(select(Citizen.blocked_bot).where(Citizen.sender_id == "42")) is True


def test_a_keyboard_can_be_used_once(repo: Repository) -> None:
    m = messaging(repo)
    m.remember_keyboard(42, 900, ["Ya", "Batal"], ["/affirm", "/cancel"])
    assert m.use_button(42, 900, 1) == ("Batal", "/cancel")
    assert m.use_button(42, 900, 0) is None
    assert m.use_button(42, 901, 0) is None


def test_drafts_become_the_tickets_attachments(repo: Repository) -> None:
    m = messaging(repo)
    m.add_draft_attachment(
        "42", kind="photo", telegram_file_id="f1", path="/x/f1.jpg", size_bytes=10
    )
    draft = ComplaintDraft(
        "Jalan berlubang di depan pasar.", "Pasar", Category.INFRASTRUKTUR, Privacy.PUBLIC
    )
    ticket, _ = repo.file_ticket("42", draft)
    with Session(repo.engine) as s:
        ticket_id = s.scalar(select(Ticket.id).where(Ticket.public_id == ticket.public_id))
        kinds = s.scalars(select(Attachment.kind).where(Attachment.ticket_id == ticket_id)).all()
    assert kinds == ["photo"]
    assert m.draft_attachments("42") == []


def test_cancelled_drafts_are_discarded(repo: Repository) -> None:
    m = messaging(repo)
    m.add_draft_attachment("42", kind="photo", telegram_file_id="f1")
    assert repo.discard_drafts("42") == 1
    assert m.draft_attachments("42") == []


def test_forgetting_a_citizen_keeps_tickets_without_the_person(repo: Repository) -> None:
    m = messaging(repo)
    m.record_consent("42", 42, "Siti Aminah")
    draft = ComplaintDraft(
        "Petugas minta uang tambahan.", "Kecamatan", Category.PUNGLI, Privacy.CONFIDENTIAL
    )
    ticket, _ = repo.file_ticket("42", draft)
    store(m, 30)
    m.enqueue(42, "Balasan", "reply")
    assert m.forget_citizen("42") == 1
    with Session(repo.engine) as s:
        row = s.scalar(select(Ticket).where(Ticket.public_id == ticket.public_id))
        assert row is not None and row.citizen_id is None
        assert row.description == "Petugas minta uang tambahan."
        assert s.scalar(select(Citizen).where(Citizen.telegram_user_id == 42)) is None
        assert s.scalar(select(Citizen).where(Citizen.display_name == "Siti Aminah")) is None
        assert s.scalars(select(InboxMessage).where(InboxMessage.sender_id == "42")).all() == []
    assert not m.citizen_consented("42")
    assert repo.ticket_for_sender("42", ticket.public_id) is None
