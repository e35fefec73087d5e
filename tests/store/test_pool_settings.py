"""Our PostgreSQL pools are sized from the environment (DB_POOL_SIZE, DB_MAX_OVERFLOW), so
an operator can fit a deployment into PostgreSQL's max_connections (docs/deployment.md)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.pool import QueuePool

from bot.config import Settings, get_settings
from bot.store.db import dispose_engines, get_engine

pytestmark = pytest.mark.postgres


def test_the_pool_takes_its_size_from_the_environment(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DB_POOL_SIZE", "3")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "2")
    get_settings.cache_clear()
    dispose_engines()
    try:
        pool = get_engine(postgres_url).pool
        assert isinstance(pool, QueuePool)
        assert (pool.size(), pool._max_overflow) == (3, 2)
    finally:
        dispose_engines()
        get_settings.cache_clear()


def test_the_default_pool_is_sqlalchemys(postgres_url: str) -> None:
    get_settings.cache_clear()
    dispose_engines()
    pool = get_engine(postgres_url).pool
    assert isinstance(pool, QueuePool)
    assert (pool.size(), pool._max_overflow) == (5, 10)
    dispose_engines()


@pytest.mark.parametrize(("name", "value"), [("DB_POOL_SIZE", "0"), ("DB_MAX_OVERFLOW", "-1")])
def test_a_pool_size_out_of_bounds_is_refused(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()
