"""The public transparency page's figures (`/transparansi`, its CSV and JSON): complaints
received, verified, resolved and overdue per month, unit and category; median working days
to verification and to resolution against their deadlines; the service catalogue with each
fact's source and date. Aggregates only, made safe to publish here: this module is the one
owner of the disclosure rule.

The disclosure rule (README, "Open data"):

- a count of 1 to 4 is published as "<5"; 0 is published as 0; every other count is
  rounded to the nearest multiple of 5 (8 -> 10, 12 -> 10, 13 -> 15). Every published count
  is rounded, totals included, so a total minus the other cells leaves at least the
  rounding's uncertainty (+-2 on each number) and never tells a suppressed cell's value;
- anonymous and confidential complaints count in the counts and nowhere else: the medians
  and the shares within the deadline are computed over public complaints only, and no text,
  place, person or ticket id of any complaint is read at all (the query selects none);
- a median or a share is published only when it rests on at least 5 public complaints;
- figures are per calendar month (local time) of filing; a month's figures do not depend on
  the range asked for, so ranges cannot be subtracted from one another.

Time to verification counts working days from filing to verification; time to resolution
counts working days from verification to closing, the stretch the category's resolution
deadline covers (bot.tickets.deadlines, the one owner of working days). "Overdue" is today's
view: open tickets past their current deadline, as the console's queue counts them.

The satisfaction survey's IKM (bot.skm, PermenPANRB 14/2017) is published over the period
asked for, overall and per unit and service: respondent counts under the same rule, the IKM,
its grade and each element's value only for groups of at least bot.skm.MIN_RESPONDENTS
respondents (an element also needs that many answers); never a comment or respondent key
(bot.skm's query selects neither).

`Publisher` caches each month's published figures for TRANSPARENCY_CACHE_S seconds (and
until the local date changes), so a busy page costs one query per month and period; the
IKM of a period likewise.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot import skm
from bot.store.models import OPEN_STATUSES, Category, Office, Privacy, Ticket, TicketStatus
from bot.store.repository import Repository, ServiceView
from bot.texts import CATEGORY_SHORT_LABELS
from bot.tickets.deadlines import Deadlines

SMALL = 5  # a count from 1 to SMALL - 1 is published as "<5"
ROUND_TO = 5  # every other count is rounded to a multiple of this
SUPPRESSED = "<5"
MIN_BASE = 5  # public complaints a median or a share must rest on
NO_UNIT_ID = "tanpa_unit"
NO_UNIT_LABEL = "Belum ada unit"
MAX_MONTHS = 60  # longest period one request may ask for
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_CACHED_MONTHS = 2048
MAX_CACHED_PERIODS = 256  # IKM figures kept, one per period asked for

Count = int | str  # a published count: 0, a multiple of ROUND_TO, or SUPPRESSED


def publish_count(n: int) -> Count:
    """A count as published (module docstring)."""
    if n <= 0:
        return 0
    if n < SMALL:
        return SUPPRESSED
    return ROUND_TO * ((n + ROUND_TO // 2) // ROUND_TO)


def publish_median(values: list[int]) -> float | None:
    """The median, when at least MIN_BASE values back it."""
    return float(statistics.median(values)) if len(values) >= MIN_BASE else None


def publish_share(hits: int, base: int) -> int | None:
    """`hits` of `base` in whole percent, when `base` is at least MIN_BASE."""
    return round(100 * hits / base) if base >= MIN_BASE else None


# -- months --------------------------------------------------------------------------------

_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")


class BadPeriod(ValueError):
    """A period or unit the page cannot show (message in Indonesian, for the visitor)."""


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        """The month of `day`."""
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-03', or BadPeriod."""
        found = _MONTH_RE.fullmatch(text.strip())
        if not found:
            raise BadPeriod("Bulan ditulis tahun-bulan, misalnya 2026-03.")
        year, month = int(found.group(1)), int(found.group(2))
        if not 1 <= month <= 12:
            raise BadPeriod("Bulan harus antara 01 dan 12.")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise BadPeriod(f"Tahun harus antara {FIRST_YEAR} dan {LAST_YEAR}.")
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def shift(self, months: int) -> Month:
        """The month `months` later (earlier when negative)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def first_day(self) -> date:
        """Its first day."""
        return date(self.year, self.month, 1)

    def until(self, last: Month) -> list[Month]:
        """This month through `last`."""
        out, current = [], self
        while current <= last:
            out.append(current)
            current = current.shift(1)
        return out


def period(first: str | None, last: str | None, this_month: Month) -> tuple[Month, Month]:
    """The months asked for: both ends optional (default: the 12 months up to this one);
    reversed ends are swapped; longer than MAX_MONTHS, or outside FIRST_YEAR..LAST_YEAR,
    is BadPeriod."""
    end = Month.parse(last) if last and last.strip() else None
    start = Month.parse(first) if first and first.strip() else None
    if end is None:
        end = max(this_month, start) if start else this_month
    if start is None:
        start = max(end.shift(-11), Month(FIRST_YEAR, 1))
    if start > end:
        start, end = end, start
    if len(start.until(end)) > MAX_MONTHS:
        raise BadPeriod(f"Rentang paling panjang {MAX_MONTHS} bulan.")
    return start, end


# -- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """Published figures of one month, for all units or one, all categories or one.

    `unit_id`/`category` are None where the row is not split by them."""

    month: str
    unit_id: str | None
    unit: str | None
    category: str | None
    received: Count
    verified: Count
    resolved: Count
    overdue: Count
    median_days_to_verify: float | None
    verified_on_time_pct: int | None
    median_days_to_resolve: float | None
    resolved_on_time_pct: int | None

    @property
    def category_label(self) -> str:
        """The category's name on the page ('' when not split by category)."""
        return CATEGORY_SHORT_LABELS[Category(self.category)] if self.category else ""


