"""The repository: every read and write the actions (and later the console) make.

Each method opens its own explicit session and transaction and returns plain frozen
views, so callers never hold a session or lazy-load outside one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, delete, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.service_match import complaint_office
from bot.store.db import get_engine, lost_connection
from bot.store.ids import new_ticket_id
from bot.store.models import (
    OPEN_STATUSES,
    Attachment,
    Category,
    Citizen,
    DraftAttachment,
    Office,
    Privacy,
    Rating,
    Service,
    ServiceFact,
    ServiceQuestion,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketStatus,
    utcnow,
)
from bot.tickets import states
from bot.tickets.deadlines import Deadlines, HolidayCalendar, current_deadlines

log = logging.getLogger(__name__)

# Shown as buttons when a citizen asks without naming a service and no statistics exist yet.
DEFAULT_POPULAR_SERVICES = ("ktp", "kk", "akta_kelahiran", "sim", "skck", "paspor")
# A rating without a ticket id is about a ticket closed this recently (else: general).
RATING_WINDOW_DAYS = 30


@dataclass(frozen=True)
class FactView:
    """Where one aspect of a service comes from (bot.store.catalogue.FACT_ASPECTS)."""

    source: str | None
    checked: date | None
    regional: bool


@dataclass(frozen=True)
class ServiceView:
    """A catalogue entry with its office and its facts' sources, detached from any session."""

    id: str
    name: str
    aliases: tuple[str, ...]
    requirements: tuple[str, ...] | None
    cost: str | None
    cost_basis: str | None
    duration: str | None
    duration_basis: str | None
    reporting_deadline: str | None
    reporting_deadline_basis: str | None
    procedure: tuple[str, ...] | None
    online_channel: str | None
    product: str | None
    office_id: str
    office_name: str
    office_address: str | None
    office_hours: str | None
    office_phone: str | None
    office_email: str | None
    office_website: str | None
    facts: Mapping[str, FactView] = field(default_factory=dict)  # aspect -> source


@dataclass(frozen=True)
class ComplaintDraft:
    """What the complaint form collected."""

    description: str
    location_text: str | None
    category: Category
    privacy: Privacy
    latitude: float | None = None
    longitude: float | None = None
    service_id: str | None = None
    # The form's conversation, (time, "warga" | "asisten", text), kept as the ticket's
    # transcript; not part of the idempotency key and not kept for anonymous tickets.
    conversation: tuple[tuple[datetime, str, str], ...] = ()

    def idempotency_key(self) -> str:
        """Same content, same key: a resubmitted form maps to the ticket already filed."""
        payload = json.dumps(
            [
                " ".join(self.description.split()).lower(),
                " ".join((self.location_text or "").split()).lower(),
                self.category.value,
                self.privacy.value,
            ]
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TicketView:
    """A ticket as its reporter may see it."""

    public_id: str
    category: Category
    status: TicketStatus
    privacy: Privacy
    description: str
    location_text: str | None
    created_at: datetime
    verify_due: date
    updated_at: datetime
    due_on: date | None = None  # the current stage's deadline (None once closed)
    closed_at: datetime | None = None
    resolution: str | None = None


@dataclass(frozen=True)
class RatableTicket:
    """A closed ticket of the citizen's that has not been rated since it was closed."""

    public_id: str
    category: Category
    status: TicketStatus
    closed_at: datetime


@dataclass(frozen=True)
class AmendedRating:
    """A rating after a follow-up was added to it."""

    score: int | None
    ticket_id: str | None  # the ticket it is linked to, if any
    previous_score: int | None = None  # the score it had before, when this replaced it


@dataclass(frozen=True)
class StoredRating:
    """A rating as stored: new, or the citizen's earlier rating of the ticket replaced."""

    rating_id: int
    ticket_id: str | None  # the ticket it is linked to, if any
    replaced: bool = False  # an earlier rating of the same ticket was replaced
    previous_score: int | None = None  # that earlier rating's score


SelectT = TypeVar("SelectT", bound=Select[Any])


# How long an officer's reply (not a request for information) invites the citizen's next
# plain message as the answer (bot/telegram/answers.py).
REPLY_ANSWER_WINDOW = timedelta(hours=24)
# The same answer sent again within this (a retried update, a button pressed twice, the
# protest "sy td jawab petugas" after it was taken) is kept once.
SAME_ANSWER_WINDOW = timedelta(minutes=30)


def _aware(at: datetime) -> datetime:
    """A stored time with its zone (SQLite gives it back naive, in UTC)."""
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def _said_just_now(s: Session, ticket_id: int, text: str) -> bool:
    """Whether the citizen's latest message on the ticket is `text`, sent just now."""
    last = s.execute(
        select(TicketEvent.body, TicketEvent.created_at)
        .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "message_in")
        .order_by(TicketEvent.created_at.desc(), TicketEvent.id.desc())
        .limit(1)
    ).first()
    return (
        last is not None
        and (last.body or "").strip() == text.strip()
        and _aware(last.created_at) >= utcnow() - SAME_ANSWER_WINDOW
    )


