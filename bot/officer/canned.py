"""Canned replies: supervisors write and retire them; officers insert them into replies."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.officer.audit import record
from bot.store.models import CannedReply, utcnow


@dataclass(frozen=True)
class CannedView:
    """A canned reply."""

    id: int
    title: str
    body: str
    active: bool


def list_canned(engine: Engine, include_inactive: bool = False) -> list[CannedView]:
    """Canned replies by title."""
    with Session(engine) as s:
        query = select(CannedReply).order_by(CannedReply.title, CannedReply.id)
        if not include_inactive:
            query = query.where(CannedReply.active.is_(True))
        return [CannedView(c.id, c.title, c.body, c.active) for c in s.scalars(query)]


def get_canned(engine: Engine, canned_id: int) -> CannedView | None:
    """One active canned reply."""
    with Session(engine) as s:
        c = s.get(CannedReply, canned_id)
        return CannedView(c.id, c.title, c.body, c.active) if c and c.active else None


def save_canned(
    engine: Engine, actor_id: int, canned_id: int | None, title: str, body: str, active: bool
) -> int:
    """Create (canned_id None) or update a canned reply."""
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValueError("Judul dan isi balasan cepat wajib diisi.")
    if len(title) > 120 or len(body) > 4000:
        raise ValueError("Judul maksimal 120 karakter, isi maksimal 4.000 karakter.")
    with Session(engine) as s, s.begin():
        if canned_id is None:
            row = CannedReply(title=title, body=body, active=active, updated_by=actor_id)
            s.add(row)
        else:
            found = s.get(CannedReply, canned_id)
            if found is None:
                raise ValueError("Balasan cepat tidak ditemukan.")
            row = found
            row.title, row.body, row.active = title, body, active
            row.updated_by, row.updated_at = actor_id, utcnow()
        s.flush()
        record(s, actor_id, "canned_saved", str(row.id), {"title": title, "active": active})
        return row.id
