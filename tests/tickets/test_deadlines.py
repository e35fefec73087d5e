"""Working-day deadlines across weekends and holidays, and the per-category policy."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.store.models import Category
from bot.tickets.deadlines import Deadlines, HolidayCalendar, ResolutionPolicy, time_left_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def policy() -> ResolutionPolicy:
    return ResolutionPolicy.from_file(ROOT / "data" / "resolution_days.yml")


def test_shipped_policy_covers_every_category(policy: ResolutionPolicy) -> None:
    assert {c for c in Category} <= set(policy.by_category)
    assert policy.days_for(Category.ADMINDUK) == 5
    assert policy.days_for(Category.PUNGLI) == 60


def test_policy_rejects_unknown_category_and_bad_days(tmp_path: Path) -> None:
    bad = tmp_path / "r.yml"
    bad.write_text("default: 14\ncategories:\n  parkir: 3\n")
    with pytest.raises(ValueError):
        ResolutionPolicy.from_file(bad)
    bad.write_text("default: 14\ncategories:\n  adminduk: 0\n")
    with pytest.raises(ValueError):
        ResolutionPolicy.from_file(bad)


def test_followup_skips_weekend(policy: ResolutionPolicy) -> None:
    d = Deadlines(HolidayCalendar(frozenset()), policy, 3, 5)
    # Verified Thursday 2027-03-04: 5 working days -> Thursday 2027-03-11.
    assert d.followup_due(date(2027, 3, 4)) == date(2027, 3, 11)
    # Verified Friday: Mon..Fri of the next week.
    assert d.followup_due(date(2027, 3, 5)) == date(2027, 3, 12)


def test_deadlines_skip_holidays_and_cuti_bersama(policy: ResolutionPolicy) -> None:
    # Idul Fitri 2026 in the shipped calendar: 18-24 March are libur nasional / cuti bersama.
    calendar = HolidayCalendar.from_file(ROOT / "data" / "holidays.yml")
    d = Deadlines(calendar, policy, 3, 5)
    assert not any(calendar.is_working_day(date(2026, 3, day)) for day in range(18, 25))
    # Filed Tuesday 17 March: the three working days are 25, 26 and 27 March.
    assert d.verify_due(date(2026, 3, 17)) == date(2026, 3, 27)
    # Verified on Friday 13 March: 16, 17, 25, 26, 27 March.
    assert d.followup_due(date(2026, 3, 13)) == date(2026, 3, 27)
    assert d.working_days_left(date(2026, 3, 27), date(2026, 3, 17)) == 3


def test_custom_holiday_moves_the_deadline(policy: ResolutionPolicy) -> None:
    plain = Deadlines(HolidayCalendar(frozenset()), policy, 3, 5)
    holiday = Deadlines(HolidayCalendar(frozenset({date(2027, 3, 8)})), policy, 3, 5)
    friday = date(2027, 3, 5)
    assert plain.verify_due(friday) == date(2027, 3, 10)  # Mon, Tue, Wed
    assert holiday.verify_due(friday) == date(2027, 3, 11)  # Monday is a holiday
    assert holiday.resolve_due(friday, Category.ADMINDUK) == date(2027, 3, 15)


def test_time_left_and_urgency(policy: ResolutionPolicy) -> None:
    d = Deadlines(HolidayCalendar(frozenset()), policy, 3, 5)
    friday = date(2027, 3, 5)
    assert d.working_days_left(date(2027, 3, 8), friday) == 1  # Monday after the weekend
    assert d.urgency(date(2027, 3, 8), friday) == "soon"
    assert d.urgency(date(2027, 3, 10), friday) == "ok"
    assert d.urgency(date(2027, 3, 4), friday) == "overdue"
    assert d.working_days_left(date(2027, 3, 1), friday) == -4
    assert d.urgency(None, friday) == ""
    assert time_left_text(2) == "2 hari kerja lagi"
    assert time_left_text(0) == "jatuh tempo hari ini"
    assert time_left_text(-3) == "terlambat 3 hari kerja"


def test_fast_working_days_left_matches_the_calendar(policy: ResolutionPolicy) -> None:
    import random

    calendar = HolidayCalendar.from_file(ROOT / "data" / "holidays.yml")
    d = Deadlines(calendar, policy, 3, 5)
    rng = random.Random(4)
    for _ in range(2000):
        a = date(2025, 6, 1).toordinal() + rng.randrange(1100)
        b = a + rng.randrange(-400, 400)
        today, due = date.fromordinal(a), date.fromordinal(b)
        assert d.working_days_left(due, today) == calendar.working_days_between(today, due)