def _of_sender(statement: SelectT, sender_id: str) -> SelectT:
    """Restrict a ticket query to the tickets this sender filed: a citizen sees only their
    own tickets, and another id looks exactly like an unknown one."""
    return statement.join(Citizen, Ticket.citizen_id == Citizen.id).where(
        Citizen.sender_id == sender_id
    )


def _ticket_view(ticket: Ticket) -> TicketView:
    return TicketView(
        public_id=ticket.public_id,
        category=ticket.category,
        status=ticket.status,
        privacy=ticket.privacy,
        description=ticket.description,
        location_text=ticket.location_text,
        created_at=ticket.created_at,
        verify_due=ticket.verify_due,
        updated_at=ticket.updated_at,
        due_on=ticket.due_on,
        closed_at=ticket.closed_at,
        resolution=ticket.resolution,
    )


def _service_view(service: Service, facts: Sequence[ServiceFact] = ()) -> ServiceView:
    office = service.office
    return ServiceView(
        id=service.id,
        name=service.name,
        aliases=tuple(service.aliases or ()),
        requirements=tuple(service.requirements) if service.requirements else None,
        cost=service.cost,
        cost_basis=service.cost_basis,
        duration=service.duration,
        duration_basis=service.duration_basis,
        reporting_deadline=service.reporting_deadline,
        reporting_deadline_basis=service.reporting_deadline_basis,
        procedure=tuple(service.procedure) if service.procedure else None,
        online_channel=service.online_channel,
        product=service.product,
        office_id=office.id,
        office_name=office.name,
        office_address=office.address,
        office_hours=office.hours,
        office_phone=office.phone,
        office_email=office.email,
        office_website=office.website,
        facts={f.aspect: FactView(f.source, f.checked, f.regional) for f in facts},
    )


