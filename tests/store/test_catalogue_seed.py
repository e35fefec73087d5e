"""Seeding inserts what is missing and never overwrites the admins' catalogue edits."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

import bot.__main__ as bot_main
from bot.__main__ import build_parser, main
from bot.config import get_settings
from bot.officer.accounts import create_account
from bot.officer.catalogue_admin import FactAge, facts_to_check, get_service, update_service
from bot.store.catalogue import (
    Catalogue,
    CatalogueImportError,
    catalogue_diff,
    import_catalogue,
)
from bot.store.db import get_engine, prepare_database
from bot.store.models import ConsoleAuditLog, OfficerRole, Service, ServiceFact, ServiceQuestion
from bot.store.repository import Repository
from bot.tickets.deadlines import HolidayCalendar
from tests.utils.catalogue import service_form

CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "services.yml"
PASSWORD = "kata-sandi-panjang-sekali"
EDIT_DAY = date(2027, 1, 4)  # the admins' edits below date the facts they change to this day


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The shared test database; the shipped catalogue is put back afterwards."""
    engine = get_engine(database_url)
    yield engine
    import_catalogue(engine, Catalogue.from_file(CATALOGUE))


@pytest.fixture
def admin(engine: Engine) -> int:
    return create_account(engine, "admin", PASSWORD, OfficerRole.ADMIN, [], "Admin")


def _edit(engine: Engine, service_id: str, actor: int, **changes: str) -> None:
    form = service_form(engine, service_id, **changes)
    update_service(engine, service_id, form, actor, today=EDIT_DAY)


def _run(argv: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_seed_keeps_an_admins_edit(
    engine: Engine, admin: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit(engine, "skck", admin, cost="Rp30.000 (PNBP, dibayar di loket bank)", duration="")
    assert _run(["seed"], monkeypatch) == 0
    row = get_service(engine, "skck")
    assert row is not None
    assert row.cost == "Rp30.000 (PNBP, dibayar di loket bank)"
    assert row.duration is None


def _use_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[dict[str, Any]], None]
) -> Path:
    """A copy of the shipped catalogue with `change` applied, as CATALOGUE_PATH."""
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "services.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("CATALOGUE_PATH", str(path))
    get_settings.cache_clear()
    return path


def _service(raw: dict[str, Any], service_id: str) -> dict[str, Any]:
    return next(s for s in raw["services"] if s["id"] == service_id)


NEW_OFFICE = {"id": "dinsos", "name": "Dinas Sosial Kota Contoh", "address": "Jl. Kenanga 3"}
NEW_SERVICE = {
    "id": "dtks",
    "name": "Pendaftaran DTKS",
    "aliases": ["dtks", "data terpadu"],
    "office": "dinsos",
    "cost": "Gratis",
}


def _grow(raw: dict[str, Any]) -> None:
    """A new office and service, a new alias for SKCK, and KTP's alias 'e-ktp' given to KK."""
    raw["offices"].append(NEW_OFFICE)
    raw["services"].append(NEW_SERVICE)
    _service(raw, "skck")["aliases"].append("surat catatan polisi")
    _service(raw, "skck")["cost"] = "Rp45.000"
    _service(raw, "ktp")["aliases"].remove("e-ktp")
    _service(raw, "kk")["aliases"].append("e-ktp")


