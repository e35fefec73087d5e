"""The outbox: messages to citizens and unit groups, written by whoever causes them (the
console, an action) and delivered by the Telegram front end exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.store.models import Citizen, OutboxMessage, Ticket, utcnow


@dataclass(frozen=True)
class OutboxItem:
    """A message due for delivery."""

    id: int
    chat_id: int
    text: str
    attempts: int


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

    def __init__(self, engine: Engine):
        self.engine = engine

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

    def release(self, outbox_ids: list[int], delay_s: float) -> None:
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

    def sent(self, outbox_id: int, message_id: int) -> None:
        """Delivered: never sent again."""
        with Session(self.engine) as s, s.begin():
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == outbox_id)
                .values(status="sent", sent_at=utcnow(), telegram_message_id=message_id)
            )

    def retry(self, outbox_id: int, delay_s: float, error: str, give_up: bool) -> None:
        """Not delivered now: try again after `delay_s`, or give up."""
        with Session(self.engine) as s, s.begin():
            row = s.get(OutboxMessage, outbox_id)
            assert row is not None
            row.attempts += 1
            row.last_error = error[:500]
            row.status = "failed" if give_up else "pending"
            row.next_attempt_at = utcnow() + timedelta(seconds=delay_s)

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
