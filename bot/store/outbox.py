"""The outbox: messages to citizens and unit groups, written by whoever causes them (the
console, an action) and delivered by the Telegram front end exactly once.

The assistant's replies in a conversation pass through it too (kind "conversation"): they
are written in the transaction that closes the citizen's message in the inbox, sent at
once by the front end that wrote them, and deleted when delivered. A send that fails
(Telegram's 429, a 5xx, a timeout) or a front end that dies before sending leaves them
here for the outbox worker, so that a reply is delayed, never lost. They keep a chat's
order: while a chat has anything undelivered, new replies wait behind it.

Several front ends may share the outbox (webhook mode behind a proxy, issue 13). A front
end claims messages under its replica name (`claimed_by`) with a lease: while a message is
"sending", its `next_attempt_at` is the end of the lease, renewed by the sender as it goes
(`renew`). Claims are taken one front end at a time on PostgreSQL (a transaction-level
advisory lock; rows are also locked FOR UPDATE SKIP LOCKED), and never take a message
while an earlier one of its chat is still on its way or waiting to be retried, so a chat's
messages keep their order across front ends. A front end that dies leaves its claims to
the others once their lease ends (they are simply due again), and to itself at once when
it starts again under the same name (`requeue_interrupted`). A message whose send was
under way when its front end was killed may have reached Telegram before that was
recorded: it is sent again (at least once: Telegram has no idempotency key). SQLite
serves one front end only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from bot.store.db import lost_connection
from bot.store.models import Citizen, InboxMessage, OutboxMessage, Ticket, utcnow
from bot.texts import text as message_text

log = logging.getLogger(__name__)
# The assistant's replies in a conversation: deleted once delivered (they are not part of
# a ticket's record, and the conversation itself is kept by Rasa's tracker store).
CONVERSATION_KIND = "conversation"
UNFINISHED = ("pending", "sending")
# How long a front end's claim on a message lasts unless renewed (OUTBOX_LEASE_S): longer
# than one send takes (python-telegram-bot's timeouts, about 16 s, and a rate limiter's
# wait of a few seconds), since the sender renews its claims every third of it.
DEFAULT_LEASE = timedelta(seconds=60)
# Tries at recording a delivery whose connection was lost (bot.store.db.lost_connection).
SENT_ATTEMPTS = 3
# pg_advisory_xact_lock key of outbox claims (any constant no other code uses).
CLAIM_LOCK_KEY = 0x0B0C_1A13

# The statements of every conversation turn, built once (bot.store.inbox says why).
_CLOSE_INBOX = (
    update(InboxMessage)
    .where(InboxMessage.id == bindparam("b_inbox_id"))
    .values(status="done", done_at=bindparam("b_now"))
)
_CHAT_UNFINISHED = (
    select(OutboxMessage.id)
    .where(
        OutboxMessage.chat_id == bindparam("b_chat_id"),
        OutboxMessage.status.in_(UNFINISHED),
    )
    .limit(1)
)
_INSERT = insert(OutboxMessage)
_DELETE_DELIVERED_REPLY = delete(OutboxMessage).where(
    OutboxMessage.id == bindparam("b_id"), OutboxMessage.kind == CONVERSATION_KIND
)
_RECORD_SENT = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("b_id"))
    .values(
        status="sent",
        sent_at=bindparam("b_sent_at"),
        telegram_message_id=bindparam("b_message_id"),
    )
)


@dataclass(frozen=True)
class OutboxItem:
    """A message due for delivery."""

    id: int
    chat_id: int
    text: str
    attempts: int
    kind: str = ""
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (title, payload)


def buttons_of(kind: str) -> list[tuple[str, str]]:
    """The inline buttons (title, payload) an outbox message of this kind carries, usually
    none. The front end sends them under the message and remembers them like Rasa's
    buttons, so a press goes to Rasa as the payload."""
    if kind == "live_timed_out":  # a live chat nobody took: a complaint or a call-back
        return [
            (message_text("live_complaint_button"), "/file_complaint"),
            (message_text("live_callback_button"), "/request_callback"),
        ]
    return []


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
    return queue_message(s, chat_id, text, kind, ticket.id, now)


def queue_message(
    s: Session,
    chat_id: int,
    text: str,
    kind: str,
    ticket_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Queue a message to a Telegram chat inside the caller's transaction; the outbox id."""
    now = now or utcnow()
    row = OutboxMessage(
        chat_id=chat_id,
        text=text,
        kind=kind,
        ticket_id=ticket_id,
        status="pending",
        next_attempt_at=now,
        created_at=now,
    )
    s.add(row)
    s.flush()
    return row.id


