"""Fixtures for the action tests."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.officer.access import Viewer
from bot.store.models import OfficerRole
from bot.store.repository import Repository
from bot.tickets.deadlines import Deadlines, HolidayCalendar, ResolutionPolicy
from bot.tickets.workflow import Workflow
from tests.utils import ROOT
from tests.utils.actions import DOMAIN_PATH
from tests.utils.officer import add_officer, viewer


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """domain.yml as the action server receives it."""
    return yaml.safe_load(DOMAIN_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def officer(repo: Repository, calendar: HolidayCalendar) -> tuple[Workflow, Viewer]:
    """The officer workflow and a supervisor who works the tickets."""
    supervisor = viewer(
        repo.engine, add_officer(repo.engine, "siti", OfficerRole.SUPERVISOR, [], "Siti")
    )
    policy = ResolutionPolicy.from_file(ROOT / "data" / "resolution_days.yml")
    return Workflow(repo.engine, Deadlines(calendar, policy, 3, 5)), supervisor
