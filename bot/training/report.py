"""The NLU report (`python -m bot nlu report`, `make nlu-report`): how well the language
model understands citizens, per intent, on every evaluation we have.

One run evaluates, with Rasa's own `rasa test nlu` (in .venv-rasa):

- `cv`: k-fold cross-validation of config.yml on the training data (`--cross-validation
  --folds K --nlu data/rasa`; Rasa reads the NLU files of the folder and ignores stories
  and rules; intents with fewer examples than folds are dropped by Rasa), test folds
  accumulated;
- every held-out set of `bot.training.heldout.held_out_sets` on the trained model
  (`models/layanan-aduan.tar.gz`), one folder per set named after its file.

Everything is written under `<VAR_DIR>/reports/nlu-report/<YYYYmmdd-HHMMSS>/`: Rasa's files
per evaluation (`intent_report.json`, `intent_errors.json`, `intent_successes.json`,
`<Extractor>_report.json` for entities, `intent_confusion_matrix.png`,
`intent_histogram.png`), and the run's `summary.json` and `summary.html` (one page for a
trainer: per evaluation accuracy, macro and weighted F1, entity F1, the weakest intents,
the most confused intent pairs with example texts, links to the pictures). `latest` beside
the runs is a symbolic link to the newest run. The console shows the latest run at
`/latih/laporan`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.config import PROJECT_ROOT
from bot.training.export import DATA_DIR
from bot.training.heldout import held_out_sets
from bot.training.rasa_engine import RASA, rasa_env

MODEL = PROJECT_ROOT / "models" / "layanan-aduan.tar.gz"
CONFIG = PROJECT_ROOT / "config.yml"
FOLDS = 5
REPORT_DIR = "nlu-report"  # under VAR_DIR/reports
LATEST = "latest"
CV_NAME = "cv"
RUN_NAME = re.compile(r"^\d{8}-\d{6}(?:-\d{1,3})?$")
SET_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
# The pictures Rasa draws (and the console serves): intents, then each entity extractor's.
INTENT_IMAGES = ("intent_confusion_matrix.png", "intent_histogram.png")
IMAGE_NAME = re.compile(r"^(?:intent_histogram|[A-Za-z]{1,64}_confusion_matrix)\.png$")
NOT_ENTITY_REPORTS = {"intent_report.json", "response_selection_report.json"}
AVERAGES = ("accuracy", "macro avg", "weighted avg", "micro avg")
WEAKEST = 5  # intents listed per evaluation
TOP_CONFUSED = 10  # confused pairs listed per evaluation
EXAMPLES_PER_PAIR = 3
TIMEOUT_S = 3 * 3600
SUMMARY_TEMPLATE = "nlu_report.html"  # beside this module


class ReportError(RuntimeError):
    """The report cannot run at all (no Rasa, no model); the message says what to do."""


@dataclass(frozen=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class EntityScore:
    extractor: str
    entity: str  # an entity, or "micro avg"
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ConfusedPair:
    """Messages of intent `expected` that the model gave to `predicted`."""

    expected: str
    predicted: str
    count: int
    examples: list[str]


@dataclass
class SetResult:
    """One evaluation: the cross-validation or one held-out set."""

    name: str  # folder of the run, also the set's label
    kind: str  # "cross_validation" or "held_out"
    source: str  # the data evaluated (path relative to the project)
    seconds: float = 0.0
    error: str | None = None  # Rasa failed: the end of its output
    examples: int = 0
    accuracy: float | None = None
    macro_f1: float | None = None
    weighted_f1: float | None = None
    intents: list[IntentScore] = field(default_factory=list)  # weakest F1 first
    entities: list[EntityScore] = field(default_factory=list)
    confused: list[ConfusedPair] = field(default_factory=list)  # most frequent first
    images: list[str] = field(default_factory=list)  # the pictures Rasa drew (IMAGE_NAME)

    @property
    def weakest(self) -> list[IntentScore]:
        return [i for i in self.intents if i.support > 0][:WEAKEST]

    @property
    def entity_f1(self) -> dict[str, float]:
        """entity -> F1 ("entity (Extractor)" when several extractors report entities)."""
        found = [e for e in self.entities if e.entity != "micro avg"]
        several = len({e.extractor for e in found}) > 1
        return {(f"{e.entity} ({e.extractor})" if several else e.entity): e.f1 for e in found}


@dataclass
class Summary:
    run: str
    created_at: str  # ISO 8601, UTC
    model: str
    config: str
    folds: int | None  # None: no cross-validation in this run
    seconds: float
    sets: list[SetResult]

    @property
    def failed(self) -> list[str]:
        return [s.name for s in self.sets if s.error]

    def get(self, name: str) -> SetResult | None:
        return next((s for s in self.sets if s.name == name), None)


# -- reading Rasa's output ------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _score(row: Any, key: str) -> float:
    value = row.get(key) if isinstance(row, dict) else None
    return float(value) if isinstance(value, (int, float)) else 0.0


def intent_scores(report: dict[str, Any]) -> list[IntentScore]:
    """Per-intent scores of Rasa's intent_report.json, lowest F1 first."""
    scores = [
        IntentScore(
            intent,
            _score(row, "precision"),
            _score(row, "recall"),
            _score(row, "f1-score"),
            int(_score(row, "support")),
        )
        for intent, row in report.items()
        if intent not in AVERAGES and isinstance(row, dict)
    ]
    return sorted(scores, key=lambda s: (s.f1, -s.support, s.intent))


