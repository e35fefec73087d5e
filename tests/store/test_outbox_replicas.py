"""The outbox shared by several front ends (bot.store.outbox), on SQLite and PostgreSQL:
claims under a replica name with a lease, a chat's messages never split between front
ends, a dead front end's claims taken over when the lease ends, and, on PostgreSQL, eight
claimers at once taking each of 1,000 messages exactly once."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import OutboxMessage
from bot.store.outbox import OutboxRepository
from bot.store.repository import Repository

LEASE = timedelta(seconds=0.5)


def enqueue(engine: Engine, chat_id: int, text: str) -> int:
    with Session(engine) as s, s.begin():
        row = OutboxMessage(chat_id=chat_id, text=text, kind="reply")
        s.add(row)
        s.flush()
        return row.id


def row(engine: Engine, outbox_id: int) -> tuple[str, str | None]:
    with Session(engine) as s:
        found = s.get(OutboxMessage, outbox_id)
        assert found is not None
        return found.status, found.claimed_by


def test_one_chats_messages_stay_with_one_front_end(repo: Repository) -> None:
    a = OutboxRepository(repo.engine, "host-a:8090", LEASE)
    b = OutboxRepository(repo.engine, "host-b:8090", LEASE)
    first = enqueue(repo.engine, 41, "satu")
    assert [i.id for i in a.claim_due()] == [first]
    # Queued after A took the first: it waits behind it, B does not take it.
    second = enqueue(repo.engine, 41, "dua")
    other_chat = enqueue(repo.engine, 42, "untuk obrolan lain")
    assert [i.id for i in b.claim_due()] == [other_chat]
    assert row(repo.engine, first) == ("sending", "host-a:8090")
    a.sent(first, 1)
    assert [i.id for i in b.claim_due()] == [second]


def test_a_failed_message_holds_its_chat_for_every_front_end(repo: Repository) -> None:
    a = OutboxRepository(repo.engine, "a", LEASE)
    b = OutboxRepository(repo.engine, "b", LEASE)
    first = enqueue(repo.engine, 43, "satu")
    a.claim_due()
    a.retry(first, 60, "500 Internal Server Error", give_up=False)
    enqueue(repo.engine, 43, "dua")
    assert b.claim_due() == []  # "dua" waits until "satu" went


def test_a_dead_front_ends_claims_go_to_another_when_the_lease_ends(repo: Repository) -> None:
    a = OutboxRepository(repo.engine, "a", LEASE)
    b = OutboxRepository(repo.engine, "b", LEASE)
    ids = [enqueue(repo.engine, 44, text) for text in ("satu", "dua")]
    assert [i.id for i in a.claim_due()] == ids
    assert b.claim_due() == []  # A's lease holds
    time.sleep(LEASE.total_seconds() + 0.1)
    assert [i.id for i in b.claim_due()] == ids  # A died: B takes them, in order
    # A was only slow: its claims are gone, it must not send or touch them.
    assert a.renew(ids) == set()
    a.retry(ids[0], 60, "timeout", give_up=False)
    a.release(ids, 60)
    assert row(repo.engine, ids[0]) == ("sending", "b")
    assert b.renew(ids) == set(ids)


def test_a_restarted_front_end_takes_back_only_its_own_claims(repo: Repository) -> None:
    a = OutboxRepository(repo.engine, "a", timedelta(minutes=5))
    b = OutboxRepository(repo.engine, "b", timedelta(minutes=5))
    mine = enqueue(repo.engine, 45, "milik A")
    theirs = enqueue(repo.engine, 46, "milik B")
    a.claim_due(limit=1)
    b.claim_due()
    assert a.requeue_interrupted() == 1  # A started again under its name
    assert row(repo.engine, mine)[0] == "pending"
    assert row(repo.engine, theirs) == ("sending", "b")  # B may be sending it right now
    assert [i.id for i in a.claim_due()] == [mine]


def test_the_replies_a_front_end_sends_at_once_are_claimed_by_it(repo: Repository) -> None:
    a = OutboxRepository(repo.engine, "a", LEASE)
    b = OutboxRepository(repo.engine, "b", LEASE)
    (reply,) = a.queue_conversation(47, [("Halo", [])])
    assert row(repo.engine, reply.id) == ("sending", "a")
    assert b.claim_due() == []
    assert a.renew([reply.id]) == {reply.id}


def test_eight_claimers_at_once_take_each_message_exactly_once(repo: Repository) -> None:
    if repo.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serves one front end: concurrent claimers need PostgreSQL")
    engine = repo.engine
    with Session(engine) as s, s.begin():
        s.add_all(
            OutboxMessage(chat_id=1000 + n % 50, text=f"pesan {n}", kind="reply")
            for n in range(1000)
        )
    taken: dict[str, list[tuple[float, int, int]]] = defaultdict(list)  # (time, chat, id)
    errors: list[BaseException] = []

    def claimer(name: str) -> None:
        outbox = OutboxRepository(engine, name, timedelta(minutes=5))
        try:
            idle = 0
            while idle < 3:
                batch = outbox.claim_due(limit=20)
                idle = 0 if batch else idle + 1
                for item in batch:
                    taken[name].append((time.monotonic(), item.chat_id, item.id))
                    outbox.sent(item.id, item.id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(f"claimer-{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    ids = [i for claims in taken.values() for _, _, i in claims]
    assert len(ids) == len(set(ids)) == 1000
    assert sum(1 for claims in taken.values() if claims) >= 2  # they really shared the work
    # A chat's messages were sent in order, whoever sent them.
    by_chat: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for claims in taken.values():
        for when, chat, outbox_id in claims:
            by_chat[chat].append((when, outbox_id))
    for chat, sends in by_chat.items():
        in_time_order = [outbox_id for _, outbox_id in sorted(sends)]
        assert in_time_order == sorted(in_time_order), chat
    with Session(engine) as s:
        statuses = set(s.scalars(select(OutboxMessage.status)).all())
    assert statuses == {"sent"}
