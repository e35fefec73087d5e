"""The public transparency page (`/transparansi`, `data.json`, `data.csv`): counts on a
hand-built month of tickets, the disclosure rule (small cells "<5", counts rounded to 5,
medians and shares from public complaints only), no personal data anywhere, the cache,
validation at the edge, and that the console's other pages stay closed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.officer.web.routes_public import CSV_COLUMNS, Answers
from bot.store.models import Category, Privacy, SkmResponse, TicketStatus
from bot.tickets.deadlines import Deadlines, HolidayCalendar, ResolutionPolicy, local_today
from bot.transparency import (
    MAX_MONTHS,
    SUPPRESSED,
    BadPeriod,
    Month,
    Publisher,
    period,
    publish_count,
    publish_median,
    publish_share,
)
from tests.utils import ROOT
from tests.utils.officer import People, TicketMaker

Client = Callable[..., TestClient]
TZ = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 11, 30)
JUNE = "2026-06"

# Distinctive personal data in every ticket of the dataset: none may be published.
NAME = "Sulastri Handayaningrum"
PHONE = "081298765432"
PLACE = "Gang Kenari Buntu RT 07"
SECRET_WORDS = {
    Privacy.PUBLIC: "UMUMKEDELAI",
    Privacy.ANONYMOUS: "ANONIMKECAPI",
    Privacy.CONFIDENTIAL: "RAHASIAKEMIRI",
}


def at(day: int, hour: int = 9, month: int = 6) -> datetime:
    """A local time in 2026 as the aware UTC datetime the store keeps."""
    return datetime(2026, month, day, hour, 0, tzinfo=TZ).astimezone(timezone.utc)


def d(day: int, month: int = 6) -> date:
    return date(2026, month, day)


@pytest.fixture
def deadlines(calendar_: HolidayCalendar) -> Deadlines:
    policy = ResolutionPolicy.from_file(ROOT / "data" / "resolution_days.yml")
    return Deadlines(calendar_, policy, 3, 5)


def _file(make_ticket: TicketMaker, privacy: Privacy, n: int, **changes: Any) -> str:
    return make_ticket(
        description=f"Laporan {SECRET_WORDS[privacy]} nomor {n}, hubungi saya di {PHONE}.",
        privacy=privacy,
        name=NAME,
        location=PLACE,
        **changes,
    )


@pytest.fixture
def june(make_ticket: TicketMaker, people: People) -> list[str]:
    """June 2026 (16 June is a holiday), filed on Monday 8 June:

    Disdukcapil, adminduk: six public complaints verified after 1, 1, 2, 2, 3 and 4 working
    days (the deadline is 11 June: five on time), five of them resolved after 5, 1, 1, 2
    and 6 working days from verification (four on time), the sixth still open past its
    deadline; two anonymous ones verified and resolved very late; a confidential one never
    verified, past its deadline. Satpas, lainnya: three public complaints, new, not due.
    """
    ids = []
    filed = {"created_at": at(8), "verify_due": d(11)}
    public = [  # (verified, closed or None, resolve due)
        (d(9), d(17), d(17)),
        (d(9), d(10), d(17)),
        (d(10), d(11), d(18)),
        (d(10), d(12), d(18)),
        (d(11), d(22), d(19)),
        (d(12), None, d(19)),
    ]
    for n, (verified, closed, due) in enumerate(public):
        done = closed is not None
        ids.append(
            _file(
                make_ticket,
                Privacy.PUBLIC,
                n,
                **filed,
                verified_at=datetime.combine(verified, datetime.min.time(), TZ).replace(hour=10),
                status=TicketStatus.SELESAI if done else TicketStatus.DIPROSES,
                closed_at=(
                    datetime.combine(closed, datetime.min.time(), TZ).replace(hour=15)
                    if closed
                    else None
                ),
                resolve_due=due,
                due_on=None if done else due,
            )
        )
    for n in range(2):
        ids.append(
            _file(
                make_ticket,
                Privacy.ANONYMOUS,
                n,
                **filed,
                verified_at=at(30),
                status=TicketStatus.SELESAI,
                closed_at=at(30, month=7),
                resolve_due=d(20),
                due_on=None,
            )
        )
    ids.append(
        _file(
            make_ticket,
            Privacy.CONFIDENTIAL,
            0,
            category=Category.PUNGLI,
            service_id="ktp",
            **filed,
            due_on=d(11),
        )
    )
    for n in range(3):
        ids.append(
            make_ticket(
                description=f"Antrean SIM lama sekali {n}, {NAME} {PHONE}.",
                service_id="sim",
                category=Category.LAINNYA,
                name=NAME,
                location=PLACE,
                created_at=at(8),
                due_on=TODAY + timedelta(days=30),
            )
        )
    return ids


def test_published_counts_follow_the_rule() -> None:
    assert [publish_count(n) for n in range(0, 14)] == [
        0,
        SUPPRESSED,
        SUPPRESSED,
        SUPPRESSED,
        SUPPRESSED,
        5,
        5,
        5,
        10,
        10,
        10,
        10,
        10,
        15,
    ]
    assert publish_count(1234) == 1235
    assert publish_median([1, 2, 3, 4]) is None
    assert publish_median([1, 2, 3, 4, 9]) == 3.0
    assert publish_share(4, 4) is None
    assert publish_share(4, 5) == 80


def test_the_period_is_checked() -> None:
    now = Month(2026, 11)
    assert period(None, None, now) == (Month(2025, 12), Month(2026, 11))
    assert period("2026-06", "", now) == (Month(2026, 6), Month(2026, 11))
    assert period("2026-06", "2026-03", now) == (Month(2026, 3), Month(2026, 6))
    assert period("", "2026-03", now) == (Month(2025, 4), Month(2026, 3))
    assert period("2027-02", None, now) == (Month(2027, 2), Month(2027, 2))
    for bad in ("2026-13", "2026-00", "1999-12", "2101-01", "26-01", "2026/01", "２０２６-01"):
        with pytest.raises(BadPeriod):
            period(bad, None, now)
    with pytest.raises(BadPeriod):
        period("2020-01", str(Month(2020, 1).shift(MAX_MONTHS)), now)
    assert period("2020-01", str(Month(2020, 1).shift(MAX_MONTHS - 1)), now)[1] == Month(2024, 12)


def test_counts_of_a_hand_built_month(
    engine: Engine, deadlines: Deadlines, june: list[str]
) -> None:
    publisher = Publisher(engine, lambda: deadlines, "Asia/Jakarta", 300)
    stats = publisher.statistics(Month(2026, 5), Month(2026, 6), None, TODAY)
    may, month = stats.by_month
    assert (may.month, may.received, may.verified, may.median_days_to_verify) == (
        "2026-05",
        0,
        0,
        None,
    )
    # 12 received, 8 verified, 7 resolved, 2 overdue: rounded, the last suppressed.
    assert (month.received, month.verified, month.resolved, month.overdue) == (10, 10, 5, "<5")
    # Public complaints only: the anonymous ones (15 working days) would move both medians.
    assert month.median_days_to_verify == 2.0
    assert month.verified_on_time_pct == 83  # 5 of 6
    assert month.median_days_to_resolve == 2.0  # 1, 1, 2, 5 (across the 16 June holiday), 6
    assert month.resolved_on_time_pct == 80  # 4 of 5

    units = {r.unit_id: r for r in stats.by_unit}
    assert set(units) == {"disdukcapil", "satpas"}
    dukcapil, satpas = units["disdukcapil"], units["satpas"]
    assert dukcapil.unit == "Dinas Kependudukan dan Pencatatan Sipil Kota Contoh"
    assert (dukcapil.received, dukcapil.verified, dukcapil.resolved, dukcapil.overdue) == (
        10,
        10,
        5,
        "<5",
    )
    assert (satpas.received, satpas.verified, satpas.resolved, satpas.overdue) == ("<5", 0, 0, 0)
    assert satpas.median_days_to_verify is None and satpas.verified_on_time_pct is None

    categories = {r.category: r for r in stats.by_category}
    assert set(categories) == {"adminduk", "pungli", "lainnya"}
    assert categories["adminduk"].received == 10  # 8
    assert categories["pungli"].received == "<5"  # the confidential one: a count, nothing else
    assert categories["pungli"].median_days_to_verify is None
    assert categories["lainnya"].received == "<5"
    assert stats.resolution_days["adminduk"] == 5 and stats.verification_days == 3

    detail = {(r.unit_id, r.category): r.received for r in stats.detail}
    assert detail == {
        ("disdukcapil", "adminduk"): 10,
        ("disdukcapil", "pungli"): "<5",
        ("satpas", "lainnya"): "<5",
    }
    # No published number tells a suppressed one: the total (12) is "10", the shown unit
    # "10" (9), so the difference says nothing about Satpas's 3.
    assert month.received == dukcapil.received


def test_one_unit(engine: Engine, deadlines: Deadlines, june: list[str]) -> None:
    publisher = Publisher(engine, lambda: deadlines, "Asia/Jakarta", 300)
    stats = publisher.statistics(Month(2026, 6), Month(2026, 7), "satpas", TODAY)
    assert [(r.month, r.unit_id, r.received) for r in stats.by_month] == [
        ("2026-06", "satpas", "<5"),
        ("2026-07", "satpas", 0),
    ]
    assert [(r.category, r.received) for r in stats.by_category] == [("lainnya", "<5")]
    assert stats.by_unit == () and stats.detail == ()


def test_cache_keeps_figures_for_its_time(
    engine: Engine, deadlines: Deadlines, make_ticket: TicketMaker, people: People
) -> None:
    clock = [1000.0]
    publisher = Publisher(engine, lambda: deadlines, "Asia/Jakarta", 300, clock=lambda: clock[0])
    for n in range(5):
        make_ticket(description=f"Keluhan nomor {n} tentang antrean.", created_at=at(8))
    june_only = (Month(2026, 6), Month(2026, 6), None)
    assert publisher.statistics(*june_only, TODAY).by_month[0].received == 5
    assert publisher.months_counted == 1
    for n in range(3):
        make_ticket(description=f"Keluhan tambahan {n} tentang antrean.", created_at=at(9))
    clock[0] += 299
    assert publisher.statistics(*june_only, TODAY).by_month[0].received == 5  # cached
    assert publisher.months_counted == 1
    assert publisher.statistics(*june_only, TODAY + timedelta(days=1)).by_month[0].received == 10
    assert publisher.months_counted == 2  # a new day: counted again (overdue moves by day)
    clock[0] += 300
    publisher.statistics(*june_only, TODAY + timedelta(days=1))
    assert publisher.months_counted == 3  # the time is up
    for n in range(5):
        make_ticket(description=f"Keluhan terakhir {n} tentang antrean.", created_at=at(10))
    clock[0] += 300
    with publisher._counting:  # another request is counting: the stale figures, no wait
        assert (
            publisher.statistics(*june_only, TODAY + timedelta(days=1)).by_month[0].received == 10
        )
        assert publisher.months_counted == 3
    assert publisher.statistics(*june_only, TODAY + timedelta(days=1)).by_month[0].received == 15
    assert publisher.months_counted == 4


def test_answers_are_kept_while_their_figures_are_fresh(
    app_client: Client,
    engine: Engine,
    deadlines: Deadlines,
    make_ticket: TicketMaker,
    people: People,
) -> None:
    client = app_client()
    clock = [50.0]
    publisher = Publisher(engine, lambda: deadlines, "Asia/Jakarta", 300, clock=lambda: clock[0])
    client.app.state.transparency = publisher  # type: ignore[attr-defined]
    client.app.state.transparency_answers = Answers(publisher.clock)  # type: ignore[attr-defined]
    this_month = str(Month.of(local_today("Asia/Jakarta")))
    query = {"dari": this_month, "sampai": this_month}

    def received() -> Any:
        return client.get("/transparansi/data.json", params=query).json()["per_bulan"][0][
            "diterima"
        ]

    assert received() == 0
    for n in range(6):
        make_ticket(description=f"Keluhan baru nomor {n} tentang antrean panjang.")
    clock[0] += 299
    assert received() == 0  # the kept answer
    assert publisher.months_counted == 1
    clock[0] += 1
    assert received() == 5  # its figures' time is up: counted and rendered again
    assert publisher.months_counted == 2


# -- the routes ----------------------------------------------------------------------------


def _june_query(**extra: str) -> dict[str, str]:
    return {"dari": "2026-05", "sampai": JUNE, **extra}


def _no_personal_data(text: str, ids: list[str]) -> None:
    for leak in (NAME, PHONE, PLACE, "Kenari", *SECRET_WORDS.values(), *ids):
        assert leak not in text, leak


def test_page_is_public_and_shows_only_published_figures(
    app_client: Client, june: list[str]
) -> None:
    client = app_client()
    page = client.get("/transparansi", params=_june_query())
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "public, max-age=60"
    html = page.text
    _no_personal_data(html, june)
    assert "Transparansi pengaduan layanan publik" in html
    assert 'id="table-monthly"' in html and 'id="table-units"' in html
    monthly = html[html.index('id="table-monthly"') : html.index('id="units"')]
    assert "Jun 2026" in monthly and "Mei 2026" in monthly
    assert '<td class="num suppressed">&lt;5</td>' in monthly  # overdue in June
    assert "83%" in monthly and "80%" in monthly
    assert "Belum ada responden survei" in html
    catalogue = html[html.index('id="catalogue"') :]
    assert "Kartu Tanda Penduduk" in catalogue or "KTP" in catalogue
    assert "UU No. 24 Tahun 2013" in catalogue  # a cost's legal basis, shown as its source
    assert "<svg" in html and 'class="bar received' in html
    assert "<script" not in html  # nothing to run on a public page


def test_open_data_json_and_csv(app_client: Client, june: list[str]) -> None:
    client = app_client()
    response = client.get("/transparansi/data.json", params=_june_query())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    _no_personal_data(response.text, june)
    data = json.loads(response.text)
    assert data["periode"] == {"dari": "2026-05", "sampai": "2026-06"}
    june_row = data["per_bulan"][1]
    assert {k: june_row[k] for k in ("bulan", "diterima", "diverifikasi", "selesai")} == {
        "bulan": "2026-06",
        "diterima": 10,
        "diverifikasi": 10,
        "selesai": 5,
    }
    assert june_row["terlambat"] == "<5"
    assert june_row["median_hari_kerja_verifikasi"] == 2.0
    assert data["ikm"]["tersedia"] is False and data["ikm"]["per_unit_layanan"] == []
    ktp = next(s for s in data["layanan"] if s["layanan_id"] == "ktp")
    facts = {f["fakta"]: f for f in ktp["fakta"]}
    assert set(facts) >= {"Persyaratan", "Biaya", "Waktu penyelesaian", "Kantor dan jam layanan"}
    # Each fact with the source and checked date the catalogue records for its aspect.
    assert facts["Biaya"]["sumber"].startswith("UU No. 24 Tahun 2013")
    assert facts["Biaya"]["tanggal_diperiksa"] == "2026-11-30"
    assert facts["Biaya"]["aturan_daerah"] is False
    assert facts["Waktu penyelesaian"]["tanggal_diperiksa"] == "2026-11-20"
    assert facts["Waktu penyelesaian"]["aturan_daerah"] is True
    pungli = [r for r in data["per_kategori"] if r["kategori"] == "pungli"]
    assert pungli and pungli[0]["diterima"] == "<5"
    assert pungli[0]["median_hari_kerja_verifikasi"] is None

    response = client.get("/transparansi/data.csv", params=_june_query())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    _no_personal_data(response.text, june)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_table = {(r["tabel"], r["bulan"], r["unit_id"], r["kategori"]): r for r in rows}
    assert by_table[("per_bulan", "2026-06", "", "")]["diterima"] == "10"
    assert by_table[("per_unit", "2026-06", "satpas", "")]["diterima"] == "<5"
    cell = by_table[("per_unit_kategori", "2026-06", "disdukcapil", "pungli")]
    assert (cell["diterima"], cell["median_hari_kerja_verifikasi"]) == ("<5", "")
    assert by_table[("per_kategori", "2026-06", "", "adminduk")]["batas_hari_kerja_penyelesaian"]


def test_unit_filter_and_empty_database(app_client: Client, people: People) -> None:
    client = app_client()
    page = client.get("/transparansi", params={"unit": "satpas"})
    assert page.status_code == 200
    assert "Satpas Polres Kota Contoh" in page.text
    data = client.get("/transparansi/data.json").json()
    assert len(data["per_bulan"]) == 12 and all(r["diterima"] == 0 for r in data["per_bulan"])
    assert data["per_unit"] == [] and data["per_unit_kategori"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dari": "2026-13"}, "antara 01 dan 12"),
        ({"sampai": "juni"}, "tahun-bulan"),
        ({"dari": "1999-01"}, "antara 2000 dan 2100"),
        ({"dari": "2000-01", "sampai": "2100-12"}, "paling panjang"),
        ({"unit": "kantor-hantu"}, "Unit tidak dikenal"),
    ],
)
def test_bad_parameters_get_a_polite_400(
    app_client: Client, people: People, params: dict[str, str], message: str
) -> None:
    client = app_client()
    page = client.get("/transparansi", params=params)
    assert page.status_code == 400
    assert message in page.text and 'href="/transparansi"' in page.text
    data = client.get("/transparansi/data.json", params=params)
    assert data.status_code == 400 and message in data.json()["galat"]
    text = client.get("/transparansi/data.csv", params=params)
    assert text.status_code == 400 and message in text.text


def test_the_rest_of_the_console_stays_closed(
    app_client: Client, people: People, make_ticket: TicketMaker
) -> None:
    ticket = make_ticket()
    client = app_client()
    for path in (
        "/",
        "/antrean",
        "/antrean.csv",
        f"/tiket/{ticket}",
        "/laporan",
        "/latih",
        "/admin/akun",
        "/admin/layanan",
        "/transparansi/../antrean",
        "/transparansi/data.json/../../laporan",
    ):
        response = client.get(path)
        assert response.status_code in (303, 404), (path, response.status_code)
        if response.status_code == 303:
            assert response.headers["location"].startswith("/masuk"), path
        assert ticket not in response.text


def test_signed_in_visitors_get_the_same_page(app_client: Client, people: People) -> None:
    supervisor = app_client("siti")
    page = supervisor.get("/transparansi")
    assert page.status_code == 200
    assert "Siti Supervisor" not in page.text and "csrf" not in page.text
    assert "/keluar" not in page.text


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(["/transparansi", "/transparansi/data.json", "/transparansi/data.csv"]),
    params=st.dictionaries(
        st.sampled_from(["dari", "sampai", "unit", "x"]),
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(
                ["2026-06", "2000-01", "2100-12", "9999-99", "semua", "satpas", "tanpa_unit"]
            ),
            st.from_regex(r"[0-9]{4}-[0-9]{2}", fullmatch=True),
        ),
        max_size=3,
    ),
)
def test_any_query_gets_an_answer_not_an_error(
    app_client: Client, people: People, path: str, params: dict[str, str]
) -> None:
    response = app_client().get(path, params=params)
    assert response.status_code in (200, 400), (params, response.status_code)
    if response.status_code == 200 and path.endswith(".json"):
        assert set(json.loads(response.text)) >= {"per_bulan", "layanan", "ikm"}


# -- the satisfaction survey (IKM) -----------------------------------------------------------

SKM_COMMENT = "KOMENTARSKMPUBLIK"
KTP_SCORES = [4, 4, 3, 4, 3, 3, 3, 3, 3]  # NRR sum 30: 30 / 9 x 25 = 83,33 (B, Baik)


@pytest.fixture
def survey(engine: Engine, people: People) -> list[str]:
    """Hand-built answers of June 2026: eight about KTP (Disdukcapil), three about SIM
    (Satpas), each with a comment; outside the period or without an answer, more rows that
    must not count. Returns the respondent keys."""
    rows: list[tuple[str, str, str, str, list[int | None]]] = [
        *(("ktp", "disdukcapil", JUNE, "done", KTP_SCORES) for _ in range(8)),
        *(("sim", "satpas", JUNE, "done", [1] * 9) for _ in range(3)),
        ("sim", "satpas", "2026-08", "done", [4] * 9),  # outside the period asked for
        ("sim", "satpas", JUNE, "refused", [None] * 9),  # refused: no answer
        ("ktp", "disdukcapil", JUNE, "paused", [None] * 9),  # started, nothing answered
    ]
    keys = []
    with Session(engine) as s, s.begin():
        for n, (service, office, month, status, scores) in enumerate(rows):
            key = f"{n:02d}kuncirespondenrahasia{n:02d}".ljust(64, "f")
            keys.append(key)
            s.add(
                SkmResponse(
                    respondent_key=key,
                    service_id=service,
                    office_id=office,
                    period=month,
                    status=status,
                    position=10 if status == "done" else 0,
                    comment=f"{SKM_COMMENT} {n} loket lambat",
                    **{f"u{i + 1}": v for i, v in enumerate(scores)},
                )
            )
    return keys


def test_ikm_per_unit_and_service(engine: Engine, deadlines: Deadlines, survey: list[str]) -> None:
    """The IKM as bot.skm computes it, respondent counts under the disclosure rule, and no
    IKM for a group of fewer than 5 respondents."""
    publisher = Publisher(engine, lambda: deadlines, "Asia/Jakarta", 300)
    ikm = publisher.statistics(Month(2026, 5), Month(2026, 6), None, TODAY).ikm
    assert ikm.overall.respondents == 10  # 11 respondents, rounded
    assert ikm.overall.ikm is not None and ikm.overall.grade is not None
    by_row = {(r.unit_id, r.service_id): r for r in ikm.rows}
    assert set(by_row) == {
        ("disdukcapil", None),
        ("disdukcapil", "ktp"),
        ("satpas", None),
        ("satpas", "sim"),
    }
    ktp = by_row[("disdukcapil", "ktp")]
    assert (ktp.respondents, str(ktp.ikm), ktp.grade, ktp.mutu) == (10, "83.33", "B", "Baik")
    assert ktp.service == "KTP Elektronik (KTP-el)"
    assert [e.code for e in ktp.elements] == [f"U{n}" for n in range(1, 10)]
    assert str(ktp.elements[0].value) == "100.00" and str(ktp.elements[2].value) == "75.00"
    for small in (by_row[("satpas", None)], by_row[("satpas", "sim")]):
        assert small.respondents == SUPPRESSED
        assert (small.ikm, small.grade, small.mutu, small.elements) == (None, None, None, ())
    # One unit: its rows only, its total as the overall figure.
    satpas = publisher.statistics(Month(2026, 5), Month(2026, 6), "satpas", TODAY).ikm
    assert [(r.unit_id, r.service_id) for r in satpas.rows] == [("satpas", None), ("satpas", "sim")]
    assert satpas.overall.respondents == SUPPRESSED and satpas.overall.ikm is None


def test_ikm_is_cached_with_the_figures(
    engine: Engine, deadlines: Deadlines, survey: list[str]
) -> None:
    clock = [10.0]
    publisher = Publisher(engine, lambda: deadlines, "Asia/Jakarta", 300, clock=lambda: clock[0])
    june = (Month(2026, 6), Month(2026, 6), None, TODAY)
    assert publisher.statistics(*june).ikm.overall.respondents == 10
    with Session(engine) as s, s.begin():
        for n in range(4):
            s.add(
                SkmResponse(
                    respondent_key=f"baru{n}".ljust(64, "0"),
                    service_id="ktp",
                    office_id="disdukcapil",
                    period=JUNE,
                    status="done",
                    **{f"u{i}": 4 for i in range(1, 10)},
                )
            )
    clock[0] += 299
    assert publisher.statistics(*june).ikm.overall.respondents == 10  # kept
    clock[0] += 1
    assert publisher.statistics(*june).ikm.overall.respondents == 15  # 15 counted again


def _no_survey_secrets(text: str, keys: list[str]) -> None:
    assert SKM_COMMENT not in text and "loket lambat" not in text
    for key in keys:
        assert key not in text and key[:20] not in text


def test_ikm_on_the_page_and_in_the_open_data(app_client: Client, survey: list[str]) -> None:
    client = app_client()
    html = client.get("/transparansi", params=_june_query()).text
    _no_survey_secrets(html, survey)
    section = html[html.index('id="ikm"') : html.index('id="catalogue"')]
    assert "Belum ada responden survei" not in section
    assert "83,33" in section and "Baik" in section
    assert "Satpas Polres Kota Contoh" in section and "&lt;5" in section

    response = client.get("/transparansi/data.json", params=_june_query())
    _no_survey_secrets(response.text, survey)
    ikm = response.json()["ikm"]
    assert ikm["tersedia"] is True and ikm["semua"]["responden"] == 10
    rows = {(r["unit_id"], r["layanan_id"]): r for r in ikm["per_unit_layanan"]}
    ktp = rows[("disdukcapil", "ktp")]
    assert (ktp["responden"], ktp["ikm"], ktp["mutu_pelayanan"], ktp["kinerja"]) == (
        10,
        83.33,
        "B",
        "Baik",
    )
    assert ktp["unsur"][0] == {"kode": "U1", "unsur": "Persyaratan", "nilai": 100.0}
    sim = rows[("satpas", "sim")]
    assert (sim["responden"], sim["ikm"], sim["mutu_pelayanan"], sim["unsur"]) == (
        "<5",
        None,
        None,
        [],
    )
    for row in ikm["per_unit_layanan"]:
        assert set(row) == {
            "unit_id", "unit", "layanan_id", "layanan", "responden", "ikm", "mutu_pelayanan",
            "kinerja", "unsur",
        }  # fmt: skip

    response = client.get("/transparansi/data.csv", params=_june_query())
    _no_survey_secrets(response.text, survey)
    rows_csv = [r for r in csv.DictReader(io.StringIO(response.text)) if r["tabel"] == "ikm"]
    by_key = {(r["unit_id"], r["layanan_id"]): r for r in rows_csv}
    assert by_key[("disdukcapil", "ktp")]["ikm"] == "83.33"
    assert by_key[("disdukcapil", "ktp")]["bulan"] == "2026-05/2026-06"
    assert by_key[("", "")]["responden"] == "10"  # all units
    assert (by_key[("satpas", "sim")]["responden"], by_key[("satpas", "sim")]["ikm"]) == ("<5", "")
