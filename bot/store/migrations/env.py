"""Alembic environment: runs migrations on the engine of the configured database."""

from __future__ import annotations

from alembic import context

from bot.store.db import get_engine
from bot.store.models import Base

config = context.config
url = config.attributes.get("url")


def run() -> None:
    """Online migrations only: we always have a live database."""
    engine = get_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
