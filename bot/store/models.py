"""SQLAlchemy 2.0 models of the store: catalogue, citizens, tickets and their history."""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Timezone-aware now in UTC (all timestamps are stored in UTC)."""
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations are stable on every backend."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Category(str, enum.Enum):
    """Complaint categories (SP4N-LAPOR! practice)."""

    ADMINDUK = "adminduk"
    INFRASTRUKTUR = "infrastruktur"
    KEBERSIHAN = "kebersihan"
    KESEHATAN = "kesehatan"
    PENDIDIKAN = "pendidikan"
    PUNGLI = "pungli"
    PERIZINAN = "perizinan"
    KETERTIBAN = "ketertiban"
    TRANSPORTASI = "transportasi"
    LAINNYA = "lainnya"


class Privacy(str, enum.Enum):
    """Who may see the reporter and the report."""

    PUBLIC = "public"
    ANONYMOUS = "anonymous"  # reporter hidden from officers
    CONFIDENTIAL = "confidential"  # report visible only to those handling it


class TicketStatus(str, enum.Enum):
    """Ticket lifecycle states."""

    BARU = "baru"
    DIVERIFIKASI = "diverifikasi"
    DIPROSES = "diproses"
    MENUNGGU_WARGA = "menunggu_warga"
    SELESAI = "selesai"
    DITOLAK = "ditolak"


OPEN_STATUSES = (
    TicketStatus.BARU,
    TicketStatus.DIVERIFIKASI,
    TicketStatus.DIPROSES,
    TicketStatus.MENUNGGU_WARGA,
)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native PG enum) so adding a value needs no type migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=20,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
    )


class Office(Base):
    """A unit that handles services and complaints (Disdukcapil, Satpas, ...)."""

    __tablename__ = "offices"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(200))
    website: Mapped[str | None] = mapped_column(String(300))

    services: Mapped[list[Service]] = relationship(back_populates="office")


class Service(Base):
    """One catalogue entry in the shape of a Standar Pelayanan."""

    __tablename__ = "services"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    requirements: Mapped[list[str] | None] = mapped_column(JSON)
    cost: Mapped[str | None] = mapped_column(Text)
    cost_basis: Mapped[str | None] = mapped_column(Text)
    duration: Mapped[str | None] = mapped_column(Text)
    duration_basis: Mapped[str | None] = mapped_column(Text)
    # A legal deadline for the citizen (e.g. a death reported within 30 days), with its basis.
    reporting_deadline: Mapped[str | None] = mapped_column(Text)
    reporting_deadline_basis: Mapped[str | None] = mapped_column(Text)
    procedure: Mapped[list[str] | None] = mapped_column(JSON)
    online_channel: Mapped[str | None] = mapped_column(Text)
    product: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    office: Mapped[Office] = relationship(back_populates="services")


class ServiceFact(Base):
    """Where one aspect of a service (requirements, cost, ...) comes from: its source (a
    regulation or an official page), when it was last checked, and whether the rule is set
    by each region (bot.store.catalogue.FACT_ASPECTS names the aspects)."""

    __tablename__ = "service_facts"
    __table_args__ = (UniqueConstraint("service_id", "aspect", name="uq_service_facts_aspect"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    aspect: Mapped[str] = mapped_column(String(30))
    source: Mapped[str | None] = mapped_column(Text)
    checked: Mapped[date | None] = mapped_column(Date)
    regional: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ServiceQuestion(Base):
    """One answered service question (for 'most asked' buttons and trainers' reports)."""

    __tablename__ = "service_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), index=True)
    aspect: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Citizen(Base):
    """A person talking to the bot. `sender_id` is the conversation id used by Rasa."""

    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64), unique=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(10), default="id")
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    blocked_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    tickets: Mapped[list[Ticket]] = relationship(back_populates="citizen")


# The open statuses as literal SQL: the predicate of the partial queue indexes, and what the
# console's queries use so the planner can match those indexes.
OPEN_STATUS_SQL = "status IN ('baru', 'diverifikasi', 'diproses', 'menunggu_warga')"


def _current_due_default(context: Any) -> date | None:
    """A new ticket is in `baru`: its current deadline is the verification deadline."""
    params = context.get_current_parameters()
    value = params.get("verify_due")
    return value if isinstance(value, date) else None


