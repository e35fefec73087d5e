"""The model registry: every trained Rasa model as a row of `nlu_models` (file under
models/, the hash of what it was trained from, its training progress, its held-out scores,
who activated it) and the append-only history of what was served (`nlu_model_activations`).

The file `make run` serves after a restart is models/layanan-aduan.tar.gz (Procfile); the
registry's files carry timestamped names beside it, and the served one is copied to the
fixed name on activation (bot.training.activation). Where the files are and what they are
trained from (`Workspace`, `inputs_hash`) is bot.training.rasa_engine's."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.store.models import NluModel, NluModelActivation, Officer, utcnow
from bot.training.rasa_engine import MODEL_PREFIX, Workspace, inputs_hash

TRAINING, FAILED, READY, ACTIVE, RETIRED = "training", "failed", "ready", "active", "retired"
STATUSES = (TRAINING, FAILED, READY, ACTIVE, RETIRED)
# The one Indonesian name of each status, for the console's pages and the CLI.
STATUS_NAMES = {
    TRAINING: "sedang dilatih",
    FAILED: "gagal",
    READY: "siap",
    ACTIVE: "aktif",
    RETIRED: "pensiun",
}
# A training whose process has not reported for this long died with its console.
STALE_AFTER = timedelta(minutes=5)
LOG_TAIL_CHARS = 4000


def status_name(status: str) -> str:
    """A status in Indonesian (the code itself when unknown)."""
    return STATUS_NAMES.get(status, status)


class RegistryError(Exception):
    """A request the registry refuses (message in Indonesian, for the console)."""


@dataclass(frozen=True)
class ModelRow:
    """A registry row as pages and commands use it."""

    id: int
    file_name: str
    file_sha256: str | None
    data_hash: str
    status: str
    trained_by: str | None
    created_at: datetime
    finished_at: datetime | None
    training_seconds: float | None
    progress: int
    phase: str
    log_tail: str
    metrics: dict[str, Any] = field(default_factory=dict)
    activated_at: datetime | None = None
    activated_by: str | None = None
    override_reason: str | None = None


@dataclass(frozen=True)
class ActivationRow:
    """One entry of the activation history."""

    id: int
    model_id: int
    file_name: str
    kind: str
    actor: str | None
    reason: str | None
    created_at: datetime


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def new_file_name(now: datetime | None = None) -> str:
    """A timestamped model file name (UTC, to the second)."""
    return f"{MODEL_PREFIX}-{(now or utcnow()):%Y%m%d-%H%M%S}.tar.gz"


def _row(s: Session, m: NluModel) -> ModelRow:
    names = _usernames(s, {m.trained_by, m.activated_by})
    return ModelRow(
        m.id,
        m.file_name,
        m.file_sha256,
        m.data_hash,
        m.status,
        names.get(m.trained_by),
        m.created_at,
        m.finished_at,
        m.training_seconds,
        m.progress,
        m.phase,
        m.log_tail,
        dict(m.metrics or {}),
        m.activated_at,
        names.get(m.activated_by),
        m.override_reason,
    )


def _usernames(s: Session, ids: set[int | None]) -> dict[int | None, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = s.execute(select(Officer.id, Officer.username).where(Officer.id.in_(wanted)))
    return {i: name for i, name in rows}


def get(engine: Engine, model_id: int) -> ModelRow | None:
    with Session(engine) as s:
        m = s.get(NluModel, model_id)
        return _row(s, m) if m else None


def all_models(engine: Engine, limit: int = 50) -> list[ModelRow]:
    """The newest models first."""
    with Session(engine) as s:
        found = s.scalars(select(NluModel).order_by(NluModel.id.desc()).limit(limit)).all()
        return [_row(s, m) for m in found]


def active(engine: Engine) -> ModelRow | None:
    """The model being served, per the registry."""
    with Session(engine) as s:
        m = s.scalars(select(NluModel).where(NluModel.status == ACTIVE)).first()
        return _row(s, m) if m else None


def running(engine: Engine) -> ModelRow | None:
    """The training in progress (its process reported within STALE_AFTER)."""
    with Session(engine) as s:
        m = s.scalars(
            select(NluModel)
            .where(NluModel.status == TRAINING, NluModel.heartbeat_at > utcnow() - STALE_AFTER)
            .order_by(NluModel.id.desc())
        ).first()
        return _row(s, m) if m else None


def start_training(engine: Engine, ws: Workspace, officer_id: int | None) -> ModelRow:
    """A new `training` row, unless one is running (RegistryError). Trainings whose
    process stopped reporting are marked failed first."""
    now = utcnow()
    with Session(engine) as s, s.begin():
        s.execute(
            update(NluModel)
            .where(NluModel.status == TRAINING, NluModel.heartbeat_at <= now - STALE_AFTER)
            .values(status=FAILED, phase="terhenti: proses pelatihan tidak melapor lagi")
        )
        busy = s.scalars(select(NluModel.id).where(NluModel.status == TRAINING)).first()
        if busy is not None:
            raise RegistryError(
                "Pelatihan lain sedang berjalan. Tunggu sampai selesai, lalu coba lagi."
            )
        name = new_file_name(now)
        while s.scalars(select(NluModel.id).where(NluModel.file_name == name)).first():
            now += timedelta(seconds=1)
            name = new_file_name(now)
        m = NluModel(
            file_name=name,
            data_hash=inputs_hash(ws),
            status=TRAINING,
            trained_by=officer_id,
            created_at=now,
            heartbeat_at=now,
            progress=0,
            phase="menunggu",
            log_tail="",
            metrics={},
        )
        s.add(m)
        s.flush()
        return _row(s, m)


def report_progress(
    engine: Engine, model_id: int, progress: int, phase: str, log_tail: str
) -> None:
    """The running training's state (also its heartbeat)."""
    with Session(engine) as s, s.begin():
        s.execute(
            update(NluModel)
            .where(NluModel.id == model_id, NluModel.status == TRAINING)
            .values(
                progress=max(0, min(100, progress)),
                phase=phase[:200],
                log_tail=log_tail[-LOG_TAIL_CHARS:],
                heartbeat_at=utcnow(),
            )
        )


