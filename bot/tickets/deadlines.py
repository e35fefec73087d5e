"""Working-day deadlines of the three stages, and the holiday calendar they are counted on.

- verification: VERIFICATION_WORKING_DAYS after filing (set when the ticket is filed);
- follow-up plan: FOLLOWUP_WORKING_DAYS after verification;
- resolution: by category, from `data/resolution_days.yml`, counted from verification.

`tickets.due_on` holds the deadline of the current stage, NULL once the ticket is closed.

Working days skip weekends, national holidays and cuti bersama. The holidays are rows of the
`holidays` table (seeded from `data/holidays.yml`, edited by admins on `/admin/libur` once the
yearly SKB is out). `holiday_calendar(engine)` is how every process reads them: each call asks
the database for the table's version, the row count and the latest `updated_at` (one
aggregate over a few dozen rows a year), and reads the dates again only when that version
changed. So the action server and the Telegram front end, which live for weeks, see an
admin's edit at their next deadline, without a restart. As a backstop (two edits by different
admins committing out of time order could leave the version as it was) the dates are also
read again when the cached copy is older than MAX_AGE_S.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from functools import cached_property, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import Engine, func, select

from bot.config import Settings, get_settings
from bot.store.models import Category, Holiday, TicketStatus
from bot.tickets.holidays import read_holidays

SOON_WORKING_DAYS = 1  # due today or on the next working day: highlighted

# -- the holiday calendar ------------------------------------------------------------------

MAX_AGE_S = 300.0  # seconds; the cached dates are read again when older (module docstring)


@dataclass(frozen=True)
class HolidayCalendar:
    """A set of non-working dates besides Saturdays and Sundays."""

    holidays: frozenset[date]

    @classmethod
    def from_file(cls, path: Path) -> HolidayCalendar:
        """Read a calendar in the `data/holidays.yml` format (the seed of the table)."""
        return cls(frozenset(entry.date for entry in read_holidays(path)))

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


# -- deadlines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolutionPolicy:
    """Resolution working days per category."""

    default: int
    by_category: dict[Category, int]

    def days_for(self, category: Category) -> int:
        """Working days to resolve a complaint of this category."""
        return self.by_category.get(category, self.default)

    @classmethod
    def from_file(cls, path: Path) -> ResolutionPolicy:
        """Read `data/resolution_days.yml`; unknown categories are an error."""
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        default = int(raw.get("default", 14))
        table: dict[Category, int] = {}
        for key, value in (raw.get("categories") or {}).items():
            days = int(value)
            if days < 1:
                raise ValueError(f"{path}: {key}: resolution days must be >= 1")
            table[Category(key)] = days
        if default < 1:
            raise ValueError(f"{path}: default resolution days must be >= 1")
        return cls(default, table)


@lru_cache(maxsize=4)
def _policy_for(path: str, mtime: float) -> ResolutionPolicy:
    return ResolutionPolicy.from_file(Path(path))


def resolution_policy(settings: Settings) -> ResolutionPolicy:
    """The configured policy, reloaded when the file changes."""
    path = settings.resolution_days_path
    return _policy_for(str(path), path.stat().st_mtime)


def local_today(timezone: str, now: datetime | None = None) -> date:
    """The date in the service's time zone of `now` (default: the present moment).

    A naive datetime is UTC (SQLite returns stored timestamps without their zone)."""
    tz = ZoneInfo(timezone)
    if now is None:
        return datetime.now(tz).date()
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt_timezone.utc)
    return now.astimezone(tz).date()


@dataclass(frozen=True)
class Deadlines:
    """Deadline arithmetic on one calendar and policy."""

    calendar: HolidayCalendar
    policy: ResolutionPolicy
    verification_days: int = 3
    followup_days: int = 5
    citizen_reply_days: int = 10  # SP4N-LAPOR!: no answer within 10 working days closes

    def verify_due(self, filed_on: date) -> date:
        """Verification deadline of a complaint filed (or reopened) on `filed_on`."""
        return self.calendar.add_working_days(filed_on, self.verification_days)

    def followup_due(self, verified_on: date) -> date:
        """Deadline of the follow-up plan."""
        return self.calendar.add_working_days(verified_on, self.followup_days)

    def citizen_reply_due(self, asked_on: date) -> date:
        """Until when the citizen may answer a request for information."""
        return self.calendar.add_working_days(asked_on, self.citizen_reply_days)

    def resolve_due(self, verified_on: date, category: Category) -> date:
        """Resolution deadline by category."""
        return self.calendar.add_working_days(verified_on, self.policy.days_for(category))

    @cached_property
    def _weekday_holidays(self) -> list[int]:
        return sorted(d.toordinal() for d in self.calendar.holidays if d.weekday() < 5)

    def working_days_left(self, due: date, today: date) -> int:
        """Working days from today until `due`: 0 when due today, negative when overdue.

        Same result as HolidayCalendar.working_days_between, in constant time plus a binary
        search (the queue computes it for every row, deadlines may be years away).
        """
        if due < today:
            return -self.working_days_left(today, due)
        start, end = today.toordinal(), due.toordinal()
        holidays = self._weekday_holidays
        skipped = bisect_right(holidays, end) - bisect_right(holidays, start)
        return _weekdays_through(end) - _weekdays_through(start) - skipped

    def urgency(self, due: date | None, today: date) -> str:
        """'overdue', 'soon' or 'ok' ('' for closed tickets without a deadline)."""
        if due is None:
            return ""
        if due < today:
            return "overdue"
        if self.working_days_left(due, today) <= SOON_WORKING_DAYS:
            return "soon"
        return "ok"


def current_deadlines(
    engine: Engine, settings: Settings | None = None, calendar: HolidayCalendar | None = None
) -> Deadlines:
    """The deadline rules as configured now: the holiday table's calendar (an admin's edit
    counts from the next call on), the resolution policy file and the working-day settings.
    `calendar` replaces the table's (tests with a fixed calendar)."""
    settings = settings or get_settings()
    return Deadlines(
        calendar or holiday_calendar(engine),
        resolution_policy(settings),
        settings.verification_working_days,
        settings.followup_working_days,
        settings.citizen_reply_working_days,
    )


def _weekdays_through(ordinal: int) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) through the given day."""
    days = ordinal - 1
    return (days // 7) * 5 + min(days % 7 + 1, 5)


def stage_name(status: TicketStatus) -> str:
    """What the current deadline is for, in Indonesian."""
    return {
        TicketStatus.BARU: "verifikasi",
        TicketStatus.DIVERIFIKASI: "rencana tindak lanjut",
        TicketStatus.DIPROSES: "penyelesaian",
        TicketStatus.MENUNGGU_WARGA: "jawaban warga",  # due_on is the citizen-reply deadline
    }.get(status, "")


def time_left_text(days: int) -> str:
    """'3 hari kerja lagi', 'hari ini', 'terlambat 2 hari kerja'."""
    if days > 0:
        return f"{days} hari kerja lagi"
    if days == 0:
        return "jatuh tempo hari ini"
    return f"terlambat {-days} hari kerja"
