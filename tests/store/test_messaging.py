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


def store(m: MessagingRepository, update_id: int, sender: str = "42") -> int | None:
    """Store an update; its inbox id, None for a duplicate."""
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
    ids = {}
    for update_id, sender in ((1, "42"), (2, "42"), (3, "43")):
        ids[update_id] = store(m, update_id, sender)
        m.mark_pending(ids[update_id], f"pesan {update_id}", "rasa down", 0)
    heads = {h.sender_id: h.update_id for h in m.pending_heads(now=utcnow() + timedelta(seconds=1))}
    assert heads == {"42": 1, "43": 3}
    assert m.has_pending("42") and not m.has_pending("44")
    m.mark_done(ids[1])
    heads = {h.sender_id: h.update_id for h in m.pending_heads(now=utcnow() + timedelta(seconds=1))}
    assert heads["42"] == 2


def test_backoff_delays_the_retry(repo: Repository) -> None:
    m = messaging(repo)
    assert m.mark_pending(store(m, 5), "halo", "down", 30) == 1
    assert m.pending_heads() == []
    assert [h.update_id for h in m.pending_heads(now=utcnow() + timedelta(seconds=31))] == [5]


def test_held_messages_are_released_in_order(repo: Repository) -> None:
    m = messaging(repo)
    for update_id in (7, 8):
        m.hold(store(m, update_id), f"pesan {update_id}")
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


# -- deduplication window and retention --------------------------------------------------------


def age_inbox(repo: Repository, hours: float) -> None:
    """Make every stored update `hours` older (time passing, without waiting)."""
    with Session(repo.engine) as s, s.begin():
        for row in s.scalars(select(InboxMessage)).all():
            row.created_at = _aware(row.created_at) - timedelta(hours=hours)


def _aware(value):  # type: ignore[no-untyped-def]
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def test_a_reused_update_id_after_the_window_is_a_new_message(repo: Repository) -> None:
    """A restarted Bot API server (or Telegram after a week without updates) starts update
    ids anew: an id seen more than the window ago belongs to a new message."""
    m = messaging(repo)
    first = store(m, 10)
    assert first
    age_inbox(repo, 49)  # the default window is 48 hours
    second = store(m, 10)
    assert second, "the new message was dropped as a duplicate"
    assert second != first
    assert m.update_status(10) == "received"  # the new message, waiting to be handled
    assert m.inbox_id(10) == second
    assert not store(m, 10)  # and now it is deduplicated again, inside its own window


def test_within_the_window_a_redelivered_update_is_refused(repo: Repository) -> None:
    m = messaging(repo)
    assert store(m, 11)
    age_inbox(repo, 47)
    assert not store(m, 11)


def test_the_window_is_configurable(repo: Repository) -> None:
    m = MessagingRepository(repo.engine, 1, dedup_window=timedelta(hours=2))
    assert store(m, 12)
    age_inbox(repo, 3)
    assert store(m, 12)


def test_handling_a_reused_id_leaves_the_old_message_alone(repo: Repository) -> None:
    m = messaging(repo)
    store(m, 20)
    old = m.inbox_id(20)
    m.hold(old, "pesan lama")  # waits for consent (may wait longer than the window)
    age_inbox(repo, 49)
    new = store(m, 20)
    m.mark_done(new, "command")
    with Session(repo.engine) as s:
        statuses = dict(s.execute(select(InboxMessage.id, InboxMessage.status)).tuples().all())
    assert statuses == {old: "held", new: "done"}
    assert [i.payload for i in m.release_held("42")] == ["pesan lama"]


def test_concurrent_duplicates_are_stored_once(repo: Repository) -> None:
    """Webhook redelivery or two replicas: the same update arrives at the same time."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    m = messaging(repo)
    store(m, 30)
    age_inbox(repo, 49)  # the id is free again: every arrival races to take it
    barrier = Barrier(6)

    def arrive(_: int) -> int | None:
        barrier.wait()
        return store(m, 30) or None

    with ThreadPoolExecutor(6) as pool:
        stored = [r for r in pool.map(arrive, range(6)) if r]
    assert len(stored) == 1
    with ThreadPoolExecutor(6) as pool:
        barrier.reset()
        assert [r for r in pool.map(arrive, range(6)) if r] == []


def test_a_duplicate_arriving_while_the_first_is_being_stored_is_refused(
    repo: Repository,
) -> None:
    """The first arrival's transaction is still open when the second one comes in."""
    from concurrent.futures import ThreadPoolExecutor

    m = messaging(repo)
    store(m, 31)
    age_inbox(repo, 49)
    with ThreadPoolExecutor(1) as pool:
        with Session(repo.engine) as s, s.begin():
            assert m._insert(s, 31, {"update_id": 31}, "message", "42", 42) is not None
            second = pool.submit(store, m, 31)  # waits for this transaction (lock or index)
        assert not second.result()
    assert m.update_status(31) == "received"


