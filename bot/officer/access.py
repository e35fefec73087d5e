"""Who may see and do what in the console.

- officer: tickets of their units, except confidential ones, plus tickets assigned to them;
  takes unassigned tickets of their units; works the tickets they can see.
- supervisor: every ticket of every unit (confidential ones too), assigns anyone, sees the
  reports and exports the queue, manages canned replies.
- admin: accounts, units (Telegram groups) and the holiday calendar; no ticket access.
- trainer: the NLU review inbox (citizen messages the language model may have got wrong,
  masked); no ticket access. Only trainers see the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from bot.store.models import Officer, OfficerRole, OfficerUnit, Privacy, Ticket


@dataclass(frozen=True)
class Viewer:
    """The signed-in account, as the rules need it."""

    id: int
    username: str
    display_name: str
    role: OfficerRole
    units: frozenset[str]

    @property
    def handles_tickets(self) -> bool:
        """Officers and supervisors work tickets; admins do not."""
        return self.role in (OfficerRole.OFFICER, OfficerRole.SUPERVISOR)

    @property
    def is_supervisor(self) -> bool:
        """Supervisor rights: all units, assigning, reports, canned replies."""
        return self.role == OfficerRole.SUPERVISOR

    @property
    def is_admin(self) -> bool:
        """Administration: accounts, units, holidays."""
        return self.role == OfficerRole.ADMIN

    @property
    def is_trainer(self) -> bool:
        """The NLU review inbox; no tickets."""
        return self.role == OfficerRole.TRAINER


def units_of(s: Session, officer_id: int) -> tuple[str, ...]:
    """The units (office ids) an account belongs to, sorted."""
    return tuple(
        s.scalars(
            select(OfficerUnit.office_id)
            .where(OfficerUnit.officer_id == officer_id)
            .order_by(OfficerUnit.office_id)
        )
    )


def viewer_for(s: Session, officer: Officer) -> Viewer:
    """The access-rule view of an account."""
    return Viewer(
        officer.id,
        officer.username,
        officer.display_name,
        officer.role,
        frozenset(units_of(s, officer.id)),
    )


@dataclass(frozen=True)
class TicketScope:
    """The fields of a ticket that decide who may see it."""

    office_id: str | None
    privacy: Privacy
    assignee_id: int | None


def can_see(viewer: Viewer, ticket: TicketScope) -> bool:
    """True when the viewer may open the ticket."""
    if viewer.is_supervisor:
        return True
    if viewer.role != OfficerRole.OFFICER:
        return False
    if ticket.assignee_id == viewer.id:
        return True
    return ticket.office_id in viewer.units and ticket.privacy != Privacy.CONFIDENTIAL


def visible_clause(viewer: Viewer) -> ColumnElement[bool]:
    """The same rule as `can_see`, as a SQL condition on `tickets`."""
    if viewer.is_supervisor:
        return true()
    if viewer.role != OfficerRole.OFFICER:
        return false()
    mine = Ticket.assignee_id == viewer.id
    if not viewer.units:
        return mine
    return or_(
        mine,
        and_(Ticket.office_id.in_(sorted(viewer.units)), Ticket.privacy != Privacy.CONFIDENTIAL),
    )


def can_review_nlu(viewer: Viewer) -> bool:
    """Only trainers open the NLU review inbox (officers, supervisors and admins do not)."""
    return viewer.is_trainer


def can_assign_others(viewer: Viewer) -> bool:
    """Only supervisors assign tickets to someone else."""
    return viewer.is_supervisor


def can_take(viewer: Viewer, ticket: TicketScope) -> bool:
    """An officer takes an unassigned ticket of their units; a supervisor any ticket."""
    if viewer.is_supervisor:
        return True
    return (
        viewer.role == OfficerRole.OFFICER
        and ticket.assignee_id is None
        and can_see(viewer, ticket)
    )