class Ticket(Base):
    """A complaint. `public_id` (ADU-XXXXXX) is what the citizen sees."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("citizen_id", "idempotency_key", name="uq_tickets_citizen_idempotency"),
        Index("ix_tickets_status_created", "status", "created_at"),
        # Officer console queue: keyset pagination on (deadline, id) and (filed, id).
        Index("ix_tickets_due_on_id", "due_on", "id"),
        Index("ix_tickets_office_due_on_id", "office_id", "due_on", "id"),
        Index("ix_tickets_assignee_due_on_id", "assignee_id", "due_on", "id"),
        Index("ix_tickets_created_at_id", "created_at", "id"),
        Index("ix_tickets_office_created_at_id", "office_id", "created_at", "id"),
        # Partial indexes over open tickets only (the default queue and overdue counts).
        Index(
            "ix_tickets_open_due_on_id",
            "due_on",
            "id",
            postgresql_where=text(OPEN_STATUS_SQL),
            sqlite_where=text(OPEN_STATUS_SQL),
        ),
        Index(
            "ix_tickets_open_office_due_on",
            "office_id",
            "due_on",
            postgresql_where=text(OPEN_STATUS_SQL),
            sqlite_where=text(OPEN_STATUS_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(10), unique=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    category: Mapped[Category] = mapped_column(_enum(Category, "ticket_category"))
    description: Mapped[str] = mapped_column(Text)
    location_text: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    privacy: Mapped[Privacy] = mapped_column(_enum(Privacy, "ticket_privacy"))
    status: Mapped[TicketStatus] = mapped_column(
        _enum(TicketStatus, "ticket_status"), default=TicketStatus.BARU
    )
    office_id: Mapped[str | None] = mapped_column(ForeignKey("offices.id"))
    service_id: Mapped[str | None] = mapped_column(ForeignKey("services.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    verify_due: Mapped[date] = mapped_column(Date)
    followup_due: Mapped[date | None] = mapped_column(Date)
    resolve_due: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Officer console (migration 0003). `due_on` is the deadline of the current stage
    # (verification, follow-up plan, resolution); NULL once the ticket is closed. It is
    # what the queue sorts and flags overdue on. Tickets filed by the assistant get their
    # verify_due here by default.
    due_on: Mapped[date | None] = mapped_column(Date, default=_current_due_default)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))

    citizen: Mapped[Citizen | None] = relationship(back_populates="tickets")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="ticket", order_by="Attachment.id"
    )
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id"
    )


class Attachment(Base):
    """A photo or document sent with a complaint."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # photo | document
    telegram_file_id: Mapped[str | None] = mapped_column(String(200))
    path: Mapped[str | None] = mapped_column(Text)
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")


# Every kind of ticket event: filed, status change, the citizen's message (/jawab), a message
# sent to the citizen, internal note, assignment, forwarding to another unit, a confidential
# ticket opened, the citizen's rating, a notice to the unit's group.
TICKET_EVENT_KINDS = (
    "created",
    "status",
    "message_in",
    "message_out",
    "note",
    "assign",
    "forward",
    "view",
    "rating",
    "unit_notice",
)


