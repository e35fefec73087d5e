"""The Rasa engine as our tools drive it, and the model files it trains and serves.

- The workspace: what a model is trained from (config.yml, domain.yml and every file under
  data/rasa/), where models are kept (models/), the hash of those inputs and the stamp that
  says which inputs the served file (models/layanan-aduan.tar.gz, what `make run` serves)
  answers for.
- Rasa's command line in .venv-rasa: the binary, the environment its `train` and `test`
  runs get (quiet, offline, no telemetry, pictures drawn without a display) and the
  `rasa train` command, the same for `make train` and the console's trainings.
- `make train` (`python -m bot model train`, `train_served`): train the served file unless
  its inputs are unchanged since the last training.
- Rasa's HTTP API: the model the running server serves, and loading another one into it
  (`PUT /model`) without a restart, after `make train`, by `python -m bot model load` and by
  an activation in the console (bot.training.activation).

Nothing here touches the database: the registry of trained models is bot.training.registry.
"""

from __future__ import annotations

import enum
import hashlib
import os
import subprocess
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.config import PROJECT_ROOT

RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL_PREFIX = "layanan-aduan"
FAILED_LOG_LINES = 40


# -- the workspace ---------------------------------------------------------------------------


def _configured_models() -> str:
    """MODELS_DIR: the models folder every Rasa replica reads (production profile)."""
    from bot.config import get_settings

    return get_settings().models_dir


@dataclass(frozen=True)
class Workspace:
    """Where models are trained from and kept: the project itself, or a copy in tests."""

    root: Path = PROJECT_ROOT
    rasa: Path = RASA
    # The models folder, relative to `root` or absolute; empty: `root`/models. Defaults to
    # MODELS_DIR, a folder shared by every Rasa replica (at the same path on each), since
    # `PUT /model` names a file the server itself reads.
    models: str = field(default_factory=_configured_models)

    @property
    def data_dir(self) -> Path:
        """The training data: every file under data/rasa/."""
        return self.root / "data" / "rasa"

    @property
    def config(self) -> Path:
        return self.root / "config.yml"

    @property
    def domain(self) -> Path:
        return self.root / "domain.yml"

    @property
    def models_dir(self) -> Path:
        return self.root / (self.models or "models")

    @property
    def served_file(self) -> Path:
        """The file `make run` (Procfile) serves: `make train`'s output, or the copy of the
        model activated in the console."""
        return self.models_dir / f"{MODEL_PREFIX}.tar.gz"

    @property
    def stamp(self) -> Path:
        """The hash of the inputs the served file answers for (`inputs_hash`)."""
        return self.models_dir / f".{MODEL_PREFIX}.inputs"

    @property
    def train_log(self) -> Path:
        """`make train`'s Rasa output."""
        return self.root / "var" / "train.log"

    def path_of(self, file_name: str) -> Path:
        return self.models_dir / file_name

    def up_to_date(self) -> bool:
        """True when the served file exists and its stamp names the current inputs."""
        return (
            self.served_file.is_file()
            and self.stamp.is_file()
            and self.stamp.read_text().strip() == inputs_hash(self)
        )


def inputs_hash(ws: Workspace) -> str:
    """The hash of config.yml, domain.yml and every file under data/rasa (names included),
    as `sha256sum` would compute it: its lines for the files (data files sorted bytewise),
    hashed again. Stamps written by earlier `make train`s (a shell script) stay valid."""
    files = [
        ws.config,
        ws.domain,
        *sorted(
            (p for p in ws.data_dir.rglob("*") if p.is_file()),
            key=lambda p: str(p.relative_to(ws.root)).encode(),
        ),
    ]
    lines = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(ws.root)}\n" for p in files
    )
    return hashlib.sha256(lines.encode()).hexdigest()


# -- Rasa's command line ---------------------------------------------------------------------


