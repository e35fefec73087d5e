"""The conversation suite's report: `var/reports/conversations.json` and the share of
conversations that pass, printed at the end of the pytest session (helpers in
tests/utils/conversations.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.utils.conversations import summary_lines, write_report

RESULTS = pytest.StashKey[dict[str, dict[str, Any]]]()


@pytest.fixture(scope="session")
def conversation_results(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    """Outcome of every conversation played in this session, by conversation id."""
    return request.config.stash.setdefault(RESULTS, {})


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the report of the conversations played in this session."""
    results = session.config.stash.get(RESULTS, {})
    if results:
        write_report(results)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """The share of conversations that went through without a problem."""
    results = config.stash.get(RESULTS, {})
    if not results:
        return
    terminalreporter.section("conversations from the citizen's side")
    for line in summary_lines(results):
        terminalreporter.write_line(line)
