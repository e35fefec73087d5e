"""Property-based test over every console route: whatever the path, query and form values,
and whoever asks (nobody, an officer, a supervisor, an admin), the console never answers
with a 5xx, and HEAD answers as GET does.

The routes come from the app's router and the field names from the templates' forms (plus
each route's declared query parameters), so a new route or field is covered without
editing this file. Values mix well-formed ones (a real ticket, real ids, enum values) with
the kinds of input that broke the console before: numbers too large for the database,
digits that only look like digits, NUL characters, impossible dates.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from bot.config import Settings
from bot.officer.canned import save_canned
from bot.officer.web import create_app
from bot.store.catalogue import Catalogue, import_catalogue
from bot.store.models import Category, OfficerRole, Privacy, TicketStatus
from bot.tickets.states import Action
from tests.utils.officer import People, TicketMaker, add_officer, csrf_of, login

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "bot" / "officer" / "templates"
# Modest by default (the whole file runs in about half a minute); a deeper search:
# CONSOLE_FUZZ_EXAMPLES=300 .venv/bin/python -m pytest tests/officer/test_routes_fuzz.py
EXAMPLES_PER_ROUTE = int(os.environ.get("CONSOLE_FUZZ_EXAMPLES", "15"))
ROLES = (None, "budi", "siti", "admin")
FIELD_RE = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([A-Za-z_]+)"')
URL_RE = re.compile(r'\b(?:action|hx-get|hx-post)="([^"]*)"')
EXPR_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1",
    str(2**31 - 1),
    str(2**31),
    str(2**63),
    "-" + str(2**63),
    "9" * 30,
    "99999999999999999999999",
    "9" * 5000,
    "²",
    "١٢",
    "1_000",
    "1e9",
    "\x00",
    "a\x00b",
    "'",
    '"',
    "%",
    "_",
    "\\",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil.example/x","klik")',
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "31/02/2026",
    "17/08/2026",
    "2026-08-17",
    "x" * 300,
    "é" * 100,
    "semua",
    "terbuka",
    "saya",
    "-",
    "on",
]
# Where the databases' integer types end (INTEGER, BIGINT) and beyond.
BOUNDARIES = [b + d for b in (2**31, 2**63, -(2**31), -(2**63)) for d in (-1, 0, 1)] + [
    10**30,
    -(10**30),
]
ENUMS = (
    [s.value for s in TicketStatus]
    + [c.value for c in Category]
    + [p.value for p in Privacy]
    + [r.value for r in OfficerRole]
    + [a.value for a in Action]
    + ["tenggat", "terbaru", "terlama", "libur_nasional", "cuti_bersama", "tidak_berwenang"]
    + ["disdukcapil", "satpas", "ktp", "skck"]
)


def _template_forms() -> list[tuple[set[str], set[str]]]:
    """(URLs the template submits to or requests with htmx, with template expressions as
    'x'; field names in the template) of every template. Per template, not per form:
    forms built with macros have no literal <form>...</form> around their fields."""
    forms = []
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        urls = {EXPR_RE.sub("x", url).split("?")[0] for url in URL_RE.findall(text)}
        forms.append((urls, set(FIELD_RE.findall(text))))
    return forms


def _declared(dependant: Any) -> tuple[set[str], set[str]]:
    """The path and query parameters a route declares, its dependencies' included."""
    paths = {p.name for p in dependant.path_params}
    queries = {p.name for p in dependant.query_params}
    for sub in dependant.dependencies:
        sub_paths, sub_queries = _declared(sub)
        paths |= sub_paths
        queries |= sub_queries
    return paths, queries


def _fields_of(route: Any, forms: list[tuple[set[str], set[str]]]) -> set[str]:
    """The fields of the templates that submit to `route`."""
    names: set[str] = set()
    for urls, fields in forms:
        if any(route.path_regex.match(url) for url in urls):
            names |= fields
    return names


def _routes(app: Any) -> list[tuple[str, Any]]:
    """(method, route) of every API route, included routers' routes with their full path."""
    out = []
    for route in iter_route_contexts(app.routes):
        if route.methods and getattr(route, "dependant", None) is not None:
            out.extend((method, route) for method in sorted(route.methods))
    return out


@pytest.fixture
def restore_catalogue(engine: Engine) -> Iterator[None]:
    """Admin forms may change the shared database's catalogue: put the shipped one back."""
    yield
    import_catalogue(engine, Catalogue.from_file(ROOT / "data" / "services.yml"))


