"""A request for information: the citizen answers with /jawab, or the ticket closes after
10 working days without an answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.tickets.deadlines import local_today
from bot.tickets.expiry import close_unanswered
from bot.tickets.workflow import Workflow
from bot.store import Repository
from bot.store.models import OutboxMessage, Ticket, TicketEvent, TicketStatus
from bot.tickets.workdays import HolidayCalendar
from tests.officer.conftest import People, TicketMaker, viewer


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
    assert f"/jawab {tid}" in text and "Kecamatan mana tepatnya?" in text


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
