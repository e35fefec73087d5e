"""The ticket queue: filters, text search, sorting and keyset pagination.

Pages are addressed by a cursor (the sort key of the last row shown), never by OFFSET, so
page 500 costs what page 1 costs. Sorts:

- `tenggat` (default): current deadline first (`due_on`, id), then tickets without one
  (closed) by id: two index-ordered phases, the cursor says which one it is in;
- `terbaru` / `terlama`: by filing time (`created_at`, id).
"""

from __future__ import annotations

import base64
import json
import re
import time as time_module
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Engine,
    Select,
    and_,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, aliased

from bot.officer.access import Viewer, visible_clause
from bot.store.ids import normalise_ticket_id
from bot.store.models import (
    OPEN_STATUS_SQL,
    Category,
    Office,
    Officer,
    Privacy,
    Ticket,
    TicketStatus,
)

# Literal, as in the partial indexes' predicate (bind parameters would hide it from the planner).
OPEN: ColumnElement[bool] = literal_column(OPEN_STATUS_SQL, Boolean())
OVERDUE_CACHE_S = 30.0
SORTS = {"tenggat": "Tenggat terdekat", "terbaru": "Terbaru", "terlama": "Terlama"}
COUNT_CAP = 10_000
SNIPPET = 140
# Bounds of what a request may ask for (anything outside is refused before any query).
ROW_ID_MAX = 2**31 - 1  # INTEGER primary keys (PostgreSQL int4, the narrower database)
DAY_MIN = date(2000, 1, 1)
DAY_MAX = date(2100, 12, 31)
CURSOR_MAX_CHARS = 200
DAY_FORMAT_HINT = "hh/bb/tttt, mis. 17/08/2026"
_DMY_RE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID_RE = re.compile(r"[0-9]{1,10}")


class BadFilter(ValueError):
    """A filter value could not be understood (message in Indonesian)."""


def parse_day(text: str) -> date:
    """A date typed by an officer: dd/mm/yyyy (as Indonesians write it) or yyyy-mm-dd, within
    DAY_MIN..DAY_MAX. Raises BadFilter with an Indonesian message."""
    value = text.strip()
    try:
        if found := _DMY_RE.fullmatch(value):
            day = date(int(found[3]), int(found[2]), int(found[1]))
        elif _ISO_RE.fullmatch(value):
            day = date.fromisoformat(value)
        else:
            raise ValueError(value)
    except ValueError as exc:
        raise BadFilter(
            f"Tanggal tidak valid: {value[:40]}. Tulis dengan format {DAY_FORMAT_HINT}."
        ) from exc
    if not DAY_MIN <= day <= DAY_MAX:
        raise BadFilter(
            f"Tanggal {format_day_input(day)} di luar rentang yang dapat dicari "
            f"({format_day_input(DAY_MIN)} sampai {format_day_input(DAY_MAX)})."
        )
    return day


def format_day_input(day: date | None) -> str:
    """dd/mm/yyyy, the form the date fields show (empty for no date)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""


def parse_row_id(text: str) -> int | None:
    """A database row id given as text (ASCII digits, 1..ROW_ID_MAX), else None."""
    if not _ID_RE.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= ROW_ID_MAX else None


@dataclass(frozen=True)
class QueueFilter:
    """What the officer asked for. Empty strings mean 'any'."""

    status: str = "terbuka"  # terbuka | semua | a TicketStatus value
    category: str = ""
    unit: str = ""  # office id | "-" (no unit yet)
    assignee: str = ""  # "saya" | "-" (nobody) | officer id
    privacy: str = ""
    overdue: bool = False
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    sort: str = "tenggat"

    @classmethod
    def from_params(cls, params: dict[str, str]) -> QueueFilter:
        """Parse query parameters; unknown values raise BadFilter."""

        def day(name: str) -> date | None:
            value = (params.get(name) or "").strip()
            return parse_day(value) if value else None

        status = (params.get("status") or "terbuka").strip()
        if status not in ("terbuka", "semua") and status not in {s.value for s in TicketStatus}:
            raise BadFilter("Status tidak dikenal.")
        category = (params.get("kategori") or "").strip()
        if category and category not in {c.value for c in Category}:
            raise BadFilter("Kategori tidak dikenal.")
        privacy = (params.get("privasi") or "").strip()
        if privacy and privacy not in {p.value for p in Privacy}:
            raise BadFilter("Privasi tidak dikenal.")
        assignee = (params.get("petugas") or "").strip()
        if assignee and assignee not in ("saya", "-") and parse_row_id(assignee) is None:
            raise BadFilter("Petugas tidak dikenal.")
        sort = (params.get("urut") or "tenggat").strip()
        if sort not in SORTS:
            raise BadFilter("Urutan tidak dikenal.")
        return cls(
            status=status,
            category=category,
            unit=(params.get("unit") or "").strip()[:40],
            assignee=assignee,
            privacy=privacy,
            overdue=(params.get("terlambat") or "") in ("1", "on", "ya"),
            date_from=day("dari"),
            date_to=day("sampai"),
            q=" ".join((params.get("q") or "").split())[:200],
            sort=sort,
        )

    def to_params(self) -> dict[str, str]:
        """The query parameters that reproduce this filter (for links and the CSV export)."""
        out = {
            "status": self.status,
            "kategori": self.category,
            "unit": self.unit,
            "petugas": self.assignee,
            "privasi": self.privacy,
            "terlambat": "1" if self.overdue else "",
            "dari": format_day_input(self.date_from),
            "sampai": format_day_input(self.date_to),
            "q": self.q,
            "urut": self.sort,
        }
        return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue."""

    public_id: str
    category: Category
    status: TicketStatus
    privacy: Privacy
    unit: str | None
    assignee: str | None
    created_at: datetime
    due_on: date | None
    snippet: str


