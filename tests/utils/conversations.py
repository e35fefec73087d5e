"""The conversation suite's report: outcomes by class, complaint forms that reached a
correct ticket, written to `var/reports/conversations.json`."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from devtools.devstack import REPORTS

REPORT_PATH = REPORTS / "conversations.json"


def by_class(results: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Passed and total conversations of each class, happy first."""
    total: Counter[str] = Counter(r["class"] for r in results)
    passed: Counter[str] = Counter(r["class"] for r in results if r["passed"])
    return {
        name: {"passed": passed[name], "total": total[name]}
        for name in sorted(total, key=_class_order)
    }


def complaint_forms(results: list[dict[str, Any]]) -> dict[str, int]:
    """Conversations that should end in one correct ticket, and how many did."""
    forms = [r for r in results if r.get("files_ticket")]
    return {"passed": sum(1 for r in forms if r["passed"]), "total": len(forms)}


def _class_order(name: str) -> tuple[int, str]:
    """happy first, then the numbered classes of issue 8 in their order."""
    number, _, _ = name.partition("-")
    return (int(number), name) if number.isdigit() else (0, name)


def write_report(results: dict[str, dict[str, Any]]) -> None:
    """Write the report of these outcomes (by conversation id) to REPORT_PATH."""
    ordered = sorted(results.values(), key=lambda r: r["id"])
    report = {
        "passed": sum(1 for r in ordered if r["passed"]),
        "total": len(ordered),
        "complaint_forms": complaint_forms(ordered),
        "by_class": by_class(ordered),
        "conversations": ordered,
    }
    REPORT_PATH.parent.mkdir(parents=True, exist_ok=True)
    REPORT_PATH.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")


def summary_lines(results: dict[str, dict[str, Any]]) -> list[str]:
    """The lines printed at the end of the pytest session."""
    ordered = sorted(results.values(), key=lambda r: r["id"])
    passed = sum(1 for r in ordered if r["passed"])
    lines = [
        f"  {name:<22} {counts['passed']:>3}/{counts['total']}"
        for name, counts in by_class(ordered).items()
    ]
    forms = complaint_forms(ordered)
    lines.append(f"  complaint forms reaching a correct ticket: {forms['passed']}/{forms['total']}")
    lines.append(f"conversations: {passed}/{len(ordered)} passed (details in {REPORT_PATH})")
    return lines