@dataclass
class _Tally:
    """Raw figures of one group while a month is counted (never published as they are)."""

    received: int = 0
    verified: int = 0
    resolved: int = 0
    overdue: int = 0
    verify_days: list[int] = field(default_factory=list)  # public complaints only
    verify_based: int = 0  # public complaints verified with a verification deadline
    verify_on_time: int = 0
    resolve_days: list[int] = field(default_factory=list)
    resolve_based: int = 0
    resolve_on_time: int = 0

    def merge(self, other: _Tally) -> None:
        """Add `other`'s figures to these."""
        self.received += other.received
        self.verified += other.verified
        self.resolved += other.resolved
        self.overdue += other.overdue
        self.verify_days.extend(other.verify_days)
        self.verify_based += other.verify_based
        self.verify_on_time += other.verify_on_time
        self.resolve_days.extend(other.resolve_days)
        self.resolve_based += other.resolve_based
        self.resolve_on_time += other.resolve_on_time

    def row(self, month: Month, unit: tuple[str, str] | None, category: str | None) -> Row:
        return Row(
            month=str(month),
            unit_id=unit[0] if unit else None,
            unit=unit[1] if unit else None,
            category=category,
            received=publish_count(self.received),
            verified=publish_count(self.verified),
            resolved=publish_count(self.resolved),
            overdue=publish_count(self.overdue),
            median_days_to_verify=publish_median(self.verify_days),
            verified_on_time_pct=publish_share(self.verify_on_time, self.verify_based),
            median_days_to_resolve=publish_median(self.resolve_days),
            resolved_on_time_pct=publish_share(self.resolve_on_time, self.resolve_based),
        )


class _TicketFacts(NamedTuple):
    """What one ticket adds to the figures: no text, place, person or id."""

    month: tuple[int, int]  # (year, month) of filing
    unit_id: str
    category: str
    public: bool
    verified: bool
    resolved: bool
    overdue: bool
    days_to_verify: int | None
    verified_on_time: bool | None  # None: no deadline to compare with
    days_to_resolve: int | None
    resolved_on_time: bool | None