def test_seed_inserts_what_the_file_adds_and_changes_nothing_stored(
    engine: Engine,
    admin: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _edit(engine, "skck", admin, cost="Rp30.000 (edit admin)")
    _use_file(tmp_path, monkeypatch, _grow)
    assert _run(["seed"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "offices: dinsos" in out and "services: dtks" in out
    assert "alias 'surat catatan polisi' of skck" in out
    assert "alias 'e-ktp' of kk skipped: the database gives it to ktp" in out

    repo = Repository(engine, HolidayCalendar.from_file(CATALOGUE.parent / "holidays.yml"))
    dtks = repo.get_service("dtks")
    assert dtks is not None and dtks.cost == "Gratis" and dtks.office_name == NEW_OFFICE["name"]
    skck = repo.get_service("skck")
    assert skck is not None and skck.cost == "Rp30.000 (edit admin)"  # not the file's Rp45.000
    aliases = repo.service_aliases()
    assert aliases["surat catatan polisi"] == "skck"
    assert aliases["data terpadu"] == "dtks"
    assert aliases["e-ktp"] == "ktp"  # seeding never moves an alias

    assert _run(["seed"], monkeypatch) == 0
    assert "nothing to add" in capsys.readouterr().out


def test_seed_fills_an_empty_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = prepare_database(url, seed="if-empty")
    assert result is not None
    catalogue = Catalogue.from_file(CATALOGUE)
    assert result.services == tuple(s.id for s in catalogue.services)
    assert result.offices == tuple(o.id for o in catalogue.offices)
    assert catalogue_diff(get_engine(url), catalogue).empty
    assert prepare_database(url, seed="if-empty") is None  # not empty any more


def test_diff_lines_name_every_change(engine: Engine, admin: int) -> None:
    _edit(engine, "skck", admin, cost="Rp30.000 (edit admin)", duration="")
    _edit(engine, "ktp", admin, requirements="Fotokopi KK\nSurat pengantar RT")

    def change(raw: dict[str, Any]) -> None:
        _grow(raw)
        raw["services"] = [s for s in raw["services"] if s["id"] != "sktm"]

    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    change(raw)
    shipped = {s.id: s for s in Catalogue.from_file(CATALOGUE).services}
    diff = catalogue_diff(engine, Catalogue.model_validate(raw))
    assert [e.id for e in diff.services_added] == ["dtks"]
    assert [e.id for e in diff.services_removed] == ["sktm"]
    assert [e.id for e in diff.offices_added] == ["dinsos"]
    assert not diff.offices_removed and not diff.offices_changed
    changed = {e.id: {c.field: (c.old, c.new) for c in e.changes} for e in diff.services_changed}
    assert set(changed) == {"skck", "ktp", "kk"}
    assert changed["skck"]["cost"] == ("Rp30.000 (edit admin)", "Rp45.000")
    assert changed["skck"]["duration"] == (None, shipped["skck"].duration)
    # An edited text dates its fact: the file's source and date differ from the stored ones.
    assert set(changed["skck"]) == {"cost", "duration", "aliases", "facts.cost", "facts.duration"}
    assert changed["skck"]["facts.cost"][0]["checked"] == EDIT_DAY.isoformat()
    assert set(changed["ktp"]) == {"requirements", "aliases", "facts.requirements"}
    assert set(changed["kk"]) == {"aliases"}

    lines = diff.lines()
    text = "\n".join(lines)
    assert lines[0] == "Services added (1):"
    assert "  + dtks: Pendaftaran DTKS" in lines
    assert "Services removed (1):" in lines and any(x.startswith("  - sktm: ") for x in lines)
    assert "Services changed (3):" in lines
    assert "      cost: 'Rp30.000 (edit admin)' -> 'Rp45.000'" in lines
    assert f"      duration: (empty) -> {shipped['skck'].duration!r}" in lines
    assert "        - 'Surat pengantar RT'" in lines  # list fields item by item
    assert "        + 'surat catatan polisi'" in lines
    assert "Offices added (1):" in text and "  + dinsos: Dinas Sosial Kota Contoh" in lines


def test_import_shows_the_diff_asks_and_replaces(
    engine: Engine,
    admin: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _edit(engine, "skck", admin, cost="Rp30.000 (edit admin)")

    def change(raw: dict[str, Any]) -> None:
        _grow(raw)
        raw["services"] = [s for s in raw["services"] if s["id"] != "sktm"]

    path = _use_file(tmp_path, monkeypatch, change)
    before = catalogue_diff(engine, Catalogue.from_file(path))

    assert _run(["catalogue", "import"], monkeypatch, stdin="n\n") == 1
    out = capsys.readouterr().out
    assert "Replace the catalogue with the file? [y/N]" in out
    assert "      cost: 'Rp30.000 (edit admin)' -> 'Rp45.000'" in out
    assert "nothing changed" in out
    assert catalogue_diff(engine, Catalogue.from_file(path)) == before  # untouched
    assert _run(["catalogue", "import"], monkeypatch, stdin="") == 1  # no answer is no

    assert _run(["catalogue", "import"], monkeypatch, stdin="y\n") == 0
    out = capsys.readouterr().out
    assert "Services removed (1):" in out and "catalogue: imported" in out
    assert catalogue_diff(engine, Catalogue.from_file(path)).empty
    skck = get_service(engine, "skck")
    assert skck is not None and skck.cost == "Rp45.000"
    assert get_service(engine, "sktm") is None
    dtks = get_service(engine, "dtks")
    assert dtks is not None and dtks.office_id == "dinsos"
    repo = Repository(engine, HolidayCalendar.from_file(CATALOGUE.parent / "holidays.yml"))
    assert repo.service_aliases()["e-ktp"] == "kk"  # the alias moved with the file
    with Session(engine) as s:
        entry = s.scalars(
            select(ConsoleAuditLog).where(ConsoleAuditLog.action == "catalogue_import")
        ).one()
    assert entry.actor_id is None and entry.target == str(path)
    assert entry.data is not None
    assert entry.data["services_removed"] == ["sktm"]
    # file order: fields, then facts
    assert entry.data["services_changed"]["skck"] == ["aliases", "cost", "facts.cost"]

    assert _run(["catalogue", "import"], monkeypatch) == 0
    assert "already matches" in capsys.readouterr().out

    # --yes imports without asking; the shipped file puts every row back
    monkeypatch.setenv("CATALOGUE_PATH", str(CATALOGUE))
    get_settings.cache_clear()
    assert _run(["catalogue", "import", "--yes"], monkeypatch, stdin="") == 0
    out = capsys.readouterr().out
    assert "[y/N]" not in out and "Services added (1):" in out and "  + sktm: " in out
    assert "Offices removed (1):" in out and "  - dinsos: " in out
    assert catalogue_diff(engine, Catalogue.from_file(CATALOGUE)).empty


def test_import_keeps_what_stored_records_point_at(
    engine: Engine, admin: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as s, s.begin():
        s.add(ServiceQuestion(service_id="sktm", aspect="cost"))
    _edit(engine, "skck", admin, cost="Rp30.000 (edit admin)")
    raw = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    raw["services"] = [s for s in raw["services"] if s["id"] != "sktm"]
    catalogue = Catalogue.model_validate(raw)
    with pytest.raises(CatalogueImportError, match=r"service sktm: still used by service_quest"):
        import_catalogue(engine, catalogue)
    skck = get_service(engine, "skck")
    assert skck is not None and skck.cost == "Rp30.000 (edit admin)"  # nothing changed
    assert get_service(engine, "sktm") is not None


def test_import_refuses_when_the_database_moved_after_the_diff(engine: Engine, admin: int) -> None:
    catalogue = Catalogue.from_file(CATALOGUE)
    shown = catalogue_diff(engine, catalogue)
    assert shown.empty
    _edit(engine, "skck", admin, cost="Rp30.000 (edit admin)")
    with pytest.raises(CatalogueImportError, match="changed since the diff"):
        import_catalogue(engine, catalogue, expected=shown)
    skck = get_service(engine, "skck")
    assert skck is not None and skck.cost == "Rp30.000 (edit admin)"


def test_the_docstring_lists_every_command() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    documented = {
        line.split()[0] for line in (bot_main.__doc__ or "").splitlines()[2:] if line.strip()
    }
    assert documented == set(commands)
    assert "catalogue import" in (bot_main.__doc__ or "")


# -- facts (issue 11): seeding adds the missing ones and never overwrites an edited one --------


def _stored_fact(engine: Engine, service_id: str, aspect: str) -> ServiceFact | None:
    with Session(engine) as s:
        return s.scalars(
            select(ServiceFact).where(
                ServiceFact.service_id == service_id, ServiceFact.aspect == aspect
            )
        ).one_or_none()


def test_seed_adds_missing_facts_and_keeps_edited_ones(
    engine: Engine, admin: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # An admin's source for the cost; a database from before the facts lacks the others,
    # and one of them (the duration) was edited back then.
    _edit(engine, "skck", admin, fact_source_cost="https://skck.polri.go.id (edit admin)")
    with Session(engine) as s, s.begin():
        s.execute(
            delete(ServiceFact).where(
                ServiceFact.service_id == "skck", ServiceFact.aspect != "cost"
            )
        )
        s.execute(update(Service).where(Service.id == "skck").values(duration="2 hari kerja"))
    file_facts = {s.id: s for s in Catalogue.from_file(CATALOGUE).services}["skck"].facts

    assert _run(["seed"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "facts of skck: requirements, procedure, location_hours" in out
    assert "facts of skck without a source (stored text differs from the file): duration" in out
    cost = _stored_fact(engine, "skck", "cost")
    assert cost is not None and cost.source == "https://skck.polri.go.id (edit admin)"
    assert cost.checked == EDIT_DAY
    requirements = _stored_fact(engine, "skck", "requirements")
    assert requirements is not None
    assert (requirements.source, requirements.checked) == (
        file_facts["requirements"].source,
        file_facts["requirements"].checked,
    )
    duration = _stored_fact(engine, "skck", "duration")
    assert duration is not None  # the file's source does not vouch for the edited text
    assert (duration.source, duration.checked, duration.regional) == (None, None, True)
    age = FactAge(EDIT_DAY, 180)
    assert ("skck", "duration") in {(s.id, f.aspect) for s, f in facts_to_check(engine, age)}

    assert _run(["seed"], monkeypatch) == 0
    assert "nothing to add" in capsys.readouterr().out
    duration = _stored_fact(engine, "skck", "duration")
    assert duration is not None and duration.source is None  # a second seed changes nothing


def test_import_puts_the_files_facts_back(engine: Engine, admin: int) -> None:
    _edit(engine, "paspor", admin, fact_source_cost="catatan admin", fact_regional_cost="1")
    catalogue = Catalogue.from_file(CATALOGUE)
    diff = catalogue_diff(engine, catalogue)
    (changed,) = diff.services_changed
    assert changed.id == "paspor" and [c.field for c in changed.changes] == ["facts.cost"]
    assert "      facts.cost: {'source': 'catatan admin'," in "\n".join(diff.lines())
    import_catalogue(engine, catalogue)
    cost = _stored_fact(engine, "paspor", "cost")
    assert cost is not None and cost.source == "PP No. 45 Tahun 2024 (berlaku 17 Desember 2024)"
    assert cost.regional is False
    assert catalogue_diff(engine, catalogue).empty