def beat(engine: Engine, model_id: int) -> None:
    """The running training is alive (its heartbeat only), e.g. while a quiet subprocess
    runs."""
    with Session(engine) as s, s.begin():
        s.execute(
            update(NluModel)
            .where(NluModel.id == model_id, NluModel.status == TRAINING)
            .values(heartbeat_at=utcnow())
        )


def finish_training(
    engine: Engine, model_id: int, ok: bool, seconds: float, phase: str, log_tail: str, sha: str
) -> None:
    """The training ended: `ready` with its file hash, or `failed`."""
    with Session(engine) as s, s.begin():
        s.execute(
            update(NluModel)
            .where(NluModel.id == model_id)
            .values(
                status=READY if ok else FAILED,
                progress=100 if ok else NluModel.progress,
                phase=phase[:200],
                log_tail=log_tail[-LOG_TAIL_CHARS:],
                finished_at=utcnow(),
                training_seconds=seconds,
                file_sha256=sha or None,
                heartbeat_at=utcnow(),
            )
        )


def save_metrics(engine: Engine, model_id: int, metrics: dict[str, Any]) -> None:
    """Merge held-out scores (per set) into the model's."""
    with Session(engine) as s, s.begin():
        m = s.get(NluModel, model_id)
        if m is not None:
            m.metrics = {**(m.metrics or {}), **metrics}


def record_serving(
    s: Session,
    model_id: int,
    kind: str,
    actor_id: int | None,
    reason: str | None,
    at: datetime | None = None,
) -> None:
    """Inside the caller's transaction: `model_id` is served since `at` (now by default);
    the one before retires."""
    now = at or utcnow()
    s.execute(
        update(NluModel)
        .where(NluModel.status == ACTIVE, NluModel.id != model_id)
        .values(status=RETIRED)
    )
    s.execute(
        update(NluModel)
        .where(NluModel.id == model_id)
        .values(status=ACTIVE, activated_at=now, activated_by=actor_id, override_reason=reason)
    )
    s.add(
        NluModelActivation(
            model_id=model_id, kind=kind, actor_id=actor_id, reason=reason, created_at=now
        )
    )


def history(engine: Engine, limit: int = 50) -> list[ActivationRow]:
    """What was served, newest first."""
    with Session(engine) as s:
        rows = s.execute(
            select(NluModelActivation, NluModel.file_name, Officer.username)
            .join(NluModel, NluModel.id == NluModelActivation.model_id)
            .outerjoin(Officer, Officer.id == NluModelActivation.actor_id)
            .order_by(NluModelActivation.id.desc())
            .limit(limit)
        ).all()
        return [
            ActivationRow(a.id, a.model_id, name, a.kind, who, a.reason, a.created_at)
            for a, name, who in rows
        ]


def previous(engine: Engine) -> ModelRow | None:
    """The model served before the active one (what a rollback restores), if its file is
    still there."""
    current = active(engine)
    if current is None:
        return None
    with Session(engine) as s:
        ids = s.scalars(
            select(NluModelActivation.model_id).order_by(NluModelActivation.id.desc())
        ).all()
        for model_id in ids:
            if model_id != current.id:
                m = s.get(NluModel, model_id)
                return _row(s, m) if m else None
    return None


def adopt_served(engine: Engine, ws: Workspace) -> ModelRow | None:
    """Register the file `make train` left at the fixed name as the active model when the
    registry has none (first use): copied under a timestamped name, its data hash taken
    from `make train`'s stamp, activated when the file was written (its mtime). None when there
    is no such file. Writes: only training, activation and rollback call it, never a
    listing."""
    if active(engine) is not None or not ws.served_file.is_file():
        return active(engine)
    sha = file_sha256(ws.served_file)
    served_since = datetime.fromtimestamp(ws.served_file.stat().st_mtime, timezone.utc)
    with Session(engine) as s, s.begin():
        existing = s.scalars(select(NluModel).where(NluModel.file_sha256 == sha)).first()
        if existing is not None and ws.path_of(existing.file_name).is_file():
            record_serving(s, existing.id, "adopt", None, None, served_since)
            s.refresh(existing)
            return _row(s, existing)
        stamp = ws.stamp.read_text().strip() if ws.stamp.is_file() else ""
        mtime = served_since
        name = new_file_name(mtime)
        while s.scalars(select(NluModel.id).where(NluModel.file_name == name)).first():
            mtime += timedelta(seconds=1)
            name = new_file_name(mtime)
        copy_atomically(ws.served_file, ws.path_of(name))
        m = NluModel(
            file_name=name,
            file_sha256=sha,
            data_hash=stamp or "unknown",
            status=READY,
            created_at=mtime,
            finished_at=mtime,
            progress=100,
            phase="dilatih dengan make train",
            log_tail="",
            heartbeat_at=utcnow(),
            metrics={},
        )
        s.add(m)
        s.flush()
        record_serving(s, m.id, "adopt", None, None, served_since)
        s.refresh(m)
        return _row(s, m)


def copy_atomically(source: Path, target: Path) -> None:
    """`target` becomes a copy of `source` in one step (a reader sees old or new whole)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    partial.replace(target)
