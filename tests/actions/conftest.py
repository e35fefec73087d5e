"""Fixtures for the action tests."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.utils.actions import DOMAIN_PATH


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """domain.yml as the action server receives it."""
    return yaml.safe_load(DOMAIN_PATH.read_text(encoding="utf-8"))
