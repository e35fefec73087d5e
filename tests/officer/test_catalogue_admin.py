"""Admins edit the service catalogue; the assistant answers from the edited row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.officer.catalogue_admin import (
    CatalogueError,
    FactAge,
    facts_to_check,
    get_service,
    update_service,
)
from bot.store.catalogue import Catalogue, import_catalogue
from bot.store.models import ConsoleAuditLog, ServiceFact
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


OLD_CHECK = date(2025, 1, 2)  # long before any FACT_MAX_AGE_DAYS


def _age_facts(engine: Engine, service_id: str, **where: str) -> None:
    """Date the service's facts (or those matching `where`) long ago."""
    with Session(engine) as s, s.begin():
        query = update(ServiceFact).where(ServiceFact.service_id == service_id)
        for name, value in where.items():
            query = query.where(getattr(ServiceFact, name) == value)
        s.execute(query.values(checked=OLD_CHECK))


def test_admin_edits_a_service_and_the_assistant_uses_it(
    app_client: Client, engine: Engine, people: People, calendar_: HolidayCalendar
) -> None:
    admin = app_client("admin")
    page = admin.get("/admin/layanan")
    assert page.status_code == 200 and "Surat Keterangan Catatan Kepolisian" in page.text
    _age_facts(engine, "skck")
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
    # The edited texts' facts are dated today; the others keep their date.
    assert set(entry.data or {}) == {"cost", "duration", "facts.cost", "facts.duration"}


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


# -- facts: source, date checked, regional (issue 11) -----------------------------------------


def _fact(engine: Engine, service_id: str, aspect: str) -> ServiceFact:
    with Session(engine) as s:
        return s.scalars(
            select(ServiceFact).where(
                ServiceFact.service_id == service_id, ServiceFact.aspect == aspect
            )
        ).one()


def test_the_editor_shows_each_facts_source_date_and_scope(
    app_client: Client, engine: Engine, people: People
) -> None:
    admin = app_client("admin")
    page = admin.get("/admin/layanan/paspor")
    assert page.status_code == 200
    assert 'value="PP No. 45 Tahun 2024 (berlaku 17 Desember 2024)"' in page.text
    assert "20 Nov 2026" in page.text  # the cost's checked date
    assert "lebih dari 180 hari" not in page.text and "belum ada sumber" not in page.text
    assert "badge overdue" not in page.text
    page = admin.get("/admin/layanan/sktm")
    assert '<option value="1" selected>Tergantung daerah</option>' in page.text

    _age_facts(engine, "paspor", aspect="cost")
    page = admin.get("/admin/layanan/paspor")
    assert page.text.count('class="badge overdue">lebih dari 180 hari') == 1  # the aged fact


def test_stale_and_unsourced_facts_are_listed_until_checked(
    app_client: Client, engine: Engine, people: People
) -> None:
    _age_facts(engine, "skck", aspect="cost")
    with Session(engine) as s, s.begin():
        s.execute(
            update(ServiceFact)
            .where(ServiceFact.service_id == "pbb", ServiceFact.aspect == "requirements")
            .values(source=None)
        )
    admin = app_client("admin")
    listing = admin.get("/admin/layanan")
    assert listing.status_code == 200 and "2 fakta" in listing.text
    page = admin.get("/admin/layanan/perlu-diperiksa")
    assert page.status_code == 200
    assert page.text.count('href="/admin/layanan/') == 2  # the two facts
    assert '/admin/layanan/skck#fakta-cost"' in page.text
    assert '/admin/layanan/pbb#fakta-requirements"' in page.text
    assert 'class="badge overdue">belum ada sumber' in page.text
    assert 'class="badge overdue">lebih dari 180 hari' in page.text
    assert "pbb" in page.text and "paspor" not in page.text  # fresh facts are not listed

    # "sudah diperiksa hari ini" dates the fact today; the list no longer holds it.
    token = csrf_of(admin, "/admin/layanan/skck")
    form = {**_form(engine, "skck", fact_checked_cost="1"), "csrf_token": token}
    assert admin.post("/admin/layanan/skck", data=form).status_code == 303
    fact = _fact(engine, "skck", "cost")
    assert fact.checked is not None and fact.checked > OLD_CHECK
    assert fact.source == "PP No. 76 Tahun 2020"  # kept
    page = admin.get("/admin/layanan/perlu-diperiksa")
    assert "skck#fakta-cost" not in page.text and "pbb#fakta-requirements" in page.text
    with Session(engine) as s:
        entry = s.scalars(
            select(ConsoleAuditLog).where(ConsoleAuditLog.action == "catalogue_update")
        ).one()
    assert entry.target == "skck" and set(entry.data or {}) == {"facts.cost"}
    assert (entry.data or {})["facts.cost"]["from"]["checked"] == OLD_CHECK.isoformat()


