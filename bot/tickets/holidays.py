"""Admin edits of the holiday calendar: rows of the `holidays` table.

The table is seeded from `data/holidays.yml` (HOLIDAYS_PATH) when it is created (migration
0008); from then on the database is the calendar and the file is only the seed, never
rewritten. Every edit is logged in the console audit log in the same transaction. Deadlines
computed after an edit use it at once, in every process (bot.tickets.deadlines).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.officer.audit import record
from bot.store.models import ConsoleAuditLog, Holiday, utcnow

KINDS = {"libur_nasional": "Libur nasional", "cuti_bersama": "Cuti bersama"}


@dataclass(frozen=True)
class HolidayEntry:
    """One non-working date."""

    date: date
    name: str
    kind: str
    provisional: bool


def read_holidays(path: Path) -> list[HolidayEntry]:
    """Every entry of a file in the `data/holidays.yml` format (the seed), by date."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for entry in raw.get("holidays") or []:
        value = entry["date"]
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        out.append(
            HolidayEntry(
                day,
                str(entry.get("name", "")),
                str(entry.get("kind", "libur_nasional")),
                bool(entry.get("provisional", False)),
            )
        )
    return sorted(out, key=lambda h: h.date)


def _clean_name(name: str) -> str:
    """One line, at most the column's 200 characters."""
    return " ".join(name.split())[:200]


def list_holidays(engine: Engine) -> list[HolidayEntry]:
    """Every holiday in the database, by date."""
    with Session(engine) as s:
        rows = s.scalars(select(Holiday).order_by(Holiday.day))
        return [HolidayEntry(h.day, h.name, h.kind, h.provisional) for h in rows]


def add_holiday(
    engine: Engine,
    actor_id: int | None,
    day: date,
    name: str,
    kind: str,
    provisional: bool = False,
) -> None:
    """Add a date (or replace the entry of that date)."""
    name = _clean_name(name)
    if not name:
        raise ValueError("Nama hari libur wajib diisi.")
    if kind not in KINDS:
        raise ValueError("Jenis hari libur tidak dikenal.")
    for attempt in range(2):
        try:
            with Session(engine) as s, s.begin():
                row = s.get(Holiday, day, with_for_update=True)
                if row is None:
                    row = Holiday(day=day)
                    s.add(row)
                row.name, row.kind, row.provisional = name, kind, provisional
                row.updated_at = utcnow()
                record(s, actor_id, "holiday_added", day.isoformat(), {"name": name, "kind": kind})
            return
        except IntegrityError:  # the same date added concurrently: update it on the next pass
            if attempt:
                raise


def remove_holiday(engine: Engine, actor_id: int | None, day: date) -> bool:
    """Remove a date. False when it was not listed."""
    with Session(engine) as s, s.begin():
        row = s.get(Holiday, day, with_for_update=True)
        if row is None:
            return False
        s.delete(row)
        record(s, actor_id, "holiday_removed", day.isoformat(), None)
    return True


def seed_holidays(engine: Engine, path: Path) -> list[date]:
    """Insert the file's dates the database lacks (say, next year's SKB); returns them.

    Never changes a stored date and never brings back one an admin removed (the removal is
    in the audit log). The file stays the seed; the table is the calendar.
    """
    entries = read_holidays(path)
    with Session(engine) as s, s.begin():
        stored = set(s.scalars(select(Holiday.day)))
        removed = set(
            s.scalars(
                select(ConsoleAuditLog.target).where(ConsoleAuditLog.action == "holiday_removed")
            )
        )
        now = utcnow()
        added = []
        for entry in entries:
            if entry.date in stored or entry.date.isoformat() in removed:
                continue
            s.add(
                Holiday(
                    day=entry.date,
                    name=_clean_name(entry.name),
                    kind=entry.kind if entry.kind in KINDS else "libur_nasional",
                    provisional=entry.provisional,
                    updated_at=now,
                )
            )
            stored.add(entry.date)
            added.append(entry.date)
        if added:
            record(
                s, None, "holidays_seeded", str(path.name), {"days": [d.isoformat() for d in added]}
            )
    return added
