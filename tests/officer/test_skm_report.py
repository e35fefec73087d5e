"""The console's SKM pages (bot/officer/web/routes_skm.py): IKM per unit and service with
respondent counts, per-element NRR, the monthly trend drawn on the server as SVG, the CSV
in the SKM report layout; supervisors only, anonymous aggregates, small groups suppressed."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import Citizen, SkmResponse, utcnow
from bot.store.skm import SkmStore
from tests.utils.officer import People

KEY = "change-me-dev-only"
COMMENT = "KomentarRahasiaSKM"


def month() -> str:
    return datetime.now(timezone(timedelta(hours=7))).strftime("%Y-%m")


def respond(engine: Engine, n: int, service: str, scores: list[int | None], start: int) -> None:
    store = SkmStore(engine, KEY)
    for i in range(n):
        sender = str(start + i)
        with Session(engine) as s, s.begin():
            s.add(Citizen(sender_id=sender, consent_at=utcnow()))
        survey, _ = store.start(sender, service)
        assert survey is not None
        for position, score in enumerate(scores):
            store.answer(sender, survey.id, position, score)
        store.finish(sender, survey.id, f"{COMMENT} {i}")


def test_supervisor_sees_ikm_per_unit_and_service(
    engine: Engine, people: People, app_client: Callable[..., TestClient]
) -> None:
    respond(engine, 5, "ktp", [4, 4, 3, 4, 3, 3, 3, 3, 3], 610000)
    respond(engine, 2, "sim", [1] * 9, 620000)
    page = app_client("siti").get("/laporan/skm")
    assert page.status_code == 200
    html = page.text
    # KTP: sum of NRR 30 -> 30 / 9 x 25 = 83,33, B (Baik); SIM: 2 respondents, counts only.
    assert "83,33" in html and "B (Baik)" in html
    assert "&lt;5 responden" in html
    assert "<svg" in html and "<path d=" in html
    assert COMMENT not in html
    with Session(engine) as s:
        keys = list(s.scalars(select(SkmResponse.respondent_key)))
    assert keys and not any(k in html for k in keys)
    assert "610000" not in html
    # Filtered to the KTP service: the per-element table, lowest element named.
    ktp = app_client("siti").get("/laporan/skm", params={"layanan": "ktp"}).text
    assert 'id="skm-elements"' in ktp and "Waktu penyelesaian" in ktp
    assert "3,000" in ktp and "4,000" in ktp
    sim = app_client("siti").get("/laporan/skm", params={"layanan": "sim"}).text
    assert 'id="skm-elements"' not in sim and "Kurang dari 5 responden" in sim


def test_csv_in_the_skm_report_layout(
    engine: Engine, people: People, app_client: Callable[..., TestClient]
) -> None:
    respond(engine, 5, "ktp", [4, 4, 3, 4, 3, 3, 3, 3, 3], 630000)
    response = app_client("siti").get("/laporan/skm.csv", params={"layanan": "ktp"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[4] == ["Jumlah responden", "5"]
    assert rows[3][0] == "Periode" and month() in rows[3][1]
    header = rows.index(
        ["No", "Unsur pelayanan", "Responden menjawab", "NRR", "NRR tertimbang", "NRR x 25", "Mutu"]
    )
    elements = rows[header + 1 : header + 10]
    assert [r[0] for r in elements] == [str(n) for n in range(1, 10)]
    assert elements[0][1:] == ["Persyaratan", "5", "4,000", "0,4444", "100,00", "A"]
    assert elements[2][1:] == ["Waktu penyelesaian", "5", "3,000", "0,3333", "75,00", "C"]
    assert rows[header + 10][1:5] == ["Jumlah NRR tertimbang", "", "", "3,3333"]
    assert rows[header + 11][5:] == ["83,33", "B"]
    assert rows[header + 12][6] == "B (Baik)"
    assert COMMENT not in response.text


def test_csv_of_a_small_group_has_counts_only(
    engine: Engine, people: People, app_client: Callable[..., TestClient]
) -> None:
    respond(engine, 3, "sim", [4] * 9, 640000)
    text = app_client("siti").get("/laporan/skm.csv", params={"layanan": "sim"}).text
    assert '"Jumlah responden","3"' in text
    assert "NRR" not in text and "kurang dari 5 responden" in text


def test_only_supervisors(people: People, app_client: Callable[..., TestClient]) -> None:
    for user in ("budi", "admin"):
        client = app_client(user)
        assert client.get("/laporan/skm").status_code == 403
        assert client.get("/laporan/skm.csv").status_code == 403
    assert app_client().get("/laporan/skm").status_code in (302, 303, 401)


def test_bad_parameters_are_a_polite_400(
    people: People, app_client: Callable[..., TestClient]
) -> None:
    client = app_client("siti")
    for params in ({"dari": "2026-13"}, {"unit": "nope"}, {"layanan": "x"}, {"dari": "abc"}):
        page = client.get("/laporan/skm", params=params)
        assert page.status_code == 400 and 'id="skm-error"' in page.text
        assert client.get("/laporan/skm.csv", params=params).status_code == 400
