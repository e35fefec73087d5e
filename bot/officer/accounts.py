"""Console accounts: creation (CLI and admin page), units, passwords, sign-in checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from bot.officer.access import units_of
from bot.officer.audit import record
from bot.officer.passwords import check_policy, hash_password, needs_rehash, verify_password
from bot.officer.sessions import end_all_sessions
from bot.store.models import Office, Officer, OfficerRole, OfficerUnit, utcnow

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


class AccountError(ValueError):
    """An account change was refused (message in Indonesian)."""


@dataclass(frozen=True)
class AccountView:
    """An account as the admin page lists it."""

    id: int
    username: str
    display_name: str
    role: OfficerRole
    active: bool
    units: tuple[str, ...]
    last_login_at: datetime | None


def _check_units(s: Session, units: list[str]) -> list[str]:
    wanted = sorted(set(units))
    known = set(s.scalars(select(Office.id).where(Office.id.in_(wanted))))
    unknown = [u for u in wanted if u not in known]
    if unknown:
        raise AccountError("Unit tidak dikenal: " + ", ".join(unknown))
    return wanted


def create_account(
    engine: Engine,
    username: str,
    password: str,
    role: OfficerRole,
    units: list[str],
    display_name: str | None = None,
    actor_id: int | None = None,
) -> int:
    """Create an account. Officers need at least one unit. Returns its id."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError(
            "Nama pengguna 3-64 karakter: huruf kecil, angka, titik, garis bawah atau strip."
        )
    check_policy(password, username)
    with Session(engine) as s, s.begin():
        wanted = _check_units(s, units)
        if role == OfficerRole.OFFICER and not wanted:
            raise AccountError("Petugas harus tergabung dalam minimal satu unit.")
        if s.scalar(select(Officer.id).where(Officer.username == username)) is not None:
            raise AccountError(f"Nama pengguna {username} sudah dipakai.")
        officer = Officer(
            username=username,
            display_name=(display_name or username).strip()[:200],
            password_hash=hash_password(password),
            role=role,
            active=True,
            failed_logins=0,
        )
        s.add(officer)
        s.flush()
        for unit in wanted:
            s.add(OfficerUnit(officer_id=officer.id, office_id=unit))
        record(s, actor_id, "account_created", username, {"role": role.value, "units": wanted})
        return officer.id


def update_account(
    engine: Engine,
    officer_id: int,
    role: OfficerRole,
    units: list[str],
    active: bool,
    display_name: str,
    actor_id: int | None,
) -> None:
    """Change role, units, name or active flag. An admin cannot lock themself out."""
    with Session(engine) as s, s.begin():
        officer = s.get(Officer, officer_id)
        if officer is None:
            raise AccountError("Akun tidak ditemukan.")
        if officer_id == actor_id and (role != OfficerRole.ADMIN or not active):
            raise AccountError(
                "Anda tidak dapat mencabut hak admin atau menonaktifkan diri sendiri."
            )
        wanted = _check_units(s, units)
        if role == OfficerRole.OFFICER and not wanted:
            raise AccountError("Petugas harus tergabung dalam minimal satu unit.")
        before = {"role": officer.role.value, "units": list(units_of(s, officer_id))}
        officer.role = role
        officer.active = active
        officer.display_name = display_name.strip()[:200] or officer.username
        s.execute(delete(OfficerUnit).where(OfficerUnit.officer_id == officer_id))
        for unit in wanted:
            s.add(OfficerUnit(officer_id=officer_id, office_id=unit))
        if not active:
            end_all_sessions(s, officer_id)
        record(
            s,
            actor_id,
            "account_updated",
            officer.username,
            {"before": before, "role": role.value, "units": wanted, "active": active},
        )


def set_password(engine: Engine, username: str, password: str, actor_id: int | None) -> None:
    """Set a new password, unlock the account and sign out its sessions."""
    username = username.strip().lower()
    check_policy(password, username)
    with Session(engine) as s, s.begin():
        officer = s.scalar(select(Officer).where(Officer.username == username))
        if officer is None:
            raise AccountError(f"Akun {username} tidak ditemukan.")
        officer.password_hash = hash_password(password)
        officer.failed_logins = 0
        officer.locked_until = None
        end_all_sessions(s, officer.id)
        record(s, actor_id, "password_set", username, None)


def list_accounts(engine: Engine) -> list[AccountView]:
    """Every account, by username."""
    with Session(engine) as s:
        return [
            AccountView(
                o.id,
                o.username,
                o.display_name,
                o.role,
                o.active,
                units_of(s, o.id),
                o.last_login_at,
            )
            for o in s.scalars(select(Officer).order_by(Officer.username))
        ]


def get_account(engine: Engine, officer_id: int) -> AccountView | None:
    """One account."""
    with Session(engine) as s:
        o = s.get(Officer, officer_id)
        if o is None:
            return None
        return AccountView(
            o.id, o.username, o.display_name, o.role, o.active, units_of(s, o.id), o.last_login_at
        )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def authenticate(engine: Engine, username: str, password: str) -> int | None:
    """The account id when the credentials are right and the account is usable.

    Five wrong passwords lock the account for 15 minutes (the lock is not revealed).
    """
    username = username.strip().lower()
    now = utcnow()
    with Session(engine) as s, s.begin():
        officer = s.scalar(select(Officer).where(Officer.username == username))
        ok = verify_password(officer.password_hash if officer else None, password)
        if officer is None or not officer.active:
            return None
        if officer.locked_until is not None and _aware(officer.locked_until) > now:
            return None
        if not ok:
            officer.failed_logins += 1
            if officer.failed_logins >= MAX_FAILED_LOGINS:
                officer.locked_until = now + LOCKOUT
                officer.failed_logins = 0
                record(s, None, "account_locked", username, None)
            return None
        officer.failed_logins = 0
        officer.locked_until = None
        officer.last_login_at = now
        if needs_rehash(officer.password_hash):
            officer.password_hash = hash_password(password)
        return officer.id


def count_accounts(engine: Engine) -> int:
    """How many accounts exist (the console says how to create the first one)."""
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Officer)) or 0)
