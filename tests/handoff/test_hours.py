"""Service hours read from the catalogue's text: windows, breaks, Saturdays, holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings, get_settings
from bot.handoff.hours import parse_hours, service_now
from tests.utils import ROOT

JAKARTA = ZoneInfo("Asia/Jakarta")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local (WIB) time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=JAKARTA)


MONDAY = date(2026, 11, 30)
SATURDAY = date(2026, 12, 5)
SUNDAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("when", "open_"),
    [
        (at(MONDAY, 8, 0), True),
        (at(MONDAY, 7, 59), False),
        (at(MONDAY, 11, 59), True),
        (at(MONDAY, 12, 30), False),  # istirahat
        (at(MONDAY, 13, 0), True),
        (at(MONDAY, 14, 59), True),
        (at(MONDAY, 15, 0), False),
        (at(SATURDAY, 9, 0), False),
        (at(SUNDAY, 9, 0), False),
    ],
)
def test_weekdays_with_a_break(when: datetime, open_: bool) -> None:
    hours = parse_hours("Senin–Jumat 08.00–15.00 WIB (istirahat 12.00–13.00)")
    assert hours is not None
    assert hours.is_open(when) is open_


def test_saturday_hours_and_holidays() -> None:
    hours = parse_hours("Senin–Jumat 08.00–14.00 WIB, Sabtu 08.00–11.00 WIB")
    assert hours is not None
    assert hours.is_open(at(SATURDAY, 10, 30))
    assert not hours.is_open(at(SATURDAY, 11, 0))
    assert not hours.is_open(at(MONDAY, 9, 0), holidays=frozenset({MONDAY}))


def test_other_zones_and_unreadable_text() -> None:
    wita = parse_hours("Senin-Jumat 08:00-16:00 WITA")
    assert wita is not None and wita.timezone == "Asia/Makassar"
    # 08.30 WITA is 07.30 WIB: open in Makassar
    assert wita.is_open(datetime(2026, 11, 30, 0, 30, tzinfo=timezone.utc))
    assert parse_hours("setiap hari kerja") is None
    assert parse_hours("") is None and parse_hours(None) is None


def test_every_office_of_the_catalogue_has_readable_hours() -> None:
    import yaml

    catalogue = yaml.safe_load((ROOT / "data" / "services.yml").read_text(encoding="utf-8"))
    for entry in [*catalogue["offices"], catalogue["helpdesk"]]:
        assert parse_hours(entry["hours"]) is not None, entry["hours"]


def test_the_service_clock_is_pinned_only_on_the_test_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TEST_FIXED_NOW (the conversation suite's pinned "now") is refused outside APP_ENV=test
    and needs a time zone; without it the clock is the present."""
    pinned = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    for env in ("production", "development"):
        with pytest.raises(ValueError, match="TEST_FIXED_NOW"):
            Settings(app_env=env, test_fixed_now=pinned)
    with pytest.raises(ValueError, match="time zone"):
        Settings(app_env="test", test_fixed_now=datetime(2026, 12, 1, 9, 30))
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("TEST_FIXED_NOW", "2026-12-01T09:30:00+07:00")
    get_settings.cache_clear()
    try:
        assert service_now() == pinned and service_now().utcoffset() == timedelta(0)
        monkeypatch.delenv("TEST_FIXED_NOW")
        get_settings.cache_clear()
        assert abs(service_now() - datetime.now(timezone.utc)) < timedelta(minutes=1)
    finally:
        get_settings.cache_clear()
