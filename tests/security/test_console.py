"""The officer console against hostile citizen input, on PostgreSQL (production's store):

- SQL injection strings in every queue filter and search, and in every query parameter of
  every page: refused politely or matched literally, never widening what an account sees
  and never changing the database;
- stored XSS: a citizen whose name, complaint, place, transcript, ratings and live-chat
  messages carry markup; every page an account of each role opens shows it as text.

The console's own guards are tested in tests/officer/ (no 5xx for odd values of any
parameter: test_routes_fuzz.py; another unit's ticket is a 404: test_routes.py
test_officer_cannot_open_other_units_ticket; the privacy matrix); these tests add the
attacks themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.handoff.chats import LiveChats
from bot.officer.web import create_app
from bot.store.consent import ConsentRepository
from bot.store.models import Base, Category, Privacy
from bot.store.repository import ComplaintDraft, Repository
from tests.utils.hostile import SQL_INJECTION, SQL_INJECTION_CORE
from tests.utils.officer import People

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
TICKET_ID = re.compile(r"ADU-[0-9A-HJKMNP-TV-Z]{6}")
QUEUE_FILTERS = ["status", "kategori", "unit", "petugas", "privasi", "terlambat"]
QUEUE_FILTERS += ["dari", "sampai", "q", "urut"]
PROBE = '<xss-probe id="p">'
SCRIPT = "<script>xssprobe()</script>"
ATTRIBUTE = '" onmouseover="xssprobe()'
HOSTILE = f"{PROBE}{SCRIPT}{ATTRIBUTE} Jalan di depan pasar rusak parah sejak sebulan."
UNESCAPED = ("<xss-probe", "<script>xssprobe", '" onmouseover="xssprobe')
TUESDAY_MORNING = datetime(2026, 11, 24, 2, 30, tzinfo=timezone.utc)  # 09.30 WIB


def file(engine: Engine, sender: str, description: str, service_id: str, name: str) -> str:
    """A complaint filed the way the assistant files one; returns its id."""
    ConsentRepository(engine).record(sender, int(sender), name)
    view, _ = Repository(engine).file_ticket(
        sender,
        ComplaintDraft(
            description,
            description,
            Category.INFRASTRUKTUR,
            Privacy.PUBLIC,
            service_id=service_id,
            conversation=((TUESDAY_MORNING, "warga", description),),
        ),
    )
    return view.public_id


def shown(page: str) -> set[str]:
    """The ticket ids a page shows (not the search field's example id)."""
    return set(TICKET_ID.findall(page)) - {"ADU-XXXXXX"}


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table (sign-ins excluded: reading pages may refresh a session)."""
    with Session(engine) as s:
        return {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
            if t.name != "officer_sessions"
        }


def test_sql_injection_in_filters_neither_widens_nor_changes_anything(
    engine: Engine, people: People, console: Callable[[str], TestClient]
) -> None:
    own = {
        file(engine, "5100001", "Jalan berlubang di depan kantor kecamatan.", "ktp", "Ani"),
        file(engine, "5100002", "Lampu jalan mati di gang Melati 5.", "kk", "Budi"),
    }
    other_unit = file(engine, "5100003", "Antrean SIM sangat panjang di satpas.", "sim", "Cici")
    # The supervisor tries every filter; the officer those that could reach other units.
    tries = {"siti": QUEUE_FILTERS, "budi": ["q", "unit", "petugas", "privasi"]}
    clients = {username: console(username) for username in tries}
    before = row_counts(engine)
    for username, names in tries.items():
        client = clients[username]
        everything = shown(client.get("/antrean", params={"status": "semua"}).text)
        assert everything == (own | {other_unit} if username == "siti" else own)
        for name in names:
            for attack in SQL_INJECTION if name in ("q", "unit") else SQL_INJECTION_CORE:
                params = {"status": "semua", name: attack}
                page = client.get("/antrean", params=params)
                assert page.status_code in (200, 400), (username, name, attack)
                found = shown(page.text)
                assert found <= everything, (username, name, attack, found - everything)
                if name == "q":
                    assert found == set(), (attack, found)  # matched literally: nothing
                    csv = client.get("/antrean.csv", params=params)
                    assert csv.status_code in (200, 403), (username, attack)
                    assert shown(csv.text) == set()
    assert row_counts(engine) == before


def _get_routes(app: Any) -> list[tuple[str, set[str]]]:
    """(path, declared query parameter names) of every GET page without path parameters."""
    routes = []
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        path = str(route.path)
        if dependant is None or "GET" not in (route.methods or ()) or "{" in path:
            continue
        names: set[str] = set()
        stack = [dependant]
        while stack:
            current = stack.pop()
            names |= {p.name for p in current.query_params}
            stack.extend(current.dependencies)
        routes.append((path, names))
    return routes


def test_sql_injection_in_every_query_parameter_of_every_page(
    engine: Engine,
    people: People,
    console: Callable[[str], TestClient],
    console_settings: Any,
) -> None:
    file(engine, "5100011", "Trotoar rusak di Jl. Kenanga.", "ktp", "Dodi")
    routes = _get_routes(create_app(console_settings, engine))
    assert len(routes) >= 20
    clients = {username: console(username) for username in ("siti", "admin", "tina")}
    before = row_counts(engine)
    tried = 0
    for path, names in routes:
        # As an account the page lets in (the attack must reach the page's own code).
        role = "admin" if path.startswith("/admin") else "tina" if "/latih" in path else "siti"
        client = clients[role]
        for name in sorted(names):
            for attack in SQL_INJECTION_CORE:
                response = client.get(path, params={name: attack})
                assert response.status_code < 500, (path, name, attack)
                tried += 1
    assert tried >= 50
    assert row_counts(engine) == before


def test_citizen_markup_is_text_on_every_page_of_every_role(
    engine: Engine, people: People, console: Callable[[str], TestClient], console_settings: Any
) -> None:
    sender = "5100021"
    ticket = file(engine, sender, HOSTILE, "ktp", f"Andi {PROBE}{SCRIPT}")
    repo = Repository(engine)
    repo.add_rating(sender, 2, HOSTILE, ticket)
    repo.add_rating(sender, None, HOSTILE, None)
    chats = LiveChats(engine)
    requested = chats.request(
        sender,
        "ktp",
        [(TUESDAY_MORNING, "warga", HOSTILE)],
        frozenset(),
        "Unit Pengaduan",
        None,
        now=TUESDAY_MORNING,
    )
    chats.add_citizen_message(sender, HOSTILE, now=TUESDAY_MORNING)
    ticket_pages = [f"/tiket/{ticket}", f"/obrolan/{requested.chat_id}", f"/antrean?q={ticket}"]
    ticket_pages += ["/antrean?status=semua", "/laporan?dari=2000-01-01"]
    pages = [path for path, _ in _get_routes(create_app(console_settings, engine))]
    pages += ticket_pages
    # The supervisor and the trainer open every page; the unit's officer the ticket pages.
    visits = {"siti": pages, "tina": pages, "budi": ticket_pages}
    rendered_as_text = 0
    for username, paths in visits.items():
        client = console(username)
        for path in paths:
            response = client.get(path)
            if "html" not in response.headers.get("content-type", ""):
                continue
            for marker in UNESCAPED:
                assert marker not in response.text, (username, path, marker)
            rendered_as_text += "&lt;xss-probe" in response.text
    ticket_page = console("siti").get(f"/tiket/{ticket}").text
    assert "&lt;xss-probe" in ticket_page and "&lt;script&gt;xssprobe()" in ticket_page
    assert rendered_as_text >= 3  # the ticket, the queue, the live chat at least
