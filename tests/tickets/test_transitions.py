"""The one transition function: every status change checks the state machine, enters the
new stage's deadlines by one rule and leaves exactly one status event naming its actor."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from bot.store.models import Category, Ticket, TicketEvent
from bot.store.models import TicketStatus as S
from bot.tickets.deadlines import Deadlines, HolidayCalendar, ResolutionPolicy
from bot.tickets.states import (
    OFFICER_ACTIONS,
    SYSTEM,
    TRANSITIONS,
    Action,
    Actor,
    IllegalTransition,
    apply,
    open_ticket,
    possible_actions,
)

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2027, 3, 1, 3, 0, tzinfo=timezone.utc)  # Monday 1 March 2027, 10:00 in Jakarta
TODAY = date(2027, 3, 1)
TZ = "Asia/Jakarta"
EARLIER = date(2027, 2, 1)


@pytest.fixture
def deadlines() -> Deadlines:
    policy = ResolutionPolicy.from_file(ROOT / "data" / "resolution_days.yml")
    return Deadlines(HolidayCalendar(frozenset({date(2027, 3, 3)})), policy, 3, 5, 10)


def _ticket(status: S, **fields: object) -> Ticket:
    values: dict[str, object] = {
        "category": Category.INFRASTRUKTUR,
        "status": status,
        "verify_due": EARLIER,
        "followup_due": EARLIER,
        "resolve_due": EARLIER,
        "due_on": EARLIER,
    }
    values.update(fields)
    return Ticket(**values)


def _actor(action: Action) -> Actor:
    if action == Action.CITIZEN_ANSWER:
        return Actor.citizen(42)
    if action == Action.AUTO_CLOSE:
        return SYSTEM
    return Actor.officer(7)


def _expected_stage(deadlines: Deadlines, before: S, after: S) -> dict[str, object]:
    resolve = deadlines.resolve_due(TODAY, Category.INFRASTRUKTUR)
    if after == S.BARU:
        due = deadlines.verify_due(TODAY)
        return {"verify_due": due, "due_on": due, "closed_at": None}
    if after == S.DIVERIFIKASI:
        followup = deadlines.followup_due(TODAY)
        return {
            "verified_at": NOW,
            "followup_due": followup,
            "resolve_due": resolve,
            "due_on": followup,
        }
    if after == S.DIPROSES:  # the deadline it has, a new one after a resolved ticket reopens
        kept = resolve if before == S.SELESAI else EARLIER
        return {"resolve_due": kept, "due_on": kept, "closed_at": None}
    if after == S.MENUNGGU_WARGA:
        return {"due_on": deadlines.citizen_reply_due(TODAY)}
    return {"due_on": None, "closed_at": NOW}


MOVES = [(a, f, t) for a, table in TRANSITIONS.items() for f, t in table.items()]


@pytest.mark.parametrize(("action", "before", "after"), MOVES)
def test_every_move_sets_its_stage_and_one_status_event(
    deadlines: Deadlines, action: Action, before: S, after: S
) -> None:
    ticket = _ticket(before, closed_at=NOW if before in (S.SELESAI, S.DITOLAK) else None)
    actor = _actor(action)
    with Session() as s:
        move = apply(s, ticket, action, actor, deadlines, NOW, timezone=TZ, body="why")
        events = [e for e in s.new if isinstance(e, TicketEvent)]
    assert (move.from_status, move.to_status) == (before, after)
    assert ticket.status == after and ticket.updated_at == NOW
    for field, value in _expected_stage(deadlines, before, after).items():
        assert getattr(ticket, field) == value, field
    (event,) = events
    assert (event.kind, event.actor_type, event.actor_id) == ("status", actor.type, actor.id)
    assert (event.from_status, event.to_status) == (before.value, after.value)
    assert event.data == {"action": action.value} and event.body == "why"
    assert event.created_at == NOW


def test_a_resume_without_a_resolution_deadline_gets_one_from_today(
    deadlines: Deadlines,
) -> None:
    for action, actor in ((Action.RESUME, Actor.officer(7)), (Action.CITIZEN_ANSWER, None)):
        ticket = _ticket(S.MENUNGGU_WARGA, resolve_due=None)
        with Session() as s:
            apply(s, ticket, action, actor or Actor.citizen(42), deadlines, NOW, timezone=TZ)
        expected = deadlines.resolve_due(TODAY, Category.INFRASTRUKTUR)
        assert ticket.resolve_due == ticket.due_on == expected


@pytest.mark.parametrize("action", list(TRANSITIONS))
@pytest.mark.parametrize("before", list(S))
def test_a_refused_move_changes_nothing(deadlines: Deadlines, action: Action, before: S) -> None:
    if before in TRANSITIONS[action]:
        return
    ticket = _ticket(before)
    with Session() as s:
        with pytest.raises(IllegalTransition, match="Tidak dapat"):
            apply(s, ticket, action, _actor(action), deadlines, NOW, timezone=TZ)
        assert not s.new
    assert ticket.status == before and ticket.due_on == EARLIER and ticket.updated_at is None


def test_each_action_belongs_to_one_kind_of_actor(deadlines: Deadlines) -> None:
    waiting = _ticket(S.MENUNGGU_WARGA)
    with Session() as s:
        with pytest.raises(ValueError, match="not an action of the officer"):
            apply(s, waiting, Action.AUTO_CLOSE, Actor.officer(7), deadlines, NOW, timezone=TZ)
        with pytest.raises(ValueError, match="not an action of the system"):
            apply(s, waiting, Action.RESUME, SYSTEM, deadlines, NOW, timezone=TZ)
        with pytest.raises(ValueError, match="does not change"):
            apply(s, waiting, Action.NOTE, Actor.officer(7), deadlines, NOW, timezone=TZ)
        assert not s.new
    assert waiting.status == S.MENUNGGU_WARGA


def test_officers_are_never_offered_the_citizens_or_the_systems_actions() -> None:
    assert Action.CITIZEN_ANSWER not in OFFICER_ACTIONS
    assert Action.AUTO_CLOSE not in OFFICER_ACTIONS
    assert possible_actions(S.MENUNGGU_WARGA) == [
        Action.RESUME,
        Action.RESOLVE,
        Action.REJECT,
        Action.ASSIGN,
        Action.FORWARD,
        Action.REPLY,
        Action.NOTE,
    ]


def test_a_new_ticket_starts_in_baru_with_its_verification_deadline(
    deadlines: Deadlines,
) -> None:
    ticket = Ticket(category=Category.ADMINDUK)
    open_ticket(ticket, deadlines, NOW, timezone=TZ)
    assert ticket.status == S.BARU
    assert ticket.verify_due == ticket.due_on == date(2027, 3, 5)  # 3 March is a holiday
