"""How well complaint categories are suggested: cross-validation on the training data and
evaluation on a held-out set (`python -m bot categories eval`).

Variants compared (each trained only on the training part of a fold):

- `keywords`: the keyword scorer alone (bot.category_rules.keyword_category; nothing
  trained, the baseline the classifier replaced);
- `model_text`: the classifier on text features only (no keyword features);
- `model`: the classifier with the keyword features;
- `rule_model`: pungli whenever the rules find it told of, else `model` (the suggestion
  as first evaluated on the held-out set);
- `suggestion`: what `suggest_category` answers: pungli when the rules or the pungli
  detector find it, else `model`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from bot.category_model import (
    CategoryModel,
    Example,
    build_pipeline,
    data_hash,
    read_examples,
    training_paths,
)
from bot.category_rules import keyword_category, mentions_pungli
from bot.config import PROJECT_ROOT
from bot.store.models import Category

HELD_OUT_PATH = PROJECT_ROOT / "tests" / "categories" / "heldout.yml"
VARIANTS = ("keywords", "model_text", "model", "rule_model", "suggestion")


@dataclass
class Scores:
    """Accuracy, macro F1 and per-category precision, recall, F1 and support."""

    accuracy: float
    macro_f1: float
    per_category: dict[Category, tuple[float, float, float, int]] = field(default_factory=dict)
    count: int = 0


def score(truth: Sequence[Category], predicted: Sequence[Category]) -> Scores:
    labels = [c.value for c in Category]
    t = [c.value for c in truth]
    p = [c.value for c in predicted]
    precision, recall, f1, support = precision_recall_fscore_support(
        t, p, labels=labels, zero_division=0
    )
    per = {
        Category(label): (float(precision[i]), float(recall[i]), float(f1[i]), int(support[i]))
        for i, label in enumerate(labels)
        if support[i]
    }
    present = [c.value for c in per]
    return Scores(
        accuracy=float(accuracy_score(t, p)),
        macro_f1=float(f1_score(t, p, labels=present, average="macro", zero_division=0)),
        per_category=per,
        count=len(t),
    )


def predict_variants(train: Sequence[Example], texts: Sequence[str]) -> dict[str, list[Category]]:
    """Every variant's predictions for `texts`, trained on `train`."""
    x = [e.text for e in train]
    y = [e.category.value for e in train]
    text_only = build_pipeline(keywords=False).fit(x, y)
    model = CategoryModel.train(train)
    with_keywords = model.classify_many(texts)
    with_detector = model.predict_many(texts)
    told = [mentions_pungli(t) for t in texts]
    return {
        "keywords": [keyword_category(t) for t in texts],
        "model_text": [Category(c) for c in text_only.predict(list(texts))],
        "model": with_keywords,
        "rule_model": [
            Category.PUNGLI if rule else c for rule, c in zip(told, with_keywords, strict=True)
        ],
        "suggestion": [
            Category.PUNGLI if rule else c for rule, c in zip(told, with_detector, strict=True)
        ],
    }


def cross_validate(
    examples: Sequence[Example], folds: int = 5, seeds: Sequence[int] = (0, 1, 2)
) -> dict[str, Scores]:
    """Stratified k-fold cross-validation, repeated over `seeds`; every variant's scores
    over all held-back predictions."""
    texts = [e.text for e in examples]
    labels = [e.category.value for e in examples]
    truth: list[Category] = []
    predicted: dict[str, list[Category]] = {v: [] for v in VARIANTS}
    for seed in seeds:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for train_idx, test_idx in splitter.split(texts, labels):
            train = [examples[i] for i in train_idx]
            test = [texts[i] for i in test_idx]
            for variant, found in predict_variants(train, test).items():
                predicted[variant].extend(found)
            truth.extend(examples[i].category for i in test_idx)
    return {v: score(truth, predicted[v]) for v in VARIANTS}


def evaluate(train: Sequence[Example], held_out: Sequence[Example]) -> dict[str, Scores]:
    """Every variant trained on `train`, scored on `held_out`."""
    truth = [e.category for e in held_out]
    found = predict_variants(train, [e.text for e in held_out])
    return {v: score(truth, found[v]) for v in VARIANTS}


def read_held_out(path: Path = HELD_OUT_PATH) -> list[Example]:
    return read_examples(path)


