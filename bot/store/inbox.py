"""The inbox: every Telegram update, stored before it is acknowledged, until it is handled.

Inbox rows are addressed by their own id (`inbox_id`): an update id identifies an update
only within the deduplication window. Storing an update also tells whether its sender has
consented to the privacy notice, has a message waiting for Rasa and has a live chat with an
officer going on (read in the same transaction), so that handling a message needs no
further round trip for them (bot.telegram.store says when they are read again).

A pressed inline button arrives as an update too: the buttons the bot sends carry only an
index, and `KeyboardRepository` keeps what each press means (its title and payload for
Rasa), handing it out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.handoff.chats import ACTIVE
from bot.store.models import Citizen, InboxMessage, LiveChat, SentKeyboard, utcnow


@dataclass(frozen=True)
class Stored:
    """A newly stored update: its inbox row, and whether its sender had consented to the
    privacy notice, had a message waiting for Rasa (`has_pending`) and had a live chat with
    an officer going on (waiting or taken) when it was stored."""

    inbox_id: int
    consented: bool
    pending: bool = False
    live_chat: bool = False


@dataclass(frozen=True)
class InboxItem:
    """A stored incoming message waiting to be forwarded to Rasa."""

    id: int
    update_id: int
    sender_id: str
    chat_id: int
    payload: str
    attempts: int
    due_at: datetime | None = None  # when it was due as read (claim_pending compares it)


@dataclass(frozen=True)
class UnfinishedUpdate:
    """A stored update whose handling was abandoned (its process died or its handler
    failed), handed out again to be handled from the stored raw JSON."""

    id: int
    update_id: int
    raw: dict[str, Any]
    attempt: int


# Telegram guarantees unique update ids only while it keeps updates (24 hours) and starts
# them at a random number after a week without updates; a restarted local Bot API server
# starts them anew. Deduplication therefore holds for this long (INBOX_DEDUP_HOURS).
DEFAULT_DEDUP_WINDOW = timedelta(hours=48)
# An update stored but not finished within this time was abandoned (its process died, or
# its handler failed) and may be handled again, at most MAX_RECOVERIES times. A live
# handler holds an update for one Rasa call (RASA_TIMEOUT_S, 15 s; a message Rasa does not
# answer in time becomes "pending", which the retry worker owns) plus its sends; a citizen
# whose front end died mid-turn waits this long for the answer (10 minutes before).
# INBOX_CLAIM_LEASE_S sets it.
CLAIM_LEASE = timedelta(seconds=60)
MAX_RECOVERIES = 3
# A waiting message taken by a front end to forward to Rasa (claim_pending) is due again
# after this unless the outcome is recorded first: longer than one forward (Rasa is given
# RASA_TIMEOUT_S, 15 s, then the replies are queued); a front end that dies meanwhile
# leaves it to the others after this.
PENDING_CLAIM = timedelta(seconds=120)

# The statements run for every message, built once: a statement built per call costs its
# construction and its cache key each time, and the ORM's unit of work a flush, which
# together were most of the front end's SQL time per message (issue 12). They run on a
# plain connection; the rest of the module uses sessions.
_CLOSE_OLD_WINDOW = (
    update(InboxMessage)
    .where(
        InboxMessage.bot_id == bindparam("b_bot_id"),
        InboxMessage.update_id == bindparam("b_update_id"),
        InboxMessage.dedup_active.is_(True),
        InboxMessage.created_at < bindparam("b_window_start"),
    )
    .values(dedup_active=None)
)
_INSERT = insert(InboxMessage)
_CONSENT = select(Citizen.consent_at).where(Citizen.sender_id == bindparam("b_sender_id"))
_HAS_PENDING = (
    select(InboxMessage.id)
    .where(
        InboxMessage.bot_id == bindparam("b_bot_id"),
        InboxMessage.sender_id == bindparam("b_sender_id"),
        InboxMessage.status == "pending",
    )
    .limit(1)
)
# A live chat with an officer going on (bot.handoff.chats' ACTIVE states).
LIVE_CHAT_GOING_ON = (
    select(LiveChat.id)
    .where(LiveChat.sender_id == bindparam("b_sender_id"), LiveChat.state.in_(ACTIVE))
    .limit(1)
)
_MARK_DONE = (
    update(InboxMessage)
    .where(InboxMessage.id == bindparam("b_id"))
    .values(status="done", done_at=bindparam("b_done_at"))
)
_MARK_DONE_AS = _MARK_DONE.values(kind=bindparam("b_kind"))
_FORGET_KEYBOARD = delete(SentKeyboard).where(
    SentKeyboard.chat_id == bindparam("b_chat_id"),
    SentKeyboard.message_id == bindparam("b_message_id"),
)
_INSERT_KEYBOARD = insert(SentKeyboard)
_USE_KEYBOARD = (
    update(SentKeyboard)
    .where(
        SentKeyboard.chat_id == bindparam("b_chat_id"),
        SentKeyboard.message_id == bindparam("b_message_id"),
        SentKeyboard.used_at.is_(None),
    )
    .values(used_at=bindparam("b_now"))
)
_KEYBOARD = select(SentKeyboard.titles, SentKeyboard.payloads).where(
    SentKeyboard.chat_id == bindparam("b_chat_id"),
    SentKeyboard.message_id == bindparam("b_message_id"),
)


class InboxRepository:
    """The inbox of one bot (Telegram counts update ids per bot)."""

    def __init__(
        self,
        engine: Engine,
        bot_id: int = 0,
        dedup_window: timedelta = DEFAULT_DEDUP_WINDOW,
        claim_lease: timedelta = CLAIM_LEASE,
    ):
        self.engine = engine
        self.bot_id = bot_id
        self.dedup_window = dedup_window
        self.claim_lease = claim_lease
        self.max_recoveries = MAX_RECOVERIES

    def store_update(
        self,
        update_id: int,
        raw: dict[str, Any],
        kind: str,
        sender_id: str | None,
        chat_id: int | None,
    ) -> Stored | None:
        """Store an incoming update: its inbox id and what it tells of its sender (`Stored`),
        or None for a duplicate (the same update id was stored less than the deduplication
        window ago).

        Concurrent arrivals of one update (webhook redelivery, two replicas) cannot both
        be stored: at most one row per (bot, update id) has an open window, enforced by
        the unique constraint `uq_inbox_bot_update_open`.
        """
        try:
            with self.engine.begin() as c:
                inbox_id = self._insert(c, update_id, raw, kind, sender_id, chat_id)
                if sender_id is None:
                    return Stored(inbox_id, False)
                consent = c.execute(_CONSENT, {"b_sender_id": sender_id}).scalar()
                pending = c.execute(
                    _HAS_PENDING, {"b_bot_id": self.bot_id, "b_sender_id": sender_id}
                ).first()
                live = c.execute(LIVE_CHAT_GOING_ON, {"b_sender_id": sender_id}).first()
                return Stored(inbox_id, consent is not None, pending is not None, live is not None)
        except IntegrityError:
            return None

    def _insert(
        self,
        c: Connection | Session,
        update_id: int,
        raw: dict[str, Any],
        kind: str,
        sender_id: str | None,
        chat_id: int | None,
    ) -> int:
        """Insert inside the caller's transaction; IntegrityError for a duplicate."""
        if isinstance(c, Session):
            c = c.connection()
        now = utcnow()
        # An earlier use of this id older than the window was another update: close its
        # window (on PostgreSQL this locks that row, so racing arrivals queue up here and
        # the losers then meet the new row in the unique constraint).
        c.execute(
            _CLOSE_OLD_WINDOW,
            {
                "b_bot_id": self.bot_id,
                "b_update_id": update_id,
                "b_window_start": now - self.dedup_window,
            },
        )
        inserted = c.execute(
            _INSERT,
            {
                "bot_id": self.bot_id,
                "update_id": update_id,
                "dedup_active": True,
                "raw": raw,
                "kind": kind,
                "sender_id": sender_id,
                "chat_id": chat_id,
                "status": "received",
                "next_attempt_at": now + self.claim_lease,
                "created_at": now,
            },
        )
        return int(inserted.inserted_primary_key[0])  # type: ignore[index]

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

    def has_pending(self, sender_id: str) -> bool:
        """True when an earlier message of this sender still waits for Rasa."""
        with self.engine.connect() as c:
            found = c.execute(_HAS_PENDING, {"b_bot_id": self.bot_id, "b_sender_id": sender_id})
            return found.first() is not None

    def mark_done(self, inbox_id: int | None, kind: str | None = None) -> None:
        """The update was fully handled (None: its row is gone, nothing to do)."""
        if inbox_id is None:
            return
        with self.engine.begin() as c:
            params: dict[str, Any] = {"b_id": inbox_id, "b_done_at": utcnow()}
            if kind:
                params["b_kind"] = kind
            c.execute(_MARK_DONE_AS if kind else _MARK_DONE, params)

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

    def _held_of(self, sender_id: str) -> tuple[ColumnElement[bool], ...]:
        """The conditions of a citizen's messages held for consent."""
        return (
            InboxMessage.bot_id == self.bot_id,
            InboxMessage.sender_id == sender_id,
            InboxMessage.status == "held",
        )

    def release_held(self, sender_id: str) -> list[InboxItem]:
        """The held messages of a citizen, oldest first, set to received (to be handled now)."""
        with Session(self.engine) as s, s.begin():
            rows = s.scalars(
                select(InboxMessage).where(*self._held_of(sender_id)).order_by(InboxMessage.id)
            ).all()
            for row in rows:
                row.status = "received"
                # Handled right now by the caller: not abandoned before the lease ends.
                row.next_attempt_at = utcnow() + self.claim_lease
            return [
                InboxItem(r.id, r.update_id, sender_id, r.chat_id or 0, r.payload or "", r.attempts)
                for r in rows
            ]

    def decline_held(self, sender_id: str) -> int:
        """The citizen refused the privacy notice: the messages held for it are declined and
        lose their text and raw update now (the row stays for deduplication); how many."""
        with Session(self.engine) as s, s.begin():
            result = s.execute(
                update(InboxMessage)
                .where(*self._held_of(sender_id))
                .values(status="declined", payload=None, raw=None)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

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
                    r.next_attempt_at,
                )
                for r in heads.values()
                if r.next_attempt_at is None or _aware(r.next_attempt_at) <= now
            ]

    def claim_pending(
        self, inbox_id: int, due_at: datetime | None, claim: timedelta = PENDING_CLAIM
    ) -> bool:
        """Take a waiting message (read with `due_at`) to forward it: True for one caller
        only, however many front ends read it at once (the due time is compared and moved
        `claim` ahead in one statement). Recording the outcome (done, or pending again with
        its retry delay) ends the claim."""
        due = (
            InboxMessage.next_attempt_at.is_(None)
            if due_at is None
            else InboxMessage.next_attempt_at == due_at
        )
        with Session(self.engine) as s, s.begin():
            result = s.execute(
                update(InboxMessage)
                .where(InboxMessage.id == inbox_id, InboxMessage.status == "pending", due)
                .values(next_attempt_at=utcnow() + claim)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

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


class KeyboardRepository:
    """Payloads of sent keyboards."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def remember(
        self, chat_id: int, message_id: int, titles: list[str], payloads: list[str]
    ) -> None:
        """Keep the payloads of a sent keyboard; its buttons carry only indexes.

        A message id met again in the same chat replaces the old row: Telegram never
        reuses one, but a restarted local Bot API server counts them from 1 again.
        """
        with self.engine.begin() as c:
            c.execute(_FORGET_KEYBOARD, {"b_chat_id": chat_id, "b_message_id": message_id})
            c.execute(
                _INSERT_KEYBOARD,
                {
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "titles": titles,
                    "payloads": payloads,
                },
            )

    def use_button(
        self, chat_id: int, message_id: int, index: int, again: bool = False
    ) -> tuple[str, str] | None:
        """(title, payload) of the pressed button, once; None if used before or unknown.

        `again`: the same press handled a second time (its first handling died after it
        used the keyboard): its choice is given once more."""
        keyboard = {"b_chat_id": chat_id, "b_message_id": message_id}
        with self.engine.begin() as c:
            if not again:
                result = c.execute(_USE_KEYBOARD, {**keyboard, "b_now": utcnow()})
                if result.rowcount != 1:
                    return None
            row = c.execute(_KEYBOARD, keyboard).first()
            if row is None or not 0 <= index < len(row.payloads):
                return None
            return row.titles[index], row.payloads[index]


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
