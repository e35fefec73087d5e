"""Server-side sessions and CSRF tokens.

The cookie holds 32 random bytes; the database keeps only their SHA-256, so a leaked
database does not sign anyone in. Each session has its own CSRF token, required on every
state-changing request. Sessions expire after CONSOLE_SESSION_HOURS and end on logout,
password change or deactivation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from bot.officer.access import Viewer, viewer_for
from bot.store.models import Officer, OfficerSession, utcnow

TOUCH_EVERY = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def start_session(engine: Engine, officer_id: int, hours: float) -> str:
    """A new session for the account; returns the cookie token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with Session(engine) as s, s.begin():
        s.add(
            OfficerSession(
                token_hash=_hash(token),
                officer_id=officer_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
        # Housekeeping: expired sessions of anyone are removed.
        s.execute(delete(OfficerSession).where(OfficerSession.expires_at < now))
    return token


def load_session(engine: Engine, token: str | None) -> tuple[Viewer, str] | None:
    """(viewer, csrf token) for a valid session cookie of an active account, else None."""
    if not token or len(token) > 128:
        return None
    now = utcnow()
    with Session(engine) as s, s.begin():
        row = s.get(OfficerSession, _hash(token))
        if row is None:
            return None
        if _aware(row.expires_at) <= now:
            s.delete(row)
            return None
        officer = s.get(Officer, row.officer_id)
        if officer is None or not officer.active:
            return None
        if now - _aware(row.last_seen_at) > TOUCH_EVERY:
            row.last_seen_at = now
        return viewer_for(s, officer), row.csrf_token


def end_session(engine: Engine, token: str | None) -> None:
    """Logout: the session is deleted."""
    if not token:
        return
    with Session(engine) as s, s.begin():
        s.execute(delete(OfficerSession).where(OfficerSession.token_hash == _hash(token)))


def end_all_sessions(s: Session, officer_id: int) -> None:
    """Sign the account out everywhere (inside the caller's transaction)."""
    s.execute(delete(OfficerSession).where(OfficerSession.officer_id == officer_id))


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of CSRF tokens."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def session_count(engine: Engine, officer_id: int) -> int:
    """Open sessions of an account (tests, admin page)."""
    with Session(engine) as s:
        return len(
            s.scalars(
                select(OfficerSession.token_hash).where(OfficerSession.officer_id == officer_id)
            ).all()
        )