@dataclass(frozen=True)
class QueuePage:
    """One page and the cursor of the next one."""

    rows: list[QueueRow]
    next_cursor: str | None
    total: int  # capped at COUNT_CAP
    total_capped: bool
    overdue_by_unit: list[tuple[str, int]] = field(default_factory=list)


def encode_cursor(values: list[Any]) -> str:
    """Opaque cursor text."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(text: str, sort: str) -> list[Any] | None:
    """The cursor's values, or None when it is missing, malformed or out of range."""
    if not text or len(text) > CURSOR_MAX_CHARS:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(raw, list):
        return None
    try:
        if sort == "tenggat" and len(raw) == 3 and raw[0] in (0, 1) and _cursor_id(raw[2]):
            due = date.fromisoformat(raw[1]) if raw[1] else None
            if due is not None and not DAY_MIN <= due <= DAY_MAX:
                return None
            return [int(raw[0]), due, int(raw[2])]
        if sort != "tenggat" and len(raw) == 2 and _cursor_id(raw[1]):
            created = datetime.fromisoformat(raw[0])
            if not DAY_MIN <= created.date() <= DAY_MAX:
                return None
            return [created, int(raw[1])]
    except (ValueError, TypeError):
        return None
    return None


def _cursor_id(value: Any) -> bool:
    return type(value) is int and 0 <= value <= ROW_ID_MAX


