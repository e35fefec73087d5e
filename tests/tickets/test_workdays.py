"""Working-day arithmetic against the shipped holiday calendar."""

from __future__ import annotations

from datetime import date

import pytest

from bot.tickets.deadlines import HolidayCalendar


def test_weekend_is_skipped(calendar: HolidayCalendar) -> None:
    # Friday 6 Nov 2026 + 3 working days = Wednesday 11 Nov (no holidays that week).
    assert calendar.add_working_days(date(2026, 11, 6), 3) == date(2026, 11, 11)


def test_idulfitri_and_cuti_bersama_are_skipped(calendar: HolidayCalendar) -> None:
    # Tuesday 17 March 2026: 18 (cuti Nyepi), 19 (Nyepi), 20 (cuti), 21-22 (Idulfitri,
    # weekend), 23-24 (cuti) are not working days; 25, 26, 27 are.
    assert calendar.add_working_days(date(2026, 3, 17), 3) == date(2026, 3, 27)


def test_christmas_and_cuti_bersama(calendar: HolidayCalendar) -> None:
    # Wednesday 23 Dec 2026: 24 (cuti bersama), 25 (Natal), 26-27 weekend -> 28, 29, 30.
    assert calendar.add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)


def test_zero_days_is_the_same_day_and_negative_is_refused(calendar: HolidayCalendar) -> None:
    assert calendar.add_working_days(date(2026, 5, 4), 0) == date(2026, 5, 4)
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 5, 4), -1)


def test_working_days_between_is_the_inverse(calendar: HolidayCalendar) -> None:
    start = date(2026, 3, 17)
    end = calendar.add_working_days(start, 7)
    assert calendar.working_days_between(start, end) == 7
    assert calendar.working_days_between(end, start) == -7


def test_calendar_covers_this_year_and_next(calendar: HolidayCalendar) -> None:
    years = {day.year for day in calendar.holidays}
    assert {2026, 2027} <= years
    assert date(2026, 8, 17) in calendar.holidays  # HUT RI
    assert date(2027, 8, 17) in calendar.holidays
