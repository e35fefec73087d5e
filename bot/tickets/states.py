"""Ticket states and transitions: the state machine, and `apply`, the only code that changes
a ticket's status.

The state machine says which action may move a ticket from which state to which: baru ->
diverifikasi -> diproses -> selesai, with menunggu_warga (waiting for the citizen) and
ditolak; closed tickets can be reopened. Anything else is refused with a clear message.

Every status change calls `apply`: an officer's action (bot.tickets.workflow), the citizen's
answer to a request for information (`citizen_answer`, from /jawab) and the scheduler's
closing of an unanswered request (bot.tickets.expiry). In the caller's transaction it checks
the move with the state machine, sets the status and the deadlines of the stage the ticket
enters (one rule, `_enter_stage`), and adds the audit event: kind "status", who (officer,
citizen or system), from, to and the action. Filing a ticket is its creation, not a
transition; `open_ticket` gives it the same rule's first stage.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.store.models import OPEN_STATUSES, Ticket, TicketEvent, TicketStatus
from bot.texts import STATUS_LABELS
from bot.tickets.deadlines import Deadlines, local_today

B, V, P, W, S, R = (
    TicketStatus.BARU,
    TicketStatus.DIVERIFIKASI,
    TicketStatus.DIPROSES,
    TicketStatus.MENUNGGU_WARGA,
    TicketStatus.SELESAI,
    TicketStatus.DITOLAK,
)

# Short status names for officers (bot.texts.STATUS_LABELS speaks to citizens).
STATUS_NAMES: dict[TicketStatus, str] = {
    B: "Baru",
    V: "Diverifikasi",
    P: "Diproses",
    W: "Menunggu warga",
    S: "Selesai",
    R: "Ditolak",
}


class Action(str, enum.Enum):
    """Everything that can happen to a ticket: what an officer does, the citizen's answer
    to a request for information, and the scheduler's closing of an unanswered one."""

    VERIFY = "verify"
    START = "start"
    REQUEST_INFO = "request_info"
    RESUME = "resume"
    RESOLVE = "resolve"
    REJECT = "reject"
    REOPEN = "reopen"
    ASSIGN = "assign"
    FORWARD = "forward"
    REPLY = "reply"
    NOTE = "note"
    # Not an officer's: the citizen's /jawab and the expiry (values as stored in events).
    CITIZEN_ANSWER = "citizen_answer"
    AUTO_CLOSE = "auto_close"


ACTION_NAMES: dict[Action, str] = {
    Action.VERIFY: "memverifikasi",
    Action.START: "memulai tindak lanjut",
    Action.REQUEST_INFO: "meminta keterangan warga",
    Action.RESUME: "melanjutkan proses",
    Action.RESOLVE: "menyelesaikan",
    Action.REJECT: "menolak",
    Action.REOPEN: "membuka kembali",
    Action.ASSIGN: "menugaskan",
    Action.FORWARD: "meneruskan ke unit lain",
    Action.REPLY: "membalas warga",
    Action.NOTE: "menambah catatan internal",
    Action.CITIZEN_ANSWER: "mencatat jawaban warga",
    Action.AUTO_CLOSE: "menutup otomatis",
}

# Status-changing actions: from-state -> to-state.
TRANSITIONS: dict[Action, dict[TicketStatus, TicketStatus]] = {
    Action.VERIFY: {B: V},
    Action.START: {V: P},
    Action.REQUEST_INFO: {V: W, P: W},
    Action.RESUME: {W: P},
    Action.RESOLVE: {V: S, P: S, W: S},
    Action.REJECT: {B: R, V: R, P: R, W: R},
    Action.REOPEN: {S: P, R: B},
    Action.CITIZEN_ANSWER: {W: P},
    Action.AUTO_CLOSE: {W: S},
}

# Actions that leave the status as it is, and the states they are allowed in.
ALLOWED_IN: dict[Action, frozenset[TicketStatus]] = {
    Action.ASSIGN: frozenset(OPEN_STATUSES),
    Action.FORWARD: frozenset(OPEN_STATUSES),
    Action.REPLY: frozenset(OPEN_STATUSES),
    Action.NOTE: frozenset(TicketStatus),
}


# Who does an action: the citizen and the system have one each; every other is an officer's.
ACTOR_OF: dict[Action, str] = {Action.CITIZEN_ANSWER: "citizen", Action.AUTO_CLOSE: "system"}
OFFICER_ACTIONS: tuple[Action, ...] = tuple(a for a in Action if a not in ACTOR_OF)


class IllegalTransition(ValueError):
    """The action is not allowed in the ticket's current state (message in Indonesian)."""


@dataclass(frozen=True)
class Move:
    """The outcome of a permitted action."""

    action: Action
    from_status: TicketStatus
    to_status: TicketStatus

    @property
    def changes_status(self) -> bool:
        """True when the ticket moves to another state."""
        return self.from_status != self.to_status


def allowed_from(action: Action) -> frozenset[TicketStatus]:
    """The states in which `action` is permitted."""
    if action in TRANSITIONS:
        return frozenset(TRANSITIONS[action])
    return ALLOWED_IN[action]


def check(action: Action, status: TicketStatus) -> Move:
    """The move `action` makes from `status`, or IllegalTransition with a clear reason."""
    if action in TRANSITIONS:
        target = TRANSITIONS[action].get(status)
        if target is not None:
            return Move(action, status, target)
    elif status in ALLOWED_IN[action]:
        return Move(action, status, status)
    allowed = ", ".join(STATUS_NAMES[s] for s in TicketStatus if s in allowed_from(action))
    raise IllegalTransition(
        f"Tidak dapat {ACTION_NAMES[action]}: tiket berstatus {STATUS_NAMES[status]}. "
        f"Aksi ini hanya untuk tiket berstatus {allowed}."
    )


def actor_of(action: Action) -> str:
    """Who does `action`: "officer", "citizen" or "system"."""
    return ACTOR_OF.get(action, "officer")


def possible_actions(status: TicketStatus) -> list[Action]:
    """Every officer action permitted in `status`, in display order."""
    return [a for a in OFFICER_ACTIONS if status in allowed_from(a)]


# -- applying a transition -----------------------------------------------------------------

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
) -> Move:
    """Move `ticket` by `action` (IllegalTransition when its status does not allow it, and
    then nothing changes). `data` is added to the event's {"action": ...}."""
    if actor.type != actor_of(action):
        raise ValueError(f"{action.value} is not an action of the {actor.type}")
    move = check(action, ticket.status)
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


__all__ = [
    "ACTION_NAMES",
    "OFFICER_ACTIONS",
    "STATUS_LABELS",
    "STATUS_NAMES",
    "SYSTEM",
    "Action",
    "Actor",
    "IllegalTransition",
    "Move",
    "actor_of",
    "apply",
    "check",
    "citizen_answer",
    "open_ticket",
    "possible_actions",
]
