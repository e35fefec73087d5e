"""Append-only log of administrative changes made in the console or with the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import ConsoleAuditLog, Officer


def record(
    s: Session, actor_id: int | None, action: str, target: str | None, data: dict[str, Any] | None
) -> None:
    """Add one entry inside the caller's transaction."""
    s.add(ConsoleAuditLog(actor_id=actor_id, action=action, target=target, data=data))


@dataclass(frozen=True)
class AuditEntry:
    """One logged change, with the actor's username."""

    created_at: datetime
    actor: str
    action: str
    target: str | None
    data: dict[str, Any] | None


def recent(engine: Engine, limit: int = 100) -> list[AuditEntry]:
    """The latest entries, newest first."""
    with Session(engine) as s:
        rows = s.execute(
            select(ConsoleAuditLog, Officer.username)
            .outerjoin(Officer, Officer.id == ConsoleAuditLog.actor_id)
            .order_by(ConsoleAuditLog.id.desc())
            .limit(limit)
        ).all()
        return [
            AuditEntry(e.created_at, name or "CLI/sistem", e.action, e.target, e.data)
            for e, name in rows
        ]
