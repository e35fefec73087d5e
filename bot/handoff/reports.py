"""Live chat figures for the supervisors' reports: per unit and in total, the requests for a
person in a period (by local date of the request), how many an officer took (handled: live
chats and call-back requests), how long live chats waited for it (median and 90th
percentile, nearest rank; a call-back waits for the next service hours by design and is left
out), how many nobody took in time, how many came outside service hours, and the call-back
requests. Counts and times only: no text, citizen or officer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import LiveChat, Office

GENERAL_UNIT = "Unit Pengaduan (umum)"


@dataclass(frozen=True)
class LiveFigures:
    """One unit's (or every unit's) live chats in the period."""

    unit: str
    requests: int  # live chat requests, outside hours included
    handled: int  # taken by an officer: live chats and call-back requests
    timed_out: int
    outside_hours: int
    callbacks: int  # call-back requests
    wait_median_s: float | None  # request to taken, chats that were taken
    wait_p90_s: float | None


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share 0.5: the median's upper middle), None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _figures(unit: str, rows: list[LiveChat]) -> LiveFigures:
    live = [r for r in rows if r.kind == "live"]
    waits = [
        (_aware(r.taken_at) - _aware(r.requested_at)).total_seconds()
        for r in live
        if r.taken_at is not None
    ]
    return LiveFigures(
        unit=unit,
        requests=len(live),
        handled=sum(1 for r in rows if r.taken_at is not None),
        timed_out=sum(1 for r in live if r.end_reason == "timed_out"),
        outside_hours=sum(1 for r in live if r.end_reason == "outside_hours"),
        callbacks=sum(1 for r in rows if r.kind == "callback"),
        wait_median_s=percentile(waits, 0.5),
        wait_p90_s=percentile(waits, 0.9),
    )


def live_report(
    engine: Engine, date_from: date, date_to: date, tz: str
) -> tuple[list[LiveFigures], LiveFigures]:
    """(per unit, by name; total) for requests made from `date_from` to `date_to`
    inclusive, local dates."""
    zone = ZoneInfo(tz)
    start = datetime.combine(date_from, time.min, zone).astimezone(timezone.utc)
    end = datetime.combine(date_to + timedelta(days=1), time.min, zone).astimezone(timezone.utc)
    with Session(engine) as s:
        rows = list(
            s.scalars(
                select(LiveChat).where(LiveChat.requested_at >= start, LiveChat.requested_at < end)
            )
        )
        names = dict(s.execute(select(Office.id, Office.name)).tuples().all())
    by_unit: dict[str, list[LiveChat]] = {}
    for row in rows:
        by_unit.setdefault(names.get(row.office_id or "", GENERAL_UNIT), []).append(row)
    units = [_figures(unit, chats) for unit, chats in sorted(by_unit.items())]
    return units, _figures("Semua unit", rows)
