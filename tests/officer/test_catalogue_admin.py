"""Admins edit the service catalogue; the assistant answers from the edited row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.officer.catalogue_admin import CatalogueError, get_service, update_service
from bot.store.catalogue import Catalogue, import_catalogue
from bot.store.models import ConsoleAuditLog
from bot.store.repository import Repository
from bot.tickets.deadlines import HolidayCalendar
from tests.utils.catalogue import service_form
from tests.utils.officer import People, csrf_of

Client = Callable[..., TestClient]
CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "services.yml"


@pytest.fixture(autouse=True)
def restore_catalogue(engine: Engine) -> Iterator[None]:
    """The database is shared by the whole run: put the shipped catalogue back."""
    yield
    import_catalogue(engine, Catalogue.from_file(CATALOGUE))


def _form(engine: Engine, service_id: str, **changes: str) -> dict[str, str]:
    return service_form(engine, service_id, **changes)


def test_admin_edits_a_service_and_the_assistant_uses_it(
    app_client: Client, engine: Engine, people: People, calendar_: HolidayCalendar
) -> None:
    admin = app_client("admin")
    page = admin.get("/admin/layanan")
    assert page.status_code == 200 and "Surat Keterangan Catatan Kepolisian" in page.text
    token = csrf_of(admin, "/admin/layanan/skck")
    form = _form(engine, "skck", cost="Rp30.000 (PNBP, dibayar di loket bank)", duration="")
    r = admin.post("/admin/layanan/skck", data={**form, "csrf_token": token})
    assert r.status_code == 303
    service = Repository(engine, calendar_).get_service("skck")
    assert service is not None
    assert service.cost == "Rp30.000 (PNBP, dibayar di loket bank)"
    assert service.duration is None  # emptied: the assistant says "belum tersedia"
    with Session(engine) as s:
        entry = s.scalars(
            select(ConsoleAuditLog).where(ConsoleAuditLog.action == "catalogue_update")
        ).one()
    assert entry.actor_id == people.admin and entry.target == "skck"
    assert set(entry.data or {}) == {"cost", "duration"}


def test_only_admins_edit_the_catalogue(app_client: Client, engine: Engine, people: People) -> None:
    for username in ("budi", "siti"):
        client = app_client(username)
        assert client.get("/admin/layanan").status_code == 403
    admin = app_client("admin")
    r = admin.post(
        "/admin/layanan/skck", data={**_form(engine, "skck", cost="Gratis"), "csrf_token": "x"}
    )
    assert r.status_code == 403
    row = get_service(engine, "skck")
    assert row is not None and row.cost != "Gratis"


def test_invalid_edits_are_refused(engine: Engine, people: People) -> None:
    with pytest.raises(CatalogueError, match="Nama"):
        update_service(engine, "ktp", _form(engine, "ktp", name="  "), people.admin)
    with pytest.raises(CatalogueError, match="Unit"):
        update_service(engine, "ktp", _form(engine, "ktp", office_id="mars"), people.admin)
    with pytest.raises(CatalogueError, match="tidak ditemukan"):
        update_service(engine, "teleportasi", _form(engine, "ktp"), people.admin)
