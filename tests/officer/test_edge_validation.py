"""Every path, query and form parameter is checked where the request comes in: out of range,
malformed or impossible values get a polite Indonesian 400/404 page, never a 500 and never
a silent empty answer. On SQLite and PostgreSQL (the databases fail differently)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.officer.queue import encode_cursor
from bot.store.models import OutboxMessage, UnitChannel
from tests.utils.officer import CSRF_RE, People, TicketMaker, csrf_of

Client = Callable[..., TestClient]
HUGE = "9" * 30
TOO_BIG_FOR_INT = "99999999999999999999999"


def _is_page(r: object, status: int) -> str:
    from httpx import Response

    assert isinstance(r, Response)
    assert r.status_code == status, (r.request.method, r.request.url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert '<html lang="id">' in r.text
    return r.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (f"petugas={TOO_BIG_FOR_INT}", "Petugas tidak dikenal"),
        ("dari=0001-01-01&sampai=9999-12-31", "Tanggal"),
        ("dari=2026-02-30", "Tanggal"),
        ("petugas=%C2%B2", "Petugas tidak dikenal"),  # '²' passes str.isdigit()
        ("q=jalan%00rusak", "tidak diizinkan"),
        ("status=aneh", "Status tidak dikenal"),
    ],
)
def test_queue_filters_out_of_range(
    app_client: Client, people: People, make_ticket: TicketMaker, query: str, message: str
) -> None:
    make_ticket()
    for user in ("budi", "siti"):
        text = _is_page(app_client(user).get(f"/antrean?{query}"), 400)
        assert message in text, (user, query)


@pytest.mark.parametrize(
    "query",
    [
        "hal=%C2%B2",
        "hal=" + HUGE,
        "setelah=" + encode_cursor([0, "2026-01-01", 10**30]),
        "setelah=" + encode_cursor(["0001-01-01T00:00:00", 10**30]) + "&urut=terbaru",
        "setelah=" + "A" * 5000,
    ],
)
def test_queue_paging_parameters_out_of_range(
    app_client: Client, people: People, make_ticket: TicketMaker, query: str
) -> None:
    make_ticket()
    text = _is_page(app_client("siti").get(f"/antrean?{query}"), 400)
    assert "halaman" in text.lower()


def test_ids_out_of_range_in_paths_are_not_found(
    app_client: Client, people: People, make_ticket: TicketMaker
) -> None:
    siti, admin = app_client("siti"), app_client("admin")
    _is_page(siti.get(f"/lampiran/{HUGE}"), 404)
    _is_page(siti.get("/lampiran/0"), 404)
    _is_page(siti.get("/lampiran/-5"), 404)
    _is_page(admin.get(f"/admin/akun/{HUGE}"), 404)
    token = csrf_of(admin, "/admin/akun")
    form = {"csrf_token": token, "role": "officer", "units": "satpas", "password": "x" * 12}
    _is_page(admin.post(f"/admin/akun/{HUGE}", data=form), 404)
    _is_page(admin.post(f"/admin/akun/{HUGE}/sandi", data=form), 404)
    _is_page(admin.get("/admin/layanan/ktp%00"), 404)
    _is_page(admin.post("/admin/unit/disdukcapil%00", data={"csrf_token": token}), 404)


def test_canned_reply_ids_out_of_range(
    app_client: Client, engine: Engine, people: People, make_ticket: TicketMaker
) -> None:
    tid = make_ticket(sender="5550001")
    budi = app_client("budi")
    text = _is_page(budi.get(f"/tiket/{tid}/balasan-cepat?canned={HUGE}"), 400)
    assert "Balasan cepat" in text
    _is_page(budi.get(f"/tiket/{tid}/balasan-cepat?canned=%C2%B2"), 400)
    # The select's empty choice still gives an empty text area.
    assert 'id="reply-text"' in budi.get(f"/tiket/{tid}/balasan-cepat?canned=").text
    token = csrf_of(budi, f"/tiket/{tid}")
    for canned in (HUGE, "9" * 5000, "²"):
        r = budi.post(
            f"/tiket/{tid}/reply", data={"csrf_token": token, "text": "", "canned": canned}
        )
        _is_page(r, 400)
    r = budi.post(f"/tiket/{tid}/assign", data={"csrf_token": token, "assignee": HUGE})
    _is_page(r, 400)
    r = budi.post(f"/tiket/{tid}/assign", data={"csrf_token": token, "assignee": "²"})
    _is_page(r, 400)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_forms_with_out_of_range_numbers_or_nul(
    app_client: Client, engine: Engine, people: People, make_ticket: TicketMaker
) -> None:
    siti, admin = app_client("siti"), app_client("admin")
    token = csrf_of(siti, "/balasan-cepat")
    for raw_id in (HUGE, "²"):
        r = siti.post(
            "/balasan-cepat",
            data={"csrf_token": token, "id": raw_id, "title": "Salam", "body": "Halo."},
        )
        _is_page(r, 400)
    r = siti.post(
        "/balasan-cepat", data={"csrf_token": token, "title": "Sa\x00lam", "body": "Halo."}
    )
    _is_page(r, 400)
    token = csrf_of(admin, "/admin/unit")
    for chat_id in (TOO_BIG_FOR_INT, "-" + TOO_BIG_FOR_INT):
        r = admin.post("/admin/unit/disdukcapil", data={"csrf_token": token, "chat_id": chat_id})
        assert r.status_code == 303
        assert "ID chat grup" in admin.get("/admin/unit").text
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(UnitChannel)) == 0


def test_login_form_with_nul_or_huge_fields(app_client: Client, people: People) -> None:
    c = app_client()
    page = c.get("/masuk")
    token = CSRF_RE.search(page.text)
    assert token
    r = c.post(
        "/masuk",
        data={"username": "bu\x00di", "password": "x", "csrf_token": token.group(1)},
    )
    _is_page(r, 400)
    _is_page(c.get("/masuk?next=/antrean%00"), 400)


def test_report_dates_out_of_range(app_client: Client, people: People) -> None:
    siti = app_client("siti")
    text = _is_page(siti.get("/laporan?dari=0001-01-01&sampai=9999-12-31"), 400)
    assert "Tanggal" in text
    assert siti.get("/laporan?dari=2026-01-01&sampai=2026-03-31").status_code == 200
