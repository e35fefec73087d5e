"""Working-day arithmetic: skips weekends, national holidays and cuti bersama.

The holidays are rows of the `holidays` table (seeded from `data/holidays.yml`, edited by
admins on `/admin/libur` once the yearly SKB is out). `holiday_calendar(engine)` is how
every process reads them: each call asks the database for the table's version, the row
count and the latest `updated_at` (one aggregate over a few dozen rows a year), and reads the
dates again only when that version changed. So the action server and the Telegram front end,
which live for weeks, see an admin's edit at their next deadline, without a restart. As a
backstop (two edits by different admins committing out of time order could leave the version
as it was) the dates are also read again when the cached copy is older than MAX_AGE_S.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import Engine, func, select

from bot.store.models import Holiday

MAX_AGE_S = 300.0


@dataclass(frozen=True)
class HolidayCalendar:
    """A set of non-working dates besides Saturdays and Sundays."""

    holidays: frozenset[date]

    @classmethod
    def from_file(cls, path: Path) -> HolidayCalendar:
        """Read a calendar in the `data/holidays.yml` format (the seed of the table)."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        days = set()
        for entry in raw.get("holidays") or []:
            value = entry["date"]
            days.add(value if isinstance(value, date) else date.fromisoformat(str(value)))
        return cls(frozenset(days))

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a holiday."""
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (the start day itself is not counted).

        A complaint filed on Friday with a 3-working-day deadline is due on Wednesday.
        """
        if days < 0:
            raise ValueError("days must be >= 0")
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


@dataclass(frozen=True)
class _Cached:
    version: tuple[int, datetime | None]
    calendar: HolidayCalendar
    loaded_at: float  # time.monotonic()


_cache: dict[str, _Cached] = {}


def holiday_calendar(engine: Engine) -> HolidayCalendar:
    """The calendar of the `holidays` table, as it is now (see the module docstring)."""
    key = engine.url.render_as_string(hide_password=True)
    with engine.connect() as conn:
        count, latest = conn.execute(select(func.count(), func.max(Holiday.updated_at))).one()
        version = (int(count), latest)
        cached = _cache.get(key)
        if (
            cached is not None
            and cached.version == version
            and time.monotonic() - cached.loaded_at < MAX_AGE_S
        ):
            return cached.calendar
        days = frozenset(conn.scalars(select(Holiday.day)))
    calendar = HolidayCalendar(days)
    if cached is not None and cached.calendar == calendar:
        calendar = cached.calendar  # same dates: keep the object (and what callers cached)
    _cache[key] = _Cached(version, calendar, time.monotonic())
    return calendar


def default_calendar() -> HolidayCalendar:
    """The current calendar of DATABASE_URL's database."""
    from bot.store.db import get_engine

    return holiday_calendar(get_engine())
