"""The conversation suite's report: `var/reports/conversations.json` and the share of
conversations that pass, printed at the end of the pytest session."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from devtools.devstack import REPORTS

REPORT_PATH = REPORTS / "conversations.json"
RESULTS = pytest.StashKey[dict[str, dict[str, Any]]]()


@pytest.fixture(scope="session")
def conversation_results(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    """Outcome of every conversation played in this session, by conversation id."""
    return request.config.stash.setdefault(RESULTS, {})


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the report of the conversations played in this session."""
    results = session.config.stash.get(RESULTS, {})
    if not results:
        return
    ordered = sorted(results.values(), key=lambda r: r["id"])
    passed = sum(1 for r in ordered if r["passed"])
    report = {
        "passed": passed,
        "total": len(ordered),
        "complaint_forms": _complaint_forms(ordered),
        "by_class": _by_class(ordered),
        "conversations": ordered,
    }
    REPORT_PATH.parent.mkdir(parents=True, exist_ok=True)
    REPORT_PATH.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")


def _by_class(results: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    total: Counter[str] = Counter(r["class"] for r in results)
    passed: Counter[str] = Counter(r["class"] for r in results if r["passed"])
    return {
        name: {"passed": passed[name], "total": total[name]}
        for name in sorted(total, key=_class_order)
    }


def _complaint_forms(results: list[dict[str, Any]]) -> dict[str, int]:
    """Conversations that should end in one correct ticket, and how many did."""
    forms = [r for r in results if r.get("files_ticket")]
    return {"passed": sum(1 for r in forms if r["passed"]), "total": len(forms)}


def _class_order(name: str) -> tuple[int, str]:
    """happy first, then the numbered classes of issue 8 in their order."""
    number, _, _ = name.partition("-")
    return (int(number), name) if number.isdigit() else (0, name)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """The share of conversations that went through without a problem."""
    results = config.stash.get(RESULTS, {})
    if not results:
        return
    ordered = sorted(results.values(), key=lambda r: r["id"])
    passed = sum(1 for r in ordered if r["passed"])
    terminalreporter.section("conversations from the citizen's side")
    for name, counts in _by_class(ordered).items():
        terminalreporter.write_line(f"  {name:<22} {counts['passed']:>3}/{counts['total']}")
    forms = _complaint_forms(ordered)
    terminalreporter.write_line(
        f"  complaint forms reaching a correct ticket: {forms['passed']}/{forms['total']}"
    )
    terminalreporter.write_line(
        f"conversations: {passed}/{len(ordered)} passed (details in {REPORT_PATH})"
    )
