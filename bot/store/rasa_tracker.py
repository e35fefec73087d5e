"""Rasa's conversation store (its SQL tracker store), seen from our side: only deletion."""

from __future__ import annotations

from sqlalchemy import inspect, text

from bot.store.db import get_engine


def delete_conversation(tracker_url: str, sender_id: str) -> int:
    """Delete every stored event of one conversation (UU PDP deletion). Returns the count.

    Rasa reads a conversation from this table on every turn, so the next message of the
    sender starts a new, empty conversation.
    """
    engine = get_engine(tracker_url)
    if not inspect(engine).has_table("events"):
        return 0
    with engine.begin() as connection:
        result = connection.execute(
            text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender_id}
        )
        return int(result.rowcount or 0)
