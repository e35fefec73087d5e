"""The console's action route dispatches through one table from action to handler: every
officer action has a handler, and the citizen's and the system's actions are not URLs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.officer.web.routes_tickets import HANDLERS
from bot.store.models import Ticket, TicketEvent, TicketStatus
from bot.tickets.states import OFFICER_ACTIONS, Action
from bot.tickets.workflow import Workflow
from tests.utils.officer import People, TicketMaker, csrf_of, viewer

Client = Callable[..., TestClient]


def test_every_officer_action_has_exactly_one_handler() -> None:
    assert set(HANDLERS) == set(OFFICER_ACTIONS)


@pytest.mark.parametrize("action", [Action.CITIZEN_ANSWER, Action.AUTO_CLOSE, "hapus"])
def test_actions_that_are_not_an_officers_are_not_found(
    app_client: Client,
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
    action: str,
) -> None:
    tid = make_ticket()
    officer = viewer(engine, people.officer)
    workflow.verify(officer, tid)
    workflow.request_info(officer, tid, "Loket berapa?")
    c = app_client("budi")
    token = csrf_of(c, f"/tiket/{tid}")
    page = c.get(f"/tiket/{tid}").text
    assert 'data-action="resume"' in page and "auto_close" not in page
    r = c.post(f"/tiket/{tid}/{getattr(action, 'value', action)}", data={"csrf_token": token})
    assert r.status_code == 404
    with Session(engine) as s:
        ticket = s.scalars(select(Ticket).where(Ticket.public_id == tid)).one()
        kinds = s.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id))
        assert ticket.status == TicketStatus.MENUNGGU_WARGA
        assert list(kinds).count("status") == 2


def test_the_table_reaches_the_workflow_with_the_forms_fields(
    app_client: Client, engine: Engine, people: People, make_ticket: TicketMaker
) -> None:
    tid = make_ticket()
    c = app_client("budi")
    token = csrf_of(c, f"/tiket/{tid}")
    steps = [
        ("verify", {"note": "Data lengkap."}, TicketStatus.DIVERIFIKASI),
        ("start", {"plan": "Koordinasi dengan kecamatan."}, TicketStatus.DIPROSES),
        ("request_info", {"text": "Loket berapa?"}, TicketStatus.MENUNGGU_WARGA),
        ("resume", {"note": ""}, TicketStatus.DIPROSES),
        ("assign", {"assignee": "saya"}, TicketStatus.DIPROSES),
        ("reply", {"text": "Sedang kami tangani."}, TicketStatus.DIPROSES),
        ("note", {"text": "Internal."}, TicketStatus.DIPROSES),
        ("resolve", {"text": "Loket tambahan dibuka."}, TicketStatus.SELESAI),
        ("reopen", {"text": "Warga belum puas."}, TicketStatus.DIPROSES),
        ("reject", {"reason": "lainnya", "text": "Bukan aduan."}, TicketStatus.DITOLAK),
    ]
    for action, form, expected in steps:
        r = c.post(f"/tiket/{tid}/{action}", data={"csrf_token": token, **form})
        assert r.status_code == 303, action
        with Session(engine) as s:
            ticket = s.scalars(select(Ticket).where(Ticket.public_id == tid)).one()
            assert ticket.status == expected, action
    assert ticket.assignee_id == people.officer
    r = c.post(f"/tiket/{tid}/forward", data={"csrf_token": token, "unit": "satpas", "text": "x"})
    assert r.status_code == 303
    with Session(engine) as s:
        statuses = s.execute(
            select(TicketEvent.from_status, TicketEvent.to_status)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "status")
            .order_by(TicketEvent.id)
        ).all()
        assert len(statuses) == 7  # one per status change
        assert s.scalars(select(Ticket.office_id).where(Ticket.id == ticket.id)).one() == (
            "disdukcapil"  # closed tickets are not forwarded (refused with a message)
        )