@dataclass(frozen=True)
class MonthTable:
    """One month's published figures: all units, each unit, each category, each unit and
    category."""

    month: Month
    total: Row
    units: tuple[Row, ...]
    categories: tuple[Row, ...]
    detail: tuple[Row, ...]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _utc_start(month: Month, tz: ZoneInfo) -> datetime:
    return datetime.combine(month.first_day(), datetime.min.time(), tzinfo=tz).astimezone(
        timezone.utc
    )


def count_months(
    engine: Engine,
    months: list[Month],
    deadlines: Deadlines,
    today: date,
    tz_name: str,
    unit_names: dict[str, str],
) -> dict[Month, MonthTable]:
    """The published figures of `months` (consecutive), from one query over their tickets."""
    if not months:
        return {}
    tz = ZoneInfo(tz_name)
    start, end = _utc_start(months[0], tz), _utc_start(months[-1].shift(1), tz)
    # Only the columns the figures need: no description, location, reporter or public id.
    query = select(
        Ticket.created_at,
        Ticket.office_id,
        Ticket.category,
        Ticket.privacy,
        Ticket.status,
        Ticket.verified_at,
        Ticket.closed_at,
        Ticket.verify_due,
        Ticket.resolve_due,
        Ticket.due_on,
    ).where(Ticket.created_at >= start, Ticket.created_at < end)
    with engine.connect() as conn:  # Core rows: no ORM loading for a read of plain columns
        rows = conn.execute(query).tuples().all()
    by_month: dict[tuple[int, int], list[_TicketFacts]] = {(m.year, m.month): [] for m in months}
    for row in rows:
        f = _facts(row, deadlines, today, tz)
        by_month.setdefault(f.month, []).append(f)
    return {m: _table(m, by_month[(m.year, m.month)], unit_names) for m in months}


def _local_day(value: datetime, tz: ZoneInfo) -> date:
    """The local date of a stored timestamp (SQLite returns UTC without its zone)."""
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(tz).date()


def _facts(row: tuple[Any, ...], deadlines: Deadlines, today: date, tz: ZoneInfo) -> _TicketFacts:
    created, office_id, category, privacy, status, verified_at, closed_at, vdue, rdue, due = row
    # The enums are str enums: the stored strings compare equal to them.
    filed_on = _local_day(created, tz)
    verified_on = _local_day(verified_at, tz) if verified_at is not None else None
    resolved = status == TicketStatus.SELESAI and closed_at is not None
    closed_on = _local_day(closed_at, tz) if resolved else None
    days_to_verify = days_to_resolve = None
    verified_on_time = resolved_on_time = None
    if verified_on is not None:
        days_to_verify = deadlines.working_days_left(verified_on, filed_on)
        verified_on_time = verified_on <= vdue if vdue else None
    if closed_on is not None:
        days_to_resolve = deadlines.working_days_left(closed_on, verified_on or filed_on)
        resolved_on_time = closed_on <= rdue if rdue else None
    return _TicketFacts(
        month=(filed_on.year, filed_on.month),
        unit_id=office_id or NO_UNIT_ID,
        category=Category(category).value,
        public=privacy == Privacy.PUBLIC,
        verified=verified_at is not None,
        resolved=resolved,
        overdue=status in OPEN_STATUSES and due is not None and due < today,
        days_to_verify=days_to_verify,
        verified_on_time=verified_on_time,
        days_to_resolve=days_to_resolve,
        resolved_on_time=resolved_on_time,
    )


def _add(tally: _Tally, f: _TicketFacts) -> None:
    tally.received += 1
    tally.verified += f.verified
    tally.resolved += f.resolved
    tally.overdue += f.overdue
    if not f.public:
        return  # anonymous and confidential complaints: counts only
    if f.days_to_verify is not None:
        tally.verify_days.append(f.days_to_verify)
    if f.verified_on_time is not None:
        tally.verify_based += 1
        tally.verify_on_time += f.verified_on_time
    if f.days_to_resolve is not None:
        tally.resolve_days.append(f.days_to_resolve)
    if f.resolved_on_time is not None:
        tally.resolve_based += 1
        tally.resolve_on_time += f.resolved_on_time


