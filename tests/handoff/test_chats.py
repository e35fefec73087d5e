"""The live chat's states and transitions on SQLite and PostgreSQL: request within and
outside service hours, take (one officer wins, also when two take at once), messages both
ways with their delivery state, typing, hand back, the citizen ending it, the take timeout,
call-back requests, making it a ticket, deletion, and the report figures."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.handoff.chats import AlreadyTaken, HandoffError, LiveChats, NotFound
from bot.handoff.reports import live_report
from bot.officer.access import Viewer
from bot.store.consent import ConsentRepository
from bot.store.db import get_engine
from bot.store.deletion import DeletionRepository
from bot.store.models import (
    Category,
    LiveChat,
    LiveChatMessage,
    OfficerRole,
    OutboxMessage,
    Privacy,
    Ticket,
    TicketMessage,
    utcnow,
)
from bot.store.outbox import OutboxRepository
from bot.store.repository import Repository
from bot.store.retention import purge
from bot.tickets.deadlines import HolidayCalendar
from tests.utils.officer import add_officer, viewer

JAKARTA = ZoneInfo("Asia/Jakarta")
OPEN = datetime(2026, 12, 1, 9, 30, tzinfo=JAKARTA)  # a Tuesday, Disdukcapil open
NIGHT = datetime(2026, 12, 1, 21, 0, tzinfo=JAKARTA)
SENDER = "5550101"
HELPDESK = ("Unit Pengaduan Kota Contoh", "Senin–Jumat 08.00–16.00 WIB")
TIMEOUT = timedelta(seconds=180)


class World:
    """Two officers of Disdukcapil, one of Satpas, a supervisor, a consenting citizen."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.chats = LiveChats(engine)
        ConsentRepository(engine).record(SENDER, int(SENDER), "Rudi Hartono")
        self.budi = self._viewer("budi", ["disdukcapil"])
        self.dewi = self._viewer("dewi", ["disdukcapil"])
        self.sari = self._viewer("sari", ["satpas"])
        self.siti = viewer(engine, add_officer(engine, "siti", OfficerRole.SUPERVISOR, []))

    def _viewer(self, name: str, units: list[str]) -> Viewer:
        return viewer(self.engine, add_officer(self.engine, name, OfficerRole.OFFICER, units))

    def request(
        self,
        now: datetime = OPEN,
        service: str | None = "ktp",
        holidays: frozenset[date] = frozenset(),
    ) -> tuple[int, bool]:
        history = [
            (now - timedelta(minutes=2), "warga", "syarat ktp apa"),
            (now, "asisten", "Syarat KTP-el: ..."),
        ]
        requested = self.chats.request(SENDER, service, history, holidays, *HELPDESK, now=now)
        return requested.chat_id, requested.opened

    def outbox(self) -> list[OutboxMessage]:
        with Session(self.engine) as s:
            return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    def chat(self, chat_id: int) -> LiveChat:
        with Session(self.engine) as s:
            row = s.get(LiveChat, chat_id)
            assert row is not None
            return row


@pytest.fixture
def world(database_url: str) -> World:
    return World(get_engine(database_url))


