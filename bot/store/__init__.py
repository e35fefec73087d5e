"""The SQL store: models, engine, migrations, catalogue loading and the repository."""

from __future__ import annotations

import logging

from bot.config import get_settings
from bot.store.catalogue import Catalogue, SeedResult, catalogue_is_empty, seed_catalogue
from bot.store.db import get_engine, migrate
from bot.store.repository import (
    ComplaintDraft,
    Repository,
    ServiceView,
    TicketView,
    get_repository,
)

__all__ = [
    "ComplaintDraft",
    "Repository",
    "ServiceView",
    "TicketView",
    "get_repository",
    "prepare_database",
]

log = logging.getLogger(__name__)


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
