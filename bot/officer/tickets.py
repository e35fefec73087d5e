"""The ticket page's data: complaint, attachments, reporter (unless anonymous), transcript,
events with who did them and whether messages were delivered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.officer.access import TicketScope, Viewer, can_see
from bot.store.models import (
    Attachment,
    Category,
    Citizen,
    Office,
    Officer,
    OfficerRole,
    OfficerUnit,
    OutboxMessage,
    Privacy,
    Service,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketStatus,
)

TRANSCRIPT_LIMIT = 200


@dataclass(frozen=True)
class Reporter:
    """What officers may know of the reporter (never built for anonymous tickets)."""

    name: str | None
    telegram_user_id: int | None


@dataclass(frozen=True)
class EventView:
    """One entry of the history."""

    id: int
    created_at: datetime
    kind: str
    actor: str
    from_status: str | None
    to_status: str | None
    body: str | None
    data: dict[str, Any]
    delivery: str | None  # outbox status of a message to the citizen


@dataclass(frozen=True)
class TranscriptLine:
    """A message in the conversation around the ticket."""

    at: datetime
    who: str  # warga | petugas
    text: str
    delivery: str | None = None


@dataclass(frozen=True)
class AttachmentView:
    """An attachment as the page lists it."""

    id: int
    kind: str
    mime_type: str | None
    size_bytes: int | None
    available: bool

    @property
    def is_image(self) -> bool:
        """Shown inline."""
        return (self.mime_type or "").startswith("image/")


@dataclass(frozen=True)
class TicketDetail:
    """Everything the ticket page shows."""

    id: int
    public_id: str
    category: Category
    status: TicketStatus
    privacy: Privacy
    description: str
    location_text: str | None
    latitude: float | None
    longitude: float | None
    office_id: str | None
    office_name: str | None
    service_name: str | None
    assignee_id: int | None
    assignee_name: str | None
    created_at: datetime
    verified_at: datetime | None
    closed_at: datetime | None
    verify_due: Any
    followup_due: Any
    resolve_due: Any
    due_on: Any
    resolution: str | None
    rejection_reason: str | None
    duplicate_of: str | None
    reporter: Reporter | None  # None: anonymous, or the citizen deleted their data
    reachable: bool  # a reply can be delivered (the citizen has a Telegram chat)
    reporter_blocked_bot: bool
    attachments: list[AttachmentView]
    events: list[EventView]
    transcript: list[TranscriptLine]

    @property
    def scope(self) -> TicketScope:
        """The fields the access rules look at."""
        return TicketScope(self.office_id, self.privacy, self.assignee_id)

    @property
    def map_url(self) -> str | None:
        """OpenStreetMap link for the coordinates (opened by the officer's browser)."""
        if self.latitude is None or self.longitude is None:
            return None
        lat, lon = f"{self.latitude:.6f}", f"{self.longitude:.6f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def scope_of(engine: Engine, public_id: str) -> tuple[int, TicketScope] | None:
    """(ticket id, scope) of a ticket, for permission checks."""
    with Session(engine) as s:
        row = s.execute(
            select(Ticket.id, Ticket.office_id, Ticket.privacy, Ticket.assignee_id).where(
                Ticket.public_id == public_id
            )
        ).first()
        return (row[0], TicketScope(row[1], row[2], row[3])) if row else None


def load_ticket(engine: Engine, viewer: Viewer, public_id: str) -> TicketDetail | None:
    """The ticket page's data, or None when it does not exist or the viewer may not see it."""
    with Session(engine) as s:
        t = s.scalar(select(Ticket).where(Ticket.public_id == public_id))
        if t is None or not can_see(viewer, TicketScope(t.office_id, t.privacy, t.assignee_id)):
            return None
        office = s.get(Office, t.office_id) if t.office_id else None
        service = s.get(Service, t.service_id) if t.service_id else None
        assignee = s.get(Officer, t.assignee_id) if t.assignee_id else None
        duplicate = s.get(Ticket, t.duplicate_of_id) if t.duplicate_of_id else None
        citizen = s.get(Citizen, t.citizen_id) if t.citizen_id else None
        anonymous = t.privacy == Privacy.ANONYMOUS
        reporter = None
        if citizen is not None and not anonymous and citizen.telegram_user_id is not None:
            reporter = Reporter(citizen.display_name, citizen.telegram_user_id)
        reachable = citizen is not None and citizen.telegram_user_id is not None
        attachments = [
            AttachmentView(
                a.id,
                a.kind,
                a.mime_type,
                a.size_bytes,
                a.path is not None and Path(a.path).is_file(),
            )
            for a in s.scalars(
                select(Attachment).where(Attachment.ticket_id == t.id).order_by(Attachment.id)
            )
        ]
        events = _events(s, t.id)
        # An anonymous ticket shows no conversation: its wording could identify the reporter.
        transcript = [] if anonymous else _transcript(s, t)
        return TicketDetail(
            id=t.id,
            public_id=t.public_id,
            category=t.category,
            status=t.status,
            privacy=t.privacy,
            description=t.description,
            location_text=t.location_text,
            latitude=t.latitude,
            longitude=t.longitude,
            office_id=t.office_id,
            office_name=office.name if office else None,
            service_name=service.name if service else None,
            assignee_id=t.assignee_id,
            assignee_name=assignee.display_name if assignee else None,
            created_at=t.created_at,
            verified_at=t.verified_at,
            closed_at=t.closed_at,
            verify_due=t.verify_due,
            followup_due=t.followup_due,
            resolve_due=t.resolve_due,
            due_on=t.due_on,
            resolution=t.resolution,
            rejection_reason=t.rejection_reason,
            duplicate_of=duplicate.public_id if duplicate else None,
            reporter=reporter,
            reachable=reachable,
            reporter_blocked_bot=bool(citizen and citizen.blocked_bot and not anonymous),
            attachments=attachments,
            events=events,
            transcript=transcript,
        )


def _events(s: Session, ticket_id: int) -> list[EventView]:
    rows = s.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    ).all()
    officer_ids = {int(e.actor_id) for e in rows if e.actor_type == "officer" and e.actor_id}
    names: dict[int, str] = {
        i: n
        for i, n in s.execute(
            select(Officer.id, Officer.display_name).where(Officer.id.in_(officer_ids))
        ).tuples()
    }
    outbox_ids = [
        int(e.data["outbox_id"]) for e in rows if e.data and e.data.get("outbox_id") is not None
    ]
    delivery: dict[int, str] = {
        i: st
        for i, st in s.execute(
            select(OutboxMessage.id, OutboxMessage.status).where(OutboxMessage.id.in_(outbox_ids))
        ).tuples()
    }
    out = []
    for e in rows:
        if e.actor_type == "officer":
            actor = names.get(int(e.actor_id), "petugas") if e.actor_id else "petugas"
        elif e.actor_type == "citizen":
            actor = "Warga (pelapor)"
        else:
            actor = "Sistem"
        data = dict(e.data or {})
        status = None
        if e.kind == "message_out":
            outbox_id = data.get("outbox_id")
            status = delivery.get(int(outbox_id), "dihapus") if outbox_id else "undeliverable"
        out.append(
            EventView(
                e.id, e.created_at, e.kind, actor, e.from_status, e.to_status, e.body, data, status
            )
        )
    return out


