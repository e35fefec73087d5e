"""The stack every end-to-end test talks to: a real Rasa server and our action server on
one fresh SQLite database, started once for the folder (helpers in tests/utils/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine

from bot.officer.access import Viewer
from bot.store.models import OfficerRole
from bot.tickets.deadlines import Deadlines, HolidayCalendar, ResolutionPolicy
from bot.tickets.workflow import Workflow
from devtools.devstack import Servers
from tests.utils import ROOT
from tests.utils.officer import add_officer, viewer
from tests.utils.stack import rasa_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Rasa (REST channel at `stack.rasa_url`) and the action server on
    `stack.database_url`. Tests keep apart by using their own sender ids."""
    with rasa_stack(tmp_path_factory.mktemp("e2e")) as running:
        yield running


@pytest.fixture(scope="session")
def engine(stack: Servers) -> Iterator[Engine]:
    """The stack's database, as the action server sees it."""
    engine = create_engine(stack.database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def officer(engine: Engine) -> tuple[Workflow, Viewer]:
    """The console's workflow and a supervisor who works the stack's tickets."""
    account = add_officer(engine, "siti", OfficerRole.SUPERVISOR, [], "Siti Rahma")
    calendar = HolidayCalendar.from_file(ROOT / "data" / "holidays.yml")
    policy = ResolutionPolicy.from_file(ROOT / "data" / "resolution_days.yml")
    return Workflow(engine, Deadlines(calendar, policy, 3, 5)), viewer(engine, account)