def test_take_chat_both_ways_and_hand_back(world: World) -> None:
    chat_id, opened = world.request()
    assert opened and world.chats.active_for(SENDER) == chat_id
    # Before it is taken the citizen's words are kept; an officer sees who waits, not what.
    assert world.chats.add_citizen_message(SENDER, "halo, saya mau tanya soal KTP saya", OPEN)
    view, messages = world.chats.load(world.budi, chat_id)
    assert view.state == "waiting" and messages == []
    waiting, _, _ = world.chats.queue(world.budi)
    assert [c.id for c in waiting] == [chat_id]
    assert world.chats.queue(world.sari)[0] == []  # another unit's officer does not see it

    taken = world.chats.take(world.budi, chat_id, OPEN + timedelta(seconds=40))
    assert taken.state == "taken" and taken.citizen_name == "Rudi Hartono"
    assert "bergabung" in world.outbox()[-1].text and world.outbox()[-1].chat_id == int(SENDER)

    world.chats.send(world.budi, chat_id, "Selamat pagi, ada yang bisa saya bantu?")
    world.chats.add_citizen_message(SENDER, "KTP saya belum jadi sejak Agustus")
    _, messages = world.chats.load(world.budi, chat_id)
    assert [(m.who, m.history) for m in messages] == [
        ("warga", True),
        ("asisten", True),
        ("warga", False),
        ("petugas", False),
        ("warga", False),
    ]
    officer_line = messages[3]
    assert officer_line.delivery == "pending"
    # The front end delivers it: the chat page shows it as sent. (The notices before it
    # were queued at this test's clock, OPEN, which may be ahead of the real one, and a
    # chat's messages are sent in order: the real clock reaches them first.)
    with Session(world.engine) as s, s.begin():
        s.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    outbox = OutboxRepository(world.engine)
    for item in outbox.claim_due():
        outbox.sent(item.id, 99)
    _, messages = world.chats.load(world.budi, chat_id)
    assert messages[3].delivery == "sent"

    world.chats.hand_back(world.budi, chat_id)
    row = world.chat(chat_id)
    assert (row.state, row.end_reason) == ("ended", "handed_back")
    assert world.chats.active_for(SENDER) is None
    assert not world.chats.add_citizen_message(SENDER, "halo?")  # back to the assistant
    assert "mengembalikan" in world.outbox()[-1].text
    with pytest.raises(HandoffError):
        world.chats.send(world.budi, chat_id, "masih di sana?")


def test_the_citizen_reads_who_writes_as_petugas_of_the_unit(world: World) -> None:
    """Every officer line reaching the citizen is labelled 'Petugas <unit>', never with the
    officer's name (the conservative choice: officers stay as anonymous to citizens as in
    ticket replies); the officer's own view keeps the text as written."""
    unit = "Dinas Kependudukan dan Pencatatan Sipil Kota Contoh"
    chat_id, _ = world.request()
    world.chats.take(world.budi, chat_id, OPEN + timedelta(seconds=40))
    world.chats.send(world.budi, chat_id, "Selamat pagi, ada yang bisa saya bantu?")
    joined, said = (m.text for m in world.outbox()[-2:])
    assert joined.startswith(f"👤 Petugas {unit} sudah bergabung.")
    assert said == f"👤 Petugas {unit}:\nSelamat pagi, ada yang bisa saya bantu?"
    for text in (joined, said):
        assert "budi" not in text.lower()
    _, messages = world.chats.load(world.budi, chat_id)
    assert messages[-1].text == "Selamat pagi, ada yang bisa saya bantu?"
    world.chats.end(world.budi, chat_id)

    general, _ = world.request(service=None)  # the complaint unit, no office
    world.chats.take(world.siti, general, OPEN + timedelta(minutes=1))
    world.chats.send(world.siti, general, "Halo")
    assert world.outbox()[-1].text == "👤 Petugas Unit Pengaduan:\nHalo"


def test_a_second_officer_cannot_take_a_taken_chat(world: World) -> None:
    chat_id, _ = world.request()
    world.chats.take(world.budi, chat_id)
    with pytest.raises(AlreadyTaken):
        world.chats.take(world.dewi, chat_id)
    with pytest.raises(NotFound):
        world.chats.load(world.dewi, chat_id)  # held by Budi: Dewi sees nothing of it
    with pytest.raises(HandoffError):
        world.chats.send(world.dewi, chat_id, "saya ambil alih")
    with pytest.raises(NotFound):
        world.chats.take(world.sari, chat_id)  # not her unit
    assert world.chat(chat_id).officer_id == world.budi.id
    # A supervisor reads it but does not write in it.
    assert world.chats.load(world.siti, chat_id)[0].officer_id == world.budi.id
    with pytest.raises(HandoffError):
        world.chats.send(world.siti, chat_id, "halo")