class TicketEvent(Base):
    """Append-only history of a ticket: status changes, messages, notes (who and when)."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # one of TICKET_EVENT_KINDS
    actor_type: Mapped[str] = mapped_column(String(20))  # citizen | officer | system
    actor_id: Mapped[str | None] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class TicketMessage(Base):
    """The conversation that produced a ticket: the citizen's messages and the assistant's
    questions from the start of its complaint form to filing, copied when it is filed.

    Only this ticket's own conversation: the officer's transcript never reads the citizen's
    other chats. Not kept for anonymous tickets; deleted with the citizen's data.
    """

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(10))  # warga | asisten
    text: Mapped[str] = mapped_column(Text)


class Rating(Base):
    """Feedback from a citizen: a message and an optional 1-5 score. At most one per citizen
    and ticket (N10): a later rating of the same ticket replaces the earlier one, whose
    score stays in the ticket's history. General feedback (no ticket) is not limited."""

    __tablename__ = "ratings"
    __table_args__ = (Index("uq_ratings_citizen_ticket", "citizen_id", "ticket_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SkmResponse(Base):
    """One citizen's Survei Kepuasan Masyarakat (PermenPANRB 14/2017) about a service or a
    resolved ticket: nine answers 1-4 (None: skipped or not reached), an optional comment
    (masked), and how far it got. `respondent_key` is an HMAC of the sender id under
    SECRET_KEY, never the id itself: it keeps the 30-day rule and resuming, while officers
    only ever see aggregates (bot.skm). `status`: offered | open | paused | done | refused.
    `position` is the next question: 0-8 an element, 9 the comment, 10 finished."""

    __tablename__ = "skm_responses"
    __table_args__ = (
        Index("ix_skm_responses_respondent_created", "respondent_key", "created_at"),
        Index("ix_skm_responses_period", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    respondent_key: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    service_id: Mapped[str | None] = mapped_column(ForeignKey("services.id", ondelete="SET NULL"))
    office_id: Mapped[str | None] = mapped_column(ForeignKey("offices.id", ondelete="SET NULL"))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM, local month of the answers
    status: Mapped[str] = mapped_column(String(12), default="offered")
    position: Mapped[int] = mapped_column(Integer, default=0)
    u1: Mapped[int | None] = mapped_column(Integer)
    u2: Mapped[int | None] = mapped_column(Integer)
    u3: Mapped[int | None] = mapped_column(Integer)
    u4: Mapped[int | None] = mapped_column(Integer)
    u5: Mapped[int | None] = mapped_column(Integer)
    u6: Mapped[int | None] = mapped_column(Integer)
    u7: Mapped[int | None] = mapped_column(Integer)
    u8: Mapped[int | None] = mapped_column(Integer)
    u9: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DraftAttachment(Base):
    """A photo, document or shared location sent while a complaint is being written.

    Moved onto the ticket when the complaint is filed; discarded when it is cancelled.
    """

    __tablename__ = "draft_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # photo | document
    telegram_file_id: Mapped[str | None] = mapped_column(String(200))
    file_unique_id: Mapped[str | None] = mapped_column(String(100))
    path: Mapped[str | None] = mapped_column(Text)
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InboxMessage(Base):
    """Every Telegram update, stored before it is acknowledged or forwarded to Rasa.

    `status`: received -> done, or pending (Rasa unreachable; retried in order per sender),
    held (waiting for the citizen's consent), declined, failed (never finished).

    Deduplication: Telegram keeps update ids unique only while it keeps the updates (a day)
    and starts them anew after a week without updates (a restarted local Bot API server
    does the same), so `(bot_id, update_id)` is unique only among rows whose window is
    open (`dedup_active` true). A row's window closes when a later update reuses its id
    more than `INBOX_DEDUP_HOURS` after it: `dedup_active` becomes NULL, and NULLs never
    conflict in a unique constraint (SQLite and PostgreSQL). See `bot.store.inbox`.
    """

    __tablename__ = "inbox_messages"
    __table_args__ = (
        UniqueConstraint("bot_id", "update_id", "dedup_active", name="uq_inbox_bot_update_open"),
        Index("ix_inbox_sender_status", "sender_id", "status", "update_id"),
        Index("ix_inbox_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bot_id: Mapped[int] = mapped_column(BigInteger)  # update ids are per bot
    update_id: Mapped[int] = mapped_column(BigInteger)
    # True while this row deduplicates its update id; NULL once the id was reused.
    dedup_active: Mapped[bool | None] = mapped_column(Boolean, default=True)
    sender_id: Mapped[str | None] = mapped_column(String(64))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(30))
    payload: Mapped[str | None] = mapped_column(Text)  # what goes to Rasa
    # The update as Telegram sent it; NULL after INBOX_RAW_RETENTION_DAYS (personal data).
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(20), default="received")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # pending: when to retry; received: when the update counts as abandoned (the process
    # handling it died) and may be handled again.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutboxMessage(Base):
    """A message to a citizen caused outside the conversation (officer reply, status change),
    or one of the assistant's replies in the conversation (kind "conversation", deleted once
    delivered).

    Delivered by the Telegram front end: pending -> sent, or blocked / failed. Finished
    unit-group notices and messages without a ticket lose their text after
    OUTBOX_RETENTION_DAYS; a message about a ticket is part of the ticket's record.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
        Index("ix_outbox_chat_status", "chat_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # reply | status | info_request | ...
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # [title, payload] pairs of the inline buttons under the message (the assistant's
    # replies); None: those of its kind, if any (bot.store.outbox.buttons_of).
    buttons: Mapped[list[list[str]] | None] = mapped_column(JSON(none_as_null=True))
    # The front end sending it (or that sent it): its replica name (bot.store.outbox).
    # While "sending", next_attempt_at is the end of that front end's lease.
    claimed_by: Mapped[str | None] = mapped_column(String(100))


class SentKeyboard(Base):
    """The button payloads of an inline keyboard the bot sent (callback data holds an index).

    `used_at` is set when one button was pressed: a second press does nothing.
    """

    __tablename__ = "sent_keyboards"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_sent_keyboards_message"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    payloads: Mapped[list[str]] = mapped_column(JSON)
    titles: Mapped[list[str]] = mapped_column(JSON)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- officer console ---------------------------------------------------------------------


class OfficerRole(str, enum.Enum):
    """What a console account may do (see bot/officer/access.py)."""

    OFFICER = "officer"  # works the tickets of their units
    SUPERVISOR = "supervisor"  # all units, assigns, reports, canned replies
    ADMIN = "admin"  # accounts, units, holidays; no ticket access
    TRAINER = "trainer"  # the NLU review inbox; no ticket access


class Officer(Base):
    """A console account. Passwords are argon2 hashes; there is no default account."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[OfficerRole] = mapped_column(_enum(OfficerRole, "officer_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OfficerUnit(Base):
    """Membership of an account in a unit (an office)."""

    __tablename__ = "officer_units"

    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), primary_key=True)


class OfficerSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "officer_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CannedReply(Base):
    """A reply template that supervisors manage and officers insert into replies."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UnitChannel(Base):
    """The Telegram group of a unit that is told about new tickets (set by an admin)."""

    __tablename__ = "unit_channels"

    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    telegram_chat_id: Mapped[int] = mapped_column(BigInteger)
    enabled_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))


class UnitTicketNotice(Base):
    """One notice queued to a unit's group about one ticket (never sent twice)."""

    __tablename__ = "unit_ticket_notices"
    __table_args__ = (
        UniqueConstraint("ticket_id", "office_id", name="uq_unit_ticket_notices_ticket_office"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsoleAuditLog(Base):
    """Append-only record of administrative changes (accounts, units, holidays, replies)."""

    __tablename__ = "console_audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Holiday(Base):
    """A national holiday or cuti bersama: not a working day for any deadline.

    Seeded from `data/holidays.yml` when the table is created (migration 0008); admins edit
    the rows on `/admin/libur` (bot.tickets.holidays). The assistant and the console read
    them through bot.tickets.deadlines.holiday_calendar, which notices an edit by the
    (count, max(updated_at)) of this table.
    """

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # libur_nasional | cuti_bersama
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- trainers (bot.training) -------------------------------------------------------------


class NluReviewItem(Base):
    """A citizen message the language model may have got wrong, for trainers to review.

    Collected from Rasa's tracker store by bot.training.inbox: top intent confidence below
    NLU_REVIEW_THRESHOLD, `nlu_fallback`, or followed by a correction. Holds no raw personal
    data: the text and entity values are masked (bot.training.masking) and the sender is a
    keyed hash, so `/hapusdata` deletes the items. Expires after NLU_REVIEW_RETENTION_DAYS.
    """

    __tablename__ = "nlu_review_items"
    __table_args__ = (
        Index("ix_nlu_review_items_created_at", "created_at"),
        Index("ix_nlu_review_items_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # id of the user event in Rasa's `events` table: collecting twice stores it once.
    tracker_event_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    sender_hash: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)  # masked
    intent: Mapped[str | None] = mapped_column(String(100))
    confidence: Mapped[float | None] = mapped_column(Float)
    # [{"name": ..., "confidence": ...}] after the predicted one, at most 3.
    alternatives: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"entity": ..., "value": masked, "start"/"end" in the masked text when found}]
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Why it is here, comma-separated: low_confidence, fallback, correction.
    reasons: Mapped[str] = mapped_column(String(100))
    # new, or the trainer's decision (bot.training.review): confirmed (the prediction is
    # right), relabelled (another intent), discarded (not a training example).
    status: Mapped[str] = mapped_column(String(20), default="new")
    # The intent the example is trained under: the confirmed or the chosen one.
    reviewed_intent: Mapped[str | None] = mapped_column(String(100))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Entities the trainer marked (bot.training.review.mark_entity): [{"entity": "service" or
    # "ticket_id", "value": catalogue id or None, "text", "start", "end" in the masked text}].
    reviewed_entities: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # When bot.training.export wrote it to data/rasa/reviewed.yml (or found it there
    # already); None while it waits for an export.
    exported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NluReviewCursor(Base):
    """How far the collector has read Rasa's `events` table (one row, id 1)."""

    __tablename__ = "nlu_review_cursor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NluModel(Base):
    """A trained Rasa model of the registry (bot.training.registry): its file under models/,
    what it was trained from (the hash `make train` computes), its training run's
    progress, its scores on the held-out sets, and whether it is served."""

    __tablename__ = "nlu_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # File name under models/ (timestamped), e.g. layanan-aduan-20261130-141500.tar.gz.
    file_name: Mapped[str] = mapped_column(String(200), unique=True)
    file_sha256: Mapped[str | None] = mapped_column(String(64))  # once trained
    data_hash: Mapped[str] = mapped_column(String(64))
    # training, failed, ready, active (served), retired (served before)
    status: Mapped[str] = mapped_column(String(20), index=True)
    trained_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    training_seconds: Mapped[float | None] = mapped_column(Float)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    phase: Mapped[str] = mapped_column(String(200), default="")
    log_tail: Mapped[str] = mapped_column(Text, default="")
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # {set name: {set_sha256, accuracy, macro_f1, entity_f1, per_intent, predictions}}
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    activated_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    override_reason: Mapped[str | None] = mapped_column(Text)


class NluModelActivation(Base):
    """Append-only: every time a model started being served (activate, override, rollback,
    adopted), who did it and why; the previous row's model is what a rollback restores."""

    __tablename__ = "nlu_model_activations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("nlu_models.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # activate, override, rollback, adopt
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- live chat with an officer (bot.handoff) -----------------------------------------------


class LiveChat(Base):
    """A citizen's request to talk to a person, and the chat an officer holds with them.

    `state` (bot.handoff.chats owns every change): waiting (in the unit's live queue; the
    bot is silent) -> taken (an officer chats) -> ended; callback (the citizen asked to be
    contacted later; the bot keeps answering) -> taken or ended. `end_reason` says why it
    ended: handed_back, ended_by_officer, ended_by_citizen, timed_out, outside_hours,
    converted_to_ticket. `office_id` NULL: the general complaint unit (any officer).
    """

    __tablename__ = "live_chats"
    __table_args__ = (
        Index("ix_live_chats_state_requested", "state", "requested_at"),
        Index("ix_live_chats_sender_state", "sender_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64))
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    office_id: Mapped[str | None] = mapped_column(ForeignKey("offices.id"))
    service_id: Mapped[str | None] = mapped_column(ForeignKey("services.id"))
    kind: Mapped[str] = mapped_column(String(10), default="live")  # live | callback
    state: Mapped[str] = mapped_column(String(12))
    end_reason: Mapped[str | None] = mapped_column(String(24))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The officer's last "typing" ping, and when the front end last showed it on Telegram.
    typing_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    typing_shown_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LiveChatMessage(Base):
    """One message of a live chat: the citizen's (warga), the officer's (petugas, delivered
    through the outbox row `outbox_id`), or the conversation with the assistant before the
    handoff (history: warga / asisten, outside any complaint form)."""

    __tablename__ = "live_chat_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    live_chat_id: Mapped[int] = mapped_column(
        ForeignKey("live_chats.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    who: Mapped[str] = mapped_column(String(10))  # warga | petugas | asisten
    text: Mapped[str] = mapped_column(Text)
    history: Mapped[bool] = mapped_column(Boolean, default=False)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))
