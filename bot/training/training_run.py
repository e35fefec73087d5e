"""One training in the background: `rasa train` as a subprocess on a worker thread (never on
the console's event loop), its output read as it comes into progress (percent and phase)
stored on the model's registry row, then the new model evaluated on the held-out sets
(bot.training.evaluation). Only one training at a time (the registry refuses a second)."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import yaml
from sqlalchemy import Engine

from bot.training import evaluation, registry
from bot.training.rasa_engine import Workspace, rasa_env, train_command

log = logging.getLogger(__name__)

COMPONENT_RE = re.compile(
    r"(Starting|Finished) to train component '([^']+)'|Finished training component '([^']+)'"
)
EPOCHS_RE = re.compile(r"Epochs:\s*(\d{1,3})%")
VALIDATING_RE = re.compile(r"Started validating domain and training data|rasa\.validator")
SAVED_RE = re.compile(r"Your Rasa model is trained and saved")
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
REPORT_EVERY_S = 1.0
# The ticker's heartbeat while a subprocess is quiet (far below registry.STALE_AFTER).
BEAT_EVERY_S = 30.0
LOG_LINES = 60
# The bar's share of `rasa train` (its own 0-100 scaled into it); the evaluation on the
# held-out sets, most of the time (~2 min of training, ~9 min of evaluation on 2 cores),
# fills the rest set by set.
TRAIN_SHARE = 25
STAGES = 2


def training_percent(percent: int) -> int:
    """The whole bar's percent while `rasa train` is at `percent`."""
    return TRAIN_SHARE * max(0, min(100, percent)) // 100


def evaluation_percent(done: int, total: int) -> int:
    """The whole bar's percent with `done` of `total` set evaluations finished."""
    return TRAIN_SHARE + (99 - TRAIN_SHARE) * max(0, min(done, total)) // max(1, total)


def training_phase(phase: str) -> str:
    return f"tahap 1 dari {STAGES}, pelatihan: {phase}"


def evaluation_stage(phase: str) -> str:
    return f"tahap 2 dari {STAGES}, evaluasi: {phase}"


@dataclass
class Progress:
    """What `rasa train` has said so far, as a percent and an Indonesian phase text.

    Components are counted against the pipeline and policies of config.yml; within a
    component, its "Epochs: x%" bar counts. Validation is the first 5 %, the components
    the next 90 %; 100 % only when the process has ended well (the runner says so).
    """

    components: int = 1
    finished: int = 0
    current: str = ""
    epochs: int = 0
    phase: str = "memulai"
    percent: int = 0
    saved: bool = False
    _tail: deque[str] = field(default_factory=lambda: deque(maxlen=LOG_LINES))

    def feed(self, line: str) -> None:
        """Read one line (a progress bar's \\r-separated update counts as a line)."""
        line = ANSI_RE.sub("", line).strip()
        if not line:
            return
        if component := COMPONENT_RE.search(line):
            starting, name = (
                component.group(1) == "Starting",
                component.group(2) or component.group(3),
            )
            if starting:
                self.current, self.epochs = name, 0
                self.phase = f"melatih {name}"
            else:
                self.finished = min(self.components, self.finished + 1)
                self.current, self.epochs = "", 0
                self.phase = f"selesai {name}"
            self._tail.append(line)
        elif epochs := EPOCHS_RE.search(line):
            self.epochs = min(100, int(epochs.group(1)))
            self.phase = f"melatih {self.current or 'model'}: epoch {self.epochs}%"
        elif SAVED_RE.search(line):
            self.saved = True
            self.phase = "menyimpan model"
            self._tail.append(line)
        elif VALIDATING_RE.search(line) and not self.finished and not self.current:
            self.phase = "memeriksa data latih"
            self._tail.append(line)
        elif not line.startswith(("Processed ", "warnings.warn", "import ", "from ")):
            self._tail.append(line[:300])
        done = self.finished + (self.epochs / 100 if self.current else 0)
        started = self.finished or self.current or self.saved
        percent = 5 + int(90 * done / max(1, self.components)) if started else 0
        if self.saved:
            percent = 97
        self.percent = max(self.percent, min(99, percent))

    @property
    def tail(self) -> str:
        return "\n".join(self._tail)