def test_two_officers_taking_at_once_one_wins(world: World) -> None:
    for _round in range(5):
        chat_id, _ = world.request()
        barrier = threading.Barrier(2)
        results: dict[str, str] = {}

        def take(
            who: str,
            v: Viewer,
            chat: int = chat_id,
            barrier: threading.Barrier = barrier,
            results: dict[str, str] = results,
        ) -> None:
            barrier.wait()
            try:
                world.chats.take(v, chat)
                results[who] = "won"
            except AlreadyTaken:
                results[who] = "lost"

        threads = [
            threading.Thread(target=take, args=("budi", world.budi)),
            threading.Thread(target=take, args=("dewi", world.dewi)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results.values()) == ["lost", "won"], results
        winner = world.budi if results["budi"] == "won" else world.dewi
        assert world.chat(chat_id).officer_id == winner.id
        joined = [m for m in world.outbox() if "bergabung" in m.text]
        assert len(joined) == _round + 1  # the citizen is told once per chat
        world.chats.hand_back(winner, chat_id)


def test_outside_hours_and_holidays_open_no_chat(world: World) -> None:
    chat_id, opened = world.request(NIGHT)
    assert not opened and world.chats.active_for(SENDER) is None
    row = world.chat(chat_id)
    assert (row.state, row.end_reason) == ("ended", "outside_hours")
    with Session(world.engine) as s:  # nothing of the conversation kept for nobody
        assert s.scalar(select(LiveChatMessage.id)) is None
    chat_id, opened = world.request(OPEN, holidays=frozenset({OPEN.date()}))
    assert not opened
    # Without a service: the complaint unit's hours (until 16.00, no break).
    assert world.request(OPEN.replace(hour=15, minute=30), service=None)[1]


def test_nobody_takes_it_in_time(world: World) -> None:
    chat_id, _ = world.request()
    requested = world.chat(chat_id).requested_at
    assert world.chats.expire_waiting(TIMEOUT, OPEN + TIMEOUT - timedelta(seconds=1)) == []
    expired = world.chats.expire_waiting(TIMEOUT, OPEN + TIMEOUT)
    assert [(e.chat_id, e.telegram_chat_id) for e in expired] == [(chat_id, int(SENDER))]
    assert requested is not None
    row = world.chat(chat_id)
    assert (row.state, row.end_reason) == ("ended", "timed_out")
    assert world.chats.active_for(SENDER) is None
    with pytest.raises(AlreadyTaken):
        world.chats.take(world.budi, chat_id)
    assert world.chats.expire_waiting(TIMEOUT, OPEN + 2 * TIMEOUT) == []  # told once
    # A taken chat never times out.
    chat_id, _ = world.request()
    world.chats.take(world.budi, chat_id, OPEN)
    assert world.chats.expire_waiting(TIMEOUT, OPEN + 10 * TIMEOUT) == []


def test_the_citizen_ends_it_and_asking_again_reuses_the_open_chat(world: World) -> None:
    first, _ = world.request()
    assert world.request()[0] == first  # asking twice: one chat
    assert world.chats.end_by_citizen(SENDER)
    assert (world.chat(first).state, world.chat(first).end_reason) == ("ended", "ended_by_citizen")
    assert not world.chats.end_by_citizen(SENDER)
    assert world.request()[0] != first


def test_typing_is_noted_at_most_every_few_seconds(world: World) -> None:
    chat_id, _ = world.request()
    with pytest.raises(HandoffError):
        world.chats.typing(world.budi, chat_id, OPEN)  # not taken yet
    world.chats.take(world.budi, chat_id, OPEN)
    assert world.chats.typing(world.budi, chat_id, OPEN)
    assert not world.chats.typing(world.budi, chat_id, OPEN + timedelta(seconds=2))
    assert world.chats.typing_due(OPEN + timedelta(seconds=2)) == [int(SENDER)]
    assert world.chats.typing_due(OPEN + timedelta(seconds=3)) == []  # shown once
    assert world.chats.typing(world.budi, chat_id, OPEN + timedelta(seconds=5))
    assert world.chats.typing_due(OPEN + timedelta(seconds=6)) == [int(SENDER)]


def test_call_back_requests_wait_for_an_officer_without_silencing_the_bot(world: World) -> None:
    chat_id = world.chats.request_callback(SENDER, "ktp", NIGHT)
    assert world.chats.request_callback(SENDER, "ktp", NIGHT) == chat_id
    assert world.chats.active_for(SENDER) is None  # the assistant keeps answering
    assert world.chats.expire_waiting(TIMEOUT, NIGHT + 100 * TIMEOUT) == []
    _, callbacks, _ = world.chats.queue(world.budi)
    assert [c.id for c in callbacks] == [chat_id]
    world.chats.take(world.budi, chat_id, OPEN + timedelta(days=1))
    assert world.chats.active_for(SENDER) == chat_id  # now the officer talks with them


def test_the_officer_taking_a_call_back_sees_the_conversation_before_it(world: World) -> None:
    history = [
        (NIGHT - timedelta(minutes=3), "warga", "syarat ktp apa"),
        (NIGHT - timedelta(minutes=2), "asisten", "Syarat KTP-el: ..."),
    ]
    chat_id = world.chats.request_callback(SENDER, "ktp", NIGHT, history=history)
    world.chats.take(world.budi, chat_id, OPEN + timedelta(days=1))
    _, messages = world.chats.load(world.budi, chat_id)
    assert [(m.who, m.text, m.history) for m in messages] == [
        ("warga", "syarat ktp apa", True),
        ("asisten", "Syarat KTP-el: ...", True),
    ]


def test_make_it_a_ticket(world: World, calendar: HolidayCalendar) -> None:
    chat_id, _ = world.request()
    world.chats.take(world.budi, chat_id)
    with pytest.raises(HandoffError):  # nothing said yet
        world.chats.to_ticket(
            world.budi, chat_id, Category.ADMINDUK, Repository(world.engine, calendar)
        )
    world.chats.add_citizen_message(SENDER, "Petugas kecamatan minta uang 200 ribu untuk KTP saya")
    world.chats.send(world.budi, chat_id, "Baik, kami catat sebagai pengaduan.")
    public_id = world.chats.to_ticket(
        world.budi, chat_id, Category.PUNGLI, Repository(world.engine, calendar)
    )
    with Session(world.engine) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        assert ticket is not None
        assert ticket.description == "Petugas kecamatan minta uang 200 ribu untuk KTP saya"
        assert ticket.privacy == Privacy.CONFIDENTIAL and ticket.office_id == "disdukcapil"
        lines = s.scalars(select(TicketMessage.who).where(TicketMessage.ticket_id == ticket.id))
        assert list(lines) == ["warga", "petugas"]  # the chat, never the history before it
    row = world.chat(chat_id)
    assert (row.state, row.end_reason) == ("ended", "converted_to_ticket")
    assert public_id in world.outbox()[-1].text
    assert world.chats.load(world.budi, chat_id)[0].ticket_public_id == public_id


def test_deleting_the_citizens_data_deletes_their_chats_messages(world: World) -> None:
    chat_id, _ = world.request()
    world.chats.take(world.budi, chat_id)
    world.chats.send(world.budi, chat_id, "Halo")
    world.chats.add_citizen_message(SENDER, "nomor HP saya 081234567890")
    DeletionRepository(world.engine).forget_citizen(SENDER)
    with Session(world.engine) as s:
        assert s.scalar(select(LiveChatMessage.id)) is None
    row = world.chat(chat_id)
    assert row.state == "ended" and row.telegram_chat_id is None and row.sender_id != SENDER


def test_report_figures(world: World) -> None:
    first, _ = world.request(OPEN)
    world.chats.take(world.budi, first, OPEN + timedelta(seconds=30))
    world.chats.hand_back(world.budi, first)
    second, _ = world.request(OPEN + timedelta(minutes=5))
    world.chats.take(world.budi, second, OPEN + timedelta(minutes=7))
    world.chats.hand_back(world.budi, second)
    world.request(OPEN + timedelta(minutes=10))
    world.chats.expire_waiting(TIMEOUT, OPEN + timedelta(minutes=20))
    world.request(NIGHT)
    world.chats.request_callback(SENDER, None, NIGHT)
    units, total = live_report(world.engine, OPEN.date(), OPEN.date(), "Asia/Jakarta")
    assert (
        total.requests,
        total.handled,
        total.timed_out,
        total.outside_hours,
        total.callbacks,
    ) == (
        4,
        2,
        1,
        1,
        1,
    )
    assert total.wait_median_s == 30 and total.wait_p90_s == 120
    dukcapil = next(u for u in units if "Kependudukan" in u.unit)
    assert dukcapil.handled == 2
    assert (
        live_report(world.engine, date(2026, 11, 1), date(2026, 11, 30), "Asia/Jakarta")[1].requests
        == 0
    )


def test_a_taken_call_back_counts_as_handled(world: World) -> None:
    """A call-back an officer took is a request served: 'Dilayani' counts it; its wait (to
    the next service hours) stays out of the live chats' waiting times."""
    world.request(NIGHT)  # outside hours: not served live
    chat_id = world.chats.request_callback(SENDER, "ktp", NIGHT)
    world.chats.take(world.budi, chat_id, NIGHT + timedelta(hours=12))
    units, total = live_report(world.engine, NIGHT.date(), NIGHT.date(), "Asia/Jakarta")
    assert (total.requests, total.callbacks, total.outside_hours, total.handled) == (1, 1, 1, 1)
    assert total.wait_median_s is None and total.wait_p90_s is None
    (dukcapil,) = units
    assert dukcapil.handled == 1


def test_times_are_utc(world: World) -> None:
    chat_id, _ = world.request()
    stored = world.chat(chat_id).requested_at
    aware = stored if stored.tzinfo else stored.replace(tzinfo=timezone.utc)
    assert aware == OPEN


def test_the_timeout_notice_is_queued_with_the_state_change(world: World) -> None:
    """The notice with its buttons is an outbox row of the same transaction: a front end
    that dies right after the commit loses nothing, and a second run queues nothing more."""
    chat_id, _ = world.request()
    world.chats.expire_waiting(TIMEOUT, OPEN + TIMEOUT)
    notices = [m for m in world.outbox() if m.kind == "live_timed_out"]
    assert len(notices) == 1
    assert notices[0].chat_id == int(SENDER) and "belum ada petugas" in notices[0].text
    assert notices[0].status == "pending"  # nothing sent it yet: the worker will
    world.chats.expire_waiting(TIMEOUT, OPEN + 3 * TIMEOUT)
    assert len([m for m in world.outbox() if m.kind == "live_timed_out"]) == 1
    # The worker claims it (its time has come) with its buttons: the complaint form and the
    # call-back request.
    with Session(world.engine) as s, s.begin():
        s.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - TIMEOUT))
    (item,) = [i for i in OutboxRepository(world.engine).claim_due() if i.kind == "live_timed_out"]
    assert item.buttons == [
        ("Buat pengaduan", "/file_complaint"),
        ("Minta dihubungi nanti", "/request_callback"),
    ]
    assert world.chat(chat_id).end_reason == "timed_out"


