"""Alembic environment: runs migrations on the engine of the configured database."""

from __future__ import annotations

from alembic import context

from bot.store.db import get_engine
from bot.store.models import Base

config = context.config
url = config.attributes.get("url")
# Created by hand in a migration, only where the backend supports it (pg_trgm): not in the
# models, so autogenerate must not propose dropping them.
UNMANAGED_INDEXES = frozenset({"ix_tickets_description_trgm"})


def _include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (type_ == "index" and name in UNMANAGED_INDEXES)


def run() -> None:
    """Online migrations only: we always have a live database."""
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=_include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