class Queue:
    """Queue queries on one engine."""

    def __init__(self, engine: Engine, timezone: str = "Asia/Jakarta", page_size: int = 50):
        self.engine = engine
        self.tz = ZoneInfo(timezone)
        self.page_size = page_size
        self._overdue_cache: dict[Any, tuple[float, list[tuple[str, int]]]] = {}

    def conditions(self, viewer: Viewer, f: QueueFilter, today: date) -> list[ColumnElement[bool]]:
        """The WHERE clause of a filter, visibility included."""
        where: list[ColumnElement[bool]] = [visible_clause(viewer)]
        if f.status == "terbuka":
            where.append(OPEN)
        elif f.status != "semua":
            where.append(Ticket.status == TicketStatus(f.status))
        if f.category:
            where.append(Ticket.category == Category(f.category))
        if f.unit == "-":
            where.append(Ticket.office_id.is_(None))
        elif f.unit:
            where.append(Ticket.office_id == f.unit)
        if f.assignee == "saya":
            where.append(Ticket.assignee_id == viewer.id)
        elif f.assignee == "-":
            where.append(Ticket.assignee_id.is_(None))
        elif f.assignee:
            where.append(Ticket.assignee_id == int(f.assignee))
        if f.privacy:
            where.append(Ticket.privacy == Privacy(f.privacy))
        if f.overdue:
            where.append(Ticket.due_on < today)
        if f.date_from:
            where.append(Ticket.created_at >= self._start_of(f.date_from))
        if f.date_to:
            where.append(Ticket.created_at < self._start_of(f.date_to + timedelta(days=1)))
        if f.q:
            ticket_id = normalise_ticket_id(f.q)
            if ticket_id:
                where.append(Ticket.public_id == ticket_id)
            else:
                pattern = "%" + _escape_like(f.q) + "%"
                where.append(
                    or_(
                        Ticket.description.ilike(pattern, escape="\\"),
                        Ticket.location_text.ilike(pattern, escape="\\"),
                    )
                )
        return where

    def _start_of(self, day: date) -> datetime:
        # UTC: SQLite keeps the UTC wall time without an offset.
        return datetime.combine(day, time.min, tzinfo=self.tz).astimezone(timezone.utc)

    def _select(self, where: list[ColumnElement[bool]]) -> Select[Any]:
        assignee = aliased(Officer)
        return (
            select(
                Ticket.id,
                Ticket.public_id,
                Ticket.category,
                Ticket.status,
                Ticket.privacy,
                Office.name,
                assignee.display_name,
                Ticket.created_at,
                Ticket.due_on,
                func.substr(Ticket.description, 1, SNIPPET),
            )
            .outerjoin(Office, Office.id == Ticket.office_id)
            .outerjoin(assignee, assignee.id == Ticket.assignee_id)
            .where(and_(*where))
        )

    def page(
        self, viewer: Viewer, f: QueueFilter, cursor: str, today: date, with_counts: bool = True
    ) -> QueuePage:
        """One page of the queue after `cursor`."""
        where = self.conditions(viewer, f, today)
        position = decode_cursor(cursor, f.sort)
        with Session(self.engine) as s:
            rows = self._rows(s, where, f.sort, position, self.page_size + 1)
            has_more = len(rows) > self.page_size
            rows = rows[: self.page_size]
            next_cursor = None
            if has_more and rows:
                next_cursor = encode_cursor(self._key_of(rows[-1], f.sort))
            total, capped, overdue = 0, False, []
            if with_counts:
                total = int(
                    s.scalar(
                        select(func.count()).select_from(
                            select(Ticket.id).where(and_(*where)).limit(COUNT_CAP + 1).subquery()
                        )
                    )
                    or 0
                )
                capped = total > COUNT_CAP
                overdue = self.overdue_by_unit(s, viewer, today)
        return QueuePage(
            [_row(r) for r in rows], next_cursor, min(total, COUNT_CAP), capped, overdue
        )

    def _rows(
        self,
        s: Session,
        where: list[ColumnElement[bool]],
        sort: str,
        position: list[Any] | None,
        limit: int,
    ) -> list[Any]:
        if sort == "tenggat":
            phase = position[0] if position else 0
            rows: list[Any] = []
            if phase == 0:
                query = self._select([*where, Ticket.due_on.is_not(None)])
                if position:
                    query = query.where(
                        tuple_(Ticket.due_on, Ticket.id) > (position[1], position[2])
                    )
                rows = list(s.execute(query.order_by(Ticket.due_on, Ticket.id).limit(limit)).all())
                if len(rows) >= limit:
                    return rows
            query = self._select([*where, Ticket.due_on.is_(None)])
            if position and phase == 1:
                query = query.where(Ticket.id > position[2])
            more = s.execute(query.order_by(Ticket.id).limit(limit - len(rows))).all()
            return rows + list(more)
        newest = sort == "terbaru"
        query = self._select(where)
        if position:
            key = tuple_(Ticket.created_at, Ticket.id)
            bound = (position[0], position[1])
            query = query.where(key < bound if newest else key > bound)
        order = (
            (Ticket.created_at.desc(), Ticket.id.desc())
            if newest
            else (Ticket.created_at, Ticket.id)
        )
        return list(s.execute(query.order_by(*order).limit(limit)).all())

    @staticmethod
    def _key_of(row: Any, sort: str) -> list[Any]:
        if sort == "tenggat":
            if row.due_on is None:
                return [1, None, row.id]
            return [0, row.due_on.isoformat(), row.id]
        created = row.created_at
        if created.tzinfo is None:  # SQLite: UTC without an offset
            created = created.replace(tzinfo=timezone.utc)
        return [created.isoformat(), row.id]

    def overdue_by_unit(self, s: Session, viewer: Viewer, today: date) -> list[tuple[str, int]]:
        """(unit name, overdue open tickets) for the tickets the viewer can see.

        Counted on the partial index of open tickets, and kept for OVERDUE_CACHE_S seconds
        per access scope (overdue counts move by the day, not by the second).
        """
        key = (viewer.role.value, viewer.units, viewer.id if not viewer.is_supervisor else 0, today)
        cached = self._overdue_cache.get(key)
        now = time_module.monotonic()
        if cached and now - cached[0] < OVERDUE_CACHE_S:
            return cached[1]
        counts = s.execute(
            select(Ticket.office_id, func.count())
            .where(visible_clause(viewer), OPEN, Ticket.due_on < today)
            .group_by(Ticket.office_id)
        ).all()
        names = dict(s.execute(select(Office.id, Office.name)).tuples().all())
        result = sorted(
            ((names.get(o, o) if o else "(belum ada unit)", int(n)) for o, n in counts),
            key=lambda x: (-x[1], x[0]),
        )
        if len(self._overdue_cache) > 1000:
            self._overdue_cache.clear()
        self._overdue_cache[key] = (now, result)
        return result

    def iter_all(self, viewer: Viewer, f: QueueFilter, today: date) -> Iterator[QueueRow]:
        """Every matching row, in pages (for the CSV export)."""
        cursor = ""
        while True:
            page = self.page(viewer, replace(f), cursor, today, with_counts=False)
            yield from page.rows
            if page.next_cursor is None:
                return
            cursor = page.next_cursor


def _row(r: Any) -> QueueRow:
    return QueueRow(
        public_id=r.public_id,
        category=r.category,
        status=r.status,
        privacy=r.privacy,
        unit=r[5],
        assignee=r[6],
        created_at=r.created_at,
        due_on=r.due_on,
        # A confidential text is read only on its ticket page, where each opening is logged.
        snippet="" if r.privacy == Privacy.CONFIDENTIAL else " ".join(str(r[9] or "").split()),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
