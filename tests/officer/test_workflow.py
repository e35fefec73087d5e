"""Officer actions against real SQLite and PostgreSQL: status, deadlines, events, outbox."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.officer.notices import queue_new_ticket_notices, set_unit_channel
from bot.store.deletion import DeletionRepository
from bot.store.models import (
    Category,
    OutboxMessage,
    Privacy,
    Ticket,
    TicketEvent,
    TicketStatus,
    UnitTicketNotice,
)
from bot.texts import format_date
from bot.tickets.deadlines import local_today
from bot.tickets.workflow import (
    ActionRefused,
    IllegalTransition,
    InvalidInput,
    TicketNotFound,
    Workflow,
)
from tests.utils.officer import People, TicketMaker, viewer


def _ticket(engine: Engine, public_id: str) -> Ticket:
    with Session(engine) as s:
        t = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        assert t is not None
        s.expunge(t)
        return t


def _outbox(engine: Engine, public_id: str) -> list[OutboxMessage]:
    with Session(engine) as s:
        rows = s.scalars(
            select(OutboxMessage)
            .join(Ticket, Ticket.id == OutboxMessage.ticket_id)
            .where(Ticket.public_id == public_id)
            .order_by(OutboxMessage.id)
        ).all()
        s.expunge_all()
        return list(rows)


def _events(engine: Engine, public_id: str) -> list[TicketEvent]:
    with Session(engine) as s:
        rows = s.scalars(
            select(TicketEvent)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(Ticket.public_id == public_id)
            .order_by(TicketEvent.id)
        ).all()
        s.expunge_all()
        return list(rows)


def test_full_lifecycle_sets_deadlines_events_and_outbox(
    engine: Engine, workflow: Workflow, people: People, make_ticket: TicketMaker
) -> None:
    officer = viewer(engine, people.officer)
    tid = make_ticket(sender="81234567")
    filed = _ticket(engine, tid)
    assert filed.due_on == filed.verify_due  # set for tickets the assistant files

    result = workflow.verify(officer, tid)
    t = _ticket(engine, tid)
    today = local_today("Asia/Jakarta")
    assert t.status == TicketStatus.DIVERIFIKASI
    assert t.followup_due == workflow.deadlines.followup_due(today)
    assert t.resolve_due == workflow.deadlines.resolve_due(today, t.category)
    assert t.due_on == t.followup_due
    assert result.outbox_id is not None

    workflow.start(officer, tid, "Koordinasi dengan kecamatan.")
    assert _ticket(engine, tid).due_on == t.resolve_due
    workflow.request_info(officer, tid, "Kecamatan mana tepatnya?")
    assert _ticket(engine, tid).status == TicketStatus.MENUNGGU_WARGA
    workflow.resume(officer, tid)
    workflow.reply(officer, tid, "Kami sedang menindaklanjuti.")
    workflow.note(officer, tid, "Internal: kepala seksi sudah dihubungi.")
    workflow.resolve(officer, tid, "Loket tambahan dibuka mulai Senin.")
    done = _ticket(engine, tid)
    assert done.status == TicketStatus.SELESAI
    assert done.due_on is None and done.closed_at is not None
    assert done.resolution == "Loket tambahan dibuka mulai Senin."

    outbox = _outbox(engine, tid)
    assert [o.kind for o in outbox] == [
        "status",
        "followup_plan",
        "info_request",
        "reply",
        "resolution",
    ]
    assert all(tid in o.text for o in outbox), "every message names the ticket"
    # D30: the verification notice promises the plan; starting the follow-up sends it.
    assert "Koordinasi dengan kecamatan." in outbox[1].text
    assert format_date(t.resolve_due, weekday=True) in outbox[1].text
    assert all(o.chat_id == 81234567 and o.status == "pending" for o in outbox)
    assert not any("Internal" in o.text for o in outbox), "notes are never sent"
    statuses = [(e.from_status, e.to_status) for e in _events(engine, tid) if e.kind == "status"]
    assert statuses == [
        ("baru", "diverifikasi"),
        ("diverifikasi", "diproses"),
        ("diproses", "menunggu_warga"),
        ("menunggu_warga", "diproses"),
        ("diproses", "selesai"),
    ]
    events = _events(engine, tid)
    assert all(e.actor_id == str(people.officer) for e in events if e.actor_type == "officer")
    assert outbox[-1].status == "pending"


def test_illegal_transition_is_refused_and_changes_nothing(
    engine: Engine, workflow: Workflow, people: People, make_ticket: TicketMaker
) -> None:
    officer = viewer(engine, people.officer)
    tid = make_ticket()
    with pytest.raises(IllegalTransition, match="berstatus Baru"):
        workflow.resolve(officer, tid, "Selesai")
    with pytest.raises(IllegalTransition):
        workflow.reopen(officer, tid, "coba")
    t = _ticket(engine, tid)
    assert t.status == TicketStatus.BARU and t.resolution is None
    assert _outbox(engine, tid) == []
    assert [e.kind for e in _events(engine, tid)] == ["created"]


def test_reject_duplicate_links_original_and_reopen(
    engine: Engine, workflow: Workflow, people: People, make_ticket: TicketMaker
) -> None:
    officer = viewer(engine, people.officer)
    original = make_ticket(
        sender="5550001", description="Lampu jalan mati di Jl. Melati sejak 3 hari."
    )
    copy = make_ticket(sender="5550001", description="Lampu jalan mati di Jl. Melati, mohon dicek.")
    with pytest.raises(InvalidInput):
        workflow.reject(officer, copy, "duplikat", "", duplicate_of="ADU-ZZZZZZ")
    with pytest.raises(InvalidInput):
        workflow.reject(officer, copy, "duplikat", "", duplicate_of=copy)
    workflow.reject(officer, copy, "duplikat", "", duplicate_of=original.lower())
    t = _ticket(engine, copy)
    assert t.status == TicketStatus.DITOLAK
    assert t.duplicate_of_id == _ticket(engine, original).id
    message = _outbox(engine, copy)[-1]
    assert message.kind == "rejection" and original in message.text  # same reporter

    workflow.reopen(officer, copy, "Ternyata lokasi berbeda.")
    t = _ticket(engine, copy)
    assert t.status == TicketStatus.BARU and t.duplicate_of_id is None
    assert t.due_on == t.verify_due and t.verify_due >= date.today()


def test_rejection_never_reveals_another_citizens_ticket(
    engine: Engine, workflow: Workflow, people: People, make_ticket: TicketMaker
) -> None:
    officer = viewer(engine, people.officer)
    original = make_ticket(sender="5550002")
    other = make_ticket(
        sender="5550003", description="Antrean KTP lama sekali, tolong ditambah loket."
    )
    workflow.reject(officer, other, "duplikat", "", duplicate_of=original)
    assert original not in _outbox(engine, other)[-1].text


def test_reject_needs_reason_and_explanation(
    engine: Engine, workflow: Workflow, people: People, make_ticket: TicketMaker
) -> None:
    officer = viewer(engine, people.officer)
    tid = make_ticket()
    with pytest.raises(InvalidInput):
        workflow.reject(officer, tid, "", "x")
    with pytest.raises(InvalidInput):
        workflow.reject(officer, tid, "bukan_kewenangan", "  ")
    workflow.reject(officer, tid, "bukan_kewenangan", "Urusan pemerintah provinsi.")
    assert _ticket(engine, tid).rejection_reason == (
        "Bukan kewenangan instansi kami: Urusan pemerintah provinsi."
    )


def test_reply_to_citizen_who_deleted_their_data_is_recorded_undeliverable(
    engine: Engine, workflow: Workflow, people: People, make_ticket: TicketMaker
) -> None:
    officer = viewer(engine, people.officer)
    tid = make_ticket(sender="7770001")
    DeletionRepository(engine).forget_citizen("7770001")
    result = workflow.reply(officer, tid, "Mohon maaf atas ketidaknyamanan.")
    assert result.outbox_id is None
    assert "tidak dapat dikirim" in result.message
    assert _outbox(engine, tid) == []
    last = _events(engine, tid)[-1]
    assert last.kind == "message_out" and last.data == {
        "purpose": "reply",
        "outbox_id": None,
        "undeliverable": True,
        "asks": False,  # an apology asks nothing: no answer is waited for
    }


def test_officer_cannot_touch_other_units_or_unassigned_confidential_tickets(
    engine: Engine, workflow: Workflow, people: People, make_ticket: TicketMaker
) -> None:
    budi, sari = viewer(engine, people.officer), viewer(engine, people.officer2)
    supervisor = viewer(engine, people.supervisor)
    tid = make_ticket()
    with pytest.raises(TicketNotFound):
        workflow.verify(sari, tid)  # satpas officer, disdukcapil ticket
    secret = make_ticket(
        privacy=Privacy.CONFIDENTIAL, description="Ada pungli di loket KTP 50 ribu."
    )
    with pytest.raises(TicketNotFound):
        workflow.note(budi, secret, "lihat")
    workflow.assign(supervisor, secret, people.officer)
    workflow.note(budi, secret, "Sudah saya terima.")  # assigned: now allowed
    assert _ticket(engine, secret).assignee_id == people.officer


def test_assignment_rules(
    engine: Engine, workflow: Workflow, people: People, make_ticket: TicketMaker
) -> None:
    budi, supervisor = viewer(engine, people.officer), viewer(engine, people.supervisor)
    tid = make_ticket()
    with pytest.raises(ActionRefused):
        workflow.assign(budi, tid, people.supervisor)  # officers only take tickets
    with pytest.raises(InvalidInput):
        workflow.assign(supervisor, tid, people.officer2)  # not a member of the unit
    with pytest.raises(InvalidInput):
        workflow.assign(supervisor, tid, people.admin)
    workflow.assign(budi, tid, people.officer)  # take it
    assert _ticket(engine, tid).assignee_id == people.officer
    workflow.assign(supervisor, tid, None)
    assert _ticket(engine, tid).assignee_id is None
    kinds = [e.data for e in _events(engine, tid) if e.kind == "assign"]
    assert kinds == [{"from": None, "to": people.officer}, {"from": people.officer, "to": None}]


def test_forward_moves_unit_clears_assignee_and_notifies_the_new_units_group(
    engine: Engine, workflow: Workflow, people: People, make_ticket: TicketMaker
) -> None:
    budi, sari = viewer(engine, people.officer), viewer(engine, people.officer2)
    set_unit_channel(engine, "satpas", -1001234567890, people.admin)
    tid = make_ticket()
    workflow.assign(budi, tid, people.officer)
    with pytest.raises(InvalidInput):
        workflow.forward(budi, tid, "satpas", " ")
    workflow.forward(budi, tid, "satpas", "Terkait SIM, bukan KTP.")
    t = _ticket(engine, tid)
    assert t.office_id == "satpas" and t.assignee_id is None
    with pytest.raises(TicketNotFound):
        workflow.note(budi, tid, "tidak lagi")
    workflow.note(sari, tid, "Diterima Satpas.")
    notices = [o for o in _outbox(engine, tid) if o.kind == "unit_notice"]
    assert len(notices) == 1 and notices[0].chat_id == -1001234567890
    assert f"https://konsol.example.go.id/tiket/{tid}" in notices[0].text
    assert "Andi" not in notices[0].text


def test_new_tickets_are_announced_once_to_the_units_group(
    engine: Engine, people: People, make_ticket: TicketMaker
) -> None:
    before = make_ticket(description="Sebelum grup diatur, antrean KTP lama sekali.")
    set_unit_channel(engine, "disdukcapil", -100555, people.admin)
    public = make_ticket(description="Petugas KTP meminta biaya tambahan tanpa kuitansi resmi.")
    secret = make_ticket(
        privacy=Privacy.CONFIDENTIAL, description="Pungli di loket KK, diminta 100 ribu."
    )
    no_unit = make_ticket(
        service_id=None,
        description="Pengumuman di papan informasi sudah usang.",
        category=Category.LAINNYA,  # no owner: the general complaint unit
    )
    assert queue_new_ticket_notices(engine) == 2
    assert queue_new_ticket_notices(engine) == 0  # never twice
    with Session(engine) as s:
        notices = {
            t: o
            for t, o in s.execute(
                select(Ticket.public_id, OutboxMessage)
                .join(UnitTicketNotice, UnitTicketNotice.ticket_id == Ticket.id)
                .join(OutboxMessage, OutboxMessage.id == UnitTicketNotice.outbox_id)
            ).tuples()
        }
    assert set(notices) == {public, secret}
    assert before not in notices and no_unit not in notices
    assert "biaya tambahan" in notices[public].text
    assert "100 ribu" not in notices[secret].text and "RAHASIA" in notices[secret].text
    assert all(o.chat_id == -100555 and o.kind == "unit_notice" for o in notices.values())
