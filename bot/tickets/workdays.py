"""Working-day arithmetic: skips weekends, national holidays and cuti bersama.

The calendar lives in `data/holidays.yml` (edited by admins once the yearly SKB is out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from bot.config import get_settings


@dataclass(frozen=True)
class HolidayCalendar:
    """A set of non-working dates besides Saturdays and Sundays."""

    holidays: frozenset[date]

    @classmethod
    def from_file(cls, path: Path) -> HolidayCalendar:
        """Read a calendar in the `data/holidays.yml` format."""
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


@lru_cache(maxsize=4)
def _calendar_for(path: str, mtime: float) -> HolidayCalendar:
    return HolidayCalendar.from_file(Path(path))


def default_calendar() -> HolidayCalendar:
    """The configured calendar, reloaded when the file changes."""
    path = get_settings().holidays_path
    return _calendar_for(str(path), path.stat().st_mtime)