def report_lines(title: str, results: dict[str, Scores]) -> list[str]:
    """A printable table: accuracy and macro F1 per variant, F1 per category of each."""
    lines = [title, f"  {'variant':<12} {'accuracy':>8} {'macro F1':>8}"]
    for variant, s in results.items():
        lines.append(f"  {variant:<12} {s.accuracy:>8.3f} {s.macro_f1:>8.3f}")
    lines.append("  F1 per category: " + "  ".join(f"{v}" for v in results))
    for category in Category:
        cells = []
        for s in results.values():
            found = s.per_category.get(category)
            cells.append(f"{found[2]:.3f}" if found else "-")
        support = next(
            (s.per_category[category][3] for s in results.values() if category in s.per_category),
            0,
        )
        lines.append(f"  {category.value:<14} n={support:<4} " + "  ".join(cells))
    return lines


# -- measurements kept for the trainers' page (/latih/kategori) ------------------------------

MEASUREMENTS_FILE = "category_measurements.json"
KEEP_MEASUREMENTS = 50
BASE_FILE = "complaints.yml"


@dataclass
class Measurement:
    """The held-out scores of the suggestion (what `suggest_category` answers) and of the
    keyword rules alone, for one state of the training data. `basis` "data": every
    training file; "base": `complaints.yml` alone, the reference when nothing was measured
    before (its hash starts with "base:", so it is never the data's)."""

    at: str
    by: str
    data_hash: str
    held_out_hash: str
    examples: int
    reviewed: int
    suggestion: Scores
    keywords: Scores
    basis: str = "data"


def measure(
    data_dir: Path, held_out_path: Path = HELD_OUT_PATH, by: str = "", base_only: bool = False
) -> Measurement:
    """Train on `data_dir` (or its `complaints.yml` alone) and score on the held-out set.
    The caller makes sure the held-out set is not empty."""
    paths = [data_dir / BASE_FILE] if base_only else training_paths(data_dir)
    per_file = [read_examples(path) for path in paths]
    examples = [e for found in per_file for e in found]
    results = evaluate(examples, read_held_out(held_out_path))
    return Measurement(
        at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        by=by,
        data_hash=f"base:{data_hash(paths)}" if base_only else data_hash(paths),
        held_out_hash=data_hash([held_out_path]),
        examples=len(examples),
        reviewed=sum(
            len(found)
            for path, found in zip(paths, per_file, strict=True)
            if path.name != BASE_FILE
        ),
        suggestion=results["suggestion"],
        keywords=results["keywords"],
        basis="base" if base_only else "data",
    )


def _scores_json(s: Scores) -> dict[str, object]:
    return {
        "accuracy": s.accuracy,
        "macro_f1": s.macro_f1,
        "count": s.count,
        "per_category": {c.value: list(v) for c, v in s.per_category.items()},
    }


def _scores_from(data: dict[str, Any]) -> Scores:
    per = {
        Category(c): (float(p), float(r), float(f), int(n))
        for c, (p, r, f, n) in data.get("per_category", {}).items()
    }
    return Scores(float(data["accuracy"]), float(data["macro_f1"]), per, int(data["count"]))


def read_measurements(var_dir: Path) -> list[Measurement]:
    """The stored measurements, oldest first; none when the file is missing or unreadable."""
    path = var_dir / MEASUREMENTS_FILE
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [
            Measurement(
                **{
                    **row,
                    "suggestion": _scores_from(row["suggestion"]),
                    "keywords": _scores_from(row["keywords"]),
                }
            )
            for row in rows
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _measurement_json(m: Measurement) -> dict[str, object]:
    row: dict[str, object] = {f.name: getattr(m, f.name) for f in fields(m)}
    row["suggestion"] = _scores_json(m.suggestion)
    row["keywords"] = _scores_json(m.keywords)
    return row


def save_measurement(var_dir: Path, found: Measurement) -> None:
    """Append `found` to the stored measurements (the latest KEEP_MEASUREMENTS kept)."""
    rows = [_measurement_json(m) for m in [*read_measurements(var_dir), found]]
    path = var_dir / MEASUREMENTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(rows[-KEEP_MEASUREMENTS:], handle, indent=1)
    os.replace(tmp, path)


def latest_for(history: Sequence[Measurement], current_hash: str) -> Measurement | None:
    """The latest measurement of the data as it is now."""
    return next((m for m in reversed(history) if m.data_hash == current_hash), None)


def latest_before(history: Sequence[Measurement], current_hash: str) -> Measurement | None:
    """The latest measurement of the data as it was before it last changed."""
    return next((m for m in reversed(history) if m.data_hash != current_hash), None)