def test_editing_a_source_or_scope_dates_the_fact_and_is_audited(
    engine: Engine, people: People
) -> None:
    day = date(2027, 2, 1)
    form = _form(
        engine,
        "paspor",
        fact_source_duration="https://www.imigrasi.go.id/layanan",
        fact_regional_procedure="1",
    )
    update_service(engine, "paspor", form, people.admin, today=day)
    duration = _fact(engine, "paspor", "duration")
    assert (duration.source, duration.checked) == ("https://www.imigrasi.go.id/layanan", day)
    procedure = _fact(engine, "paspor", "procedure")
    assert procedure.regional is True
    assert procedure.checked == date(2026, 11, 30)  # scope alone is not a check of the text
    cost = _fact(engine, "paspor", "cost")
    assert cost.checked == date(2026, 11, 20)  # untouched
    with Session(engine) as s:
        entry = s.scalars(
            select(ConsoleAuditLog).where(ConsoleAuditLog.action == "catalogue_update")
        ).one()
    assert set(entry.data or {}) == {"facts.duration", "facts.procedure"}
    assert (entry.data or {})["facts.duration"]["to"] == {
        "source": "https://www.imigrasi.go.id/layanan",
        "checked": day.isoformat(),
        "regional": True,
    }


def test_clearing_a_source_clears_the_check_and_lists_the_fact(
    app_client: Client, engine: Engine, people: People
) -> None:
    """A fact whose source is emptied was checked against nothing: its date goes, and it is
    listed as needing a check; ticking 'sudah diperiksa' without a source is refused."""
    day = date(2027, 2, 1)
    update_service(engine, "kk", _form(engine, "kk", fact_source_cost=""), people.admin, day)
    cost = _fact(engine, "kk", "cost")
    assert (cost.source, cost.checked) == (None, None)
    row = get_service(engine, "kk", FactAge(day, 180))
    assert row is not None
    (listed,) = [f for f in row.to_check if f.aspect == "cost"]
    assert listed.needs_check
    assert ("kk", "cost") in {
        (s.id, f.aspect) for s, f in facts_to_check(engine, FactAge(day, 180))
    }
    with Session(engine) as s:
        entry = s.scalars(
            select(ConsoleAuditLog).where(ConsoleAuditLog.action == "catalogue_update")
        ).one()
    assert (entry.data or {})["facts.cost"]["to"] == {
        "source": None,
        "checked": None,
        "regional": False,
    }
    # Editing its text without a source is no check either.
    update_service(engine, "kk", _form(engine, "kk", cost="Gratis."), people.admin, day)
    assert _fact(engine, "kk", "cost").checked is None
    with pytest.raises(CatalogueError, match="tanpa sumber"):
        update_service(engine, "kk", _form(engine, "kk", fact_checked_cost="1"), people.admin, day)
    assert _fact(engine, "kk", "cost").checked is None

    admin = app_client("admin")
    page = admin.get("/admin/layanan/kk")
    row_html = page.text.split('id="fakta-cost"')[1].split("</tr>")[0]
    assert 'class="badge overdue">belum ada sumber' in row_html and "belum pernah" in row_html


def test_a_form_without_fact_fields_keeps_the_facts(engine: Engine, people: People) -> None:
    form = {k: v for k, v in _form(engine, "kk").items() if not k.startswith("fact_")}
    update_service(engine, "kk", form, people.admin, today=date(2027, 2, 1))
    fact = _fact(engine, "kk", "requirements")
    assert (fact.source, fact.checked, fact.regional) == (
        "Perpres No. 96 Tahun 2018; Permendagri No. 108 Tahun 2019",
        date(2026, 11, 20),
        False,
    )


def test_a_too_long_source_is_refused(engine: Engine, people: People) -> None:
    form = _form(engine, "kk", fact_source_cost="x" * 501)
    with pytest.raises(CatalogueError, match="Sumber biaya terlalu panjang"):
        update_service(engine, "kk", form, people.admin)
    assert _fact(engine, "kk", "cost").source != "x" * 501


def test_the_allowed_age_of_a_fact_is_configurable(engine: Engine, people: People) -> None:
    today = date(2026, 12, 1)
    listed = {(s.id, f.aspect) for s, f in facts_to_check(engine, FactAge(today, 5))}
    # checked 2026-11-20 (the facts) is more than 5 days before 1 Dec; 30 Nov is not
    assert ("paspor", "cost") in listed and ("sktm", "duration") in listed
    assert ("paspor", "duration") not in listed
    assert facts_to_check(engine, FactAge(today, 180)) == []


def test_odd_fact_values_get_an_answer_not_an_error(
    app_client: Client, engine: Engine, people: People
) -> None:
    admin = app_client("admin")
    token = csrf_of(admin, "/admin/layanan/kk")

    @settings(max_examples=20, deadline=None)
    @given(st.text(max_size=600), st.text(max_size=3), st.text(max_size=3))
    def post(source: str, regional: str, checked: str) -> None:
        changes = {
            "fact_source_cost": source,
            "fact_regional_cost": regional,
            "fact_checked_cost": checked,
        }
        form = {**_form(engine, "kk", **changes), "csrf_token": token}
        response = admin.post("/admin/layanan/kk", data=form)
        assert response.status_code in (303, 400), response.status_code
        if response.status_code == 303:  # saved, or refused with a message
            assert admin.get(response.headers["location"]).status_code == 200

    post()
