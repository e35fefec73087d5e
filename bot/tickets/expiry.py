"""Closing tickets whose citizen did not answer a request for information in time.

SP4N-LAPOR! practice: a report waiting for the reporter closes when they do not respond
within 10 working days. `request_info` sets the ticket's `due_on` to that day; the console's
background loop calls `close_unanswered` and each expired ticket is closed by the system's
action (Action.AUTO_CLOSE, through bot.tickets.states.apply like every status change) with
an event and a message to the citizen.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot import texts as citizen_texts
from bot.config import get_settings
from bot.store.models import Ticket, TicketEvent, TicketStatus, utcnow
from bot.store.outbox import queue_for_reporter
from bot.tickets.deadlines import Deadlines, current_deadlines
from bot.tickets.states import SYSTEM, Action, IllegalTransition, apply

log = logging.getLogger(__name__)


def close_unanswered(engine: Engine, today: date, days: int, limit: int = 200) -> list[str]:
    """Close tickets still waiting for the citizen after their answer deadline.

    Returns the public ids closed. Safe to run from several processes (row locks).
    """
    closed: list[str] = []
    with Session(engine) as s, s.begin():
        tickets = s.scalars(
            select(Ticket)
            .where(Ticket.status == TicketStatus.MENUNGGU_WARGA, Ticket.due_on < today)
            .order_by(Ticket.due_on, Ticket.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if not tickets:
            return closed
        now = utcnow()
        deadlines = current_deadlines(engine)
        for ticket in tickets:
            try:
                expire(s, ticket, days, now, deadlines)
            except IllegalTransition as exc:  # moved on meanwhile: the check refuses it
                log.warning("not closing %s: %s", ticket.public_id, exc)
                continue
            closed.append(ticket.public_id)
    if closed:
        log.info("closed %d tickets without an answer from the citizen", len(closed))
    return closed


def expire(
    s: Session,
    ticket: Ticket,
    days: int,
    now: datetime,
    deadlines: Deadlines,
) -> int | None:
    """Close one unanswered ticket (menunggu_warga -> selesai) and tell the citizen; returns
    the outbox id (None when the citizen cannot be reached). IllegalTransition, and nothing
    changed, when the ticket is no longer waiting for the citizen."""
    resolution = f"Ditutup otomatis: tidak ada tanggapan warga dalam {days} hari kerja."
    apply(
        s,
        ticket,
        Action.AUTO_CLOSE,
        SYSTEM,
        deadlines,
        now,
        timezone=get_settings().timezone,
        body=resolution,
    )
    ticket.resolution = resolution
    text = citizen_texts.auto_closed(ticket.public_id, days)
    outbox_id = queue_for_reporter(s, ticket, text, "status", now)
    s.add(
        TicketEvent(
            ticket_id=ticket.id,
            kind="message_out",
            actor_type="system",
            body=text,
            data={
                "purpose": "status",
                "outbox_id": outbox_id,
                "undeliverable": outbox_id is None,
            },
            created_at=now,
        )
    )
    return outbox_id
