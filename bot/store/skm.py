"""The citizen's side of the SKM survey (bot.skm): offering, starting, answering, skipping,
pausing, resuming, refusing, and the 30-day rule.

A survey is about a service (after a service question was answered) or a resolved ticket
(its service and unit). A citizen is offered a survey about one service at most once in
OFFER_DAYS days, and only with consent to the privacy notice; a refusal ("Tidak, terima
kasih") counts as that one offer. Rows carry an HMAC of the sender id, never the id; the
comment is masked (bot.training.masking) before it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session

from bot.skm import ELEMENT_COUNT, SCALE, answers_of
from bot.store.models import (
    Citizen,
    Service,
    SkmResponse,
    Ticket,
    TicketStatus,
    utcnow,
)
from bot.training.masking import mask, sender_hash

OFFER_DAYS = 30
COMMENT_POSITION = ELEMENT_COUNT  # 9: the optional comment
FINISHED = ELEMENT_COUNT + 1  # 10
COMMENT_MAX = 1000
UNFINISHED = ("offered", "open", "paused")


@dataclass(frozen=True)
class SurveyView:
    """What the conversation needs of one survey."""

    id: int
    status: str
    position: int  # 0-8 the element asked next, 9 the comment, 10 finished
    answers: tuple[int | None, ...]
    subject: str  # the service's name, or the ticket id
    ticket_id: str | None

    @property
    def finished(self) -> bool:
        return self.position >= FINISHED

    @property
    def answered(self) -> int:
        return sum(value is not None for value in self.answers)


def respondent_key(sender_id: str, secret_key: str) -> str:
    """The respondent key of a conversation: HMAC-SHA256 of the sender id (the one key
    function of the survey's rows)."""
    return sender_hash(sender_id, secret_key)


def forget_respondent(s: Session, sender_id: str, secret_key: str) -> int:
    """UU PDP `/hapusdata`: delete every survey row of this sender (answers, comment,
    offers and refusals) in the caller's transaction. Returns how many."""
    rows = s.execute(
        delete(SkmResponse).where(
            SkmResponse.respondent_key == respondent_key(sender_id, secret_key)
        )
    )
    return int(getattr(rows, "rowcount", 0) or 0)


class SkmStore:
    """SKM survey rows of one database."""

    def __init__(self, engine: Engine, secret_key: str, timezone: str = "Asia/Jakarta"):
        self.engine = engine
        self.secret_key = secret_key
        self.zone = ZoneInfo(timezone)

    def key(self, sender_id: str) -> str:
        """The respondent key of a conversation (`respondent_key`)."""
        return respondent_key(sender_id, self.secret_key)

    def _month(self, now: datetime) -> str:
        local = now.astimezone(self.zone)
        return f"{local.year:04d}-{local.month:02d}"

    @staticmethod
    def _consented(s: Session, sender_id: str) -> Citizen | None:
        citizen = s.scalar(select(Citizen).where(Citizen.sender_id == sender_id))
        return citizen if citizen is not None and citizen.consent_at is not None else None

    def _view(self, s: Session, row: SkmResponse) -> SurveyView:
        ticket = s.get(Ticket, row.ticket_id) if row.ticket_id is not None else None
        service = s.get(Service, row.service_id) if row.service_id is not None else None
        subject = service.name if service is not None else (ticket.public_id if ticket else "")
        return SurveyView(
            row.id,
            row.status,
            row.position,
            answers_of(row),
            subject,
            ticket.public_id if ticket is not None else None,
        )

    def _recent(
        self, s: Session, key: str, now: datetime, service_id: str | None, ticket_id: int | None
    ) -> bool:
        """Whether this respondent had a survey about this service (or ticket) offered,
        started or refused in the last OFFER_DAYS days."""
        subject = []
        if service_id is not None:
            subject.append(SkmResponse.service_id == service_id)
        if ticket_id is not None:
            subject.append(SkmResponse.ticket_id == ticket_id)
        if not subject:
            return False
        found = s.scalar(
            select(SkmResponse.id)
            .where(SkmResponse.respondent_key == key)
            .where(SkmResponse.created_at >= now - timedelta(days=OFFER_DAYS))
            .where(or_(*subject))
            .limit(1)
        )
        return found is not None

    def _new(
        self, s: Session, key: str, now: datetime, status: str, service: Service | None,
        ticket: Ticket | None,
    ) -> SkmResponse:  # fmt: skip
        row = SkmResponse(
            respondent_key=key,
            ticket_id=ticket.id if ticket is not None else None,
            service_id=service.id if service is not None else None,
            office_id=(
                ticket.office_id
                if ticket is not None and ticket.office_id
                else (service.office_id if service is not None else None)
            ),
            period=self._month(now),
            status=status,
            position=0,
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        s.flush()
        return row

    # -- offering ----------------------------------------------------------------------------

    def offer_for_service(
        self, sender_id: str, service_id: str, now: datetime | None = None
    ) -> int | None:
        """Record an offer of the survey about a service just answered; None (no offer)
        without consent, for an unknown service, or within OFFER_DAYS of the last one about
        it, or while another survey waits to be finished."""
        now = now or utcnow()
        key = self.key(sender_id)
        with Session(self.engine) as s, s.begin():
            if self._consented(s, sender_id) is None:
                return None
            service = s.get(Service, service_id)
            if service is None or self._recent(s, key, now, service_id, None):
                return None
            if self._unfinished(s, key, now) is not None:
                return None
            return self._new(s, key, now, "offered", service, None).id

    def _unfinished(self, s: Session, key: str, now: datetime) -> SkmResponse | None:
        """The respondent's latest survey not finished, refused or older than OFFER_DAYS."""
        return s.scalar(
            select(SkmResponse)
            .where(SkmResponse.respondent_key == key)
            .where(SkmResponse.status.in_(UNFINISHED))
            .where(SkmResponse.created_at >= now - timedelta(days=OFFER_DAYS))
            .order_by(SkmResponse.created_at.desc(), SkmResponse.id.desc())
            .limit(1)
        )

    def _resolved_ticket(
        self, s: Session, citizen: Citizen, key: str, now: datetime
    ) -> Ticket | None:
        """The citizen's latest ticket resolved in the last OFFER_DAYS days that has no
        survey yet and whose service had none within OFFER_DAYS."""
        tickets = s.scalars(
            select(Ticket)
            .where(Ticket.citizen_id == citizen.id)
            .where(Ticket.status == TicketStatus.SELESAI)
            .where(Ticket.closed_at >= now - timedelta(days=OFFER_DAYS))
            .order_by(Ticket.closed_at.desc(), Ticket.id.desc())
        )
        for ticket in tickets:
            if not self._recent(s, key, now, ticket.service_id, ticket.id):
                return ticket
        return None

    # -- the citizen's answers -----------------------------------------------------------------

    def start(
        self, sender_id: str, service_id: str | None = None, now: datetime | None = None
    ) -> tuple[SurveyView | None, str]:
        """The survey to go on with, and why: ("resumed" | "new"), or (None, "consent" |
        "recent" | "nothing"). An unfinished survey is resumed first; else one about the
        citizen's latest resolved ticket; else about `service_id` (the service talked
        about), each within the 30-day rule."""
        now = now or utcnow()
        key = self.key(sender_id)
        with Session(self.engine) as s, s.begin():
            citizen = self._consented(s, sender_id)
            if citizen is None:
                return None, "consent"
            row = self._unfinished(s, key, now)
            if row is not None:
                reason = "new" if row.status == "offered" else "resumed"
                row.status, row.updated_at = "open", now
                return self._view(s, row), reason
            ticket = self._resolved_ticket(s, citizen, key, now)
            if ticket is not None:
                service = s.get(Service, ticket.service_id) if ticket.service_id else None
                return self._view(s, self._new(s, key, now, "open", service, ticket)), "new"
            service = s.get(Service, service_id) if service_id else None
            if service is None:
                return None, "nothing"
            if self._recent(s, key, now, service.id, None):
                return None, "recent"
            return self._view(s, self._new(s, key, now, "open", service, None)), "new"

    def _own(self, s: Session, sender_id: str, survey_id: int) -> SkmResponse | None:
        row = s.get(SkmResponse, survey_id)
        if row is None or row.respondent_key != self.key(sender_id):
            return None
        return row

    def current(self, sender_id: str, survey_id: int) -> SurveyView | None:
        """One of the citizen's surveys (None: not theirs)."""
        with Session(self.engine) as s:
            row = self._own(s, sender_id, survey_id)
            return self._view(s, row) if row is not None else None

    def answer(
        self,
        sender_id: str,
        survey_id: int,
        position: int,
        score: int | None,
        now: datetime | None = None,
    ) -> SurveyView | None:
        """Store the answer (None: skipped) to element `position` (0-8) and move on. Only
        the element asked now takes an answer: a stale button changes nothing, so each
        element holds one answer."""
        if score is not None and score not in SCALE:
            raise ValueError(f"an SKM score is 1-4, not {score!r}")
        now = now or utcnow()
        with Session(self.engine) as s, s.begin():
            row = self._own(s, sender_id, survey_id)
            if row is None:
                return None
            if (
                row.status in ("open", "paused", "offered")
                and position == row.position < ELEMENT_COUNT
            ):
                setattr(row, f"u{position + 1}", score)
                row.position = position + 1
                row.status = "open"
                row.updated_at = now
                if score is not None:
                    row.period = self._month(now)
            return self._view(s, row)

    def finish(
        self, sender_id: str, survey_id: int, comment: str | None, now: datetime | None = None
    ) -> SurveyView | None:
        """Close the survey with its comment (masked; None: no comment)."""
        now = now or utcnow()
        with Session(self.engine) as s, s.begin():
            row = self._own(s, sender_id, survey_id)
            if row is None:
                return None
            if row.status != "done":
                text = mask(comment.strip())[:COMMENT_MAX] if comment and comment.strip() else None
                row.comment = text
                row.position = FINISHED
                row.status = "done"
                row.completed_at = row.updated_at = now
            return self._view(s, row)

    def pause(
        self, sender_id: str, survey_id: int, now: datetime | None = None
    ) -> SurveyView | None:
        """Keep the answers so far; the survey is resumed later (/survei)."""
        now = now or utcnow()
        with Session(self.engine) as s, s.begin():
            row = self._own(s, sender_id, survey_id)
            if row is None:
                return None
            if row.status in ("open", "offered"):
                row.status, row.updated_at = "paused", now
            return self._view(s, row)

    def refuse(self, sender_id: str, now: datetime | None = None) -> bool:
        """ "Tidak, terima kasih": the survey offered (or waiting) is refused and not
        offered again about its service within OFFER_DAYS. True when one was refused."""
        now = now or utcnow()
        key = self.key(sender_id)
        with Session(self.engine) as s, s.begin():
            row = self._unfinished(s, key, now)
            if row is None:
                return False
            row.status, row.updated_at = "refused", now
            return True
