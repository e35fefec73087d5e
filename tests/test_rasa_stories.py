"""Rasa test stories (tests/test_stories.yml) with --fail-on-prediction-errors."""

from __future__ import annotations

import shutil

import pytest

from devtools.devstack import REPORTS, ROOT, ensure_model, run_rasa

pytestmark = pytest.mark.rasa


def test_stories_have_no_prediction_errors() -> None:
    model = ensure_model()
    out = REPORTS / "stories"
    shutil.rmtree(out, ignore_errors=True)
    result = run_rasa(
        [
            "test",
            "core",
            "--stories",
            str(ROOT / "tests" / "test_stories.yml"),
            "--model",
            str(model),
            "--out",
            str(out),
            "--fail-on-prediction-errors",
        ]
    )
    failed = out / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, details + result.stdout[-3000:] + result.stderr[-2000:]
    assert "None of the test stories failed" in details, details