def component_count(ws: Workspace) -> int:
    """How many components config.yml trains (pipeline and policies)."""
    try:
        config = yaml.safe_load(ws.config.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return 12
    return max(1, len(config.get("pipeline") or []) + len(config.get("policies") or []))


def split_updates(chunk: str) -> list[str]:
    """Lines and progress-bar updates (\\r) of a piece of output."""
    return [part for part in re.split(r"[\r\n]", chunk) if part]


class Heartbeat:
    """A small thread that beats the training's heartbeat every `every` seconds while its
    `with` block runs (a quiet `rasa train` component, `rasa test nlu`), so the training
    never looks dead (registry.STALE_AFTER); beats once on entry and once on exit."""

    def __init__(self, engine: Engine, model_id: int, every: float = BEAT_EVERY_S):
        self.engine, self.model_id, self.every = engine, model_id, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nlu-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        registry.beat(self.engine, self.model_id)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        registry.beat(self.engine, self.model_id)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                registry.beat(self.engine, self.model_id)
            except Exception:  # a busy database must not end the training
                log.exception("heartbeat of model %s failed", self.model_id)


def evaluate_both(
    engine: Engine,
    ws: Workspace,
    model_id: int,
    sets: list[evaluation.HeldOutSet] | None,
    tail: str,
) -> None:
    """The new model, then the served one, on every held-out set each has no scores for;
    the phase says which set of how many before each (also a heartbeat)."""
    sets = sets if sets is not None else evaluation.held_out_sets(ws)
    new = registry.get(engine, model_id)
    served = registry.active(engine)
    assert new is not None
    runs = [(new, "model baru")]
    if served is not None and served.id != model_id:
        runs.append((served, "model dipakai"))
    total = sum(len(evaluation.pending(row, sets)) for row, _ in runs)
    step = 0

    for row, which in runs:

        def before(held_out: evaluation.HeldOutSet, which: str = which) -> None:
            nonlocal step
            step += 1
            phase = evaluation_stage(evaluation.evaluation_phase(step, total, held_out, which))
            registry.report_progress(
                engine, model_id, evaluation_percent(step - 1, total), phase, tail
            )

        evaluation.evaluate_model(
            engine, ws, row.id, ws.path_of(row.file_name), sets, before_set=before
        )


def run_training(
    engine: Engine,
    ws: Workspace,
    model_id: int,
    file_name: str,
    sets: list[evaluation.HeldOutSet] | None = None,
    nlu_only: bool = False,
) -> bool:
    """Train (blocking; call it on a worker thread), then evaluate the new model and the
    served one on the held-out sets. True when the model is ready. The heartbeat ticks
    throughout, however quiet the subprocesses are."""
    with Heartbeat(engine, model_id):
        return _train_and_evaluate(engine, ws, model_id, file_name, sets, nlu_only)


def _train_and_evaluate(
    engine: Engine,
    ws: Workspace,
    model_id: int,
    file_name: str,
    sets: list[evaluation.HeldOutSet] | None,
    nlu_only: bool,
) -> bool:
    progress = Progress(components=component_count(ws))
    started = time.monotonic()
    ws.models_dir.mkdir(parents=True, exist_ok=True)
    try:
        process = subprocess.Popen(
            train_command(ws, file_name, nlu_only),
            cwd=ws.root,
            env=rasa_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        registry.finish_training(engine, model_id, False, 0.0, f"gagal: {exc}", "", "")
        return False
    assert process.stdout is not None
    last = 0.0
    reader = os.fdopen(process.stdout.fileno(), "rb", buffering=0, closefd=False)
    while True:
        chunk = reader.read(4096)
        if not chunk:
            break
        for update in split_updates(chunk.decode("utf-8", "replace")):
            progress.feed(update)
        if time.monotonic() - last >= REPORT_EVERY_S:
            last = time.monotonic()
            registry.report_progress(
                engine,
                model_id,
                training_percent(progress.percent),
                training_phase(progress.phase),
                progress.tail,
            )
    code = process.wait()
    seconds = time.monotonic() - started
    path = ws.path_of(file_name)
    if code != 0 or not path.is_file():
        registry.finish_training(
            engine, model_id, False, seconds, f"gagal (kode {code})", progress.tail, ""
        )
        return False
    registry.report_progress(
        engine,
        model_id,
        evaluation_percent(0, 1),
        evaluation_stage("mengevaluasi pada set uji"),
        progress.tail,
    )
    sha = registry.file_sha256(path)
    try:
        evaluate_both(engine, ws, model_id, sets, progress.tail)
    except evaluation.EvaluationError as exc:
        registry.finish_training(
            engine, model_id, False, seconds, f"evaluasi gagal: {exc}"[:200], progress.tail, sha
        )
        return False
    registry.finish_training(engine, model_id, True, seconds, "siap", progress.tail, sha)
    log.info("trained %s in %.0f s", file_name, seconds)
    return True


class Trainer:
    """Starts trainings on a worker thread, one at a time (per registry and per process)."""

    def __init__(self, engine: Engine, ws: Workspace, nlu_only: bool = False):
        self.engine = engine
        self.ws = ws
        self.nlu_only = nlu_only
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self, officer_id: int | None) -> registry.ModelRow:
        """A new training row, its process running in the background; RegistryError when
        another training runs."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                raise registry.RegistryError(
                    "Pelatihan lain sedang berjalan. Tunggu sampai selesai, lalu coba lagi."
                )
            registry.adopt_served(self.engine, self.ws)
            row = registry.start_training(self.engine, self.ws, officer_id)
            self._thread = threading.Thread(
                target=self._run, args=(row.id, row.file_name), name="nlu-training", daemon=True
            )
            self._thread.start()
            return row

    def _run(self, model_id: int, file_name: str) -> None:
        try:
            run_training(self.engine, self.ws, model_id, file_name, nlu_only=self.nlu_only)
        except Exception:  # the row must not stay "training"
            log.exception("training %s failed", file_name)
            registry.finish_training(self.engine, model_id, False, 0.0, "gagal (galat)", "", "")

    def wait(self, timeout: float | None = None) -> None:
        """Until the current training (if any) ends."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
