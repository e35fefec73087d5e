"""A request for information: the citizen answers (in plain words or with /jawab), or the
ticket closes after 10 working days without an answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import (
    Category,
    OutboxMessage,
    Ticket,
    TicketEvent,
    TicketStatus,
    utcnow,
)
from bot.store.repository import Repository
from bot.tickets.deadlines import HolidayCalendar, local_today
from bot.tickets.expiry import close_unanswered
from bot.tickets.workflow import Workflow
from tests.utils.officer import People, TicketMaker, viewer


def _ticket(engine: Engine, public_id: str) -> Ticket:
    with Session(engine) as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        assert ticket is not None
        s.expunge(ticket)
        return ticket


def _waiting(workflow: Workflow, engine: Engine, people: People, make_ticket: TicketMaker) -> str:
    officer = viewer(engine, people.officer)
    tid = make_ticket(sender="81234567")
    workflow.verify(officer, tid)
    workflow.request_info(officer, tid, "Kecamatan mana tepatnya?")
    return tid


def test_request_info_tells_the_citizen_how_and_until_when_to_answer(
    engine: Engine, people: People, workflow: Workflow, make_ticket: TicketMaker
) -> None:
    tid = _waiting(workflow, engine, people, make_ticket)
    ticket = _ticket(engine, tid)
    today = local_today("Asia/Jakarta")
    assert ticket.due_on == workflow.deadlines.citizen_reply_due(today)
    with Session(engine) as s:
        text = s.scalars(
            select(OutboxMessage.text).where(OutboxMessage.kind == "info_request")
        ).one()
    assert "Tulis saja jawaban Anda di sini" in text and "Kecamatan mana tepatnya?" in text


def test_the_citizens_answer_resumes_the_ticket(
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
    calendar_: HolidayCalendar,
) -> None:
    tid = _waiting(workflow, engine, people, make_ticket)
    repo = Repository(engine, calendar_)
    assert repo.answer_info_request("99999", tid, "Kecamatan Tebet.") == (None, False)
    view, resumed = repo.answer_info_request("81234567", tid, "Kecamatan Tebet, loket 2.")
    assert view is not None and resumed
    ticket = _ticket(engine, tid)
    assert ticket.status == TicketStatus.DIPROSES
    assert ticket.due_on == ticket.resolve_due
    with Session(engine) as s:
        events = s.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        ).all()
        answer = [e for e in events if e.kind == "message_in"]
        assert [e.body for e in answer] == ["Kecamatan Tebet, loket 2."]
        assert answer[0].actor_type == "citizen"
        assert (events[-1].from_status, events[-1].to_status) == ("menunggu_warga", "diproses")
    # A second answer is recorded for the officers without changing the status.
    _view, resumed_again = repo.answer_info_request("81234567", tid, "Tambahan: antre nomor 41.")
    assert not resumed_again


def test_no_answer_in_time_closes_the_ticket(
    engine: Engine, people: People, workflow: Workflow, make_ticket: TicketMaker
) -> None:
    tid = _waiting(workflow, engine, people, make_ticket)
    due = _ticket(engine, tid).due_on
    assert due is not None
    assert close_unanswered(engine, due, 10) == []  # the last day to answer is still open
    assert close_unanswered(engine, due + timedelta(days=1), 10) == [tid]
    closed = _ticket(engine, tid)
    assert closed.status == TicketStatus.SELESAI and closed.closed_at is not None
    assert closed.due_on is None
    with Session(engine) as s:
        last = s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.ticket_id == closed.id)
            .order_by(OutboxMessage.id)
        ).all()[-1]
        system = s.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == closed.id, TicketEvent.actor_type == "system"
            )
        ).all()
    assert tid in last.text and "10 hari kerja" in last.text
    assert [(e.from_status, e.to_status) for e in system if e.kind == "status"] == [
        ("menunggu_warga", "selesai")
    ]
    assert close_unanswered(engine, due + timedelta(days=30), 10) == []  # only once


def test_the_citizens_answer_sets_the_deadline_the_officers_resume_would(
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
    calendar_: HolidayCalendar,
) -> None:
    """/jawab and the officer's 'Lanjutkan proses' move menunggu_warga -> diproses by one
    rule: the resolution deadline, computed from today when the ticket has none."""
    officer = viewer(engine, people.officer)
    answered = _waiting(workflow, engine, people, make_ticket)
    resumed = make_ticket(sender="81234568")
    workflow.verify(officer, resumed)
    workflow.request_info(officer, resumed, "Loket berapa?")
    with Session(engine) as s, s.begin():  # tickets verified before resolve_due existed
        for tid in (answered, resumed):
            s.scalars(select(Ticket).where(Ticket.public_id == tid)).one().resolve_due = None

    _view, was_resumed = Repository(engine, calendar_).answer_info_request(
        "81234567", answered, "Kecamatan Tebet."
    )
    workflow.resume(officer, resumed)

    assert was_resumed
    expected = workflow.deadlines.resolve_due(local_today("Asia/Jakarta"), Category.ADMINDUK)
    by_citizen, by_officer = _ticket(engine, answered), _ticket(engine, resumed)
    assert by_officer.due_on == by_officer.resolve_due == expected
    assert by_citizen.status == TicketStatus.DIPROSES
    assert by_citizen.due_on == by_citizen.resolve_due == expected


def test_expiry_refuses_a_ticket_no_longer_waiting_for_the_citizen(
    engine: Engine, people: People, workflow: Workflow, make_ticket: TicketMaker
) -> None:
    """The expiry goes through the state machine: a ticket the citizen or an officer moved on
    meanwhile (a race with the scheduler) is refused and left as it is."""
    from bot.tickets.expiry import expire
    from bot.tickets.states import IllegalTransition

    tid = _waiting(workflow, engine, people, make_ticket)
    workflow.resume(viewer(engine, people.officer), tid)
    before = _ticket(engine, tid)
    with Session(engine) as s, s.begin():
        ticket = s.scalars(select(Ticket).where(Ticket.public_id == tid)).one()
        with pytest.raises(IllegalTransition, match="berstatus Diproses"):
            expire(s, ticket, 10, utcnow(), workflow.deadlines)
    after = _ticket(engine, tid)
    assert (after.status, after.due_on, after.closed_at, after.resolution) == (
        TicketStatus.DIPROSES,
        before.due_on,
        None,
        None,
    )
    with Session(engine) as s:
        kinds = s.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == after.id)).all()
        messages = s.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.ticket_id == after.id)
        ).all()
    assert kinds.count("status") == 3  # verify, request_info, resume: nothing from expiry
    assert messages == ["status", "info_request"]


def test_every_status_change_leaves_exactly_one_status_event_with_its_actor(
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
    calendar_: HolidayCalendar,
) -> None:
    officer = viewer(engine, people.officer)
    tid = _waiting(workflow, engine, people, make_ticket)  # verify, request_info
    Repository(engine, calendar_).answer_info_request("81234567", tid, "Kecamatan Tebet.")
    workflow.request_info(officer, tid, "Nomor antrean?")
    due = _ticket(engine, tid).due_on
    assert due is not None
    assert close_unanswered(engine, due + timedelta(days=1), 10) == [tid]
    workflow.reopen(officer, tid, "Warga menghubungi lewat telepon.")
    workflow.resolve(officer, tid, "Loket tambahan dibuka.")

    with Session(engine) as s:
        ticket_id = s.scalars(select(Ticket.id).where(Ticket.public_id == tid)).one()
        events = s.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "status")
            .order_by(TicketEvent.id)
        ).all()
        citizen_id = s.scalars(select(Ticket.citizen_id).where(Ticket.id == ticket_id)).one()
    assert [
        (e.from_status, e.to_status, e.actor_type, e.actor_id, (e.data or {}).get("action"))
        for e in events
    ] == [
        ("baru", "diverifikasi", "officer", str(people.officer), "verify"),
        ("diverifikasi", "menunggu_warga", "officer", str(people.officer), "request_info"),
        ("menunggu_warga", "diproses", "citizen", str(citizen_id), "citizen_answer"),
        ("diproses", "menunggu_warga", "officer", str(people.officer), "request_info"),
        ("menunggu_warga", "selesai", "system", None, "auto_close"),
        ("selesai", "diproses", "officer", str(people.officer), "reopen"),
        ("diproses", "selesai", "officer", str(people.officer), "resolve"),
    ]
    assert _ticket(engine, tid).status == TicketStatus.SELESAI


def test_an_addition_without_an_id_goes_to_the_only_open_ticket(
    engine: Engine, make_ticket: TicketMaker, calendar_: HolidayCalendar
) -> None:
    """D21 (second black-box round): "/jawab oiya satu lagi, ada saksinya" from a citizen with
    one open ticket and no request waiting is recorded on that ticket, not refused; with two
    open tickets the id is needed."""
    repo = Repository(engine, calendar_)
    only = make_ticket(sender="81234570")
    view, resumed = repo.answer_info_request("81234570", None, "Oiya, ada saksinya juga.")
    assert view is not None and view.public_id == only and not resumed
    assert _ticket(engine, only).status == TicketStatus.BARU
    with Session(engine) as s:
        bodies = s.scalars(
            select(TicketEvent.body).where(
                TicketEvent.ticket_id == _ticket(engine, only).id,
                TicketEvent.kind == "message_in",
            )
        ).all()
    assert bodies == ["Oiya, ada saksinya juga."]
    make_ticket(sender="81234570", description="Lampu jalan di gang Mawar mati sebulan.")
    assert repo.answer_info_request("81234570", None, "Satu lagi.") == (None, False)
    assert repo.answer_info_request("81234571", None, "Belum punya laporan.") == (None, False)


def test_the_tickets_awaiting_the_citizens_answer(
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
    calendar_: HolidayCalendar,
) -> None:
    """What bot/telegram/answers.py takes a plain message for (E9): a request for
    information until answered; an officer's reply for a day, until answered."""
    officer = viewer(engine, people.officer)
    repo = Repository(engine, calendar_)
    asked = _waiting(workflow, engine, people, make_ticket)
    assert repo.awaiting_answer("81234567") == [asked]
    assert repo.awaiting_answer("99999") == []  # another citizen's: nothing
    repo.answer_info_request("81234567", asked, "Kecamatan Tebet.")
    assert repo.awaiting_answer("81234567") == []

    replied = make_ticket(sender="81234569")
    workflow.verify(officer, replied)
    assert repo.awaiting_answer("81234569") == []  # the verification notice asks nothing
    workflow.reply(officer, replied, "Jam berapa kejadiannya?")
    assert repo.awaiting_answer("81234569") == [replied]
    assert repo.awaiting_answer("81234569", now=utcnow() + timedelta(hours=25)) == []
    assert not repo.answered_recently("81234569", replied)
    repo.answer_info_request("81234569", replied, "Jam 8 pagi.")
    assert repo.awaiting_answer("81234569") == []
    assert repo.answered_recently("81234569", replied)
    assert not repo.answered_recently("99999", replied)

    # A reply that asks nothing ("sudah kami teruskan") waits for no answer: the citizen's
    # next message ("syarat bikin kk apa ya?") is theirs, not the ticket's.
    told = make_ticket(sender="81234572")
    workflow.verify(officer, told)
    workflow.reply(officer, told, "Laporan Anda sudah kami teruskan ke Disdukcapil.")
    assert repo.awaiting_answer("81234572") == []
    workflow.reply(officer, told, "Apakah petugasnya sudah menghubungi Anda")
    assert repo.awaiting_answer("81234572") == [told]  # a question without its mark too


def test_the_same_answer_sent_again_is_kept_once(
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
    calendar_: HolidayCalendar,
) -> None:
    """A retried update, or the protest "sy td jawab petugas" after the answer was taken:
    no duplicate on the ticket."""
    tid = _waiting(workflow, engine, people, make_ticket)
    repo = Repository(engine, calendar_)
    assert repo.answer_info_request("81234567", tid, "Kecamatan Tebet.")[1]
    view, resumed = repo.answer_info_request("81234567", tid, "Kecamatan Tebet. ")
    assert view is not None and view.public_id == tid and not resumed
    repo.answer_info_request("81234567", tid, "Tambahan: loket 2.")
    with Session(engine) as s:
        bodies = s.scalars(
            select(TicketEvent.body)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(Ticket.public_id == tid, TicketEvent.kind == "message_in")
            .order_by(TicketEvent.id)
        ).all()
    assert bodies == ["Kecamatan Tebet.", "Tambahan: loket 2."]