def entity_scores(folder: Path) -> list[EntityScore]:
    """Per-entity scores (and each extractor's micro average) of the entity reports."""
    out: list[EntityScore] = []
    for path in sorted(folder.glob("*_report.json")):
        if path.name in NOT_ENTITY_REPORTS:
            continue
        extractor = path.name.removesuffix("_report.json")
        report = _read_json(path)
        for entity, row in report.items():
            if not isinstance(row, dict) or entity in ("macro avg", "weighted avg", "accuracy"):
                continue
            if entity == "no_entity":
                continue
            out.append(
                EntityScore(
                    extractor,
                    entity,
                    _score(row, "precision"),
                    _score(row, "recall"),
                    _score(row, "f1-score"),
                    int(_score(row, "support")),
                )
            )
    return out


def confused_pairs(errors: Sequence[dict[str, Any]], top: int = TOP_CONFUSED) -> list[ConfusedPair]:
    """(expected -> predicted) pairs of Rasa's intent_errors.json, most frequent first,
    each with up to EXAMPLES_PER_PAIR texts (the most confidently wrong first)."""
    counts: Counter[tuple[str, str]] = Counter()
    texts: dict[tuple[str, str], list[tuple[float, str]]] = {}
    for error in errors:
        prediction = error.get("intent_prediction") or {}
        expected, predicted = error.get("intent"), prediction.get("name")
        if not isinstance(expected, str) or not isinstance(predicted, str):
            continue
        pair = (expected, predicted or "(tidak ada)")
        counts[pair] += 1
        confidence = prediction.get("confidence")
        texts.setdefault(pair, []).append(
            (
                -float(confidence) if isinstance(confidence, (int, float)) else 0.0,
                str(error.get("text", "")),
            )
        )
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [
        ConfusedPair(e, p, n, [t for _, t in sorted(texts[(e, p)])[:EXAMPLES_PER_PAIR]])
        for (e, p), n in ranked
    ]


