"""The one way a ticket's status changes.

`apply` is called by every status change: an officer's action (bot.tickets.workflow), the
citizen's answer to a request for information (`citizen_answer`, from /jawab) and the
scheduler's closing of an unanswered request (bot.tickets.expiry). In the caller's
transaction it checks the move with the state machine, sets the status and the deadlines of
the stage the ticket enters (one rule, `_enter_stage`), and adds the audit event: kind
"status", who (officer, citizen or system), from, to and the action. Filing a ticket is its
creation, not a transition; `open_ticket` gives it the same rule's first stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.store.models import Ticket, TicketEvent, TicketStatus
from bot.tickets import states
from bot.tickets.deadlines import Deadlines, local_today
from bot.tickets.states import Action

CLOSED = (TicketStatus.SELESAI, TicketStatus.DITOLAK)


@dataclass(frozen=True)
class Actor:
    """Who changes a ticket, as its events record it."""

    type: str  # officer | citizen | system
    id: str | None = None

    @classmethod
    def officer(cls, officer_id: int) -> Actor:
        """An officer's account."""
        return cls("officer", str(officer_id))

    @classmethod
    def citizen(cls, citizen_id: int | None) -> Actor:
        """The reporter."""
        return cls("citizen", str(citizen_id) if citizen_id is not None else None)


SYSTEM = Actor("system")


def apply(
    s: Session,
    ticket: Ticket,
    action: Action,
    actor: Actor,
    deadlines: Deadlines,
    now: datetime,
    *,
    timezone: str,
    body: str | None = None,
    data: dict[str, Any] | None = None,
) -> states.Move:
    """Move `ticket` by `action` (IllegalTransition when its status does not allow it, and
    then nothing changes). `data` is added to the event's {"action": ...}."""
    if actor.type != states.actor_of(action):
        raise ValueError(f"{action.value} is not an action of the {actor.type}")
    move = states.check(action, ticket.status)
    if not move.changes_status:
        raise ValueError(f"{action.value} does not change a ticket's status")
    _enter_stage(
        ticket, move.from_status, move.to_status, deadlines, local_today(timezone, now), now
    )
    ticket.status = move.to_status
    ticket.updated_at = now
    s.add(
        TicketEvent(
            ticket_id=ticket.id,
            kind="status",
            actor_type=actor.type,
            actor_id=actor.id,
            from_status=move.from_status.value,
            to_status=move.to_status.value,
            body=body,
            data={"action": action.value, **(data or {})},
            created_at=now,
        )
    )
    return move


def open_ticket(ticket: Ticket, deadlines: Deadlines, now: datetime, *, timezone: str) -> None:
    """A new ticket's status (baru) and its verification deadline."""
    _enter_stage(ticket, None, TicketStatus.BARU, deadlines, local_today(timezone, now), now)
    ticket.status = TicketStatus.BARU


def citizen_answer(
    s: Session,
    ticket: Ticket,
    citizen_id: int,
    text: str,
    deadlines: Deadlines,
    now: datetime,
    *,
    timezone: str,
) -> bool:
    """The citizen's answer to a request for information (/jawab): recorded on the ticket
    for the officers; a ticket waiting for it goes back to `diproses`, as when an officer
    resumes it. Returns whether it did."""
    s.add(
        TicketEvent(
            ticket_id=ticket.id,
            kind="message_in",
            actor_type="citizen",
            actor_id=str(citizen_id),
            body=text,
            created_at=now,
        )
    )
    if ticket.status != TicketStatus.MENUNGGU_WARGA:
        return False
    apply(
        s,
        ticket,
        Action.CITIZEN_ANSWER,
        Actor.citizen(citizen_id),
        deadlines,
        now,
        timezone=timezone,
    )
    return True


def _enter_stage(
    ticket: Ticket,
    from_status: TicketStatus | None,
    to_status: TicketStatus,
    deadlines: Deadlines,
    today: date,
    now: datetime,
) -> None:
    """The deadlines of the stage a ticket enters; `due_on` is always the current one.

    - baru (filed, or a rejection reopened): verification, counted from today;
    - diverifikasi: the follow-up plan's and the resolution's, counted from today;
    - diproses: the resolution deadline it has (a new one when it has none, or when a
      resolved ticket is reopened);
    - menunggu_warga: the last day for the citizen's answer;
    - selesai, ditolak: closed now, no deadline.
    """
    if to_status == TicketStatus.BARU:
        ticket.verify_due = deadlines.verify_due(today)
        ticket.due_on = ticket.verify_due
        ticket.closed_at = None
    elif to_status == TicketStatus.DIVERIFIKASI:
        ticket.verified_at = now
        ticket.followup_due = deadlines.followup_due(today)
        ticket.resolve_due = deadlines.resolve_due(today, ticket.category)
        ticket.due_on = ticket.followup_due
    elif to_status == TicketStatus.DIPROSES:
        if from_status in CLOSED or ticket.resolve_due is None:
            ticket.resolve_due = deadlines.resolve_due(today, ticket.category)
        ticket.due_on = ticket.resolve_due
        ticket.closed_at = None
    elif to_status == TicketStatus.MENUNGGU_WARGA:
        ticket.due_on = deadlines.citizen_reply_due(today)
    else:
        ticket.closed_at = now
        ticket.due_on = None


__all__ = ["SYSTEM", "Actor", "apply", "citizen_answer", "open_ticket"]