def test_no_route_answers_5xx(
    console_settings: Settings,
    engine: Engine,
    people: People,
    make_ticket: TicketMaker,
    restore_catalogue: None,
) -> None:
    ticket = make_ticket()
    confidential = make_ticket(privacy=Privacy.CONFIDENTIAL, description="Pungli di loket 3.")
    # Path ids that exist, for an account nobody here signs in with (forms may change it).
    target = add_officer(engine, "sasaran", OfficerRole.OFFICER, ["satpas"], "S")
    canned = save_canned(engine, people.supervisor, None, "Salam", "Terima kasih.", True)
    valid_by_name: dict[str, list[str]] = {
        "public_id": [ticket, confidential, "ADU-ZZZZZZ"],
        "action": [a.value for a in Action],
        "officer_id": [str(target), str(people.admin)],
        "attachment_id": ["1"],
        "office_id": ["disdukcapil", "satpas"],
        "service_id": ["ktp", "skck"],
        "canned": [str(canned)],
        "assignee": [str(people.officer), str(people.officer2), "saya", "-"],
        "duplicate_of": [confidential],
    }
    forms = _template_forms()
    every_field = sorted(set().union(*(fields for _, fields in forms)) - {"csrf_token"})
    assert {"text", "chat_id", "canned", "assignee", "date"} <= set(every_field)

    app = create_app(console_settings, engine)
    clients: dict[str | None, TestClient] = {}
    tokens: dict[str | None, str] = {}

    stack = contextlib.ExitStack()  # one event loop per client for all its requests

    def sign_in(role: str | None) -> None:
        client = clients.get(role)
        if client is None:
            client = stack.enter_context(TestClient(app, follow_redirects=False))
            clients[role] = client
        if role:
            client.cookies.clear()
            login(client, role)
            tokens[role] = csrf_of(client, "/")

    for role in ROLES:
        sign_in(role)

    def odd_value() -> st.SearchStrategy[str]:
        return st.one_of(
            st.sampled_from(NASTY),
            st.sampled_from(BOUNDARIES).map(str),
            st.integers(min_value=-(2**80), max_value=2**80).map(str),
            st.text(max_size=30),
            st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
            st.dates(min_value=date(1, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
        )

    def value_for(name: str) -> st.SearchStrategy[str]:
        return st.one_of(st.sampled_from(valid_by_name.get(name, ENUMS)), odd_value())

    def send(role: str | None, method: str, path: str, params: dict[str, str]) -> Any:
        client = clients[role]
        if method == "GET":
            response = client.get(path, params=params)
            head = client.head(path, params=params)
            assert head.status_code == response.status_code, ("HEAD", path, params)
        else:
            response = client.request(method, path, data=params)
        if path == "/keluar" and response.status_code == 303:
            sign_in(role)  # signed out: sign in again for the next examples
        return response

    def deep_roles(method: str, route: Any, path_names: set[str]) -> list[str | None]:
        """The roles a well-formed request of this route gets past sign-in and permissions
        with (most examples use them, so they reach the route's own code)."""
        path = route.path
        for name in path_names:
            path = path.replace("{" + name + "}", valid_by_name.get(name, ["x"])[0])
        allowed: list[str | None] = []
        for role in ROLES[1:]:
            form = {"csrf_token": tokens[role]} if method != "GET" else {}
            response = send(role, method, path, form)
            refused = response.status_code in (401, 403) or response.headers.get(
                "location", ""
            ).startswith("/masuk")
            if not refused:
                allowed.append(role)
        return allowed or list(ROLES)

    routes = _routes(app)
    assert len(routes) >= 25, [r.path for _, r in routes]

    def probe_for(method: str, route: Any) -> Callable[[], None]:
        path_names, query_names = _declared(route.dependant)
        names = sorted((query_names | _fields_of(route, forms)) - {"csrf_token"})
        deep = deep_roles(method, route, path_names)

        @settings(
            max_examples=EXAMPLES_PER_ROUTE,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def probe(data: st.DataObject) -> None:
            role = data.draw(st.one_of(st.sampled_from(deep), st.sampled_from(ROLES)), label="role")
            # One parameter (path, query or form) gets an odd value, a few others anything
            # and the rest keep their defaults, so that the odd value is not hidden behind
            # another parameter's refusal; sometimes a field of another form comes along.
            candidates = sorted(path_names) + names
            focus = data.draw(st.sampled_from(candidates) if candidates else st.none())
            path = route.path
            for name in sorted(path_names):
                value = data.draw(odd_value() if name == focus else value_for(name), label=name)
                path = path.replace("{" + name + "}", quote(value, safe=""))
            params: dict[str, str] = {}
            if focus in names:
                params[focus] = data.draw(odd_value(), label=focus)
            if names:
                for name in data.draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
                    params.setdefault(name, data.draw(value_for(name), label=name))
            for name in data.draw(st.lists(st.sampled_from(every_field), max_size=1)):
                params.setdefault(name, data.draw(value_for(name), label=name))
            if method != "GET" and role and data.draw(st.booleans(), label="valid csrf"):
                params["csrf_token"] = tokens[role]
            response = send(role, method, path, params)
            assert response.status_code < 500, (method, path, params, response.text[:500])

        return probe

    failures: list[str] = []
    try:
        for method, route in routes:
            try:
                probe_for(method, route)()
            except Exception as exc:  # a 500 raises in the test client: report every route
                failures.append(f"{method} {route.path}: {type(exc).__name__}: {exc}")
    finally:
        stack.close()
    assert not failures, "\n".join(failures)
