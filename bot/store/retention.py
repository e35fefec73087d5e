"""Retention of the Telegram channel's tables (README, "Retention")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, String, cast, delete, literal, null, or_, select, update
from sqlalchemy.orm import Session

from bot.handoff.chats import State
from bot.store.deletion import BLANKED
from bot.store.models import InboxMessage, LiveChat, LiveChatMessage, OutboxMessage, utcnow

# Inbox rows that still need their text: waiting for Rasa, for consent, or to be handled.
OPEN_INBOX = ("pending", "held", "received")
FINISHED_OUTBOX = ("sent", "failed", "blocked")
# Live chats already without anyone to identify: cleared here, or by /hapusdata.
CLEARED_CHAT = ("expired-%", "deleted-%")


@dataclass(frozen=True)
class PurgeReport:
    """What one retention run removed."""

    inbox_blanked: int  # raw updates (and handled texts) blanked
    inbox_deleted: int
    outbox_blanked: int
    live_chats_purged: int = 0


def purge(
    engine: Engine,
    raw_after: timedelta,
    delete_after: timedelta,
    outbox_after: timedelta | None = None,
    live_chat_after: timedelta | None = None,
    now: datetime | None = None,
) -> PurgeReport:
    """Apply the retention periods, for every bot.

    Inbox: after `raw_after` the raw update is blanked, and so is the text of handled
    messages; after `delete_after` the row is deleted, except a message still waiting for
    Rasa. Outbox: after `outbox_after`, finished unit-group notices and messages without a
    ticket lose their text (a message to a citizen about a ticket is part of the ticket's
    record, kept with it; the delivery state stays for its history). Live chats: after
    `live_chat_after` from its end, an ended chat's messages lose their text and the chat
    whom it was with (sender, citizen, Telegram chat); the row stays for the reports. A chat
    made a ticket too (the ticket keeps its own copy); waiting, taken and call-back chats
    are never touched.
    """
    now = now or utcnow()
    with Session(engine) as s, s.begin():
        old_raw = InboxMessage.created_at < now - raw_after
        blanked = s.execute(
            update(InboxMessage).where(old_raw, InboxMessage.raw.is_not(None)).values(raw=null())
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
        chats_purged = 0
        if live_chat_after is not None:
            chats_purged = _purge_live_chats(s, now - live_chat_after)
    return PurgeReport(int(blanked or 0), int(deleted or 0), int(outbox_blanked or 0), chats_purged)


def _purge_live_chats(s: Session, ended_before: datetime) -> int:
    """Clear the ended live chats older than the period; how many."""
    due = list(
        s.scalars(
            select(LiveChat.id).where(
                LiveChat.state == State.ENDED.value,
                LiveChat.ended_at < ended_before,
                *(LiveChat.sender_id.not_like(pattern) for pattern in CLEARED_CHAT),
            )
        )
    )
    if not due:
        return 0
    s.execute(
        update(LiveChatMessage)
        .where(LiveChatMessage.live_chat_id.in_(due), LiveChatMessage.text != BLANKED)
        .values(text=BLANKED)
    )
    s.execute(
        update(LiveChat)
        .where(LiveChat.id.in_(due))
        .values(
            sender_id=literal("expired-").concat(cast(LiveChat.id, String)),
            citizen_id=None,
            telegram_chat_id=None,
        )
    )
    return len(due)
