"""PostgreSQL connections cut while a ticket is being filed.

A stack of the fault folder's shape (honcho on Procfile.local: action server, Rasa, front
end; the local Bot API server and the proxy between Rasa and the action server in this
process) with our store (DATABASE_URL) and Rasa's tracker store (RASA_TRACKER_URL) on two
throwaway PostgreSQL databases. The fault: the server terminates every connection to both
databases (`pg_terminate_backend`, what a restart or a failover does to a running service;
the server itself is shared and never restarted). Under a steady stream of questions from
other citizens, at three moments of one filing:

- while Rasa reads a conversation: Rasa's events table is held locked, so that a read
  waits in the server when its connection is cut;
- while the action server inserts the ticket row: the reporter's citizen row is held
  locked, so that the INSERT waits in its foreign key check, uncommitted, when its
  connection is cut;
- after the ticket row was committed, before Rasa heard back from the action server (the
  proxy's trap), so that Rasa saves the conversation on pooled connections the server
  closed.

Afterwards the complaint exists exactly once, its citizen is told its ticket id exactly
once and the conversation knows it was filed, every other question got exactly one answer
(a "will answer" notice may come first) or a clear "try again" and, asked again, its
answer, and is in its conversation as often as it was asked, the officers'
messages queued around the cut are delivered exactly once, and no process died.

Two store-level tests (no stack) cut a connection at an exact statement: a ticket's
INSERT before its commit, and the front end recording a delivered outbox message (which
the stack tests hit only when the cut happens to fall on it).

Needs PostgreSQL at TEST_POSTGRES_URL (default 127.0.0.1:5432, user postgres): skipped with
the reason without it, a failure with CI=true.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import psycopg
import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.store.db import get_engine, prepare_database
from bot.store.models import Category, InboxMessage, OutboxMessage, Privacy
from bot.store.outbox import OutboxRepository
from bot.store.repository import ComplaintDraft, Repository
from devtools.local_api import LocalBotApi, SimulatedUser
from devtools.profile_stack import throwaway_databases
from tests.faults.conftest import RASA_TOKEN, FaultStack, VarDir, started
from tests.utils.chat import TICKET
from tests.utils.citizens import (
    SLOW,
    Citizen,
    consented,
    enqueue_outbox,
    fill_complaint_form,
    has,
    outbox_problems,
    questions_for,
    settle,
    tickets_of,
    until,
)
from tests.utils.db import ADMIN_PG_URL, IN_CI, postgres_admin
from tests.utils.supervised import (
    is_actions,
    is_frontend,
    is_rasa,
)
from tests.utils.telegram import reply_with

pytestmark = [
    pytest.mark.rasa,
    pytest.mark.postgres,
    pytest.mark.asyncio(loop_scope="module"),
]

T = TypeVar("T")
BOT_ID = 7321  # a bot of its own: the folder's other stack polls bot 7301
FIRST_FILING = "sudah kami terima dengan nomor tiket"
SETTLE_S = 150.0  # a message whose handling the cut broke is recovered after 60 s


# utter_technical_error: an action failed, and the citizen is asked to try again.
TRY_AGAIN = "silakan coba lagi"


@dataclass
class Streaming(Citizen):
    """A citizen of the stream. A clear "try again" may answer a question instead (an
    action whose query was cut apologises); the citizen then asks it again."""

    asked_again: list[str] = field(default_factory=list)

    def try_agains(self) -> int:
        return sum(1 for m in self.user.replies() if has(m, TRY_AGAIN))

    def unanswered(self) -> list[tuple[str, str]]:
        return [(q, m) for q, m in self.questions[: self.sent] if self.count(m) == 0]

    def answered(self) -> bool:
        """Every question answered, or met by a "try again" not yet acted on."""
        return len(self.unanswered()) <= self.try_agains() - len(self.asked_again)

    async def ask_again(self) -> None:
        """Ask each question that got a "try again" instead of its answer once more."""
        for question, marker in self.unanswered():
            self.asked_again.append(question)
            await self.user.send_text(question)
            await reply_with(self.user, marker, SLOW)

    def problems(self) -> list[str]:
        found = super().problems()  # each question answered exactly once, in the end
        if self.try_agains() != len(self.asked_again):
            found.append(
                f"citizen {self.sender_id}: {self.try_agains()} try-again replies for "
                f"{len(self.asked_again)} questions asked again"
            )
        return found


async def streaming(api: LocalBotApi, user_ids: Sequence[int]) -> list[Streaming]:
    """Consented citizens with four questions each."""
    return [
        Streaming(await consented(api, user_id), questions_for(index, 4))
        for index, user_id in enumerate(user_ids)
    ]


@dataclass
class PgStack(FaultStack):
    """The fault folder's stack on PostgreSQL: `store_url` is DATABASE_URL, `tracker_url`
    RASA_TRACKER_URL."""

    store_url: str = ""
    tracker_url: str = ""

    @property
    def database_url(self) -> str:
        return self.store_url

    @property
    def databases(self) -> list[str]:
        return [str(make_url(u).database) for u in (self.store_url, self.tracker_url)]

    def pids(self) -> dict[str, int | None]:
        return {
            name: self.supervised.pid_of(matches)
            for name, matches in (
                ("actions", is_actions),
                ("rasa", is_rasa),
                ("telegram", is_frontend),
            )
        }

    def cut(self) -> Counter[str]:
        return terminate(self.databases)

    def user_texts(self, sender_id: str) -> list[str]:
        """The citizen's messages in Rasa's conversation, oldest first."""
        response = httpx.get(
            f"http://127.0.0.1:{self.ports.rasa}/conversations/{sender_id}/tracker",
            params={"token": RASA_TOKEN, "include_events": "ALL"},
            timeout=30,
        )
        response.raise_for_status()
        events = response.json().get("events") or []
        return [str(e.get("text")) for e in events if e.get("event") == "user"]

    def conversation(self, sender_id: str) -> dict[str, Any]:
        """Rasa's tracker of a conversation (HTTP API), without its events."""
        response = httpx.get(
            f"http://127.0.0.1:{self.ports.rasa}/conversations/{sender_id}/tracker",
            params={"token": RASA_TOKEN, "include_events": "NONE"},
            timeout=30,
        )
        response.raise_for_status()
        return dict(response.json())


