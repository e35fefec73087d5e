"""The NLU gate: the trained model on the held-out set, and the held-out set's independence."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml
from rapidfuzz import fuzz, process

from devtools.devstack import REPORTS, ROOT, TRAINING_DATA, ensure_model, run_rasa

HELD_OUT = ROOT / "tests" / "nlu" / "test_nlu.yml"
MIN_INTENT_ACCURACY = 0.90
MIN_SERVICE_F1 = 0.90
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")

pytestmark = pytest.mark.rasa


def examples(path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """plain lower-case text -> intent, for every example in an NLU file."""
    out: dict[str, str] = {}
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = ANNOTATION.sub(r"\1", line[2:]).strip().lower()
                out[text] = block["intent"]
    return out


def training_examples() -> dict[str, str]:
    """The examples of every NLU file of the training data (all files under data/rasa/)."""
    out: dict[str, str] = {}
    for path in sorted(TRAINING_DATA.rglob("*.yml")):
        out.update(examples(path))
    return out


@pytest.fixture(scope="module")
def nlu_reports() -> dict[str, dict]:
    model = ensure_model()
    out = REPORTS / "nlu"
    shutil.rmtree(out, ignore_errors=True)
    result = run_rasa(
        ["test", "nlu", "--nlu", str(HELD_OUT), "--model", str(model), "--out", str(out)]
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {
        "intent": json.loads((out / "intent_report.json").read_text()),
        "entity": json.loads((out / "RegexEntityExtractor_report.json").read_text()),
    }


def test_held_out_set_is_large_and_covers_every_intent() -> None:
    held_out = examples(HELD_OUT)
    assert len(held_out) >= 150
    assert set(held_out.values()) >= set(training_examples().values())


def test_held_out_set_shares_no_example_or_near_copy_with_training() -> None:
    training = list(training_examples())
    near = []
    for text in examples(HELD_OUT):
        match = process.extractOne(text, training, scorer=fuzz.ratio, score_cutoff=90)
        if match:
            near.append((text, match[0], match[1]))
    assert near == [], near


def test_intent_accuracy_on_held_out_set(nlu_reports: dict[str, dict]) -> None:
    accuracy = nlu_reports["intent"]["accuracy"]
    print(f"\nintent accuracy on held-out set: {accuracy:.3f}")
    assert accuracy >= MIN_INTENT_ACCURACY


def test_service_entity_f1_on_held_out_set(nlu_reports: dict[str, dict]) -> None:
    f1 = nlu_reports["entity"]["service"]["f1-score"]
    print(f"\nservice entity F1 on held-out set: {f1:.3f}")
    assert f1 >= MIN_SERVICE_F1
