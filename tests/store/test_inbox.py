"""The inbox on SQLite and PostgreSQL: deduplication, order, consent holds, recovery."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from threading import Barrier

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.consent import ConsentRepository
from bot.store.inbox import InboxRepository
from bot.store.models import InboxMessage, utcnow
from bot.store.repository import Repository


def inbox(repo: Repository, bot_id: int = 1) -> InboxRepository:
    return InboxRepository(repo.engine, bot_id)


def store(m: InboxRepository, update_id: int, sender: str = "42") -> int | None:
    """Store an update; its inbox id, None for a duplicate."""
    stored = m.store_update(update_id, {"update_id": update_id}, "message", sender, int(sender))
    return None if stored is None else stored.inbox_id


def status_of(engine: Engine, update_id: int, bot_id: int = 1) -> str | None:
    """The inbox status of an update id within its window, read from the table."""
    with Session(engine) as s:
        return s.scalar(
            select(InboxMessage.status).where(
                InboxMessage.bot_id == bot_id,
                InboxMessage.update_id == update_id,
                InboxMessage.dedup_active.is_(True),
            )
        )


def age_inbox(repo: Repository, hours: float) -> None:
    """Make every stored update `hours` older (time passing, without waiting)."""
    with Session(repo.engine) as s, s.begin():
        for row in s.scalars(select(InboxMessage)).all():
            row.created_at = _aware(row.created_at) - timedelta(hours=hours)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def test_an_update_is_stored_once_per_bot(repo: Repository) -> None:
    m = inbox(repo)
    assert store(m, 10)
    assert not store(m, 10)
    assert store(inbox(repo, bot_id=2), 10)  # another bot counts its own update ids
    assert status_of(repo.engine, 10) == "received"
    with Session(repo.engine) as s:
        rows = s.execute(
            select(InboxMessage.bot_id, InboxMessage.update_id).order_by(InboxMessage.bot_id)
        ).all()
    assert [tuple(r) for r in rows] == [(1, 10), (2, 10)]


def test_pending_messages_are_retried_oldest_first_per_sender(repo: Repository) -> None:
    m = inbox(repo)
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
    m = inbox(repo)
    assert m.mark_pending(store(m, 5), "halo", "down", 30) == 1
    assert m.pending_heads() == []
    assert [h.update_id for h in m.pending_heads(now=utcnow() + timedelta(seconds=31))] == [5]


def test_held_messages_are_released_in_order(repo: Repository) -> None:
    m = inbox(repo)
    for update_id in (7, 8):
        m.hold(store(m, update_id), f"pesan {update_id}")
    assert [i.payload for i in m.release_held("42")] == ["pesan 7", "pesan 8"]
    assert m.release_held("42") == []


def test_declining_forgets_the_held_messages(repo: Repository) -> None:
    """A citizen who refuses the privacy notice: the messages held for it lose their text
    and raw update at once (only the update id stays, for deduplication)."""
    m = inbox(repo)
    for update_id in (7, 8):
        m.hold(store(m, update_id), f"pesan {update_id}")
    store(m, 9, sender="43")
    m.hold(m.inbox_id(9), "pesan orang lain")
    assert m.decline_held("42") == 2
    with Session(repo.engine) as s:
        rows = {r.update_id: r for r in s.scalars(select(InboxMessage))}
    assert [(rows[u].status, rows[u].payload, rows[u].raw) for u in (7, 8)] == [
        ("declined", None, None),
        ("declined", None, None),
    ]
    assert (rows[9].status, rows[9].payload) == ("held", "pesan orang lain")
    assert m.release_held("42") == []
    assert m.decline_held("42") == 0


def test_storing_an_update_tells_its_row_and_whether_the_sender_consented(
    repo: Repository,
) -> None:
    """What handling the update needs next comes back from the same transaction."""
    m = inbox(repo)
    before = m.store_update(40, {"update_id": 40}, "message", "42", 42)
    assert before is not None and not before.consented
    assert before.inbox_id == m.inbox_id(40)
    ConsentRepository(repo.engine).record("42", 42, "Warga")
    after = m.store_update(41, {"update_id": 41}, "message", "42", 42)
    assert after is not None and after.consented
    assert after.inbox_id == m.inbox_id(41)
    other = m.store_update(42, {"update_id": 42}, "message", "43", 43)
    assert other is not None and not other.consented  # consent is per citizen
    anonymous = m.store_update(43, {"update_id": 43}, "channel_post", None, None)
    assert anonymous is not None and not anonymous.consented
    assert m.store_update(41, {"update_id": 41}, "message", "42", 42) is None


# -- deduplication window ----------------------------------------------------------------------


def test_a_reused_update_id_after_the_window_is_a_new_message(repo: Repository) -> None:
    """A restarted Bot API server (or Telegram after a week without updates) starts update
    ids anew: an id seen more than the window ago belongs to a new message."""
    m = inbox(repo)
    first = store(m, 10)
    assert first
    age_inbox(repo, 49)  # the default window is 48 hours
    second = store(m, 10)
    assert second, "the new message was dropped as a duplicate"
    assert second != first
    assert status_of(repo.engine, 10) == "received"  # the new message, waiting to be handled
    assert m.inbox_id(10) == second
    assert not store(m, 10)  # and now it is deduplicated again, inside its own window


def test_within_the_window_a_redelivered_update_is_refused(repo: Repository) -> None:
    m = inbox(repo)
    assert store(m, 11)
    age_inbox(repo, 47)
    assert not store(m, 11)


def test_the_window_is_configurable(repo: Repository) -> None:
    m = InboxRepository(repo.engine, 1, dedup_window=timedelta(hours=2))
    assert store(m, 12)
    age_inbox(repo, 3)
    assert store(m, 12)


def test_handling_a_reused_id_leaves_the_old_message_alone(repo: Repository) -> None:
    m = inbox(repo)
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
    m = inbox(repo)
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
    m = inbox(repo)
    store(m, 31)
    age_inbox(repo, 49)
    with ThreadPoolExecutor(1) as pool:
        with Session(repo.engine) as s, s.begin():
            assert m._insert(s, 31, {"update_id": 31}, "message", "42", 42) is not None
            second = pool.submit(store, m, 31)  # waits for this transaction (lock or index)
        assert not second.result()
    assert status_of(repo.engine, 31) == "received"


def test_unfinished_updates_are_recovered_once_after_the_lease(repo: Repository) -> None:
    """An update stored but never finished (the process died, a handler crashed) is handed
    out again after the lease, to one caller only, a limited number of times."""
    m = inbox(repo)
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
    assert status_of(repo.engine, 40) == "failed"