def parse_output(result: SetResult, folder: Path) -> SetResult:
    """Fill `result` from the files Rasa wrote to `folder`."""
    report_path = folder / "intent_report.json"
    if not report_path.is_file():
        result.error = result.error or f"Rasa wrote no {report_path.name}"
        return result
    report = _read_json(report_path)
    result.accuracy = _score(report, "accuracy")
    result.macro_f1 = _score(report.get("macro avg"), "f1-score")
    result.weighted_f1 = _score(report.get("weighted avg"), "f1-score")
    result.examples = int(_score(report.get("weighted avg"), "support"))
    result.intents = intent_scores(report)
    result.entities = entity_scores(folder)
    errors_path = folder / "intent_errors.json"
    errors = _read_json(errors_path) if errors_path.is_file() else []
    result.confused = confused_pairs(errors if isinstance(errors, list) else [])
    drawn = sorted(p.name for p in folder.glob("*.png") if IMAGE_NAME.fullmatch(p.name))
    result.images = [n for n in INTENT_IMAGES if n in drawn]
    result.images += [n for n in drawn if n not in INTENT_IMAGES]
    return result


# -- the summary on disk --------------------------------------------------------------------


def summary_from_dict(data: dict[str, Any]) -> Summary:
    """A Summary read back from summary.json."""
    sets = []
    for raw in data.get("sets", []):
        raw = dict(raw)
        raw["intents"] = [IntentScore(**i) for i in raw.get("intents", [])]
        raw["entities"] = [EntityScore(**e) for e in raw.get("entities", [])]
        raw["confused"] = [ConfusedPair(**c) for c in raw.get("confused", [])]
        sets.append(SetResult(**raw))
    return Summary(**{**data, "sets": sets})


def read_summary(run_dir: Path) -> Summary | None:
    """The summary of a run folder, None when it has none (or an unreadable one)."""
    try:
        return summary_from_dict(_read_json(run_dir / "summary.json"))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def latest_run(root: Path) -> Path | None:
    """The newest run under `root` (the reports folder): the `latest` link when it points
    at a run folder, else the newest folder named like a run."""
    link = root / LATEST
    if link.is_symlink():
        target = os.readlink(link)
        if RUN_NAME.fullmatch(target) and (root / target).is_dir():
            return root / target
    runs = (
        sorted(p.name for p in root.iterdir() if RUN_NAME.fullmatch(p.name) and p.is_dir())
        if (root.is_dir())
        else []
    )
    return root / runs[-1] if runs else None


def _point_latest(root: Path, run: str) -> None:
    tmp = root / f".{LATEST}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(run)
    os.replace(tmp, root / LATEST)


def set_label(result: SetResult) -> str:
    """How a page names an evaluation (Indonesian)."""
    if result.kind == "cross_validation":
        return "Validasi silang (data latih)"
    return f"Set uji {result.name}"


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def render_html(summary: Summary) -> str:
    """summary.html: one page, its pictures linked relative to the run folder."""
    env = Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.globals.update(label=set_label, f=fmt)
    return env.get_template(SUMMARY_TEMPLATE).render(s=summary)


