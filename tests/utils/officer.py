"""Officer console helpers: fixture accounts, signing in through the real form, CSRF tokens,
and the access view the console builds for an account."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.officer.access import Viewer, viewer_for
from bot.officer.passwords import hash_password
from bot.store.models import Officer, OfficerRole, OfficerUnit, Ticket

PASSWORD = "rahasia-uji-123"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')

# make_ticket(**fields) files a complaint the way the assistant does; returns its public id.
TicketMaker = Callable[..., str]


@dataclass(frozen=True)
class People:
    """One account of each kind (ids)."""

    officer: int  # unit disdukcapil
    officer2: int  # unit satpas
    supervisor: int
    admin: int


@cache
def password_hash() -> str:
    """The argon2 hash of PASSWORD, computed once per test session (argon2 is slow on
    purpose; every fixture account shares this hash, each still verified on sign-in)."""
    return hash_password(PASSWORD)


def add_officer(
    engine: Engine,
    username: str,
    role: OfficerRole,
    units: list[str],
    display_name: str | None = None,
) -> int:
    """A fixture account with PASSWORD, stored as `create_account` stores one (without
    its checks and audit entry, which tests of account creation exercise). Returns its id."""
    with Session(engine) as s, s.begin():
        officer = Officer(
            username=username,
            display_name=display_name or username,
            password_hash=password_hash(),
            role=role,
            active=True,
            failed_logins=0,
        )
        s.add(officer)
        s.flush()
        s.add_all(OfficerUnit(officer_id=officer.id, office_id=unit) for unit in units)
        return officer.id


def viewer(engine: Engine, officer_id: int) -> Viewer:
    """The access view of an account, as the console builds it."""
    with Session(engine) as s:
        officer = s.get(Officer, officer_id)
        assert officer is not None
        return viewer_for(s, officer)


def login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    """Sign in through the login form (its CSRF token included)."""
    page = client.get("/masuk")
    token = CSRF_RE.search(page.text)
    assert token, page.text
    return client.post(
        "/masuk",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
    )


def csrf_of(client: TestClient, path: str = "/") -> str:
    """The session's CSRF token, read from a page."""
    page = client.get(path, follow_redirects=True)
    found = CSRF_RE.search(page.text)
    assert found, page.text
    return found.group(1)


def verify_routed(workflow: Any, supervisor: Any, engine: Engine, public_id: str) -> None:
    """Verify a ticket as a supervisor, routing it to the kelurahan first when filing found
    no unit (a `bot.tickets.workflow.Workflow` and its `Viewer`)."""
    with Session(engine) as s:
        office = s.scalar(select(Ticket.office_id).where(Ticket.public_id == public_id))
    if office is None:
        workflow.forward(supervisor, public_id, "kelurahan", "Wilayah kelurahan.")
    workflow.verify(supervisor, public_id)
