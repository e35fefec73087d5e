"""The complaint category classifier, trained on labelled complaint texts.

Training data: every `examples: [{text, category}]` file of `data/categories/`
(`complaints.yml`, written for it; `reviewed.yml`, officers' corrections accepted by a
trainer, bot.category_review). Features: TF-IDF of words and word pairs, TF-IDF of
character 2-5-grams inside words (typos, affixes, regional spellings), and the keyword
rules' scores (bot.category_rules: one feature per category, and whether pungli is told
of), which cross-validation showed to help (`python -m bot categories eval --cv`).
Classifier: a linear SVM with balanced class weights; `probabilities` are its scores
through a softmax, for ranking and display, not calibrated. Beside it a pungli detector,
a second linear SVM on the text features only, trained on pungli against every other
category: the category classifier leans on the service a story names (SIM, STNK,
sekolah) and missed money asked at that service in words the rules do not know ("nitip
200 ribu lewat satpam"); when the detector says pungli, the answer is pungli
(cross-validation: pungli recall 0.75 -> 0.90, accuracy 0.865 -> 0.884). The detector is
not heard when the citizen asks for something themselves ("saya minta rincian biaya"),
which the rules already tell from a demand.

The model is trained at first use from the data files (about a second) and kept in
memory with the hash of their content; a changed file is trained again at the next
suggestion. Nothing binary is stored.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.sparse import csr_matrix
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.svm import LinearSVC

from bot.category_rules import asks_for_oneself, category_scores, mentions_pungli
from bot.config import PROJECT_ROOT
from bot.store.models import Category

DATA_DIR = PROJECT_ROOT / "data" / "categories"
TRAINING_FILES = ("complaints.yml", "reviewed.yml")
KEYWORD_CAP = 3  # a keyword score counts up to this (then scaled to 0..1)


@dataclass(frozen=True)
class Example:
    """A complaint text and its category."""

    text: str
    category: Category


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ExamplesError(ValueError):
    """A data file that is not `examples: [{text, category}]` with known categories."""


def read_examples(path: Path) -> list[Example]:
    """The examples of one file; none when it does not exist."""
    if not path.is_file():
        return []
    # libyaml's safe loader: the same result, about ten times faster than pure Python
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader) or {}
    rows = data.get("examples") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise ExamplesError(f"{path}: expected 'examples:' with a list")
    examples: list[Example] = []
    for index, row in enumerate(rows, start=1):
        text = row.get("text") if isinstance(row, dict) else None
        category = row.get("category") if isinstance(row, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise ExamplesError(f"{path}: example {index} has no text")
        try:
            examples.append(Example(" ".join(text.split()), Category(category)))
        except ValueError as exc:
            raise ExamplesError(f"{path}: example {index}: unknown category {category!r}") from exc
    return examples


def training_paths(data_dir: Path = DATA_DIR) -> list[Path]:
    """The training files of `data_dir`, existing or not."""
    return [data_dir / name for name in TRAINING_FILES]


def training_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """Every training example of `data_dir`."""
    return [e for path in training_paths(data_dir) for e in read_examples(path)]


def data_hash(paths: Iterable[Path]) -> str:
    """SHA-256 over the files' names and contents (a missing file counts as empty)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


class KeywordFeatures(BaseEstimator, TransformerMixin):
    """The keyword rules as features: each category's score (capped, scaled to 0..1)
    and whether pungli is told of."""

    def fit(self, texts: Sequence[str], y: Any = None) -> KeywordFeatures:
        return self

    def transform(self, texts: Sequence[str]) -> csr_matrix:
        rows = []
        for text in texts:
            scores = category_scores(text)
            row = [min(scores.get(c, 0), KEYWORD_CAP) / KEYWORD_CAP for c in Category]
            row.append(float(mentions_pungli(text)))
            rows.append(row)
        return csr_matrix(np.array(rows, dtype=float))


def build_pipeline(keywords: bool = True) -> Pipeline:
    """An untrained classifier; `keywords=False` leaves the keyword features out."""
    features: list[Any] = [
        TfidfVectorizer(preprocessor=_normalise, ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(
            preprocessor=_normalise,
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            min_df=2,
        ),
    ]
    if keywords:
        features.append(KeywordFeatures())
    return make_pipeline(make_union(*features), LinearSVC(C=1.0, class_weight="balanced"))


class CategoryModel:
    """A trained classifier and pungli detector."""

    def __init__(self, pipeline: Pipeline, pungli: Pipeline | None, data_hash: str = "") -> None:
        self.pipeline = pipeline
        self.pungli = pungli
        self.data_hash = data_hash
        self.classes = [Category(c) for c in pipeline.classes_]

    @classmethod
    def train(cls, examples: Sequence[Example], data_hash: str = "") -> CategoryModel:
        if len({e.category for e in examples}) < 2:
            raise ExamplesError("training needs examples of at least two categories")
        texts = [e.text for e in examples]
        pipeline = build_pipeline()
        pipeline.fit(texts, [e.category.value for e in examples])
        is_pungli = [e.category is Category.PUNGLI for e in examples]
        pungli = None
        if any(is_pungli) and not all(is_pungli):
            pungli = build_pipeline(keywords=False).fit(texts, is_pungli)
        return cls(pipeline, pungli, data_hash)

    def classify_many(self, texts: Sequence[str]) -> list[Category]:
        """The category classifier's answers alone (no pungli detector)."""
        return [Category(c) for c in self.pipeline.predict(list(texts))]

    def predict_many(self, texts: Sequence[str]) -> list[Category]:
        """Pungli where the detector finds it, else the category classifier's answer."""
        found = self.classify_many(texts)
        if self.pungli is None:
            return found
        flags = self.pungli.predict(list(texts))
        return [
            Category.PUNGLI if flag and not asks_for_oneself(text) else c
            for text, c, flag in zip(texts, found, flags, strict=True)
        ]

    def predict(self, text: str) -> Category:
        return self.predict_many([text])[0]

    def probabilities(self, text: str) -> dict[Category, float]:
        """Every category's share of a softmax over the classifier's scores, largest first."""
        scores = np.asarray(self.pipeline.decision_function([text]))[0]
        weights = np.exp(scores - scores.max())
        shares = weights / weights.sum()
        ranked = sorted(zip(self.classes, shares, strict=True), key=lambda p: -p[1])
        return {c: float(s) for c, s in ranked}


_lock = threading.Lock()
_cached: CategoryModel | None = None


def get_model(data_dir: Path = DATA_DIR) -> CategoryModel:
    """The model trained on `data_dir`'s files, trained again when their content changed."""
    global _cached
    current = data_hash(training_paths(data_dir))
    with _lock:
        if _cached is None or _cached.data_hash != current:
            _cached = CategoryModel.train(training_examples(data_dir), current)
        return _cached
