"""Notices of new tickets to a unit's Telegram group, through the outbox.

An admin sets the group chat id of a unit. Tickets filed after that (by the assistant, or
forwarded to the unit in the console) get one notice each with a link to the ticket page;
`UnitTicketNotice` makes sure no ticket is announced twice to the same unit. The console
process runs `queue_new_ticket_notices` every CONSOLE_NOTIFY_POLL_S seconds, so filing a
complaint never depends on the notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.officer.audit import record
from bot.store.models import (
    Office,
    OutboxMessage,
    Privacy,
    Ticket,
    UnitChannel,
    UnitTicketNotice,
    utcnow,
)
from bot.store.outbox import queue_message
from bot.texts import CATEGORY_SHORT_LABELS, format_date, text

SNIPPET = 200
LOOKBACK = timedelta(days=7)  # older tickets are never announced


def notice_text(ticket: Ticket, unit_name: str, base_url: str) -> str:
    """The group message: id, category, deadline and link; no reporter, no confidential text."""
    description = " ".join(ticket.description.split())
    return text(
        "unit_notice",
        public_id=ticket.public_id,
        unit=unit_name,
        category=CATEGORY_SHORT_LABELS[ticket.category],
        verify_due=format_date(ticket.verify_due, weekday=True),
        confidential=ticket.privacy == Privacy.CONFIDENTIAL,
        snippet=description[:SNIPPET] + ("…" if len(description) > SNIPPET else ""),
        link=f"{base_url}/tiket/{ticket.public_id}",
    )


def queue_notice(s: Session, ticket: Ticket, office_id: str) -> int | None:
    """Queue the notice of `ticket` to the group of `office_id`, inside the caller's
    transaction. None when the unit has no group or was told before."""
    channel = s.get(UnitChannel, office_id)
    if channel is None:
        return None
    told = s.scalar(
        select(UnitTicketNotice.id).where(
            UnitTicketNotice.ticket_id == ticket.id, UnitTicketNotice.office_id == office_id
        )
    )
    if told is not None:
        return None
    office = s.get(Office, office_id)
    outbox_id = queue_message(
        s,
        channel.telegram_chat_id,
        notice_text(ticket, office.name if office else office_id, get_settings().console_url),
        "unit_notice",
        ticket.id,
    )
    s.add(UnitTicketNotice(ticket_id=ticket.id, office_id=office_id, outbox_id=outbox_id))
    s.flush()
    return outbox_id


def queue_new_ticket_notices(engine: Engine, limit: int = 200) -> int:
    """Announce tickets filed since each unit's group was set. Returns notices queued."""
    now = utcnow()
    queued = 0
    with Session(engine) as s:
        rows = s.execute(
            select(Ticket.id, Ticket.office_id)
            .join(UnitChannel, UnitChannel.office_id == Ticket.office_id)
            .where(
                Ticket.created_at >= UnitChannel.enabled_since,
                Ticket.created_at >= now - LOOKBACK,
                ~exists().where(
                    and_(
                        UnitTicketNotice.ticket_id == Ticket.id,
                        UnitTicketNotice.office_id == Ticket.office_id,
                    )
                ),
            )
            .order_by(Ticket.id)
            .limit(limit)
        ).all()
    for ticket_id, office_id in rows:
        try:
            with Session(engine) as s, s.begin():
                ticket = s.get(Ticket, ticket_id)
                if ticket is not None and office_id and queue_notice(s, ticket, office_id):
                    queued += 1
        except IntegrityError:  # another console process announced it first
            continue
    return queued


def set_unit_channel(
    engine: Engine, office_id: str, chat_id: int | None, actor_id: int | None
) -> None:
    """Set (or with None, remove) the Telegram group of a unit."""
    with Session(engine) as s, s.begin():
        if s.get(Office, office_id) is None:
            raise ValueError("Unit tidak dikenal.")
        channel = s.get(UnitChannel, office_id)
        if chat_id is None:
            s.execute(delete(UnitChannel).where(UnitChannel.office_id == office_id))
        elif channel is None:
            s.add(
                UnitChannel(
                    office_id=office_id,
                    telegram_chat_id=chat_id,
                    updated_by=actor_id,
                    enabled_since=utcnow(),
                )
            )
        elif channel.telegram_chat_id != chat_id:
            channel.telegram_chat_id = chat_id
            channel.updated_by = actor_id
        record(s, actor_id, "unit_channel_set", office_id, {"chat_id": chat_id})


def unit_channels(engine: Engine) -> dict[str, int]:
    """office id -> group chat id."""
    with Session(engine) as s:
        return {
            o: c for o, c in s.execute(select(UnitChannel.office_id, UnitChannel.telegram_chat_id))
        }


@dataclass(frozen=True)
class NoticeState:
    """The most recent notice to a unit's group and how its delivery went (for admins)."""

    public_id: str
    status: str  # pending | sending | sent | failed | blocked (outbox states)
    error: str | None  # Telegram's answer when it was refused
    queued_at: datetime
    sent_at: datetime | None


def last_notice_states(engine: Engine) -> dict[str, NoticeState]:
    """office id -> the latest notice queued to its group."""
    with Session(engine) as s:
        latest = (
            select(func.max(UnitTicketNotice.id).label("id"))
            .group_by(UnitTicketNotice.office_id)
            .subquery()
        )
        rows = s.execute(
            select(
                UnitTicketNotice.office_id,
                Ticket.public_id,
                OutboxMessage.status,
                OutboxMessage.last_error,
                OutboxMessage.created_at,
                OutboxMessage.sent_at,
            )
            .join(latest, latest.c.id == UnitTicketNotice.id)
            .join(OutboxMessage, OutboxMessage.id == UnitTicketNotice.outbox_id)
            .join(Ticket, Ticket.id == UnitTicketNotice.ticket_id)
        ).all()
    return {office: NoticeState(*rest) for office, *rest in rows}