def test_retention_clears_ended_chats_after_the_period(world: World) -> None:
    """LIVE_CHAT_RETENTION_DAYS: an ended chat older than the period loses its messages'
    text and whom it was with (the report figures stay); a newer one, and any chat still
    waiting, taken or asking for a call-back, keeps everything."""
    day = timedelta(days=1)
    old, _ = world.request(OPEN - 40 * day)
    world.chats.take(world.budi, old, OPEN - 40 * day)
    world.chats.add_citizen_message(SENDER, "nomor KTP saya 3171234567890001", OPEN - 40 * day)
    world.chats.send(world.budi, old, "Baik, kami cek", OPEN - 40 * day)
    world.chats.hand_back(world.budi, old, OPEN - 31 * day)
    recent, _ = world.request(OPEN - 29 * day)
    world.chats.add_citizen_message(SENDER, "masih ingat saya?", OPEN - 29 * day)
    world.chats.end_by_citizen(SENDER, OPEN - 29 * day)
    waiting, _ = world.request(OPEN - 40 * day)  # nobody ran the timeout: still waiting
    world.chats.add_citizen_message(SENDER, "halo, masih menunggu", OPEN - 40 * day)
    other = "5550202"
    taken = world.chats.request(other, "ktp", [], frozenset(), *HELPDESK, OPEN - 40 * day)
    world.chats.take(world.dewi, taken.chat_id, OPEN - 40 * day)
    world.chats.add_citizen_message(other, "saya masih di sini", OPEN - 40 * day)
    callback = world.chats.request_callback("5550303", "ktp", OPEN - 40 * day)

    report = purge(
        world.engine,
        raw_after=timedelta(days=7),
        delete_after=timedelta(days=30),
        live_chat_after=30 * day,
        now=OPEN,
    )
    assert report.live_chats_purged == 1

    def texts(chat_id: int) -> list[str]:
        with Session(world.engine) as s:
            return list(
                s.scalars(
                    select(LiveChatMessage.text).where(LiveChatMessage.live_chat_id == chat_id)
                )
            )

    assert texts(old) and set(texts(old)) == {"[dihapus]"}
    row = world.chat(old)
    assert row.sender_id != SENDER and row.citizen_id is None and row.telegram_chat_id is None
    assert (row.state, row.end_reason, row.office_id) == ("ended", "handed_back", "disdukcapil")
    assert texts(recent) == ["syarat ktp apa", "Syarat KTP-el: ...", "masih ingat saya?"]
    assert world.chat(recent).sender_id == SENDER
    assert "halo, masih menunggu" in texts(waiting) and world.chat(waiting).state == "waiting"
    assert texts(taken.chat_id) == ["saya masih di sini"]
    assert world.chat(callback).sender_id == "5550303"
    # The report still counts the purged chat.
    assert (
        live_report(world.engine, (OPEN - 40 * day).date(), OPEN.date(), "Asia/Jakarta")[1].handled
        >= 1
    )
    # Nothing more to do on a second run.
    again = purge(world.engine, timedelta(days=7), timedelta(days=30), None, 30 * day, OPEN)
    assert again.live_chats_purged == 0


