"""Admin edits of the holiday calendar, kept in the file every process reads.

`data/holidays.yml` (HOLIDAYS_PATH) stays the single source: the assistant's deadlines
(bot.tickets.workdays.default_calendar reloads it when it changes) and the console's use the same
dates. Edits keep the file's comment header, are written atomically (temporary file and
rename) and logged in the console audit log. With several hosts, HOLIDAYS_PATH must be on
storage they share.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.officer.audit import record

KINDS = {"libur_nasional": "Libur nasional", "cuti_bersama": "Cuti bersama"}
_lock = threading.Lock()


@dataclass(frozen=True)
class Holiday:
    """One non-working date."""

    date: date
    name: str
    kind: str
    provisional: bool


def read_holidays(path: Path) -> list[Holiday]:
    """Every entry, by date."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for entry in raw.get("holidays") or []:
        value = entry["date"]
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        out.append(
            Holiday(
                day,
                str(entry.get("name", "")),
                str(entry.get("kind", "libur_nasional")),
                bool(entry.get("provisional", False)),
            )
        )
    return sorted(out, key=lambda h: h.date)


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            lines.append(line)
        else:
            break
    return "\n".join(lines).rstrip() + "\n"


def _write(path: Path, holidays: list[Holiday]) -> None:
    header = _header(path.read_text(encoding="utf-8")) if path.exists() else ""
    body = ["version: 1", "holidays:"]
    year = None
    for h in sorted(holidays, key=lambda x: x.date):
        if h.date.year != year:
            year = h.date.year
            body.append(f"  # {'-' * 64} {year}")
        body.append(f"  - date: {h.date.isoformat()}")
        body.append(f"    name: {json.dumps(h.name, ensure_ascii=False)}")  # valid YAML
        body.append(f"    kind: {h.kind}")
        body.append(f"    provisional: {'true' if h.provisional else 'false'}")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".holidays-", suffix=".yml")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(header + "\n".join(body) + "\n")
    os.replace(tmp, path)


def add_holiday(
    engine: Engine,
    path: Path,
    actor_id: int,
    day: date,
    name: str,
    kind: str,
    provisional: bool = False,
) -> None:
    """Add a date (or replace the entry of that date)."""
    name = " ".join(name.split())
    if not name:
        raise ValueError("Nama hari libur wajib diisi.")
    if kind not in KINDS:
        raise ValueError("Jenis hari libur tidak dikenal.")
    with _lock:
        current = [h for h in read_holidays(path) if h.date != day]
        current.append(Holiday(day, name[:200], kind, provisional))
        _write(path, current)
    with Session(engine) as s, s.begin():
        record(s, actor_id, "holiday_added", day.isoformat(), {"name": name, "kind": kind})


def remove_holiday(engine: Engine, path: Path, actor_id: int, day: date) -> bool:
    """Remove a date. False when it was not listed."""
    with _lock:
        current = read_holidays(path)
        kept = [h for h in current if h.date != day]
        if len(kept) == len(current):
            return False
        _write(path, kept)
    with Session(engine) as s, s.begin():
        record(s, actor_id, "holiday_removed", day.isoformat(), None)
    return True