class OutboxRepository:
    """Delivery side of the outbox: claim what is due, record what happened."""

    def __init__(self, engine: Engine, claimant: str = "", lease: timedelta = DEFAULT_LEASE):
        self.engine = engine
        self.claimant = claimant  # this front end's replica name
        self.lease = lease

    def queue_conversation(
        self,
        chat_id: int,
        messages: list[tuple[str, list[tuple[str, str]]]],
        done_inbox_id: int | None = None,
    ) -> list[OutboxItem]:
        """The assistant's replies (text, buttons) to a citizen's message, queued in the
        transaction that marks that message (inbox row `done_inbox_id`) done.

        Returns them claimed ("sending") for the caller to send at once, or [] when the
        chat still has undelivered messages: they then wait (pending) behind those, for
        the outbox worker, which keeps their order.
        """
        now = utcnow()
        with self.engine.begin() as c:
            if done_inbox_id is not None:
                c.execute(_CLOSE_INBOX, {"b_inbox_id": done_inbox_id, "b_now": now})
            behind = c.execute(_CHAT_UNFINISHED, {"b_chat_id": chat_id}).first() is not None
            items = []
            for body, buttons in messages:
                inserted = c.execute(
                    _INSERT,
                    {
                        "chat_id": chat_id,
                        "text": body,
                        "kind": CONVERSATION_KIND,
                        "buttons": [[title, payload] for title, payload in buttons] or None,
                        "status": "pending" if behind else "sending",
                        "claimed_by": None if behind else self.claimant,
                        "next_attempt_at": now if behind else now + self.lease,
                        "created_at": now,
                        "attempts": 0,
                    },
                )
                outbox_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
                items.append(
                    OutboxItem(
                        outbox_id,
                        chat_id,
                        body,
                        0,
                        CONVERSATION_KIND,
                        [(str(t), str(p)) for t, p in buttons] or buttons_of(CONVERSATION_KIND),
                    )
                )
            return [] if behind else items

    def claim_due(self, limit: int = 20) -> list[OutboxItem]:
        """Messages whose time has come, oldest first, claimed for this front end: pending
        ones, and those whose sender's lease ran out (it died). A message waits while an
        earlier one of its chat is on its way or waiting for a retry."""
        now = utcnow()
        with Session(self.engine) as s, s.begin():
            if s.get_bind().dialect.name == "postgresql":
                # One claim at a time: a claim sees the previous one's committed rows, so
                # two front ends never take one chat's consecutive messages apart.
                s.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK_KEY)))
            earlier = aliased(OutboxMessage)
            waits_behind = exists().where(
                earlier.chat_id == OutboxMessage.chat_id,
                earlier.status.in_(UNFINISHED),
                earlier.id < OutboxMessage.id,
                earlier.next_attempt_at > now,
            )
            rows = s.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.status.in_(UNFINISHED),
                    OutboxMessage.next_attempt_at <= now,
                    ~waits_behind,
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
                .with_for_update(of=OutboxMessage, skip_locked=True)
            ).all()
            for row in rows:
                row.status = "sending"
                row.claimed_by = self.claimant
                row.next_attempt_at = now + self.lease
            return [_item(row) for row in rows]

    def renew(self, outbox_ids: list[int]) -> set[int]:
        """Extend this front end's claims; the ids still claimed by it (one whose lease ran
        out may have been taken by another front end: it must not be sent here)."""
        if not outbox_ids:
            return set()
        with Session(self.engine) as s, s.begin():
            kept = s.scalars(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(outbox_ids),
                    OutboxMessage.status == "sending",
                    OutboxMessage.claimed_by == self.claimant,
                )
                .values(next_attempt_at=utcnow() + self.lease)
                .returning(OutboxMessage.id)
            ).all()
            return set(kept)

    def release(self, outbox_ids: list[int], delay_s: float) -> None:
        """Give claimed messages back, untried, due after `delay_s`."""
        if not outbox_ids:
            return
        with Session(self.engine) as s, s.begin():
            s.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(outbox_ids),
                    OutboxMessage.status == "sending",
                    OutboxMessage.claimed_by == self.claimant,
                )
                .values(status="pending", next_attempt_at=utcnow() + timedelta(seconds=delay_s))
            )

    def requeue_interrupted(self) -> int:
        """At start: messages this front end (its replica name) left "sending" when it
        died go back to pending at once (nothing lost). Other front ends' claims are left
        to their leases: they may be sending them right now."""
        with Session(self.engine) as s, s.begin():
            result = s.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == "sending",
                    (OutboxMessage.claimed_by == self.claimant)
                    | OutboxMessage.claimed_by.is_(None),
                )
                .values(status="pending", next_attempt_at=utcnow())
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def sent(self, outbox_id: int, message_id: int) -> None:
        """Delivered: never sent again (a reply in a conversation is deleted).

        Recorded again on a new connection when the one in use was lost: the message is
        out, and a row left "sending" would be sent a second time once its claim ran out.
        Recording twice is harmless."""
        for attempt in range(SENT_ATTEMPTS):
            try:
                self._record_sent(outbox_id, message_id)
                return
            except DBAPIError as exc:
                if not lost_connection(exc) or attempt == SENT_ATTEMPTS - 1:
                    raise
                log.warning("outbox %s: connection lost recording it sent: again", outbox_id)

    def _record_sent(self, outbox_id: int, message_id: int) -> None:
        with self.engine.begin() as c:
            if c.execute(_DELETE_DELIVERED_REPLY, {"b_id": outbox_id}).rowcount:
                return
            c.execute(
                _RECORD_SENT,
                {"b_id": outbox_id, "b_sent_at": utcnow(), "b_message_id": message_id},
            )

    def retry(self, outbox_id: int, delay_s: float, error: str, give_up: bool) -> None:
        """Not delivered now: try again after `delay_s`, or give up (unless another front
        end has claimed it meanwhile: then it is theirs)."""
        with Session(self.engine) as s, s.begin():
            s.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == outbox_id,
                    OutboxMessage.status == "sending",
                    OutboxMessage.claimed_by == self.claimant,
                )
                .values(
                    attempts=OutboxMessage.attempts + 1,
                    last_error=error[:500],
                    status="failed" if give_up else "pending",
                    next_attempt_at=utcnow() + timedelta(seconds=delay_s),
                )
            )

    def blocked(self, chat_id: int, error: str) -> None:
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


def _item(row: OutboxMessage) -> OutboxItem:
    buttons = (
        [(str(title), str(payload)) for title, payload in row.buttons]
        if row.buttons
        else buttons_of(row.kind)
    )
    return OutboxItem(row.id, row.chat_id, row.text, row.attempts, row.kind, buttons)
