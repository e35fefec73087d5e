"""Waiting messages (Rasa was down) shared by several front ends, on SQLite and
PostgreSQL: each is forwarded by the one front end that claimed it (InboxRepository.
claim_pending), a claim ends when the outcome is recorded or runs out when its front end
died, and, on PostgreSQL, of eight front ends claiming one message at once exactly one
gets it."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from bot.store.inbox import InboxRepository
from bot.store.repository import Repository


def _waiting(inbox: InboxRepository, update_id: int, sender: str = "7001") -> int:
    stored = inbox.store_update(update_id, {"update_id": update_id}, "message", sender, 7001)
    assert stored is not None
    inbox.mark_pending(stored.inbox_id, "halo", "Rasa unavailable", 0)
    return stored.inbox_id


def test_a_waiting_message_is_claimed_by_one_front_end(repo: Repository) -> None:
    a, b = InboxRepository(repo.engine, bot_id=5), InboxRepository(repo.engine, bot_id=5)
    inbox_id = _waiting(a, 1)
    (seen_by_a,), (seen_by_b,) = a.pending_heads(), b.pending_heads()
    assert seen_by_a.id == seen_by_b.id == inbox_id
    assert a.claim_pending(seen_by_a.id, seen_by_a.due_at) is True
    assert b.claim_pending(seen_by_b.id, seen_by_b.due_at) is False
    assert b.pending_heads() == []  # not due while A forwards it


def test_a_claim_ends_with_the_outcome_or_when_it_runs_out(repo: Repository) -> None:
    inbox = InboxRepository(repo.engine, bot_id=6)
    inbox_id = _waiting(inbox, 1)
    (head,) = inbox.pending_heads()
    assert inbox.claim_pending(head.id, head.due_at, claim=timedelta(seconds=0.3))
    assert inbox.pending_heads() == []
    time.sleep(0.4)  # its front end died: due again for the others
    (again,) = inbox.pending_heads()
    assert inbox.claim_pending(again.id, again.due_at)
    inbox.mark_pending(inbox_id, "halo", "Rasa unavailable", 0)  # the outcome: wait again
    (after,) = inbox.pending_heads()
    assert after.attempts == 2 and inbox.claim_pending(after.id, after.due_at)
    inbox.mark_done(inbox_id)
    assert inbox.pending_heads() == []


def test_eight_front_ends_claiming_at_once_one_wins(repo: Repository) -> None:
    if repo.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serves one front end: concurrent claims need PostgreSQL")
    inbox = InboxRepository(repo.engine, bot_id=7)
    for round_ in range(20):
        _waiting(inbox, round_ + 1, sender=f"70{round_:02d}")
    start = threading.Barrier(8)
    won: list[tuple[int, int]] = []

    def front_end(n: int) -> None:
        mine = InboxRepository(repo.engine, bot_id=7)
        heads = mine.pending_heads()
        start.wait()
        for head in heads:
            if mine.claim_pending(head.id, head.due_at):
                won.append((head.id, n))

    threads = [threading.Thread(target=front_end, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    claimed = [inbox_id for inbox_id, _ in won]
    assert len(claimed) == len(set(claimed)) == 20