def _table(month: Month, facts: list[_TicketFacts], unit_names: dict[str, str]) -> MonthTable:
    total = _Tally()
    units: dict[str, _Tally] = {}
    categories: dict[str, _Tally] = {}
    detail: dict[tuple[str, str], _Tally] = {}
    for f in facts:  # counted once, in the finest group; the others are sums of those
        cell = detail.get((f.unit_id, f.category))
        if cell is None:
            cell = detail[(f.unit_id, f.category)] = _Tally()
        _add(cell, f)
    for (unit_id, category), cell in detail.items():
        for tally in (
            total,
            units.setdefault(unit_id, _Tally()),
            categories.setdefault(category, _Tally()),
        ):
            tally.merge(cell)

    def unit(unit_id: str) -> tuple[str, str]:
        if unit_id == NO_UNIT_ID:
            return unit_id, NO_UNIT_LABEL
        return unit_id, unit_names.get(unit_id, unit_id)

    order = {c.value: i for i, c in enumerate(Category)}
    unit_order = sorted(units, key=lambda u: (u == NO_UNIT_ID, unit(u)[1]))
    rank = {u: i for i, u in enumerate(unit_order)}
    return MonthTable(
        month=month,
        total=total.row(month, None, None),
        units=tuple(units[u].row(month, unit(u), None) for u in unit_order),
        categories=tuple(
            categories[c].row(month, None, c) for c in sorted(categories, key=order.__getitem__)
        ),
        detail=tuple(
            detail[key].row(month, unit(key[0]), key[1])
            for key in sorted(detail, key=lambda k: (rank[k[0]], order[k[1]]))
        ),
    )


# -- the satisfaction survey (IKM) ----------------------------------------------------------


@dataclass(frozen=True)
class IkmElement:
    """One element (unsur) of a published group: its value on the IKM scale (NRR x 25)."""

    code: str
    label: str
    value: Decimal | None  # None: fewer than skm.MIN_RESPONDENTS answered it


@dataclass(frozen=True)
class IkmFigure:
    """The published IKM of all units (unit_id None), a unit (service_id None) or a service."""

    unit_id: str | None
    unit: str | None
    service_id: str | None
    service: str | None
    respondents: Count
    ikm: Decimal | None  # two decimals; None when suppressed (or an element has no answer)
    grade: str | None  # mutu pelayanan, A-D
    mutu: str | None  # kinerja unit pelayanan, "Sangat Baik" .. "Tidak Baik"
    elements: tuple[IkmElement, ...]  # empty when suppressed


@dataclass(frozen=True)
class IkmTable:
    """The IKM of a period: all units (or the unit asked for) and each unit and service."""

    overall: IkmFigure
    rows: tuple[IkmFigure, ...]


def _ikm_figure(
    summary: skm.Summary,
    unit: tuple[str, str] | None,
    service: tuple[str, str] | None,
) -> IkmFigure:
    elements = tuple(
        IkmElement(
            e.element.code,
            e.element.label,
            skm.published(e.converted)
            if e.converted is not None and e.answered >= skm.MIN_RESPONDENTS
            else None,
        )
        for e in summary.elements
    )
    shown = not summary.suppressed and summary.ikm is not None
    return IkmFigure(
        unit_id=unit[0] if unit else None,
        unit=unit[1] if unit else None,
        service_id=service[0] if service else None,
        service=service[1] if service else None,
        respondents=publish_count(summary.respondents),
        ikm=skm.published(summary.ikm) if shown and summary.ikm is not None else None,
        grade=summary.grade if shown else None,
        mutu=summary.mutu if shown else None,
        elements=elements if not summary.suppressed else (),
    )


