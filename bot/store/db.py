"""Engine, migrations and preparing a database (migrate, then seed the catalogue). The engine
is created lazily, on first use, never at import."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.config import get_settings
from bot.store.catalogue import Catalogue, SeedResult, catalogue_is_empty, seed_catalogue

log = logging.getLogger(__name__)
_engines: dict[str, Engine] = {}
_lock = threading.Lock()
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """WAL with synchronous=NORMAL: a commit is a write to the WAL file, fsynced only at
    checkpoints (FULL fsyncs every commit: 6 ms each on the development machine, five or
    more per message across the front end and the actions). A commit survives the
    process being killed (the fault tests SIGKILL every process); only a power cut or an
    OS crash may lose the last commits before the next checkpoint, never corrupt the file.
    SQLite is the development and test store (production refuses it and runs PostgreSQL,
    whose synchronous_commit is untouched)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """The shared engine for `url` (default: DATABASE_URL), created on first call."""
    url = url or get_settings().database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create(url)
            _engines[url] = engine
        return engine


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername in ("postgresql", "postgres"):
        url = str(parsed.set(drivername="postgresql+psycopg"))
    settings = get_settings()
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )


def lost_connection(error: BaseException) -> bool:
    """True for an error of a connection the server closed under it (a restart, a
    failover, connections cut): the same statements may succeed on a new connection, which
    the pool hands out next (pre-pinged)."""
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def dispose_engines() -> None:
    """Close every pooled connection (tests, forks)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def alembic_config(url: str | None = None):  # type: ignore[no-untyped-def]
    """An Alembic Config pointing at our migrations and the given database."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["url"] = url or get_settings().database_url
    return cfg


def migrate(url: str | None = None) -> None:
    """Apply every pending Alembic migration (called on start and by `python -m bot migrate`)."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def prepare_database(url: str | None = None, seed: str = "if-empty") -> SeedResult | None:
    """Apply migrations, then insert what the catalogue file adds to the database.

    `seed`: "always", "if-empty" (only into an empty catalogue) or "never". Seeding never
    changes a stored office or service (see `seed_catalogue`). Returns what was inserted.
    """
    settings = get_settings()
    url = url or settings.database_url
    migrate(url)
    engine = get_engine(url)
    if seed == "always" or (seed == "if-empty" and catalogue_is_empty(engine)):
        result = seed_catalogue(engine, Catalogue.from_file(settings.catalogue_path))
        log.info(
            "catalogue seeded: %d offices, %d services, %d aliases added",
            len(result.offices),
            len(result.services),
            len(result.aliases),
        )
        return result
    return None
