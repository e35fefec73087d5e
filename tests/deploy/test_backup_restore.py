"""The backup and restore commands of docs/deployment.md ("Backup and restore of
PostgreSQL"), run as written: a throwaway database migrated and seeded by
`python -m bot migrate --seed-if-empty`, dumped with `pg_dump --format=custom`, restored
with `pg_restore` into a database made by `createdb`, and every table's row count compared.

Needs the PostgreSQL server of tests/utils/db.py (TEST_POSTGRES_URL) and its client tools
(pg_dump, pg_restore, createdb): skipped with the reason without them, a failure with
CI=true. Both databases are dropped at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.utils.db import ADMIN_PG_URL, IN_CI, postgres_admin

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("pg_dump", "pg_restore", "createdb")

pytestmark = pytest.mark.postgres


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (required with CI=true)")
    pytest.skip(reason)


def _url(name: str) -> str:
    """A libpq URL of database `name` on the test server (what the doc's commands take)."""
    return make_url(ADMIN_PG_URL).set(database=name).render_as_string(hide_password=False)


def _row_counts(name: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(_url(name), autocommit=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        counts = {}
        for table in tables:
            row = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()
            assert row is not None
            counts[table] = int(row[0])
        return counts


def _run(*command: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def database_names() -> Iterator[tuple[str, str]]:
    """The names of a source and a restore database; both dropped at the end."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        _missing(f"PostgreSQL client tools not on PATH: {', '.join(missing)}")
    try:
        postgres_admin().close()
    except Exception as exc:
        _missing(f"PostgreSQL not reachable at {ADMIN_PG_URL} ({exc}); set TEST_POSTGRES_URL")
    tag = uuid.uuid4().hex[:8]
    names = (f"backup_source_{tag}", f"backup_restored_{tag}")
    with postgres_admin() as admin:
        admin.execute(f'CREATE DATABASE "{names[0]}"')
    try:
        yield names
    finally:
        with postgres_admin() as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_documented_restore_gives_back_every_row(
    database_names: tuple[str, str], tmp_path: Path
) -> None:
    source, restored = database_names
    env = {**os.environ, "DATABASE_URL": _url(source), "APP_ENV": "development"}
    _run(sys.executable, "-m", "bot", "migrate", "--seed-if-empty", env=env)
    before = _row_counts(source)
    assert before["alembic_version"] == 1
    assert before["services"] > 0 and before["holidays"] > 0

    # docs/deployment.md, "Backup and restore of PostgreSQL", with its variables filled in.
    dump = tmp_path / "layanan.dump"
    _run("pg_dump", "--format=custom", f"--file={dump}", _url(source))
    listing = _run("pg_restore", "--list", str(dump))
    assert "TABLE DATA public tickets" in listing
    _run("createdb", f"--maintenance-db={ADMIN_PG_URL}", restored)
    _run(
        "pg_restore",
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        f"--dbname={_url(restored)}",
        str(dump),
    )

    assert _row_counts(restored) == before
