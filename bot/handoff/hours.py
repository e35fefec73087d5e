"""A unit's service hours, read from the catalogue's `hours` text, and whether it is open.

The catalogue is the one place hours are written ("Senin–Jumat 08.00–15.00 WIB (istirahat
12.00–13.00)", "Senin–Jumat 08.00–14.00 WIB, Sabtu 08.00–11.00 WIB"): admins edit them on
/admin/layanan and the assistant quotes them. `parse_hours` reads that text into weekly
windows; a break is outside hours, and so is every holiday and cuti bersama of the holiday
calendar (bot.tickets.deadlines), whatever the weekday. A text that cannot be read gives
None, and the caller falls back to the complaint unit's hours.

`service_now` is the moment the check uses: the present, or TEST_FIXED_NOW on the test
stack (refused elsewhere by bot.config) so its conversations do not depend on the hour they
run. It decides only whether the unit is open: every stored time (the request, the take, the
timeout) is the present, so waits are what really passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

from bot.config import get_settings

DAYS = {
    "senin": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "jum'at": 4,
    "sabtu": 5,
    "minggu": 6,
    "ahad": 6,
}
ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
_DAY = r"(senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)"
_TIME = r"(\d{1,2})[.:](\d{2})"
_DASH = r"\s*(?:–|—|-|s\.?d\.?|sampai)\s*"
SEGMENT_RE = re.compile(
    rf"{_DAY}(?:{_DASH}{_DAY})?\s*,?\s+(?:pukul\s+)?{_TIME}{_DASH}{_TIME}"
    rf"(?:\s*(WITA|WIB|WIT)\b)?(?:\s*\(\s*istirahat\s+{_TIME}{_DASH}{_TIME}\s*\))?",
    re.IGNORECASE,
)


def service_now(now: datetime | None = None) -> datetime:
    """The moment the service-hours check uses, in UTC: TEST_FIXED_NOW on the test stack,
    else `now` (default: the present)."""
    fixed = get_settings().test_fixed_now
    if fixed is not None:
        return fixed.astimezone(dt_timezone.utc)
    return now if now is not None else datetime.now(dt_timezone.utc)


@dataclass(frozen=True)
class ServiceHours:
    """Weekly opening windows (weekday 0 = Monday -> (start, end) pairs) in one time zone."""

    windows: dict[int, tuple[tuple[time, time], ...]]
    timezone: str

    def is_open(self, now: datetime, holidays: frozenset[date] = frozenset()) -> bool:
        """True when `now` (naive: UTC) falls in a window of a day that is not a holiday."""
        aware = now if now.tzinfo else now.replace(tzinfo=dt_timezone.utc)
        local = aware.astimezone(ZoneInfo(self.timezone))
        if local.date() in holidays:
            return False
        moment = local.time().replace(tzinfo=None)
        return any(start <= moment < end for start, end in self.windows.get(local.weekday(), ()))


def _time(hours: str, minutes: str) -> time | None:
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return time(23, 59, 59)
    if h > 23 or m > 59:
        return None
    return time(h, m)


def parse_hours(text: str | None, default_timezone: str = "Asia/Jakarta") -> ServiceHours | None:
    """The windows the text describes, or None when it names none that can be read."""
    if not text:
        return None
    windows: dict[int, list[tuple[time, time]]] = {}
    zone = default_timezone
    for match in SEGMENT_RE.finditer(text):
        first, last, h1, m1, h2, m2, tz, b1, bm1, b2, bm2 = match.groups()
        start, end = _time(h1, m1), _time(h2, m2)
        if start is None or end is None or start >= end:
            continue
        spans = [(start, end)]
        if b1 is not None:
            pause, resume = _time(b1, bm1), _time(b2, bm2)
            if pause is not None and resume is not None and start < pause < resume < end:
                spans = [(start, pause), (resume, end)]
        a = DAYS[first.lower()]
        b = DAYS[(last or first).lower()]
        days = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
        for day in days:
            windows.setdefault(day, []).extend(spans)
        if tz:
            zone = ZONES[tz.upper()]
    if not windows:
        return None
    return ServiceHours({d: tuple(sorted(w)) for d, w in windows.items()}, zone)