def rasa_env() -> dict[str, str]:
    """The environment for a `rasa train` or `rasa test` subprocess."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore",
        "MPLBACKEND": "Agg",
    }


def train_command(ws: Workspace, file_name: str, nlu_only: bool = False) -> list[str]:
    """`rasa train` (or `rasa train nlu`) of the workspace into models/`file_name`."""
    stem = file_name.removesuffix(".tar.gz")
    return [
        str(ws.rasa),
        *(["train", "nlu"] if nlu_only else ["train"]),
        *(["--nlu", str(ws.data_dir)] if nlu_only else ["--data", str(ws.data_dir)]),
        "--config",
        str(ws.config),
        *([] if nlu_only else ["--domain", str(ws.domain)]),
        "--out",
        str(ws.models_dir),
        "--fixed-model-name",
        stem,
        *([] if nlu_only else ["--force"]),
    ]


@dataclass(frozen=True)
class Trained:
    """The outcome of `train_served`."""

    ok: bool
    seconds: float
    log_tail: str = ""  # the end of Rasa's output when training failed


def train_served(ws: Workspace) -> Trained:
    """Train the served file from the workspace (blocking, 70-80 s on 2 cores), Rasa's
    output in `ws.train_log`; on success the stamp records the inputs it was trained from.
    The hash is taken before training, so an edit made meanwhile trains again next time."""
    want = inputs_hash(ws)
    ws.models_dir.mkdir(parents=True, exist_ok=True)
    ws.train_log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with ws.train_log.open("wb") as log:
        done = subprocess.run(
            train_command(ws, ws.served_file.name),
            cwd=ws.root,
            env=rasa_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    seconds = time.monotonic() - started
    if done.returncode != 0 or not ws.served_file.is_file():
        with ws.train_log.open(encoding="utf-8", errors="replace") as log_text:
            tail = "".join(deque(log_text, maxlen=FAILED_LOG_LINES))
        return Trained(False, seconds, tail)
    ws.stamp.write_text(want + "\n")
    return Trained(True, seconds)


# -- Rasa's HTTP API: the served model ---------------------------------------------------------


class Outcome(str, enum.Enum):
    """What happened to a load request."""

    LOADED = "loaded"
    NOT_RUNNING = "not_running"  # nothing listens: the next start serves the file anyway
    REFUSED = "refused"  # wrong or missing token
    FAILED = "failed"  # Rasa answered with an error (e.g. a broken model file)


@dataclass(frozen=True)
class LoadResult:
    """The outcome, with the model Rasa reports serving afterwards."""

    outcome: Outcome
    detail: str = ""
    model_file: str = ""


def served_model(rasa_url: str, token: str = "", timeout: float = 5.0) -> str | None:
    """The model file the server at `rasa_url` serves, or None when it does not answer."""
    try:
        response = httpx.get(_url(rasa_url, "/status"), params=_token(token), timeout=timeout)
    except httpx.TransportError:
        return None
    if response.status_code != 200:
        return None
    return str(response.json().get("model_file") or "")


def load_model(rasa_url: str, model: Path, token: str = "", timeout: float = 300.0) -> LoadResult:
    """Ask the Rasa server to load `model` (a path it can read: same machine or shared)."""
    try:
        response = httpx.put(
            _url(rasa_url, "/model"),
            params=_token(token),
            json={"model_file": str(model.resolve())},
            timeout=timeout,
        )
    except httpx.TransportError as exc:
        return LoadResult(Outcome.NOT_RUNNING, f"{rasa_url}: {exc.__class__.__name__}")
    if response.status_code in (401, 403):
        return LoadResult(Outcome.REFUSED, "Rasa refused the token (RASA_AUTH_TOKEN)")
    if response.status_code != 204:
        return LoadResult(Outcome.FAILED, f"HTTP {response.status_code}: {response.text[:300]}")
    return LoadResult(Outcome.LOADED, model_file=served_model(rasa_url, token) or "")


def load_model_everywhere(
    rasa_urls: Sequence[str], model: Path, token: str = "", restore: Path | None = None
) -> LoadResult:
    """Load `model` into every Rasa replica (RASA_URLS), one after the other, so that all
    of them serve it. LOADED when every running replica loaded it (replicas not running
    serve the served file when they start: named in `detail`); NOT_RUNNING when none runs.
    When a replica refuses or fails, the ones that had loaded it load `restore` (the file
    served before) again, so the replicas keep serving one model, and that outcome is
    returned with the replica named."""
    loaded: list[str] = []
    not_running: list[str] = []
    last = LoadResult(Outcome.NOT_RUNNING)
    for url in rasa_urls:
        result = load_model(url, model, token)
        if result.outcome is Outcome.LOADED:
            loaded.append(url)
            last = result
        elif result.outcome is Outcome.NOT_RUNNING:
            not_running.append(url)
        else:
            if restore is not None and restore.is_file():
                for done in loaded:
                    load_model(done, restore, token)
            return LoadResult(result.outcome, f"{url}: {result.detail}")
    if not loaded:
        return LoadResult(Outcome.NOT_RUNNING, "not running: " + ", ".join(not_running))
    detail = f"not running: {', '.join(not_running)}" if not_running else ""
    return LoadResult(Outcome.LOADED, detail, last.model_file)


def _url(base: str, path: str) -> str:
    return base.rstrip("/") + path


def _token(token: str) -> dict[str, str] | None:
    return {"token": token} if token else None
