"""Test databases: the PostgreSQL server a throwaway database is created on, and emptying
the tables between tests."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bot.store.models import Base, Office, Service, ServiceFact

ADMIN_PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
# The service catalogue, seeded once per run; every other table starts each test empty.
CATALOGUE_TABLES = frozenset(
    {Office.__tablename__, Service.__tablename__, ServiceFact.__tablename__}
)


def postgres_admin() -> Any:
    """An autocommit connection to the maintenance database of the test server."""
    import psycopg

    url = make_url(ADMIN_PG_URL)
    return psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        dbname=url.database,
        autocommit=True,
        connect_timeout=3,
    )


def truncate(engine: Engine, keep: frozenset[str] = CATALOGUE_TABLES) -> None:
    """Delete every row of every mapped table except `keep`, children before parents.

    The tables come from the models' metadata, so a table a migration adds is emptied
    without anyone remembering to list it here.
    """
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in keep:
                conn.execute(table.delete())