def test_unfinished_updates_are_recovered_once_after_the_lease(repo: Repository) -> None:
    """An update stored but never finished (the process died, a handler crashed) is handed
    out again after the lease, to one caller only, a limited number of times."""
    m = messaging(repo)
    store(m, 40)
    assert m.claim_unfinished() == []  # still within its lease: someone is handling it
    later = utcnow() + m.claim_lease + timedelta(seconds=1)
    claimed = m.claim_unfinished(now=later)
    assert [c.update_id for c in claimed] == [40]
    assert claimed[0].raw == {"update_id": 40}
    assert m.claim_unfinished(now=later) == []  # claimed again: not handed out twice
    recoveries = 1
    while recoveries < 10:
        later += m.claim_lease + timedelta(seconds=1)
        if not m.claim_unfinished(now=later):
            break
        recoveries += 1
    assert recoveries == m.max_recoveries
    assert m.update_status(40) == "failed"


def test_retention_blanks_then_deletes_inbox_rows(repo: Repository) -> None:
    m = messaging(repo)
    for update_id in (50, 51, 52, 53):
        store(m, update_id)
    m.mark_done(m.inbox_id(50))
    m.mark_pending(m.inbox_id(51), "halo", "rasa down", 0)
    m.hold(m.inbox_id(52), "pesan sebelum setuju")
    m.mark_done(m.inbox_id(53))
    age_inbox(repo, 8 * 24)
    report = m.purge(raw_after=timedelta(days=7), delete_after=timedelta(days=30))
    assert report.inbox_blanked == 4 and report.inbox_deleted == 0
    with Session(repo.engine) as s:
        rows = {r.update_id: r for r in s.scalars(select(InboxMessage))}
    assert all(r.raw is None for r in rows.values())
    assert rows[50].payload is None  # handled: the text is not needed any more
    assert rows[51].payload == "halo"  # still waiting for Rasa
    assert rows[52].payload == "pesan sebelum setuju"  # still waiting for consent
    age_inbox(repo, 23 * 24)  # 31 days old
    report = m.purge(raw_after=timedelta(days=7), delete_after=timedelta(days=30))
    assert report.inbox_deleted == 3
    with Session(repo.engine) as s:
        left = s.scalars(select(InboxMessage.update_id)).all()
    assert left == [51]  # a message still waiting for Rasa is never thrown away


def test_retention_keeps_recent_rows_untouched(repo: Repository) -> None:
    m = messaging(repo)
    store(m, 60)
    m.mark_done(m.inbox_id(60))
    report = m.purge(raw_after=timedelta(days=7), delete_after=timedelta(days=30))
    assert (report.inbox_blanked, report.inbox_deleted, report.outbox_blanked) == (0, 0, 0)
    with Session(repo.engine) as s:
        row = s.scalar(select(InboxMessage))
    assert row is not None and row.raw == {"update_id": 60}


def test_retention_blanks_old_group_notices_and_ticketless_messages(repo: Repository) -> None:
    from bot.store.models import OutboxMessage

    m = messaging(repo)
    draft = ComplaintDraft(
        "Saluran air tersumbat di depan sekolah.",
        "Jl. Mawar",
        Category.INFRASTRUKTUR,
        Privacy.PUBLIC,
    )
    ticket, _ = repo.file_ticket("42", draft)
    with Session(repo.engine) as s:
        ticket_id = s.scalar(select(Ticket.id).where(Ticket.public_id == ticket.public_id))
    notice = m.enqueue(-1001, "Tiket baru: saluran air tersumbat", "unit_notice", ticket_id)
    reply = m.enqueue(42, "Balasan petugas tentang tiket Anda", "reply", ticket_id)
    loose = m.enqueue(42, "Pesan tanpa tiket", "reply")
    waiting = m.enqueue(-1001, "Belum terkirim", "unit_notice", ticket_id)
    for outbox_id in (notice, reply, loose):
        m.outbox_sent(outbox_id, 1)
    with Session(repo.engine) as s, s.begin():
        for row in s.scalars(select(OutboxMessage)).all():
            row.created_at = utcnow() - timedelta(days=31)
    report = m.purge(
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
