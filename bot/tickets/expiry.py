"""Closing tickets whose citizen did not answer a request for information in time.

SP4N-LAPOR! practice: a report waiting for the reporter closes when they do not respond
within 10 working days. `request_info` sets the ticket's `due_on` to that day; the console's
background loop calls `close_unanswered` and each expired ticket is closed with an event
and a message to the citizen.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot import texts as citizen_texts
from bot.store.outbox import queue_for_reporter
from bot.store.models import Ticket, TicketEvent, TicketStatus, utcnow

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
        now = utcnow()
        for ticket in tickets:
            text = citizen_texts.auto_closed(ticket.public_id, days)
            ticket.status = TicketStatus.SELESAI
            ticket.resolution = (
                f"Ditutup otomatis: tidak ada tanggapan warga dalam {days} hari kerja."
            )
            ticket.closed_at = now
            ticket.due_on = None
            ticket.updated_at = now
            s.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    kind="status",
                    actor_type="system",
                    from_status=TicketStatus.MENUNGGU_WARGA.value,
                    to_status=TicketStatus.SELESAI.value,
                    body=ticket.resolution,
                    data={"action": "auto_close"},
                    created_at=now,
                )
            )
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
            closed.append(ticket.public_id)
    if closed:
        log.info("closed %d tickets without an answer from the citizen", len(closed))
    return closed