def count_ikm(engine: Engine, first: Month, last: Month) -> IkmTable:
    """The published IKM of `first`..`last`, all units, from bot.skm's anonymous aggregate."""
    with Session(engine) as session:
        overall, rows = skm.ikm_by_unit_and_service(session, str(first), str(last))
    published = []
    for row in rows:
        unit = (row.unit_id, row.unit_name) if row.unit_id else (NO_UNIT_ID, NO_UNIT_LABEL)
        service = (row.service_id, row.service_name or row.service_id) if row.service_id else None
        published.append(_ikm_figure(row.summary, unit, service))
    return IkmTable(_ikm_figure(overall, None, None), tuple(published))


def _ikm_of_unit(table: IkmTable, unit: tuple[str, str] | None) -> IkmTable:
    """The table for all units, or one unit's rows with its total as the overall figure."""
    if unit is None:
        return table
    rows = tuple(r for r in table.rows if r.unit_id == unit[0])
    total = next((r for r in rows if r.service_id is None), None)
    if total is None:
        total = _ikm_figure(skm.summarise([]), unit, None)
    return IkmTable(total, rows)


@dataclass(frozen=True)
class Statistics:
    """The published figures of a period, for all units or one."""

    first: Month
    last: Month
    unit_id: str | None
    by_month: tuple[Row, ...]  # one row per month (all units, or the unit asked for)
    by_unit: tuple[Row, ...]  # month x unit
    by_category: tuple[Row, ...]  # month x category
    detail: tuple[Row, ...]  # month x unit x category (groups with complaints only)
    verification_days: int  # the verification deadline, in working days
    resolution_days: dict[str, int]  # the resolution deadline per category
    ikm: IkmTable  # the satisfaction survey over the period
    computed_at: datetime  # when the oldest of these figures was counted
    fresh_until: float  # Publisher.clock() value until which they may be served as they are


def _select(
    tables: list[MonthTable], unit: tuple[str, str] | None
) -> tuple[tuple[Row, ...], tuple[Row, ...], tuple[Row, ...], tuple[Row, ...]]:
    """(by month, by unit, by category, detail) of the tables, for all units or one.

    For one unit (id, name): its own rows are the months' rows and its unit-and-category
    rows the categories' rows; the by-unit and detail tables are then empty (they would
    repeat them)."""
    if unit is None:
        return (
            tuple(t.total for t in tables),
            tuple(r for t in tables for r in t.units),
            tuple(r for t in tables for r in t.categories),
            tuple(r for t in tables for r in t.detail),
        )
    by_month = []
    for t in tables:
        own = next((r for r in t.units if r.unit_id == unit[0]), None)
        by_month.append(own or _Tally().row(t.month, unit, None))
    by_category = tuple(r for t in tables for r in t.detail if r.unit_id == unit[0])
    return tuple(by_month), (), by_category, ()


# -- the service catalogue -----------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One published fact of a catalogue entry, with its source and the date it was checked."""

    label: str
    value: str
    source: str | None  # None when the catalogue records none
    as_of: date | None  # when the source was last checked, None when never
    regional: bool  # set by each region (a local regulation), not nationally


@dataclass(frozen=True)
class CatalogueEntry:
    """A service as the transparency page lists it."""

    service_id: str
    name: str
    unit_id: str
    unit: str
    facts: tuple[Fact, ...]


# (label on the page, the catalogue's aspect it belongs to (bot.store.catalogue.FACT_FIELDS),
# how its text is read from a ServiceView, the ServiceView field holding its legal basis)
CATALOGUE_FACTS: tuple[tuple[str, str, Callable[[ServiceView], object], str | None], ...] = (
    ("Persyaratan", "requirements", lambda v: v.requirements, None),
    ("Biaya", "cost", lambda v: v.cost, "cost_basis"),
    ("Waktu penyelesaian", "duration", lambda v: v.duration, "duration_basis"),
    (
        "Batas waktu pelaporan",
        "reporting_deadline",
        lambda v: v.reporting_deadline,
        "reporting_deadline_basis",
    ),
    ("Prosedur", "procedure", lambda v: v.procedure, None),
    ("Kanal daring", "procedure", lambda v: v.online_channel, None),
    ("Produk", "procedure", lambda v: v.product, None),
    (
        "Kantor dan jam layanan",
        "location_hours",
        lambda v: [v.office_name, v.office_address or "", v.office_hours or ""],
        None,
    ),
)


