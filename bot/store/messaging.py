"""Store side of the Telegram channel: inbox, outbox, sent keyboards, draft attachments,
and the citizen's consent and data deletion."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import (
    Citizen,
    DraftAttachment,
    InboxMessage,
    OutboxMessage,
    Rating,
    SentKeyboard,
    Ticket,
    TicketEvent,
    TicketMessage,
    utcnow,
)


@dataclass(frozen=True)
class InboxItem:
    """A stored incoming message waiting to be forwarded to Rasa."""

    id: int
    update_id: int
    sender_id: str
    chat_id: int
    payload: str
    attempts: int


@dataclass(frozen=True)
class UnfinishedUpdate:
    """A stored update whose handling was abandoned (its process died or its handler
    failed), handed out again to be handled from the stored raw JSON."""

    id: int
    update_id: int
    raw: dict[str, Any]
    attempt: int


@dataclass(frozen=True)
class PurgeReport:
    """What one retention run removed."""

    inbox_blanked: int  # raw updates (and handled texts) blanked
    inbox_deleted: int
    outbox_blanked: int


@dataclass(frozen=True)
class OutboxItem:
    """A message due for delivery."""

    id: int
    chat_id: int
    text: str
    attempts: int


# Telegram guarantees unique update ids only while it keeps updates (24 hours) and starts
# them at a random number after a week without updates; a restarted local Bot API server
# starts them anew. Deduplication therefore holds for this long (INBOX_DEDUP_HOURS).
DEFAULT_DEDUP_WINDOW = timedelta(hours=48)
# An update stored but not finished within this time was abandoned (its process died, or
# its handler failed) and may be handled again, at most MAX_RECOVERIES times.
CLAIM_LEASE = timedelta(minutes=10)
MAX_RECOVERIES = 3
# Inbox rows that still need their text: waiting for Rasa, for consent, or to be handled.
OPEN_INBOX = ("pending", "held", "received")
FINISHED_OUTBOX = ("sent", "failed", "blocked")
BLANKED = "[dihapus]"


class MessagingRepository:
    """Data access of the Telegram front end.

    Inbox rows are addressed by their own id (`inbox_id`): an update id identifies an
    update only within the deduplication window.
    """

    def __init__(
        self, engine: Engine, bot_id: int = 0, dedup_window: timedelta = DEFAULT_DEDUP_WINDOW
    ):
        self.engine = engine
        self.bot_id = bot_id  # Telegram update ids are counted per bot
        self.dedup_window = dedup_window
        self.claim_lease = CLAIM_LEASE
        self.max_recoveries = MAX_RECOVERIES

    # -- inbox ------------------------------------------------------------------------------

    def store_update(
        self,
        update_id: int,
        raw: dict[str, Any],
        kind: str,
        sender_id: str | None,
        chat_id: int | None,
    ) -> int | None:
        """Store an incoming update: its inbox id, or None for a duplicate (the same update
        id was stored less than the deduplication window ago).

        Concurrent arrivals of one update (webhook redelivery, two replicas) cannot both
        be stored: at most one row per (bot, update id) has an open window, enforced by
        the unique constraint `uq_inbox_bot_update_open`.
        """
        try:
            with Session(self.engine) as s, s.begin():
                return self._insert(s, update_id, raw, kind, sender_id, chat_id)
        except IntegrityError:
            return None

    def _insert(
        self,
        s: Session,
        update_id: int,
        raw: dict[str, Any],
        kind: str,
        sender_id: str | None,
        chat_id: int | None,
    ) -> int:
        """Insert inside the caller's transaction; IntegrityError for a duplicate."""
        now = utcnow()
        # An earlier use of this id older than the window was another update: close its
        # window (on PostgreSQL this locks that row, so racing arrivals queue up here and
        # the losers then meet the new row in the unique constraint).
        s.execute(
            update(InboxMessage)
            .where(
                InboxMessage.bot_id == self.bot_id,
                InboxMessage.update_id == update_id,
                InboxMessage.dedup_active.is_(True),
                InboxMessage.created_at < now - self.dedup_window,
            )
            .values(dedup_active=None)
        )
        row = InboxMessage(
            bot_id=self.bot_id,
            update_id=update_id,
            dedup_active=True,
            raw=raw,
            kind=kind,
            sender_id=sender_id,
            chat_id=chat_id,
            status="received",
            next_attempt_at=now + self.claim_lease,
            created_at=now,
        )
        s.add(row)
        s.flush()
        return row.id

    def inbox_id(self, update_id: int) -> int | None:
        """The inbox row of an update id within its window (the update being handled)."""
        with Session(self.engine) as s:
            return s.scalar(
                select(InboxMessage.id).where(
                    InboxMessage.bot_id == self.bot_id,
                    InboxMessage.update_id == update_id,
                    InboxMessage.dedup_active.is_(True),
                )
            )

    def last_update_id(self) -> int | None:
        """The highest update_id stored within the window (to resume polling)."""
        with Session(self.engine) as s:
            return s.scalar(
                select(InboxMessage.update_id)
                .where(InboxMessage.bot_id == self.bot_id, InboxMessage.dedup_active.is_(True))
                .order_by(InboxMessage.update_id.desc())
                .limit(1)
            )

    def has_pending(self, sender_id: str) -> bool:
        """True when an earlier message of this sender still waits for Rasa."""
        with Session(self.engine) as s:
            return (
                s.scalar(
                    select(InboxMessage.id)
                    .where(
                        InboxMessage.bot_id == self.bot_id,
                        InboxMessage.sender_id == sender_id,
                        InboxMessage.status == "pending",
                    )
                    .limit(1)
                )
                is not None
            )

    def mark_done(self, inbox_id: int | None, kind: str | None = None) -> None:
        """The update was fully handled (None: its row is gone, nothing to do)."""
        if inbox_id is None:
            return
        values: dict[str, Any] = {"status": "done", "done_at": utcnow()}
        if kind:
            values["kind"] = kind
        with Session(self.engine) as s, s.begin():
            s.execute(update(InboxMessage).where(InboxMessage.id == inbox_id).values(**values))

    def mark_pending(self, inbox_id: int | None, payload: str, error: str, delay_s: float) -> int:
        """Rasa did not answer: keep the message for the retry worker. Returns attempts."""
        if inbox_id is None:
            return 0
        with Session(self.engine) as s, s.begin():
            row = s.get(InboxMessage, inbox_id)
            if row is None:  # deleted meanwhile (the citizen's data was deleted)
                return 0
            row.status = "pending"
            row.payload = payload
            row.attempts += 1
            row.last_error = error[:500]
            row.next_attempt_at = utcnow() + timedelta(seconds=delay_s)
            return row.attempts

    def hold(self, inbox_id: int | None, payload: str) -> None:
        """Keep a message until the citizen consents to the privacy notice."""
        if inbox_id is None:
            return
        with Session(self.engine) as s, s.begin():
            s.execute(
                update(InboxMessage)
                .where(InboxMessage.id == inbox_id)
                .values(status="held", payload=payload)
            )

    def release_held(self, sender_id: str, status: str = "received") -> list[InboxItem]:
        """The held messages of a citizen, oldest first, set to `status`."""
        with Session(self.engine) as s, s.begin():
            rows = s.scalars(
                select(InboxMessage)
                .where(
                    InboxMessage.bot_id == self.bot_id,
                    InboxMessage.sender_id == sender_id,
                    InboxMessage.status == "held",
                )
                .order_by(InboxMessage.id)
            ).all()
            for row in rows:
                row.status = status
                # Handled right now by the caller: not abandoned before the lease ends.
                row.next_attempt_at = utcnow() + self.claim_lease
            return [
                InboxItem(r.id, r.update_id, sender_id, r.chat_id or 0, r.payload or "", r.attempts)
                for r in rows
            ]

    def update_status(self, update_id: int) -> str | None:
        """The inbox status of an update id within its window, or None if not stored."""
        with Session(self.engine) as s:
            return s.scalar(
                select(InboxMessage.status).where(
                    InboxMessage.bot_id == self.bot_id,
                    InboxMessage.update_id == update_id,
                    InboxMessage.dedup_active.is_(True),
                )
            )

    def pending_heads(self, now: datetime | None = None) -> list[InboxItem]:
        """For each sender, the oldest pending message, if it is due (in-order retries)."""
        now = now or utcnow()
        with Session(self.engine) as s:
            rows = s.scalars(
                select(InboxMessage)
                .where(InboxMessage.bot_id == self.bot_id, InboxMessage.status == "pending")
                .order_by(InboxMessage.sender_id, InboxMessage.id)
            ).all()
            heads: dict[str, InboxMessage] = {}
            for row in rows:
                if row.sender_id is not None and row.sender_id not in heads:
                    heads[row.sender_id] = row
            return [
                InboxItem(
                    r.id,
                    r.update_id,
                    r.sender_id or "",
                    r.chat_id or 0,
                    r.payload or "",
                    r.attempts,
                )
                for r in heads.values()
                if r.next_attempt_at is None or _aware(r.next_attempt_at) <= now
            ]

    def claim_unfinished(
        self, now: datetime | None = None, limit: int = 20
    ) -> list[UnfinishedUpdate]:
        """Updates stored but not finished within the lease, claimed for handling again.

        Each is handed to one caller only (a conditional update claims it for another
        lease); after MAX_RECOVERIES claims, or once its raw JSON is gone, it is marked
        failed instead. Only updates within the deduplication window are revived.
        """
        now = now or utcnow()
        claimed: list[UnfinishedUpdate] = []
        with Session(self.engine) as s, s.begin():
            rows = s.execute(
                select(InboxMessage.id, InboxMessage.attempts)
                .where(
                    InboxMessage.status == "received",
                    InboxMessage.next_attempt_at <= now,
                    InboxMessage.bot_id == self.bot_id,
                )
                .order_by(InboxMessage.id)
                .limit(limit)
            ).all()
            for inbox_id, attempts in rows:
                due = (
                    InboxMessage.id == inbox_id,
                    InboxMessage.status == "received",
                    InboxMessage.next_attempt_at <= now,
                )
                give_up = update(InboxMessage).where(*due)
                if attempts >= self.max_recoveries:
                    s.execute(
                        give_up.values(
                            status="failed",
                            last_error=f"not finished after {attempts} recoveries",
                        )
                    )
                    continue
                result = s.execute(
                    update(InboxMessage)
                    .where(
                        *due,
                        InboxMessage.raw.is_not(None),
                        InboxMessage.created_at > now - self.dedup_window,
                    )
                    .values(attempts=attempts + 1, next_attempt_at=now + self.claim_lease)
                )
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    s.execute(give_up.values(status="failed", last_error="too old to recover"))
                    continue
                row = s.execute(
                    select(InboxMessage.update_id, InboxMessage.raw).where(
                        InboxMessage.id == inbox_id
                    )
                ).one()
                claimed.append(UnfinishedUpdate(inbox_id, row.update_id, row.raw, attempts + 1))
        return claimed

    # -- retention --------------------------------------------------------------------------

    def purge(
        self,
        raw_after: timedelta,
        delete_after: timedelta,
        outbox_after: timedelta | None = None,
        now: datetime | None = None,
    ) -> PurgeReport:
        """Apply the retention periods (README, "Retention"), for every bot.

        Inbox: after `raw_after` the raw update is blanked, and so is the text of handled
        messages; after `delete_after` the row is deleted, except a message still waiting
        for Rasa. Outbox: after `outbox_after`, finished unit-group notices and messages
        without a ticket lose their text (a message to a citizen about a ticket is part of
        the ticket's record, kept with it; the delivery state stays for its history).
        """
        now = now or utcnow()
        with Session(self.engine) as s, s.begin():
            old_raw = InboxMessage.created_at < now - raw_after
            blanked = s.execute(
                update(InboxMessage)
                .where(old_raw, InboxMessage.raw.is_not(None))
                .values(raw=null())
            ).rowcount  # type: ignore[attr-defined]
            s.execute(
                update(InboxMessage)
                .where(
                    old_raw,
                    InboxMessage.payload.is_not(None),
                    InboxMessage.status.not_in(OPEN_INBOX),
                )
                .values(payload=None)
            )
            deleted = s.execute(
                delete(InboxMessage).where(
                    InboxMessage.created_at < now - delete_after,
                    InboxMessage.status != "pending",
                )
            ).rowcount  # type: ignore[attr-defined]
            outbox_blanked = 0
            if outbox_after is not None:
                outbox_blanked = s.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.created_at < now - outbox_after,
                        OutboxMessage.status.in_(FINISHED_OUTBOX),
                        or_(
                            OutboxMessage.kind == "unit_notice",
                            OutboxMessage.ticket_id.is_(None),
                        ),
                        OutboxMessage.text != BLANKED,
                    )
                    .values(text=BLANKED)
                ).rowcount  # type: ignore[attr-defined]
        return PurgeReport(int(blanked or 0), int(deleted or 0), int(outbox_blanked or 0))

    # -- outbox -----------------------------------------------------------------------------

    def enqueue(self, chat_id: int, text: str, kind: str, ticket_id: int | None = None) -> int:
        """Queue a message for delivery by the front end."""
        with Session(self.engine) as s, s.begin():
            row = OutboxMessage(chat_id=chat_id, text=text, kind=kind, ticket_id=ticket_id)
            s.add(row)
            s.flush()
            return row.id

    def claim_due(self, limit: int = 20) -> list[OutboxItem]:
        """Pending messages whose time has come, oldest first, marked as being sent."""
        now = utcnow()
        with Session(self.engine) as s, s.begin():
            rows = s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                row.status = "sending"
            return [OutboxItem(r.id, r.chat_id, r.text, r.attempts) for r in rows]

    def outbox_release(self, outbox_ids: list[int], delay_s: float) -> None:
        """Give claimed messages back, untried, due after `delay_s`."""
        if not outbox_ids:
            return
        with Session(self.engine) as s, s.begin():
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(outbox_ids), OutboxMessage.status == "sending")
                .values(status="pending", next_attempt_at=utcnow() + timedelta(seconds=delay_s))
            )

    def requeue_interrupted(self) -> int:
        """At start: messages left "sending" by a crash go back to pending (nothing lost)."""
        with Session(self.engine) as s, s.begin():
            result = s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == "sending")
                .values(status="pending", next_attempt_at=utcnow())
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def outbox_sent(self, outbox_id: int, message_id: int) -> None:
        """Delivered: never sent again."""
        with Session(self.engine) as s, s.begin():
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id)
                .values(status="sent", sent_at=utcnow(), telegram_message_id=message_id)
            )

    def outbox_retry(self, outbox_id: int, delay_s: float, error: str, give_up: bool) -> None:
        """Not delivered now: try again after `delay_s`, or give up."""
        with Session(self.engine) as s, s.begin():
            row = s.get(OutboxMessage, outbox_id)
            assert row is not None
            row.attempts += 1
            row.last_error = error[:500]
            row.status = "failed" if give_up else "pending"
            row.next_attempt_at = utcnow() + timedelta(seconds=delay_s)

    def outbox_blocked(self, outbox_id: int, chat_id: int, error: str) -> None:
        """The citizen blocked the bot: mark them, stop retrying their messages."""
        with Session(self.engine) as s, s.begin():
            s.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.chat_id == chat_id,
                    OutboxMessage.status.in_(["pending", "sending"]),
                )
                .values(status="blocked", last_error=error[:500])
            )
            s.execute(
                update(Citizen).where(Citizen.telegram_user_id == chat_id).values(blocked_bot=True)
            )

    def outbox_status(self, outbox_id: int) -> str | None:
        """Delivery state of one outbox message (for the console)."""
        with Session(self.engine) as s:
            return s.scalar(select(OutboxMessage.status).where(OutboxMessage.id == outbox_id))

    # -- keyboards --------------------------------------------------------------------------

    def remember_keyboard(
        self, chat_id: int, message_id: int, titles: list[str], payloads: list[str]
    ) -> None:
        """Keep the payloads of a sent keyboard; its buttons carry only indexes."""
        with Session(self.engine) as s, s.begin():
            s.add(
                SentKeyboard(
                    chat_id=chat_id, message_id=message_id, titles=titles, payloads=payloads
                )
            )

    def use_button(self, chat_id: int, message_id: int, index: int) -> tuple[str, str] | None:
        """(title, payload) of the pressed button, once; None if used before or unknown."""
        with Session(self.engine) as s, s.begin():
            result = s.execute(
                update(SentKeyboard)
                .where(
                    SentKeyboard.chat_id == chat_id,
                    SentKeyboard.message_id == message_id,
                    SentKeyboard.used_at.is_(None),
                )
                .values(used_at=utcnow())
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row = s.scalar(
                select(SentKeyboard).where(
                    SentKeyboard.chat_id == chat_id, SentKeyboard.message_id == message_id
                )
            )
            if row is None or not 0 <= index < len(row.payloads):
                return None
            return row.titles[index], row.payloads[index]

    # -- draft attachments ------------------------------------------------------------------

    def add_draft_attachment(self, sender_id: str, **fields: Any) -> int:
        """Keep an attachment until the complaint it belongs to is filed."""
        with Session(self.engine) as s, s.begin():
            row = DraftAttachment(sender_id=sender_id, **fields)
            s.add(row)
            s.flush()
            return row.id

    def draft_attachments(self, sender_id: str) -> list[DraftAttachment]:
        """The attachments waiting for this sender's complaint."""
        with Session(self.engine) as s:
            rows = s.scalars(
                select(DraftAttachment)
                .where(DraftAttachment.sender_id == sender_id)
                .order_by(DraftAttachment.id)
            ).all()
            s.expunge_all()
            return list(rows)

    # -- citizens ---------------------------------------------------------------------------

    def citizen_consented(self, sender_id: str) -> bool:
        """True once the citizen agreed to the privacy notice."""
        with Session(self.engine) as s:
            consent = s.scalar(select(Citizen.consent_at).where(Citizen.sender_id == sender_id))
            return consent is not None

    def record_consent(self, sender_id: str, telegram_user_id: int, name: str | None) -> None:
        """Create or update the citizen with their consent time."""
        with Session(self.engine) as s, s.begin():
            citizen = s.scalar(select(Citizen).where(Citizen.sender_id == sender_id))
            if citizen is None:
                citizen = Citizen(sender_id=sender_id, telegram_user_id=telegram_user_id)
                s.add(citizen)
            citizen.display_name = name
            citizen.consent_at = utcnow()
            citizen.blocked_bot = False

    def forget_citizen(self, sender_id: str) -> int:
        """UU PDP deletion: remove the person, keep their tickets' content for officers.

        The citizen row is anonymised (no Telegram id, name or consent), the tickets are
        detached from it, and the stored chat messages and pending attachments are deleted.
        Returns the number of tickets kept without the person.
        """
        with Session(self.engine) as s, s.begin():
            citizen = s.scalar(select(Citizen).where(Citizen.sender_id == sender_id))
            kept = 0
            if citizen is not None:
                kept = len(
                    s.scalars(select(Ticket.id).where(Ticket.citizen_id == citizen.id)).all()
                )
                # The transcripts of their complaints are their chat messages: deleted too.
                s.execute(
                    delete(TicketMessage).where(
                        TicketMessage.ticket_id.in_(
                            select(Ticket.id).where(Ticket.citizen_id == citizen.id)
                        )
                    )
                )
                s.execute(
                    update(Ticket).where(Ticket.citizen_id == citizen.id).values(citizen_id=None)
                )
                s.execute(
                    update(Rating).where(Rating.citizen_id == citizen.id).values(citizen_id=None)
                )
                s.execute(
                    update(TicketEvent)
                    .where(
                        TicketEvent.actor_type == "citizen", TicketEvent.actor_id == str(citizen.id)
                    )
                    .values(actor_id=None)
                )
                chat_id = citizen.telegram_user_id
                citizen.sender_id = f"deleted-{uuid.uuid4().hex}"
                citizen.telegram_user_id = None
                citizen.display_name = None
                citizen.consent_at = None
                if chat_id is not None:
                    s.execute(
                        delete(OutboxMessage).where(
                            OutboxMessage.chat_id == chat_id, OutboxMessage.status != "sent"
                        )
                    )
                    s.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.chat_id == chat_id)
                        .values(text="[dihapus]")
                    )
                    s.execute(delete(SentKeyboard).where(SentKeyboard.chat_id == chat_id))
            s.execute(delete(InboxMessage).where(InboxMessage.sender_id == sender_id))
            s.execute(delete(DraftAttachment).where(DraftAttachment.sender_id == sender_id))
            return kept


def queue_for_reporter(
    s: Session, ticket: Ticket, text: str, kind: str, now: datetime | None = None
) -> int | None:
    """Queue a message to the ticket's reporter inside the caller's transaction.

    Returns the outbox id, or None when the reporter cannot be reached (they deleted their
    data, or the ticket came from a channel without a Telegram chat).
    """
    if ticket.citizen_id is None:
        return None
    chat_id = s.scalar(select(Citizen.telegram_user_id).where(Citizen.id == ticket.citizen_id))
    if chat_id is None:
        return None
    now = now or utcnow()
    row = OutboxMessage(
        chat_id=chat_id,
        text=text,
        kind=kind,
        ticket_id=ticket.id,
        status="pending",
        next_attempt_at=now,
        created_at=now,
    )
    s.add(row)
    s.flush()
    return row.id


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes: they are UTC."""
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