class Repository:
    """Data access for the assistant, bound to one engine."""

    def __init__(
        self,
        engine: Engine,
        calendar: HolidayCalendar | None = None,
        timezone: str = "Asia/Jakarta",
        verification_days: int = 3,
    ):
        """`calendar`: None (what the services use) reads the holidays table for each
        deadline, so an admin's edit counts at once; a fixed calendar is for tests."""
        self.engine = engine
        self.verification_days = verification_days
        self.calendar = calendar
        self.timezone = timezone

    def deadlines(self) -> Deadlines:
        """The ticket deadlines as configured now (bot.tickets.deadlines)."""
        rules = current_deadlines(self.engine, calendar=self.calendar)
        return replace(rules, verification_days=self.verification_days)

    # -- catalogue --------------------------------------------------------------------------

    def get_service(self, service_id: str) -> ServiceView | None:
        """One catalogue entry by canonical id."""
        with Session(self.engine) as s:
            service = s.get(Service, service_id)
            if service is None:
                return None
            facts = s.scalars(select(ServiceFact).where(ServiceFact.service_id == service_id))
            return _service_view(service, list(facts))

    def list_services(self) -> list[ServiceView]:
        """Every catalogue entry, by id."""
        with Session(self.engine) as s:
            facts: dict[str, list[ServiceFact]] = {}
            for fact in s.scalars(select(ServiceFact)):
                facts.setdefault(fact.service_id, []).append(fact)
            return [
                _service_view(x, facts.get(x.id, ()))
                for x in s.scalars(select(Service).order_by(Service.id))
            ]

    def service_aliases(self) -> dict[str, str]:
        """alias (lower case) -> service id, including ids and display names."""
        out: dict[str, str] = {}
        with Session(self.engine) as s:
            for sid, name, aliases in s.execute(select(Service.id, Service.name, Service.aliases)):
                out[sid.replace("_", " ")] = sid
                out[name.lower()] = sid
                for alias in aliases or ():
                    out[alias.lower()] = sid
        return out

    def record_service_question(self, service_id: str, aspect: str) -> None:
        """Count an answered question (feeds the 'most asked' buttons)."""
        with Session(self.engine) as s, s.begin():
            s.add(ServiceQuestion(service_id=service_id, aspect=aspect))

    def most_asked_services(self, limit: int = 6) -> list[tuple[str, str]]:
        """(id, name) of the most asked services, padded with sensible defaults."""
        with Session(self.engine) as s:
            counted = s.execute(
                select(ServiceQuestion.service_id, func.count().label("n"))
                .group_by(ServiceQuestion.service_id)
                .order_by(func.count().desc(), ServiceQuestion.service_id)
                .limit(limit)
            ).all()
            ids = [row[0] for row in counted]
            for sid in DEFAULT_POPULAR_SERVICES:
                if len(ids) >= limit:
                    break
                if sid not in ids:
                    ids.append(sid)
            rows = s.execute(select(Service.id, Service.name).where(Service.id.in_(ids)))
            names: dict[str, str] = {sid: name for sid, name in rows}
        return [(sid, names[sid]) for sid in ids if sid in names]

    # -- citizens ---------------------------------------------------------------------------

    def _citizen(self, s: Session, sender_id: str, create: bool) -> Citizen | None:
        citizen = s.scalar(select(Citizen).where(Citizen.sender_id == sender_id))
        if citizen is None and create:
            telegram_id = int(sender_id) if sender_id.isdigit() else None
            citizen = Citizen(sender_id=sender_id, telegram_user_id=telegram_id)
            s.add(citizen)
            s.flush()
        return citizen

    def ensure_citizen(self, sender_id: str) -> int:
        """The citizen row for a conversation, created on first contact."""
        for _attempt in range(2):
            try:
                with Session(self.engine) as s, s.begin():
                    citizen = self._citizen(s, sender_id, create=True)
                    assert citizen is not None
                    return citizen.id
            except IntegrityError:  # created concurrently: read it on the next pass
                continue
        raise RuntimeError(f"could not create citizen for sender {sender_id!r}")

    # -- tickets ----------------------------------------------------------------------------

    def file_ticket(self, sender_id: str, draft: ComplaintDraft) -> tuple[TicketView, bool]:
        """Create the ticket in one transaction. Returns (ticket, created).

        Idempotent: the same citizen submitting the same content gets the existing ticket
        back with created=False, also when two submissions race. A connection lost under
        the transaction (the database restarted, or its connections cut) is tried again on
        a new one: the next pass finds the ticket by its key if the commit went through.
        """
        citizen_id = self.ensure_citizen(sender_id)
        key = draft.idempotency_key()
        for _attempt in range(5):
            try:
                existing = self._ticket_by_key(citizen_id, key)
                if existing is not None:
                    return existing, False
                return self._insert_ticket(sender_id, citizen_id, key, draft), True
            except IntegrityError:
                # Either the idempotency key raced (found on the next pass) or the random
                # public id collided (a new one is drawn on the next pass).
                continue
            except DBAPIError as exc:
                if not lost_connection(exc):
                    raise
                log.warning("connection lost while filing for %s: trying again", sender_id)
                continue
        raise RuntimeError("could not allocate a ticket id")

    def _ticket_by_key(self, citizen_id: int, key: str) -> TicketView | None:
        with Session(self.engine) as s:
            ticket = s.scalar(
                select(Ticket).where(Ticket.citizen_id == citizen_id, Ticket.idempotency_key == key)
            )
            return _ticket_view(ticket) if ticket else None

    def _insert_ticket(
        self, sender_id: str, citizen_id: int, key: str, draft: ComplaintDraft
    ) -> TicketView:
        now = utcnow()
        deadlines = self.deadlines()
        with Session(self.engine) as s, s.begin():
            office_id = None
            service = s.get(Service, draft.service_id) if draft.service_id else None
            if service is not None:
                office_id = service.office_id
            if office_id is None:
                # No service chosen: the office the story or place names, else the
                # category's one owner, else the general complaint unit (None).
                named = complaint_office(draft.description, draft.location_text, draft.category)
                office_id = named if named and s.get(Office, named) else None
            ticket = Ticket(
                public_id=new_ticket_id(),
                citizen_id=citizen_id,
                idempotency_key=key,
                category=draft.category,
                description=draft.description,
                location_text=draft.location_text,
                latitude=draft.latitude,
                longitude=draft.longitude,
                privacy=draft.privacy,
                office_id=office_id,
                service_id=service.id if service is not None and service.office_id else None,
                created_at=now,
                updated_at=now,
            )
            states.open_ticket(ticket, deadlines, now, timezone=self.timezone)
            s.add(ticket)
            s.flush()
            # Photos, documents and locations sent while writing become the ticket's.
            drafts = s.scalars(
                select(DraftAttachment)
                .where(DraftAttachment.sender_id == sender_id)
                .order_by(DraftAttachment.id)
            ).all()
            for item in drafts:
                s.add(
                    Attachment(
                        ticket_id=ticket.id,
                        kind=item.kind,
                        telegram_file_id=item.telegram_file_id,
                        path=item.path,
                        mime_type=item.mime_type,
                        size_bytes=item.size_bytes,
                        created_at=item.created_at,
                    )
                )
                s.delete(item)
            if draft.privacy != Privacy.ANONYMOUS:
                for at, who, text in draft.conversation:
                    s.add(TicketMessage(ticket_id=ticket.id, at=at, who=who, text=text))
            s.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    kind="created",
                    actor_type="citizen",
                    actor_id=str(citizen_id),
                    to_status=TicketStatus.BARU.value,
                    body=draft.description,
                    created_at=now,
                )
            )
            return _ticket_view(ticket)

    def ticket_for_sender(self, sender_id: str, public_id: str) -> TicketView | None:
        """The ticket if, and only if, this sender filed it (else None, as for unknown ids)."""
        with Session(self.engine) as s:
            ticket = s.scalar(
                _of_sender(select(Ticket), sender_id).where(Ticket.public_id == public_id)
            )
            return _ticket_view(ticket) if ticket else None

    def open_tickets_for_sender(self, sender_id: str, limit: int = 10) -> list[TicketView]:
        """The sender's own tickets that are not closed, newest first."""
        with Session(self.engine) as s:
            tickets: Sequence[Ticket] = s.scalars(
                _of_sender(select(Ticket), sender_id)
                .where(Ticket.status.in_(OPEN_STATUSES))
                .order_by(Ticket.created_at.desc(), Ticket.id.desc())
                .limit(limit)
            ).all()
            return [_ticket_view(t) for t in tickets]

    def waiting_for_answer(self, sender_id: str) -> list[str]:
        """Public ids of the sender's tickets waiting for their answer (menunggu_warga)."""
        with Session(self.engine) as s:
            return list(
                s.scalars(
                    _of_sender(select(Ticket.public_id), sender_id)
                    .where(Ticket.status == TicketStatus.MENUNGGU_WARGA)
                    .order_by(Ticket.updated_at.desc())
                )
            )

    def awaiting_answer(self, sender_id: str, now: datetime | None = None) -> list[str]:
        """Public ids of the sender's open tickets where an officer waits for their answer:
        waiting for the citizen (menunggu_warga), or an officer's reply that asks something
        (its event's `asks`, bot.tickets.workflow), sent within `REPLY_ANSWER_WINDOW` and
        not answered since. Newest first."""
        now = now or utcnow()
        with Session(self.engine) as s:
            tickets = s.execute(
                _of_sender(select(Ticket.id, Ticket.public_id, Ticket.status), sender_id)
                .where(Ticket.status.in_(OPEN_STATUSES))
                .order_by(Ticket.updated_at.desc())
            ).all()
            found: list[str] = []
            for ticket_id, public_id, status in tickets:
                if status == TicketStatus.MENUNGGU_WARGA:
                    found.append(public_id)
                    continue
                last = s.execute(
                    select(
                        TicketEvent.kind, TicketEvent.data, TicketEvent.body, TicketEvent.created_at
                    )
                    .where(
                        TicketEvent.ticket_id == ticket_id,
                        TicketEvent.kind.in_(("message_out", "message_in")),
                    )
                    .order_by(TicketEvent.created_at.desc(), TicketEvent.id.desc())
                    .limit(1)
                ).first()
                if (
                    last is not None
                    and last.kind == "message_out"
                    and (last.data or {}).get("purpose") == "reply"
                    # a reply that asks something ("Jam berapa kejadiannya?"), not one that
                    # only tells ("sudah kami teruskan ke Disdukcapil")
                    and (last.data or {}).get("asks", True)
                    and _aware(last.created_at) >= now - REPLY_ANSWER_WINDOW
                ):
                    found.append(public_id)
            return found

    def answered_recently(self, sender_id: str, public_id: str) -> bool:
        """Whether the sender sent a message to their ticket within `SAME_ANSWER_WINDOW`."""
        since = utcnow() - SAME_ANSWER_WINDOW
        with Session(self.engine) as s:
            found = s.execute(
                _of_sender(
                    select(TicketEvent.id).join(Ticket, TicketEvent.ticket_id == Ticket.id),
                    sender_id,
                )
                .where(
                    Ticket.public_id == public_id,
                    TicketEvent.kind == "message_in",
                    TicketEvent.created_at >= since,
                )
                .limit(1)
            ).first()
            return found is not None

    def answer_info_request(
        self, sender_id: str, public_id: str | None, text: str
    ) -> tuple[TicketView | None, bool]:
        """The citizen's answer to an officer's request for information (/jawab).

        Recorded on the ticket for the officers; a ticket waiting for the citizen goes back
        to `diproses` (bot.tickets.states.citizen_answer). Without `public_id`, the one
        ticket waiting for this citizen's answer, or with none waiting the citizen's only
        open ticket (an addition: "oiya satu lagi, ada saksinya"). Returns (ticket,
        resumed); (None, False) for an unknown or foreign id, or no id and no single ticket
        it can be meant for.
        """
        if public_id is None:
            candidates = self.waiting_for_answer(sender_id) or [
                t.public_id for t in self.open_tickets_for_sender(sender_id, limit=2)
            ]
            if len(candidates) != 1:
                return None, False
            public_id = candidates[0]
        deadlines = self.deadlines()
        with Session(self.engine) as s, s.begin():
            row = s.execute(
                _of_sender(select(Ticket, Citizen.id), sender_id)
                .where(Ticket.public_id == public_id)
                .with_for_update()
            ).first()
            if row is None:
                return None, False
            ticket, citizen_id = row
            if _said_just_now(s, ticket.id, text):  # the same answer again: kept once
                return _ticket_view(ticket), False
            resumed = states.citizen_answer(
                s, ticket, citizen_id, text, deadlines, utcnow(), timezone=self.timezone
            )
            return _ticket_view(ticket), resumed

    def discard_drafts(self, sender_id: str) -> int:
        """Forget attachments sent for a complaint that was cancelled."""
        with Session(self.engine) as s, s.begin():
            result = s.execute(
                delete(DraftAttachment).where(DraftAttachment.sender_id == sender_id)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # -- feedback ---------------------------------------------------------------------------

    def ratable_tickets(self, sender_id: str, now: datetime | None = None) -> list[RatableTicket]:
        """The sender's tickets a rating may be about: closed (resolved or rejected) within
        the last `RATING_WINDOW_DAYS` and not rated since they were closed; the most
        recently closed first."""
        now = now or utcnow()
        since = now - timedelta(days=RATING_WINDOW_DAYS)
        rated_since_closing = (
            select(Rating.id)
            .where(Rating.ticket_id == Ticket.id, Rating.created_at >= Ticket.closed_at)
            .exists()
        )
        with Session(self.engine) as s:
            rows = s.execute(
                _of_sender(
                    select(Ticket.public_id, Ticket.category, Ticket.status, Ticket.closed_at),
                    sender_id,
                )
                .where(
                    Ticket.status.in_((TicketStatus.SELESAI, TicketStatus.DITOLAK)),
                    Ticket.closed_at.is_not(None),
                    Ticket.closed_at >= since,
                    ~rated_since_closing,
                )
                .order_by(Ticket.closed_at.desc(), Ticket.id.desc())
            ).all()
        return [RatableTicket(p, c, st, closed) for p, c, st, closed in rows]

    def add_rating(
        self, sender_id: str, score: int | None, comment: str | None, ticket_public_id: str | None
    ) -> tuple[int, str | None]:
        """Store feedback for officers; returns (rating id, the ticket it was linked to).
        See `store_rating`."""
        stored = self.store_rating(sender_id, score, comment, ticket_public_id)
        return stored.rating_id, stored.ticket_id

    def store_rating(
        self, sender_id: str, score: int | None, comment: str | None, ticket_public_id: str | None
    ) -> StoredRating:
        """Store feedback for officers.

        A ticket is linked only if the sender owns it; a linked rating is also an event in
        the ticket's history (what the ticket page shows), without the citizen's identity.
        One rating per citizen and ticket (N10): when the sender rated that ticket before,
        that rating is replaced (the new score, the comments of both, now as its time) and
        the history keeps the score it replaced.
        """
        if score is not None and not 1 <= score <= 5:
            raise ValueError("score must be between 1 and 5")
        citizen_id = self.ensure_citizen(sender_id)
        with Session(self.engine) as s, s.begin():
            ticket = None
            if ticket_public_id:
                ticket = s.scalar(
                    select(Ticket).where(
                        Ticket.public_id == ticket_public_id, Ticket.citizen_id == citizen_id
                    )
                )
            earlier = (
                s.scalar(
                    select(Rating)
                    .where(Rating.citizen_id == citizen_id, Rating.ticket_id == ticket.id)
                    .with_for_update()
                )
                if ticket is not None
                else None
            )
            if ticket is not None and earlier is not None:
                previous = earlier.score
                _replace_rating(earlier, score, comment)
                _rating_event(s, ticket, earlier, replaced_score=previous)
                return StoredRating(earlier.id, ticket.public_id, True, previous)
            rating = Rating(
                citizen_id=citizen_id,
                ticket_id=ticket.id if ticket else None,
                score=score,
                comment=comment,
                created_at=utcnow(),
            )
            s.add(rating)
            s.flush()
            if ticket is not None:
                _rating_event(s, ticket, rating)
            return StoredRating(rating.id, ticket.public_id if ticket else None)

    def link_rating(self, sender_id: str, rating_id: int, ticket_public_id: str) -> str | None:
        """Attach the sender's not yet linked rating to one of the sender's tickets (the
        answer to "which report is this about?"). Returns the ticket id, or None when the
        rating or the ticket is not the sender's or the rating is already linked."""
        with Session(self.engine) as s, s.begin():
            row = s.execute(
                _of_sender(select(Ticket, Citizen.id), sender_id).where(
                    Ticket.public_id == ticket_public_id
                )
            ).first()
            if row is None:
                return None
            ticket, citizen_id = row
            rating = s.scalar(
                select(Rating)
                .where(
                    Rating.id == rating_id,
                    Rating.citizen_id == citizen_id,
                    Rating.ticket_id.is_(None),
                )
                .with_for_update()
            )
            if rating is None:
                return None
            earlier = s.scalar(
                select(Rating)
                .where(Rating.citizen_id == citizen_id, Rating.ticket_id == ticket.id)
                .with_for_update()
            )
            if earlier is not None:
                # The ticket was rated before: this rating replaces that one (N10).
                previous = earlier.score
                _replace_rating(earlier, rating.score, rating.comment)
                s.delete(rating)
                _rating_event(s, ticket, earlier, replaced_score=previous)
                return str(ticket.public_id)
            rating.ticket_id = ticket.id
            _rating_event(s, ticket, rating)
            return str(ticket.public_id)

    def amend_rating(
        self,
        sender_id: str,
        rating_id: int,
        since: datetime,
        score: int | None = None,
        comment: str | None = None,
        replace_score: bool = False,
    ) -> AmendedRating | None:
        """Add what the citizen sent right after a rating to that rating: a comment is
        appended, a score fills a rating given without one (or, with `replace_score`,
        corrects it). None (nothing changed) when the rating is not the sender's, was given
        before `since`, or already has a score and `score` is given without
        `replace_score`. A linked rating's new state is an event in the ticket's history."""
        if score is not None and not 1 <= score <= 5:
            raise ValueError("score must be between 1 and 5")
        if score is None and not comment:
            return None
        with Session(self.engine) as s, s.begin():
            row = s.execute(
                select(Rating, Citizen.sender_id)
                .join(Citizen, Citizen.id == Rating.citizen_id)
                .where(Rating.id == rating_id, Rating.created_at >= since)
                .with_for_update(of=Rating)
            ).first()
            if row is None or row[1] != sender_id:
                return None
            rating = row[0]
            if score is not None and rating.score is not None and not replace_score:
                return None
            previous = rating.score
            if score is not None:
                rating.score = score
            if comment:
                rating.comment = f"{rating.comment}\n{comment}" if rating.comment else comment
            ticket = s.get(Ticket, rating.ticket_id) if rating.ticket_id else None
            replaced = previous if score is not None and previous is not None else None
            if ticket is not None:
                _rating_event(s, ticket, rating, replaced_score=replaced)
            return AmendedRating(rating.score, ticket.public_id if ticket else None, replaced)


def _replace_rating(rating: Rating, score: int | None, comment: str | None) -> None:
    """A citizen's new rating of a ticket they rated before, put in place of the earlier
    one: the new score (the earlier one if none is given), both comments, the new time
    (what the officers' reports of a period go by)."""
    if score is not None:
        rating.score = score
    if comment:
        rating.comment = f"{rating.comment}\n{comment}" if rating.comment else comment
    rating.created_at = utcnow()


def _rating_event(
    s: Session, ticket: Ticket, rating: Rating, replaced_score: int | None = None
) -> None:
    """The rating in the ticket's history: score and comment, never who gave it; with
    the score it replaced when the citizen changed their rating."""
    data: dict[str, Any] = {"score": rating.score, "rating_id": rating.id}
    if replaced_score is not None:
        data["replaced_score"] = replaced_score
    s.add(
        TicketEvent(
            ticket_id=ticket.id,
            kind="rating",
            actor_type="citizen",
            actor_id=None,
            body=rating.comment,
            data=data,
            created_at=utcnow(),
        )
    )


_repositories: dict[str, Repository] = {}
_repositories_lock = threading.Lock()


def get_repository() -> Repository:
    """The process-wide repository for DATABASE_URL, created on first use (the action
    server calls this on every request)."""
    settings = get_settings()
    with _repositories_lock:
        repo = _repositories.get(settings.database_url)
        if repo is None:
            repo = Repository(
                get_engine(settings.database_url),
                timezone=settings.timezone,
                verification_days=settings.verification_working_days,
            )
            _repositories[settings.database_url] = repo
        return repo
