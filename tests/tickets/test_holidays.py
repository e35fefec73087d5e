"""The holiday calendar lives in the database: seeded from `data/holidays.yml` by the
migration, edited by admins, and seen by processes that are already running (the action
server's long-lived repository, the console) at their next deadline, without a restart."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.officer.accounts import create_account
from bot.store.db import get_engine, migrate
from bot.store.models import Category, ConsoleAuditLog, Holiday, OfficerRole, Privacy
from bot.store.repository import ComplaintDraft, get_repository
from bot.tickets import holidays
from bot.tickets.deadlines import HolidayCalendar, current_deadlines, holiday_calendar, local_today

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "holidays.yml"


def _draft(text: str) -> ComplaintDraft:
    return ComplaintDraft(text, "Kecamatan Sukamaju", Category.ADMINDUK, Privacy.PUBLIC)


def _next_working_day(calendar: HolidayCalendar, today: date) -> date:
    return next(
        today + timedelta(days=n)
        for n in range(1, 15)
        if calendar.is_working_day(today + timedelta(days=n))
    )


@pytest.fixture
def engine(database_url: str) -> Engine:
    return get_engine(database_url)


@pytest.fixture
def admin(engine: Engine) -> int:
    return create_account(engine, "admin", "rahasia-uji-123", OfficerRole.ADMIN, [])


def test_a_holiday_added_by_an_admin_moves_the_next_deadline_of_a_running_repository(
    engine: Engine, admin: int, calendar: HolidayCalendar
) -> None:
    repo = get_repository()  # what the action server holds for as long as it runs
    today = local_today("Asia/Jakarta")
    first, _ = repo.file_ticket("6100001", _draft("Antrean KTP lama sekali, tiga jam."))
    assert first.verify_due == calendar.add_working_days(today, 3)

    day = _next_working_day(calendar, today)
    holidays.add_holiday(engine, admin, day, "Cuti bersama uji", "cuti_bersama")

    second, _ = get_repository().file_ticket("6100002", _draft("Loket KK tutup sebelum jam."))
    moved = HolidayCalendar(calendar.holidays | {day})
    assert second.verify_due == moved.add_working_days(today, 3)
    assert second.verify_due > first.verify_due

    holidays.remove_holiday(engine, admin, day)
    third, _ = repo.file_ticket("6100003", _draft("Petugas loket KTP tidak ramah."))
    assert third.verify_due == first.verify_due


def test_the_consoles_deadlines_follow_an_edit_at_once(
    engine: Engine, admin: int, calendar: HolidayCalendar
) -> None:
    today = local_today("Asia/Jakarta")
    day = _next_working_day(calendar, today)
    before = current_deadlines(engine).followup_due(today)
    holidays.add_holiday(engine, admin, day, "Libur uji", "libur_nasional")
    after = current_deadlines(engine).followup_due(today)
    assert after == HolidayCalendar(calendar.holidays | {day}).add_working_days(today, 5)
    assert after > before


def test_the_calendar_is_read_again_only_when_the_table_changes(engine: Engine, admin: int) -> None:
    first = holiday_calendar(engine)
    assert holiday_calendar(engine) is first  # unchanged: the cached dates
    holidays.add_holiday(engine, admin, date(2031, 3, 4), "Libur uji", "cuti_bersama")
    added = holiday_calendar(engine)
    assert added is not first and added.holidays == first.holidays | {date(2031, 3, 4)}
    # Renaming an entry bumps the version; the same dates keep the same calendar object.
    holidays.add_holiday(engine, admin, date(2031, 3, 4), "Libur uji (ganti)", "cuti_bersama")
    assert holiday_calendar(engine) is added
    holidays.remove_holiday(engine, admin, date(2031, 3, 4))
    assert holiday_calendar(engine).holidays == first.holidays


def test_add_replace_and_remove_are_audited_rows(engine: Engine, admin: int) -> None:
    day = date(2031, 5, 6)
    holidays.add_holiday(engine, admin, day, "  Cuti   bersama  ", "cuti_bersama", True)
    holidays.add_holiday(engine, admin, day, "Libur nasional uji", "libur_nasional")
    with pytest.raises(ValueError, match="Nama"):
        holidays.add_holiday(engine, admin, day, "   ", "cuti_bersama")
    with pytest.raises(ValueError, match="Jenis"):
        holidays.add_holiday(engine, admin, day, "Uji", "libur_daerah")
    (entry,) = [h for h in holidays.list_holidays(engine) if h.date == day]
    assert entry == holidays.HolidayEntry(day, "Libur nasional uji", "libur_nasional", False)
    assert holidays.remove_holiday(engine, admin, day)
    assert not holidays.remove_holiday(engine, admin, day)  # not listed any more
    with Session(engine) as s:
        logged = s.execute(
            select(ConsoleAuditLog.action, ConsoleAuditLog.target)
            .where(ConsoleAuditLog.action.like("holiday_%"))
            .order_by(ConsoleAuditLog.id)
        ).all()
    assert logged == [
        ("holiday_added", "2031-05-06"),
        ("holiday_added", "2031-05-06"),
        ("holiday_removed", "2031-05-06"),
    ]


def test_the_migration_seeds_the_table_from_the_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        migrate(url)
        engine = get_engine(url)
        seeded = holidays.list_holidays(engine)
        assert seeded == holidays.read_holidays(SEED)
        assert holiday_calendar(engine) == HolidayCalendar.from_file(SEED)
        # An admin's removal stays removed when the migrations run again (next start).
        holidays.remove_holiday(engine, None, seeded[0].date)
        migrate(url)
        with Session(engine) as s:
            assert s.get(Holiday, seeded[0].date) is None
            assert len(s.scalars(select(Holiday.day)).all()) == len(seeded) - 1
    finally:
        get_settings.cache_clear()


def test_seed_adds_the_files_new_dates_but_not_removed_or_edited_ones(
    engine: Engine, admin: int, tmp_path: Path
) -> None:
    """Next year's SKB goes into the file; `make seed` brings its dates in, and leaves the
    admin's removals and renames as they are."""
    seeded = holidays.list_holidays(engine)
    removed, renamed = seeded[0].date, seeded[1].date
    holidays.remove_holiday(engine, admin, removed)
    holidays.add_holiday(engine, admin, renamed, "Nama dari admin", "cuti_bersama")
    new_day = date(2035, 8, 17)
    grown = tmp_path / "holidays.yml"
    grown.write_text(
        SEED.read_text(encoding="utf-8")
        + f"  - date: {new_day.isoformat()}\n    name: Hari Kemerdekaan\n"
        "    kind: libur_nasional\n    provisional: true\n",
        encoding="utf-8",
    )

    assert holidays.seed_holidays(engine, grown) == [new_day]
    assert holidays.seed_holidays(engine, grown) == []

    stored = {h.date: h for h in holidays.list_holidays(engine)}
    assert new_day in stored and stored[new_day].provisional
    assert removed not in stored
    assert stored[renamed].name == "Nama dari admin"
    assert holiday_calendar(engine).is_working_day(new_day) is False
