"""Error answers of the console are Indonesian HTML pages with the console's security headers
(never Starlette's English plain text), HEAD works wherever GET does, and there is a favicon."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.officer.web import create_app
from bot.store.db import get_engine
from tests.utils.officer import People, TicketMaker, csrf_of

Client = Callable[..., TestClient]
ENGLISH = (
    "Internal Server Error",
    "Not Found",
    "Method Not Allowed",
    "Field exceeded",
    "Part exceeded",
    "Request Entity Too Large",
    '"detail"',
)


def _error_page(r: object, status: int, title: str) -> str:
    from httpx import Response

    assert isinstance(r, Response)
    assert r.status_code == status, (r.request.url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    assert '<html lang="id">' in r.text
    assert f"<h1>{title}</h1>" in r.text, r.text[:500]
    for english in ENGLISH:
        assert english not in r.text, english
    return r.text


def test_not_found_pages(app_client: Client, people: People) -> None:
    _error_page(app_client().get("/tidak-ada"), 404, "Halaman tidak ditemukan")
    _error_page(app_client("budi").get("/tidak-ada"), 404, "Halaman tidak ditemukan")
    _error_page(app_client("budi").get("/tiket/ADU-ZZZZZZ"), 404, "Halaman tidak ditemukan")
    _error_page(app_client().get("/static/tidak-ada.css"), 404, "Halaman tidak ditemukan")


def test_method_not_allowed_page(app_client: Client, people: People) -> None:
    budi = app_client("budi")
    r = budi.delete("/antrean")
    _error_page(r, 405, "Metode tidak diizinkan")
    assert r.headers["allow"] == "GET, HEAD"
    _error_page(budi.put("/masuk"), 405, "Metode tidak diizinkan")


def test_forbidden_and_csrf_pages(
    app_client: Client, people: People, make_ticket: TicketMaker
) -> None:
    tid = make_ticket()
    _error_page(app_client("admin").get("/antrean"), 403, "Akses ditolak")
    budi = app_client("budi")
    text = _error_page(
        budi.post(f"/tiket/{tid}/note", data={"csrf_token": "palsu", "text": "x"}),
        403,
        "Permintaan ditolak",
    )
    assert "CSRF" in text


def test_bad_request_page(app_client: Client, people: People, make_ticket: TicketMaker) -> None:
    tid = make_ticket()
    budi = app_client("budi")
    text = _error_page(budi.get("/antrean?hal=0"), 400, "Permintaan tidak valid")
    assert "Nomor halaman tidak valid." in text
    text = _error_page(
        budi.get(f"/tiket/{tid}/balasan-cepat?canned=abc"), 400, "Permintaan tidak valid"
    )
    assert "Balasan cepat tidak valid." in text
    # A queue filter it cannot understand: the queue page itself says what is wrong.
    r = budi.get("/antrean?status=aneh")
    assert r.status_code == 400 and "Status tidak dikenal." in r.text


def test_session_expired_post_page(
    app_client: Client, people: People, make_ticket: TicketMaker
) -> None:
    tid = make_ticket()
    text = _error_page(
        app_client().post(f"/tiket/{tid}/note", data={"csrf_token": "x", "text": "x"}),
        401,
        "Sesi berakhir",
    )
    assert "/masuk" in text


def test_too_large_form_page(app_client: Client, people: People, make_ticket: TicketMaker) -> None:
    tid = make_ticket()
    budi = app_client("budi")
    token = csrf_of(budi, f"/tiket/{tid}")
    big = "x" * (2 * 1024 * 1024)
    text = _error_page(
        budi.post(f"/tiket/{tid}/note", data={"csrf_token": token, "text": big}),
        413,
        "Kiriman terlalu besar",
    )
    assert "terlalu besar" in text
    # The same as multipart (the field limit of Starlette's parser, in English, before).
    r = budi.post(
        f"/tiket/{tid}/note", data={"csrf_token": token}, files={"text": ("t.txt", big.encode())}
    )
    _error_page(r, 413, "Kiriman terlalu besar")
    r = app_client().post("/masuk", data={"username": big, "password": "x", "csrf_token": "x"})
    _error_page(r, 413, "Kiriman terlalu besar")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_server_error_page_when_the_database_is_down(
    console_settings: Settings, tmp_path: Path
) -> None:
    """A real failure (the database file cannot be opened), not a staged one."""
    broken = get_engine(f"sqlite:///{tmp_path / 'tidak-ada' / 'db.sqlite'}")
    app = create_app(console_settings, broken)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        text = _error_page(c.get("/masuk"), 500, "Terjadi gangguan")
        assert "coba lagi" in text


def test_head_works_wherever_get_does(
    app_client: Client, people: People, make_ticket: TicketMaker
) -> None:
    tid = make_ticket()
    anonymous, budi, siti, admin = (app_client(u) for u in (None, "budi", "siti", "admin"))
    for client, path in (
        (anonymous, "/masuk"),
        (anonymous, "/healthz"),
        (anonymous, "/favicon.ico"),
        (anonymous, "/static/console.css"),
        (budi, "/antrean"),
        (budi, f"/tiket/{tid}"),
        (siti, "/antrean.csv"),
        (siti, "/laporan"),
        (admin, "/admin/akun"),
    ):
        get, head = client.get(path), client.head(path)
        assert get.status_code == 200, path
        assert head.status_code == 200, (path, head.status_code)
        assert head.headers["content-type"] == get.headers["content-type"], path
    assert anonymous.head("/antrean").status_code == 303


def test_favicon(app_client: Client) -> None:
    r = app_client().get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = app_client().get("/masuk")
    assert 'rel="icon"' in page.text