def test_a_chat_made_a_ticket_loses_its_chat_messages_but_not_the_ticket(
    world: World, calendar: HolidayCalendar
) -> None:
    chat_id, _ = world.request()
    world.chats.take(world.budi, chat_id)
    world.chats.add_citizen_message(SENDER, "Loket KTP tutup jam 10 padahal jadwalnya jam 15")
    public_id = world.chats.to_ticket(
        world.budi, chat_id, Category.ADMINDUK, Repository(world.engine, calendar)
    )
    later = utcnow() + timedelta(days=31)
    purge(world.engine, timedelta(days=7), timedelta(days=30), None, timedelta(days=30), later)
    with Session(world.engine) as s:
        left = set(
            s.scalars(select(LiveChatMessage.text).where(LiveChatMessage.live_chat_id == chat_id))
        )
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        assert ticket is not None
        assert ticket.description == "Loket KTP tutup jam 10 padahal jadwalnya jam 15"
        said = s.scalars(select(TicketMessage.text).where(TicketMessage.ticket_id == ticket.id))
        assert "Loket KTP tutup jam 10 padahal jadwalnya jam 15" in list(said)
    assert left == {"[dihapus]"}
    assert world.chat(chat_id).ticket_id is not None


def test_the_live_chat_retention_period_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Settings(live_chat_retention_days=0)
    assert Settings().live_chat_retention_days == 30