def _fact_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        items = [str(v).strip() for v in value if str(v).strip()]
        return "; ".join(items) or None
    text = str(value).strip()
    return text or None


def catalogue_entry(view: ServiceView) -> CatalogueEntry:
    """A service's published facts (empty ones left out), each with the source and checked
    date the catalogue records for its aspect (`service_facts`); without a recorded source,
    the fact's legal basis where the catalogue has one."""
    facts = []
    for label, aspect, read, basis in CATALOGUE_FACTS:
        value = _fact_text(read(view))
        if value is None:
            continue
        recorded = view.facts.get(aspect)
        source = (recorded.source if recorded else None) or (
            _fact_text(getattr(view, basis)) if basis else None
        )
        facts.append(
            Fact(
                label,
                value,
                source,
                recorded.checked if recorded else None,
                bool(recorded and recorded.regional),
            )
        )
    return CatalogueEntry(view.id, view.name, view.office_id, view.office_name, tuple(facts))


def read_catalogue(engine: Engine) -> tuple[CatalogueEntry, ...]:
    """Every service with its published facts, by unit and name (the repository's read of
    the catalogue, the one the assistant answers from)."""
    views = Repository(engine).list_services()
    return tuple(catalogue_entry(v) for v in sorted(views, key=lambda v: (v.office_name, v.name)))


def read_units(engine: Engine) -> dict[str, str]:
    """Unit id -> name, every office of the catalogue."""
    with Session(engine) as s:
        return dict(s.execute(select(Office.id, Office.name).order_by(Office.name)).tuples().all())


# -- the cache -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cached:
    table: MonthTable
    today: date
    at: float  # clock()
    computed_at: datetime


@dataclass(frozen=True)
class _CachedIkm:
    table: IkmTable
    today: date
    at: float  # clock()
    computed_at: datetime


