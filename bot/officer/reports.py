"""Supervisor reports: tickets by status, category, unit and week; median time to
verification and to resolution; share resolved on time. Over tickets filed in a period.

Citizens' ratings given in the period: count, average and distribution 1..5, overall, per
unit and per week. Figures only: the comments on tickets stay on the ticket pages (where
the access rules of confidential tickets apply); only general feedback, about no ticket,
is listed here, and never who gave it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Engine, and_, case, func, select
from sqlalchemy.orm import Session

from bot.store.models import Office, Rating, Ticket, TicketStatus

GENERAL_FEEDBACK_LABEL = "(masukan umum, tanpa laporan)"
NO_UNIT_LABEL = "(belum ada unit)"
# At most this many general feedback messages are listed (newest first).
GENERAL_FEEDBACK_LIMIT = 50


@dataclass(frozen=True)
class RatingFigures:
    """Ratings of one group (all, a unit, a week): how many of each score 1..5."""

    label: str
    distribution: tuple[int, int, int, int, int]
    comments: int  # feedback messages with text (counted, not shown)

    @property
    def count(self) -> int:
        """Ratings with a score."""
        return sum(self.distribution)

    @property
    def average(self) -> float | None:
        """Mean score, or None without scores."""
        if not self.count:
            return None
        total = sum(score * n for score, n in enumerate(self.distribution, start=1))
        return total / self.count

    @property
    def average_text(self) -> str:
        """'3,5' (Indonesian decimal comma), '-' without scores."""
        average = self.average
        return "-" if average is None else f"{average:.1f}".replace(".", ",")

    @property
    def shares(self) -> tuple[float, ...]:
        """Share of each score 1..5 among the scores (0 when there are none)."""
        return tuple(n / self.count if self.count else 0.0 for n in self.distribution)


@dataclass(frozen=True)
class FeedbackLine:
    """General feedback (about no ticket): when, the score if any, the message."""

    created_at: datetime
    score: int | None
    text: str


class _Tally:
    """Counts scores and comments for one group."""

    def __init__(self) -> None:
        self.scores = [0, 0, 0, 0, 0]
        self.comments = 0

    def add(self, score: int | None, has_comment: bool) -> None:
        if score is not None and 1 <= score <= 5:
            self.scores[score - 1] += 1
        if has_comment:
            self.comments += 1

    def figures(self, label: str) -> RatingFigures:
        s = self.scores
        return RatingFigures(label, (s[0], s[1], s[2], s[3], s[4]), self.comments)


@dataclass(frozen=True)
class Report:
    """The figures of one period."""

    date_from: date
    date_to: date
    total: int
    by_status: list[tuple[TicketStatus, int]]
    by_category: list[tuple[str, int]]
    by_unit: list[tuple[str, int, int]]  # unit, tickets, overdue now
    by_week: list[tuple[str, int]]  # ISO week label, tickets filed
    median_hours_to_verify: float | None
    median_hours_to_resolve: float | None
    resolved_with_deadline: int
    resolved_on_time: int
    ratings: RatingFigures
    ratings_by_unit: list[RatingFigures]  # most rated first
    ratings_by_week: list[RatingFigures]  # ISO week of the rating
    general_feedback: list[FeedbackLine]  # newest first

    @property
    def on_time_share(self) -> float | None:
        """Resolved on or before the resolution deadline, among resolved with a deadline."""
        if not self.resolved_with_deadline:
            return None
        return self.resolved_on_time / self.resolved_with_deadline


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def build_report(
    engine: Engine, date_from: date, date_to: date, today: date, tz_name: str = "Asia/Jakarta"
) -> Report:
    """Figures over tickets filed from `date_from` to `date_to` (local dates, inclusive)."""
    tz = ZoneInfo(tz_name)
    start = datetime.combine(date_from, time.min, tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz).astimezone(
        timezone.utc
    )
    period: ColumnElement[bool] = and_(Ticket.created_at >= start, Ticket.created_at < end)
    with Session(engine) as s:
        total = int(s.scalar(select(func.count()).select_from(Ticket).where(period)) or 0)
        by_status = [
            (TicketStatus(st), int(n))
            for st, n in s.execute(
                select(Ticket.status, func.count()).where(period).group_by(Ticket.status)
            )
        ]
        order = {st: i for i, st in enumerate(TicketStatus)}
        by_status.sort(key=lambda x: order[x[0]])
        by_category = sorted(
            (
                (c.value, int(n))
                for c, n in s.execute(
                    select(Ticket.category, func.count()).where(period).group_by(Ticket.category)
                )
            ),
            key=lambda x: -x[1],
        )
        unit_rows = s.execute(
            select(
                func.coalesce(Office.name, "(belum ada unit)"),
                func.count(),
                func.sum(case((Ticket.due_on < today, 1), else_=0)),
            )
            .select_from(Ticket)
            .outerjoin(Office, Office.id == Ticket.office_id)
            .where(period)
            .group_by(Office.name)
            .order_by(func.count().desc())
        ).all()
        by_unit = [(str(u), int(n), int(o or 0)) for u, n, o in unit_rows]
        weeks: dict[str, int] = {}
        for (created,) in s.execute(select(Ticket.created_at).where(period)).tuples():
            local = _aware(created).astimezone(tz).date()
            year, week, _ = local.isocalendar()
            label = f"{year}-W{week:02d}"
            weeks[label] = weeks.get(label, 0) + 1
        verify_hours = [
            (_aware(v) - _aware(c)).total_seconds() / 3600
            for c, v in s.execute(
                select(Ticket.created_at, Ticket.verified_at).where(
                    period, Ticket.verified_at.is_not(None)
                )
            ).tuples()
            if v is not None
        ]
        resolved = s.execute(
            select(Ticket.created_at, Ticket.closed_at, Ticket.resolve_due).where(
                period, Ticket.status == TicketStatus.SELESAI, Ticket.closed_at.is_not(None)
            )
        ).all()
    resolve_hours = [
        (_aware(closed) - _aware(created)).total_seconds() / 3600 for created, closed, _ in resolved
    ]
    ratings, by_unit_rating, by_week_rating, general = _rating_figures(engine, start, end, tz)
    with_deadline = [(closed, due) for _, closed, due in resolved if due is not None]
    on_time = sum(1 for closed, due in with_deadline if _aware(closed).astimezone(tz).date() <= due)
    return Report(
        date_from=date_from,
        date_to=date_to,
        total=total,
        by_status=by_status,
        by_category=by_category,
        by_unit=by_unit,
        by_week=sorted(weeks.items()),
        median_hours_to_verify=statistics.median(verify_hours) if verify_hours else None,
        median_hours_to_resolve=statistics.median(resolve_hours) if resolve_hours else None,
        resolved_with_deadline=len(with_deadline),
        resolved_on_time=on_time,
        ratings=ratings,
        ratings_by_unit=by_unit_rating,
        ratings_by_week=by_week_rating,
        general_feedback=general,
    )


def _rating_figures(
    engine: Engine, start: datetime, end: datetime, tz: ZoneInfo
) -> tuple[RatingFigures, list[RatingFigures], list[RatingFigures], list[FeedbackLine]]:
    """Ratings given from `start` to `end` (UTC), in figures; general feedback as text."""
    period = and_(Rating.created_at >= start, Rating.created_at < end)
    with Session(engine) as s:
        rows = s.execute(
            select(
                Rating.score,
                Rating.comment,
                Rating.created_at,
                Rating.ticket_id,
                Office.name,
            )
            .select_from(Rating)
            .outerjoin(Ticket, Ticket.id == Rating.ticket_id)
            .outerjoin(Office, Office.id == Ticket.office_id)
            .where(period)
            .order_by(Rating.created_at.desc(), Rating.id.desc())
        ).all()
    total = _Tally()
    units: dict[str, _Tally] = {}
    weeks: dict[str, _Tally] = {}
    general: list[FeedbackLine] = []
    for score, comment, created, ticket_id, unit in rows:
        has_comment = bool(comment and comment.strip())
        if ticket_id is None:
            label = GENERAL_FEEDBACK_LABEL
            if has_comment and len(general) < GENERAL_FEEDBACK_LIMIT:
                general.append(FeedbackLine(_aware(created), score, comment))
        else:
            label = unit or NO_UNIT_LABEL
        year, week, _ = _aware(created).astimezone(tz).date().isocalendar()
        for tally in (
            total,
            units.setdefault(label, _Tally()),
            weeks.setdefault(f"{year}-W{week:02d}", _Tally()),
        ):
            tally.add(score, has_comment)
    by_unit = sorted(
        (t.figures(label) for label, t in units.items()), key=lambda f: (-f.count, f.label)
    )
    by_week = [weeks[label].figures(label) for label in sorted(weeks)]
    return total.figures("Semua"), by_unit, by_week, general


def hours_text(hours: float | None) -> str:
    """'2 hari 3 jam', '5 jam', '-'."""
    if hours is None:
        return "-"
    days, rest = divmod(round(hours), 24)
    if days:
        return f"{days} hari {rest} jam" if rest else f"{days} hari"
    return f"{rest} jam" if rest else "< 1 jam"
