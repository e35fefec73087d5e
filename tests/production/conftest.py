"""The production profile for this folder: haproxy, 2 Rasa replicas, 2 action servers and 2
Telegram front ends in webhook mode with the local Bot API stand-in as Telegram, started from
Procfile.production as `make run PROFILE=production` starts them without a token
(devtools/profile_stack.py), on two throwaway PostgreSQL databases (our store, Rasa's tracker
store) and Rasa's Redis lock store under a key prefix of its own. Started once for the
folder. Without haproxy, PostgreSQL or Redis the tests skip with the reason, except with
CI=true, where they fail.

Rasa reaches the proxy's action servers through the fault suite's ActionProxy
(tests/utils/action_proxy.py, on a thread of its own), which passes every call on until
test_replica_killed.py arms it to kill an action server at an exact moment; the front ends
look at the outbox often and retry a waiting message every 2 s at most, as in tests/faults,
and a dead turn's conversation lock expires after LOCK_LIFETIME_S (test_replica_killed.py
kills processes on this stack, last of the folder)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, create_engine

from bot.store.db import prepare_database
from devtools.devstack import ensure_model
from devtools.profile_stack import ProfileStack, haproxy_path, throwaway_databases
from tests.utils.action_proxy import ActionProxy, ThreadedActionProxy
from tests.utils.db import ADMIN_PG_URL, IN_CI, postgres_admin

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
# The action servers' "now" for service hours, as in tests/conversations (a Tuesday morning
# within every unit's hours), so that the conversations played here answer as there.
PINNED_NOW = "2026-12-01T09:30:00+07:00"
# Only to show what the burst test catches: PROFILE_TEST_LOCK_STORE=in_memory starts the
# replicas without a shared lock store (each keeps its locks to itself), =redis with Rasa's
# own RedisLockStore instead of the profile's (rasa_addons/lock_store.py).
LOCK_STORE = os.environ.get("PROFILE_TEST_LOCK_STORE", "")
# Rasa's lock lifetime on this stack (TICKET_LOCK_LIFETIME; Rasa's default is 60 s): a
# conversation whose turn died with its replica is free again after this, still far above
# any turn here, about when the killed replica is back in the rotation.
LOCK_LIFETIME_S = 30


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} (required with CI=true)")
    pytest.skip(what)


def _redis_answers(url: str) -> str | None:
    """None when a Redis server answers PING at `url`, else why not."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 3) as s:
            s.sendall(b"PING\r\n")
            reply = s.recv(64)
    except OSError as exc:
        return str(exc)
    return None if reply.startswith((b"+PONG", b"-NOAUTH")) else repr(reply)


@pytest.fixture(scope="session")
def action_proxy() -> Iterator[ActionProxy]:
    """The ActionProxy between the stack's Rasa replicas and the proxy's action servers."""
    threaded = ThreadedActionProxy("http://127.0.0.1:9")  # upstream: production_stack's
    try:
        yield threaded.start()
    finally:
        threaded.stop()


@pytest.fixture(scope="session")
def production_stack(
    tmp_path_factory: pytest.TempPathFactory, action_proxy: ActionProxy
) -> Iterator[ProfileStack]:
    """The running profile; `.rasa_url` is the proxy, `.replica_urls` the replicas,
    `.local_api_url` the stand-in citizens chat on."""
    if haproxy_path() is None:
        _missing("haproxy is not installed (scripts/ensure-proxy.sh installs it as root)")
    try:
        postgres_admin().close()
    except Exception as exc:
        _missing(f"PostgreSQL not reachable at {ADMIN_PG_URL} ({exc}); set TEST_POSTGRES_URL")
    problem = _redis_answers(REDIS_URL)
    if problem is not None:
        _missing(f"Redis not reachable at {REDIS_URL} ({problem}); set TEST_REDIS_URL")
    ensure_model()
    folder = tmp_path_factory.mktemp("production")
    with throwaway_databases(ADMIN_PG_URL, "store", "tracker") as (store_url, tracker_url):
        prepare_database(store_url, seed="always")
        stack = ProfileStack(
            folder,
            store_url,
            tracker_url,
            REDIS_URL,
            ProfileStack.WITH_FRONT_ENDS,
            extra_env={
                "APP_ENV": "test",
                "TEST_FIXED_NOW": PINNED_NOW,
                **({"RASA_LOCK_STORE": LOCK_STORE} if LOCK_STORE else {}),
                "ACTION_ENDPOINT_URL": f"{action_proxy.url}/webhook",
                "OUTBOX_POLL_S": "0.2",
                "RASA_RETRY_MAX_DELAY_S": "2",
                # A front end killed mid-turn: its update is handled again after 30 s.
                "INBOX_CLAIM_LEASE_S": "30",
                "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_S),
            },
        )
        action_proxy.upstream = f"http://127.0.0.1:{stack.env['ACTION_SERVER_PORT']}"
        try:
            stack.start()
            yield stack
        except Exception:
            print("--- honcho (Procfile.production)\n" + stack.tail())
            raise
        finally:
            stack.stop()


@pytest.fixture(scope="session")
def store_engine(production_stack: ProfileStack) -> Iterator[Engine]:
    """Our store of the stack, as the action servers see it."""
    engine = create_engine(
        production_stack.env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    )
    yield engine
    engine.dispose()