def terminate(databases: Sequence[str]) -> Counter[str]:
    """Terminate every connection to these databases (but the one asking); how many per
    database."""
    with postgres_admin() as admin:
        rows = admin.execute(
            "SELECT datname, pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = ANY(%s) AND pid <> pg_backend_pid()",
            (list(databases),),
        ).fetchall()
    return Counter(str(name) for name, terminated in rows if terminated)


def hold_lock(database_url: str, statement: str, *params: object) -> psycopg.Connection[Any]:
    """A connection whose open transaction ran `statement` (and holds what it locked)."""
    url = make_url(ADMIN_PG_URL)
    connection = psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        dbname=make_url(database_url).database,
        connect_timeout=3,
    )
    locked = connection.execute(statement, params or None).rowcount
    assert locked, f"nothing locked by {statement!r} {params}"
    return connection


def sessions(database_url: str) -> list[tuple[str, str, str]]:
    """(state, wait event type, statement) of every session of the database."""
    with postgres_admin() as admin:
        rows = admin.execute(
            "SELECT state, wait_event_type, query FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (make_url(database_url).database,),
        ).fetchall()
    return [(str(state), str(wait), str(query)) for state, wait, query in rows]


async def wait_for_waiter(database_url: str, fragment: str, timeout: float = 60) -> str:
    """The statement containing `fragment` once it waits for a lock."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    found: list[tuple[str, str, str]] = []
    while loop.time() < deadline:
        found = await asyncio.to_thread(sessions, database_url)
        for _state, wait, query in found:
            if wait == "Lock" and fragment.lower() in query.lower():
                return query
        await asyncio.sleep(0.02)
    raise TimeoutError(
        f"no statement with {fragment!r} waited for the lock within {timeout:g} s; "
        f"sessions: {found}"
    )


def store_rows(database_url: str, senders: Sequence[str]) -> str:
    """The inbox and outbox rows of these citizens, one a line (for a failure's message)."""
    chats = [int(s) for s in senders]  # a private chat's id is its user's id
    with Session(get_engine(database_url)) as s:
        inbox = s.execute(
            select(
                InboxMessage.sender_id, InboxMessage.id, InboxMessage.status, InboxMessage.payload
            )
            .where(InboxMessage.sender_id.in_(list(senders)))
            .order_by(InboxMessage.id)
        ).all()
        outbox = s.execute(
            select(
                OutboxMessage.chat_id,
                OutboxMessage.id,
                OutboxMessage.status,
                OutboxMessage.attempts,
                OutboxMessage.last_error,
                OutboxMessage.text,
            )
            .where(OutboxMessage.chat_id.in_(chats))
            .order_by(OutboxMessage.id)
        ).all()
    lines = [f"  inbox {r[0]} #{r[1]} {r[2]}: {str(r[3])[:50]!r}" for r in inbox]
    lines += [f"  outbox {r[0]} #{r[1]} {r[2]} x{r[3]} {r[4]!r}: {r[5][:50]!r}" for r in outbox]
    return "\n".join(lines)


def _missing_postgres() -> str:
    try:
        postgres_admin().close()
    except Exception as exc:
        return f"PostgreSQL not reachable at {ADMIN_PG_URL} ({exc}); set TEST_POSTGRES_URL"
    return ""


@pytest.fixture(scope="module")
def store_only() -> Iterator[str]:
    """A throwaway store database (migrated, catalogue seeded), without the stack."""
    reason = _missing_postgres()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (required with CI=true)")
        pytest.skip(reason)
    with throwaway_databases(ADMIN_PG_URL, "cut_unit") as (url,):
        prepare_database(url, "always")
        yield url


async def cut_while_waiting(url: str, fragment: str, call: Callable[[], T]) -> T:
    """Run `call` on a thread; once its statement containing `fragment` waits for the
    lock the caller holds, terminate every connection to the database; its result."""
    running = asyncio.ensure_future(asyncio.to_thread(call))
    try:
        await wait_for_waiter(url, fragment, timeout=30)
        await asyncio.to_thread(terminate, [str(make_url(url).database)])
    finally:
        result = await running
    return result


async def test_a_ticket_insert_cut_uncommitted_is_filed_on_a_new_connection(
    store_only: str,
) -> None:
    repository = Repository(get_engine(store_only))
    await asyncio.to_thread(repository.ensure_citizen, "8791")
    draft = ComplaintDraft(
        description="Jalan berlubang di depan pasar, sudah tiga bulan belum diperbaiki.",
        location_text="Pasar Baru",
        category=Category.INFRASTRUKTUR,
        privacy=Privacy.PUBLIC,
    )
    lock = await asyncio.to_thread(
        hold_lock, store_only, "SELECT id FROM citizens WHERE sender_id = %s FOR UPDATE", "8791"
    )
    try:
        ticket, created = await cut_while_waiting(
            store_only, "INSERT INTO tickets", lambda: repository.file_ticket("8791", draft)
        )
    finally:
        with contextlib.suppress(psycopg.Error):
            lock.close()
    assert created
    assert await asyncio.to_thread(tickets_of, store_only, "8791") == [ticket.public_id]


async def test_a_delivery_whose_record_was_cut_is_recorded_on_a_new_connection(
    store_only: str,
) -> None:
    outbox = OutboxRepository(get_engine(store_only))
    body = "Balasan petugas: laporan Anda sedang kami periksa."
    outbox_id = await asyncio.to_thread(enqueue_outbox, store_only, 8792, body)
    lock = await asyncio.to_thread(
        hold_lock,
        store_only,
        "SELECT id FROM outbox_messages WHERE id = %s FOR UPDATE",
        outbox_id,
    )
    try:
        await cut_while_waiting(store_only, "outbox_messages", lambda: outbox.sent(outbox_id, 77))
    finally:
        with contextlib.suppress(psycopg.Error):
            lock.close()
    with Session(get_engine(store_only)) as s:
        row = s.get(OutboxMessage, outbox_id)
        assert row is not None
        # Recorded: never claimed, so never sent, again.
        assert (row.status, row.telegram_message_id) == ("sent", 77)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pg_stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[PgStack]:
    reason = _missing_postgres()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (required with CI=true)")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("postgres_cut")
    var = VarDir(folder / "var", tmpfs=False, reason="not needed here")
    var.path.mkdir()
    with throwaway_databases(ADMIN_PG_URL, "cut_store", "cut_tracker") as urls:
        store_url, tracker_url = urls
        async with LocalBotApi(bot_id=BOT_ID) as api:
            make = functools.partial(PgStack, store_url=store_url, tracker_url=tracker_url)
            async with started(
                api, var, make, DATABASE_URL=store_url, RASA_TRACKER_URL=tracker_url
            ) as running:
                yield running


@dataclass
class Filing:
    """One citizen filing a complaint while others ask questions, and what the fault saw."""

    reporter: SimulatedUser
    people: list[Streaming]
    pids: dict[str, int | None]
    queued: list[tuple[int, int, str]]
    cut: Counter[str]

    @property
    def sender_id(self) -> str:
        return str(self.reporter.id)


async def file_under_fault(
    stack: PgStack,
    reporter_id: int,
    others: Sequence[int],
    fault: Callable[[Filing], Awaitable[None]],
) -> Filing:
    """A reporter confirms a complaint ("Ya, kirim") while `others` ask their questions;
    `fault(filing)` (a coroutine function) does the rest of the filing and the cut. Then
    the stream runs to its end and the store settles."""
    reporter = await consented(stack.api, reporter_id)
    people = await streaming(stack.api, others)
    await fill_complaint_form(reporter)
    filing = Filing(reporter, people, stack.pids(), [], Counter())

    async def officer_message(when: str) -> None:
        chat = people[len(filing.queued) % len(people)].user.chat_id
        body = f"Balasan petugas {reporter_id}-{len(filing.queued)} ({when} pemutusan koneksi)."
        outbox_id = await asyncio.to_thread(enqueue_outbox, stack.database_url, chat, body)
        filing.queued.append((outbox_id, chat, body))

    async def run() -> None:
        await until(lambda: people[0].sent >= 1, 60, "the stream to start")
        await officer_message("sebelum")
        await fault(filing)
        await officer_message("sesudah")

    await asyncio.gather(*(c.ask_all() for c in people), run())

    def told() -> bool:
        return any(TICKET.search(m.text) for m in reporter.replies())

    everyone = [*people, Citizen(reporter, [])]
    try:
        await settle(everyone, stack.database_url, SETTLE_S, also=told)
        await asyncio.gather(*(c.ask_again() for c in people))
        await settle(everyone, stack.database_url, SETTLE_S, also=told)
    except TimeoutError as exc:
        rows = await asyncio.to_thread(
            store_rows, stack.database_url, [c.sender_id for c in everyone]
        )
        raise TimeoutError(
            f"{exc}\nreporter:\n" + "\n".join(transcript(reporter)) + f"\nstore:\n{rows}"
        ) from None
    return filing


def transcript(user: SimulatedUser) -> list[str]:
    return [m.text[:120] for m in user.replies()]


async def assert_filed_once_and_healthy(stack: PgStack, filing: Filing) -> None:
    """The invariants every cut must keep."""
    assert all(filing.cut[name] > 0 for name in stack.databases), (
        f"the cut must hit both databases: {dict(filing.cut)}"
    )
    filed = await asyncio.to_thread(tickets_of, stack.database_url, filing.sender_id)
    assert len(filed) == 1, (filed, transcript(filing.reporter))
    mentions = [m.text for m in filing.reporter.replies() if filed[0] in m.text]
    assert len(mentions) == 1, transcript(filing.reporter)
    assert FIRST_FILING in mentions[0], mentions  # told as a first filing: confirmed once
    # The conversation knows the complaint was filed: the form is closed, the ticket noted.
    tracker = await asyncio.to_thread(stack.conversation, filing.sender_id)
    assert not (tracker.get("active_loop") or {}).get("name"), tracker.get("active_loop")
    assert (tracker.get("slots") or {}).get("last_ticket_id") == filed[0], tracker.get("slots")
    assert [p for c in filing.people for p in c.problems()] == []
    # Rasa kept every question in its conversation (none read or saved elsewhere).
    for c in filing.people:
        said = await asyncio.to_thread(stack.user_texts, c.sender_id)
        for question, _marker in c.questions[: c.sent]:
            times = 1 + c.asked_again.count(question)
            assert said.count(question) == times, (c.sender_id, question, said)
    assert (
        await asyncio.to_thread(outbox_problems, stack.database_url, stack.api, filing.queued) == []
    )
    # Nothing crashed (the supervisor would have started a new process) and all answer.
    assert stack.pids() == filing.pids
    for url, what in (
        (stack.actions_health_url, "the action server"),
        (stack.rasa_status_url, "Rasa"),
        (stack.frontend_health_url, "the front end (healthz 200: everything reachable)"),
    ):
        await stack.wait_up(url, what, timeout=60)


async def test_cut_while_rasa_reads_a_conversation(pg_stack: PgStack) -> None:
    stack = pg_stack
    seen: dict[str, object] = {}

    async def fault(filing: Filing) -> None:
        # Every read of a conversation waits (a plain SELECT waits only for a table lock).
        lock = await asyncio.to_thread(
            hold_lock, stack.tracker_url, "LOCK TABLE events IN ACCESS EXCLUSIVE MODE"
        )
        try:
            await filing.reporter.press("Ya, kirim")
            waiting = await wait_for_waiter(stack.tracker_url, "FROM events")
            # Rasa reads one conversation at a time: whose (the reporter's or another's).
            seen["read_of"] = re.findall(r"sender_id = '(\d+)'", waiting)
            filing.cut.update(await asyncio.to_thread(stack.cut))
        finally:
            with contextlib.suppress(psycopg.Error):
                lock.close()

    filing = await file_under_fault(stack, 8701, [8702, 8703], fault)
    print(f"the cut read was of {seen['read_of']}")
    await assert_filed_once_and_healthy(stack, filing)


async def test_cut_while_the_ticket_row_is_inserted(pg_stack: PgStack) -> None:
    stack = pg_stack

    async def fault(filing: Filing) -> None:
        # The reporter's citizen row locked: the ticket's INSERT waits in its foreign key
        # check (FOR KEY SHARE), uncommitted, while every other statement goes on (a lock
        # on the tickets table would also stop every INSERT whose table refers to it).
        lock = await asyncio.to_thread(
            hold_lock,
            stack.store_url,
            "SELECT id FROM citizens WHERE sender_id = %s FOR UPDATE",
            filing.sender_id,
        )
        try:
            await filing.reporter.press("Ya, kirim")
            await wait_for_waiter(stack.store_url, "INSERT INTO tickets")
            filing.cut.update(await asyncio.to_thread(stack.cut))
        finally:
            with contextlib.suppress(psycopg.Error):
                lock.close()

    filing = await file_under_fault(stack, 8711, [8712, 8713], fault)
    await assert_filed_once_and_healthy(stack, filing)


async def test_cut_after_the_ticket_was_stored(pg_stack: PgStack) -> None:
    stack = pg_stack

    async def fault(filing: Filing) -> None:
        # The action server committed the ticket and answered; Rasa gets the answer after
        # the cut and goes on with the turn on its pooled connections.
        stack.proxy.trap(
            "action_submit_complaint", lambda: filing.cut.update(stack.cut()), answer=True
        )
        await filing.reporter.press("Ya, kirim")
        await asyncio.wait_for(stack.proxy.sprung.wait(), 60)

    filing = await file_under_fault(stack, 8721, [8722, 8723], fault)
    await assert_filed_once_and_healthy(stack, filing)
