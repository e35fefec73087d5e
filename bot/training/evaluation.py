"""Held-out evaluation of registry models and their comparison.

Every model is tested with `rasa test nlu --successes` on each held-out set (the one list
of bot.training.heldout, so a new held-out file counts without an edit);
the scores per set (intent accuracy, macro F1, entity F1, per-intent F1, every message's
predicted intent) are stored on the model's row with the set file's hash, so a model is
tested on a set once (the served model's scores are reused until the set changes).
`compare` puts two models side by side on the sets both were tested on; `gate` says whether
the new one may replace the served one."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.training import heldout, registry
from bot.training.rasa_engine import Workspace, rasa_env
from bot.training.registry import ModelRow

EVALUATION_TIMEOUT_S = 1800


class EvaluationError(Exception):
    """`rasa test nlu` failed or wrote no report."""


@dataclass(frozen=True)
class HeldOutSet:
    """One held-out NLU file."""

    name: str  # path relative to the project root
    path: Path

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def set_label(name: str) -> str:
    """A set as the report names it: its file name without folder and .yml."""
    return Path(name).name.removesuffix(".yml")


def held_out_sets(ws: Workspace) -> list[HeldOutSet]:
    """Every held-out file of the workspace (bot.training.heldout's list)."""
    return [HeldOutSet(str(p.relative_to(ws.root)), p) for p in heldout.held_out_sets(ws.root)]


def _entity_f1(out: Path) -> float | None:
    """Micro-averaged F1 over every entity of the entity extractors' reports."""
    scores = []
    for report in sorted(out.glob("*_report.json")):
        if report.name in ("intent_report.json", "response_selection_report.json"):
            continue
        data = json.loads(report.read_text(encoding="utf-8"))
        avg = data.get("micro avg") or data.get("weighted avg")
        if avg and "f1-score" in avg:
            scores.append(float(avg["f1-score"]))
    return max(scores) if scores else None


def read_reports(out: Path) -> dict[str, Any]:
    """The scores of one `rasa test nlu --successes --out OUT` run."""
    intent_report = out / "intent_report.json"
    if not intent_report.is_file():
        raise EvaluationError(f"no intent report in {out}")
    report = json.loads(intent_report.read_text(encoding="utf-8"))
    per_intent = {
        name: round(float(values["f1-score"]), 4)
        for name, values in report.items()
        if isinstance(values, dict)
        and "f1-score" in values
        and name not in ("micro avg", "macro avg", "weighted avg")
    }
    predictions: list[list[str]] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = out / name
        if path.is_file():
            for item in json.loads(path.read_text(encoding="utf-8")):
                predicted = (item.get("intent_prediction") or {}).get("name") or ""
                predictions.append([item.get("text", ""), item.get("intent", ""), predicted])
    predictions.sort()
    return {
        "accuracy": round(float(report.get("accuracy", 0.0)), 4),
        "macro_f1": round(float(report.get("macro avg", {}).get("f1-score", 0.0)), 4),
        "entity_f1": _entity_f1(out),
        "per_intent": per_intent,
        "predictions": predictions,  # [text, expected, predicted]
        "messages": len(predictions),
    }


def score_model(ws: Workspace, model: Path, held_out: HeldOutSet) -> dict[str, Any]:
    """Run `rasa test nlu` of `model` on one set (blocking: a worker thread's work)."""
    out = Path(tempfile.mkdtemp(prefix="nlu-eval-"))
    try:
        result = subprocess.run(
            [
                str(ws.rasa),
                "test",
                "nlu",
                "--model",
                str(model),
                "--nlu",
                str(held_out.path),
                "--out",
                str(out),
                "--successes",
                "--no-plot",
            ],
            cwd=ws.root,
            env=rasa_env(),
            capture_output=True,
            text=True,
            timeout=EVALUATION_TIMEOUT_S,
        )
        if result.returncode != 0:
            raise EvaluationError(
                f"rasa test nlu gagal pada {held_out.name}: {result.stdout[-300:]}"
            )
        scores = read_reports(out)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    scores["set_sha256"] = held_out.sha256()
    return scores


def pending(row: ModelRow, sets: list[HeldOutSet]) -> list[HeldOutSet]:
    """The sets `row` has no current scores for (never tested, or the set file changed)."""
    out = []
    for held_out in sets:
        known = row.metrics.get(held_out.name)
        if not (known and known.get("set_sha256") == held_out.sha256()):
            out.append(held_out)
    return out


def evaluation_phase(step: int, total: int, held_out: HeldOutSet, which: str) -> str:
    """The progress text of one evaluation, e.g. "mengevaluasi pada set uji 2 dari 8:
    heldout_2026_11 (model baru)"."""
    return f"mengevaluasi pada set uji {step} dari {total}: {set_label(held_out.name)} ({which})"


def evaluate_model(
    engine: Engine,
    ws: Workspace,
    model_id: int,
    model: Path,
    sets: list[HeldOutSet] | None = None,
    before_set: Callable[[HeldOutSet], None] | None = None,
) -> dict[str, Any]:
    """Test the model on every set it has no current scores for; store and return all.
    `before_set` is told of each set before it is tested."""
    row = registry.get(engine, model_id)
    if row is None:
        raise EvaluationError(f"no model {model_id}")
    if not model.is_file():
        raise EvaluationError(f"berkas model tidak ada: {model.name}")
    scores = dict(row.metrics)
    for held_out in pending(row, sets if sets is not None else held_out_sets(ws)):
        if before_set is not None:
            before_set(held_out)
        scores[held_out.name] = score_model(ws, model, held_out)
        registry.save_metrics(engine, model_id, {held_out.name: scores[held_out.name]})
    return scores


# -- comparison -------------------------------------------------------------------------


def difference(old: float | None, new: float | None) -> float | None:
    """new - old, rounded for display; None when either score is missing."""
    return None if old is None or new is None else round(new - old, 4)


@dataclass(frozen=True)
class IntentRow:
    intent: str
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        return difference(self.old, self.new)


@dataclass(frozen=True)
class Changed:
    """A held-out message whose predicted intent differs between the two models."""

    text: str
    expected: str
    old: str
    new: str

    @property
    def fixed(self) -> bool:
        return self.new == self.expected

    @property
    def broken(self) -> bool:
        return self.old == self.expected


@dataclass(frozen=True)
class SetComparison:
    """Served and new model on one held-out set."""

    name: str
    old: dict[str, Any]
    new: dict[str, Any]
    intents: list[IntentRow]
    changed: list[Changed]

    def delta(self, key: str) -> float | None:
        a, b = self.old.get(key), self.new.get(key)
        return None if a is None or b is None else round(b - a, 4)

    @property
    def label(self) -> str:
        return set_label(self.name)

    @property
    def messages(self) -> int:
        """How many held-out messages the set has (its weight in the pooled scores)."""
        return messages_of(self.new) or messages_of(self.old)


def messages_of(scores: dict[str, Any]) -> int:
    return int(scores.get("messages") or len(scores.get("predictions") or []))


@dataclass(frozen=True)
class Pooled:
    """A score over all compared sets together: each set weighted by its messages, so the
    intent accuracy is the correct messages over all messages."""

    label: str
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        return difference(self.old, self.new)


@dataclass(frozen=True)
class Comparison:
    served: ModelRow | None
    candidate: ModelRow
    sets: list[SetComparison] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # sets one of them was not tested on

    @property
    def messages(self) -> int:
        return sum(s.messages for s in self.sets)

    def pooled(self) -> list[Pooled]:
        """Intent accuracy and entity F1 over all compared sets (what the gate decides on).
        A new model without an entity report counts as entity F1 0."""
        out = []
        for key, label in POOLED_SCORES:
            # sets where the served model has the score (no entity report: not compared)
            both = [s for s in self.sets if s.old.get(key) is not None]
            old = _mean([(s.old[key], max(1, s.messages)) for s in both])
            new = _mean([(s.new.get(key) or 0.0, max(1, s.messages)) for s in both])
            out.append(Pooled(label, old, new))
        return out


POOLED_SCORES = (("accuracy", "akurasi intent"), ("entity_f1", "F1 entitas"))


def _mean(pairs: list[tuple[float, int]]) -> float | None:
    """The weighted mean (None without values)."""
    total = sum(w for _, w in pairs)
    return round(sum(v * w for v, w in pairs) / total, 4) if total else None


def compare(
    served: ModelRow | None, candidate: ModelRow, sets: list[HeldOutSet] | None = None
) -> Comparison:
    """Both models on the sets both were tested on (with the same set file)."""
    names = [s.name for s in sets] if sets is not None else sorted(candidate.metrics)
    out: list[SetComparison] = []
    missing: list[str] = []
    for name in names:
        new = candidate.metrics.get(name)
        old = served.metrics.get(name) if served else None
        if new is None or (served is not None and old is None):
            missing.append(name)
            continue
        if old is not None and old.get("set_sha256") != new.get("set_sha256"):
            missing.append(name)
            continue
        old = old or {}
        old_f1, new_f1 = old.get("per_intent", {}), new.get("per_intent", {})
        intents = [
            IntentRow(intent, old_f1.get(intent), new_f1.get(intent))
            for intent in sorted(set(old_f1) | set(new_f1))
        ]
        before = {(t, e): p for t, e, p in old.get("predictions", [])}
        changed = [
            Changed(t, e, before[(t, e)], p)
            for t, e, p in new.get("predictions", [])
            if (t, e) in before and before[(t, e)] != p
        ]
        out.append(SetComparison(name, old, new, intents, changed))
    return Comparison(served, candidate, out, missing)


@dataclass(frozen=True)
class Verdict:
    """Whether the candidate may replace the served model, and why not."""

    allowed: bool
    reasons: list[str]


def gate(comparison: Comparison, margin: float) -> Verdict:
    """Refused when the pooled intent accuracy or pooled entity F1 over every held-out set
    both models were tested on is more than `margin` below the served model's, or when a
    set could not be compared. Per-set differences are information only (one set of ~250
    messages moves 0.01 with 3 messages). Nothing served: allowed."""
    if comparison.served is None:
        return Verdict(True, [])
    reasons: list[str] = []
    for name in comparison.missing:
        reasons.append(f"{set_label(name)}: belum dievaluasi untuk kedua model")
    if not comparison.sets and not reasons:
        reasons.append("belum ada hasil evaluasi pada set uji")
    if comparison.sets:
        for p in comparison.pooled():
            if p.old is None or p.new is None:
                continue
            if p.new - p.old < -margin:
                reasons.append(
                    f"gabungan {len(comparison.sets)} set ({comparison.messages} pesan): "
                    f"{p.label} turun {p.old - p.new:.3f} "
                    f"({p.old:.3f} → {p.new:.3f}; batas {margin:.3f})"
                )
    return Verdict(not reasons, reasons)