class Publisher:
    """The page's figures, each month's kept for `ttl_s` seconds and while the local date
    is the same; the unit list and the catalogue for `ttl_s` too. Thread-safe: one request
    counts at a time (see `statistics`)."""

    def __init__(
        self,
        engine: Engine,
        deadlines: Callable[[], Deadlines],
        tz_name: str,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.deadlines = deadlines
        self.tz_name = tz_name
        self.ttl_s = ttl_s
        self.clock = clock
        self._months: dict[Month, _Cached] = {}
        self._lock = threading.Lock()  # the unit list and the catalogue
        self._counting = threading.Lock()  # held by the one request counting months
        self._units: tuple[float, dict[str, str]] | None = None
        self._catalogue: tuple[float, tuple[CatalogueEntry, ...]] | None = None
        self._ikm: dict[tuple[Month, Month], _CachedIkm] = {}
        self._ikm_lock = threading.Lock()  # held by the one request counting an IKM
        self.months_counted = 0  # how many month tables were computed (tests, logs)

    def _fresh(self, at: float) -> bool:
        return self.clock() - at < self.ttl_s

    def units(self) -> dict[str, str]:
        """Unit id -> name (cached)."""
        with self._lock:
            if self._units is None or not self._fresh(self._units[0]):
                self._units = (self.clock(), read_units(self.engine))
            return self._units[1]

    def catalogue(self) -> tuple[CatalogueEntry, ...]:
        """The catalogue as published (cached)."""
        with self._lock:
            if self._catalogue is None or not self._fresh(self._catalogue[0]):
                self._catalogue = (self.clock(), read_catalogue(self.engine))
            return self._catalogue[1]

    def check_unit(self, unit_id: str | None) -> str | None:
        """The unit filter: None for all units, a known unit id, or BadPeriod."""
        if unit_id is None or not unit_id.strip() or unit_id.strip() == "semua":
            return None
        unit_id = unit_id.strip()
        if unit_id != NO_UNIT_ID and unit_id not in self.units():
            raise BadPeriod("Unit tidak dikenal. Pilih unit dari daftar.")
        return unit_id

    def statistics(self, first: Month, last: Month, unit_id: str | None, today: date) -> Statistics:
        """The published figures of `first`..`last` (see `period`) for one unit or all.

        Months missing or stale are counted again by one request at a time; while it counts,
        a request for months that all have figures gets those (stale for a moment) instead of
        waiting, so the page never stalls when its figures expire under load."""
        months = first.until(last)
        deadlines = self.deadlines()
        units = self.units()
        if not all(self._usable(m, today) for m in months):
            have_all = all(m in self._months for m in months)
            if self._counting.acquire(blocking=not have_all):
                try:
                    stale = [m for m in months if not self._usable(m, today)]
                    if stale:
                        self._count(stale[0].until(stale[-1]), deadlines, today, units)
                finally:
                    self._counting.release()
        found = [self._months.get(m) for m in months]
        cached = [c for c in found if c is not None]
        if len(cached) < len(months):  # dropped by another request's eviction meanwhile
            with self._counting:
                cached = list(self._count(months, deadlines, today, units).values())
        unit = None
        if unit_id is not None:
            unit = (
                unit_id,
                NO_UNIT_LABEL if unit_id == NO_UNIT_ID else units.get(unit_id, unit_id),
            )
        by_month, by_unit, by_category, detail = _select([c.table for c in cached], unit)
        ikm = self._ikm_of(first, last, today)
        return Statistics(
            first=first,
            last=last,
            unit_id=unit_id,
            by_month=by_month,
            by_unit=by_unit,
            by_category=by_category,
            detail=detail,
            verification_days=deadlines.verification_days,
            resolution_days={c.value: deadlines.policy.days_for(c) for c in Category},
            ikm=_ikm_of_unit(ikm.table, unit),
            computed_at=min([c.computed_at for c in cached] + [ikm.computed_at]),
            fresh_until=min([c.at for c in cached] + [ikm.at]) + self.ttl_s,
        )

    def _ikm_of(self, first: Month, last: Month, today: date) -> _CachedIkm:
        """The IKM of the period, kept like a month's figures."""
        with self._ikm_lock:
            found = self._ikm.get((first, last))
            if found is None or found.today != today or not self._fresh(found.at):
                found = _CachedIkm(
                    count_ikm(self.engine, first, last),
                    today,
                    self.clock(),
                    datetime.now(timezone.utc),
                )
                self._ikm[(first, last)] = found
                while len(self._ikm) > MAX_CACHED_PERIODS:
                    oldest = min(self._ikm, key=lambda k: self._ikm[k].at)
                    del self._ikm[oldest]
            return found

    def _count(
        self, months: list[Month], deadlines: Deadlines, today: date, units: dict[str, str]
    ) -> dict[Month, _Cached]:
        """Count `months` and keep them (the caller holds `_counting`)."""
        counted = count_months(self.engine, months, deadlines, today, self.tz_name, units)
        now, wall = self.clock(), datetime.now(timezone.utc)
        kept = {month: _Cached(table, today, now, wall) for month, table in counted.items()}
        self._months.update(kept)
        self.months_counted += len(kept)
        self._evict()
        return kept

    def _usable(self, month: Month, today: date) -> bool:
        cached = self._months.get(month)
        return cached is not None and cached.today == today and self._fresh(cached.at)

    def _evict(self) -> None:
        if len(self._months) <= MAX_CACHED_MONTHS:
            return
        oldest = sorted(self._months.items(), key=lambda item: item[1].at)
        for month, _ in oldest[: len(self._months) - MAX_CACHED_MONTHS]:
            del self._months[month]