def _transcript(s: Session, t: Ticket) -> list[TranscriptLine]:
    """This ticket's conversation and nothing else: the complaint form that filed it, the
    messages sent to the citizen about it, and the citizen's answers about it (/jawab).

    Never the citizen's other chats or tickets (those may be confidential or anonymous).
    """
    lines = [
        TranscriptLine(_aware(m.at), m.who, m.text)
        for m in s.scalars(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == t.id)
            .order_by(TicketMessage.at, TicketMessage.id)
            .limit(TRANSCRIPT_LIMIT)
        )
    ]
    for e in s.scalars(
        select(TicketEvent)
        .where(
            TicketEvent.ticket_id == t.id,
            TicketEvent.kind == "message_in",
            TicketEvent.actor_type == "citizen",
        )
        .order_by(TicketEvent.id)
        .limit(TRANSCRIPT_LIMIT)
    ):
        lines.append(TranscriptLine(_aware(e.created_at), "warga", e.body or ""))
    for o in s.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.ticket_id == t.id, OutboxMessage.kind != "unit_notice")
        .order_by(OutboxMessage.id)
        .limit(TRANSCRIPT_LIMIT)
    ):
        lines.append(TranscriptLine(_aware(o.created_at), "petugas", o.text, o.status))
    return sorted(lines, key=lambda line: line.at)


def attachment_file(engine: Engine, viewer: Viewer, attachment_id: int, root: Path) -> Any:
    """(path, mime type) of an attachment the viewer may see, inside `root`, else None."""
    with Session(engine) as s:
        row = s.execute(
            select(
                Attachment.path,
                Attachment.mime_type,
                Ticket.office_id,
                Ticket.privacy,
                Ticket.assignee_id,
            )
            .join(Ticket, Ticket.id == Attachment.ticket_id)
            .where(Attachment.id == attachment_id)
        ).first()
    if row is None or not row[0]:
        return None
    if not can_see(viewer, TicketScope(row[2], row[3], row[4])):
        return None
    path = Path(row[0]).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return path, row[1] or "application/octet-stream"


def assignable_officers(engine: Engine, office_id: str | None) -> list[tuple[int, str]]:
    """(id, name) of active officers of the unit, then active supervisors."""
    with Session(engine) as s:
        unit_members = []
        if office_id:
            unit_members = list(
                s.execute(
                    select(Officer.id, Officer.display_name)
                    .join(OfficerUnit, OfficerUnit.officer_id == Officer.id)
                    .where(
                        OfficerUnit.office_id == office_id,
                        Officer.active.is_(True),
                        Officer.role == OfficerRole.OFFICER,
                    )
                    .order_by(Officer.display_name)
                ).tuples()
            )
        supervisors = list(
            s.execute(
                select(Officer.id, Officer.display_name)
                .where(Officer.active.is_(True), Officer.role == OfficerRole.SUPERVISOR)
                .order_by(Officer.display_name)
            ).tuples()
        )
        return unit_members + supervisors


def list_units(engine: Engine) -> list[tuple[str, str]]:
    """(id, name) of every unit."""
    with Session(engine) as s:
        return list(s.execute(select(Office.id, Office.name).order_by(Office.name)).tuples())