def write_summary(run_dir: Path, summary: Summary) -> None:
    """summary.json and summary.html of a run."""
    (run_dir / "summary.json").write_text(
        json.dumps(asdict(summary), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (run_dir / "summary.html").write_text(render_html(summary), encoding="utf-8")


# -- running Rasa ---------------------------------------------------------------------------


def set_name(path: Path, taken: Sequence[str] = ()) -> str:
    """A run folder name for a held-out file: its stem, lower case, [a-z0-9_] only."""
    base = re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_")[:60] or "set"
    if base == CV_NAME:
        base = f"{base}_set"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def _run_rasa(rasa: Path, args: list[str], log: Path) -> str | None:
    """Run `rasa <args>`; its output goes to `log`. None on success, else the error."""
    with log.open("wb") as out:
        try:
            done = subprocess.run(
                [str(rasa), *args],
                cwd=PROJECT_ROOT,
                env=rasa_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"timed out after {TIMEOUT_S} s (log: {log.name})"
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-1500:]
        return f"rasa exited with {done.returncode}: {tail}"
    return None


def _new_run_dir(root: Path, now: datetime) -> Path:
    base = f"{now:%Y%m%d-%H%M%S}"  # a folder name, not text for people (bot.texts formats those)
    for n in range(1000):
        name = base if n == 0 else f"{base}-{n}"
        try:
            (root / name).mkdir(parents=True)
            return root / name
        except FileExistsError:
            continue
    raise ReportError(f"no free run folder for {base} under {root}")


def run_report(
    root: Path,
    *,
    folds: int = FOLDS,
    skip_cv: bool = False,
    data_dir: Path = DATA_DIR,
    config: Path = CONFIG,
    model: Path = MODEL,
    held_out: Sequence[Path] | None = None,
    rasa: Path = RASA,
    progress: Callable[[str], None] = lambda _m: None,
) -> tuple[Path, Summary]:
    """Evaluate (see the module docstring) into a new run folder under `root` (the
    nlu-report folder) and point `latest` at it. Returns the folder and its summary; a
    failing evaluation is recorded in the summary (`Summary.failed`), the others still run."""
    if not rasa.is_file():
        raise ReportError(f"Rasa is not installed ({rasa}): run `make install`")
    if folds < 2:
        raise ReportError("cross-validation needs at least 2 folds")
    held_out = held_out_sets() if held_out is None else list(held_out)
    if held_out and not model.is_file():
        raise ReportError(f"no trained model at {model}: run `make train`")
    started = time.monotonic()
    run_dir = _new_run_dir(root, datetime.now())
    plan: list[tuple[SetResult, list[str]]] = []
    if not skip_cv:
        plan.append(
            (
                SetResult(CV_NAME, "cross_validation", _relative(data_dir)),
                [
                    "--nlu",
                    str(data_dir),
                    "--config",
                    str(config),
                    "--cross-validation",
                    "--folds",
                    str(folds),
                ],
            )
        )
    taken = [CV_NAME]
    for path in held_out:
        name = set_name(path, taken)
        taken.append(name)
        plan.append(
            (
                SetResult(name, "held_out", _relative(path)),
                ["--nlu", str(path), "--model", str(model)],
            )
        )
    results = []
    for result, args in plan:
        folder = run_dir / result.name
        folder.mkdir()
        progress(f"{set_label(result)}: {result.source} ...")
        t0 = time.monotonic()
        result.error = _run_rasa(
            rasa,
            ["test", "nlu", *args, "--out", str(folder), "--successes"],
            run_dir / f"{result.name}.log",
        )
        result.seconds = round(time.monotonic() - t0, 1)
        if result.error is None:
            parse_output(result, folder)
        results.append(result)
        progress(_line(result))
    summary = Summary(
        run=run_dir.name,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        model=_relative(model),
        config=_relative(config),
        folds=None if skip_cv else folds,
        seconds=round(time.monotonic() - started, 1),
        sets=results,
    )
    write_summary(run_dir, summary)
    _point_latest(root, run_dir.name)
    return run_dir, summary


def _line(r: SetResult) -> str:
    if r.error:
        return f"  {r.name}: FAILED ({r.seconds:.0f} s): {r.error.splitlines()[0]}"
    entities = ", ".join(f"{k} {v:.3f}" for k, v in r.entity_f1.items()) or "-"
    return (
        f"  {r.name}: n={r.examples} accuracy {fmt(r.accuracy)}, macro F1 {fmt(r.macro_f1)}, "
        f"weighted F1 {fmt(r.weighted_f1)}, entity F1 {entities} ({r.seconds:.0f} s)"
    )


def report_lines(run_dir: Path, summary: Summary) -> list[str]:
    """What the CLI prints at the end of a run."""
    lines = [f"NLU report {summary.run} ({summary.seconds:.0f} s): {run_dir / 'summary.html'}"]
    lines.extend(_line(r) for r in summary.sets)
    for r in summary.sets:
        if r.confused:
            top = ", ".join(f"{c.expected}->{c.predicted} x{c.count}" for c in r.confused[:3])
            lines.append(f"  {r.name} most confused: {top}")
    return lines
