"""Serving a registry model: activation (checked against the served model on the held-out
sets, refused beyond MODEL_ACTIVATION_MARGIN unless a supervisor overrides with a reason)
and rollback to the model served before. Both load the model into the running Rasa server
through its HTTP API (bot.training.rasa_engine, no restart) and copy it to the fixed file
name that `make run` serves after a restart, with `make train`'s stamp, so `make train`
keeps skipping while nothing changed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.officer import audit
from bot.training import evaluation, registry
from bot.training.rasa_engine import Outcome, Workspace, inputs_hash, load_model_everywhere
from bot.training.registry import READY, RETIRED, ModelRow, RegistryError

MIN_REASON_CHARS = 15


@dataclass(frozen=True)
class Rasa:
    """The running Rasa server, and every replica of it (RASA_URLS) a model is loaded into."""

    url: str
    token: str = ""
    replicas: tuple[str, ...] = ()

    @property
    def urls(self) -> tuple[str, ...]:
        return self.replicas or (self.url,)


@dataclass(frozen=True)
class Served:
    """A model now served (or registered as served when Rasa was not running)."""

    model: ModelRow
    loaded: bool  # False: Rasa was not running; it serves the file when it starts


class ActivationRefused(RegistryError):
    """The candidate is worse than the served model beyond the margin."""

    def __init__(self, verdict: evaluation.Verdict):
        super().__init__(
            "Model tidak diaktifkan: lebih buruk dari model yang sedang dipakai. "
            + "; ".join(verdict.reasons)
        )
        self.verdict = verdict


def check(engine: Engine, candidate: ModelRow, margin: float) -> evaluation.Verdict:
    """The gate on the sets both models were tested on."""
    return evaluation.gate(evaluation.compare(registry.active(engine), candidate), margin)


def activate(
    engine: Engine,
    ws: Workspace,
    rasa: Rasa,
    model_id: int,
    actor_id: int | None,
    margin: float,
    override_reason: str | None = None,
    supervisor: bool = False,
) -> Served:
    """Serve model `model_id`. Refused (ActivationRefused) when the gate says no, unless
    a supervisor gives a reason of at least MIN_REASON_CHARS characters."""
    candidate = registry.get(engine, model_id)
    if candidate is None:
        raise RegistryError("Model tidak ditemukan.")
    if candidate.status not in (READY, RETIRED):
        raise RegistryError(
            f"Model berstatus '{registry.status_name(candidate.status)}' tidak bisa diaktifkan."
        )
    verdict = check(engine, candidate, margin)
    reason = (override_reason or "").strip() or None
    if not verdict.allowed:
        if reason is None:
            raise ActivationRefused(verdict)
        if not supervisor:
            raise RegistryError("Hanya supervisor yang boleh mengaktifkan model yang lebih buruk.")
        if len(reason) < MIN_REASON_CHARS:
            raise RegistryError(f"Tulis alasan minimal {MIN_REASON_CHARS} karakter.")
    elif reason is not None and not supervisor:
        reason = None  # nothing to override
    kind = "override" if not verdict.allowed else "activate"
    return _serve(engine, ws, rasa, candidate, kind, actor_id, reason, verdict.reasons)


def rollback(engine: Engine, ws: Workspace, rasa: Rasa, actor_id: int | None) -> Served:
    """Serve the model served before the active one."""
    target = registry.previous(engine)
    if target is None:
        raise RegistryError("Tidak ada model sebelumnya untuk dipulihkan.")
    return _serve(engine, ws, rasa, target, "rollback", actor_id, None, [])


def _serve(
    engine: Engine,
    ws: Workspace,
    rasa: Rasa,
    model: ModelRow,
    kind: str,
    actor_id: int | None,
    reason: str | None,
    refusals: list[str],
) -> Served:
    path = ws.path_of(model.file_name)
    if not path.is_file():
        raise RegistryError(f"Berkas model {model.file_name} tidak ada lagi di models/.")
    result = load_model_everywhere(rasa.urls, path, rasa.token, restore=ws.served_file)
    if result.outcome in (Outcome.REFUSED, Outcome.FAILED):
        raise RegistryError(f"Rasa tidak memuat model: {result.detail}")
    registry.copy_atomically(path, ws.served_file)
    # The stamp names the inputs the served file answers for: the model's own data, or,
    # for a rollback, the current data (the trainer chose this model for it), so that
    # `make train`/`make run` do not quietly train the rolled-back data again.
    stamp = inputs_hash(ws) if kind == "rollback" else model.data_hash
    ws.stamp.write_text(stamp + "\n")
    with Session(engine) as s, s.begin():
        registry.record_serving(s, model.id, kind, actor_id, reason)
        audit.record(
            s,
            actor_id,
            f"nlu_model_{kind}",
            model.file_name,
            {"model_id": model.id, "reason": reason, "refusals": refusals}
            if refusals
            else {"model_id": model.id},
        )
    served = registry.get(engine, model.id)
    assert served is not None
    return Served(served, result.outcome is Outcome.LOADED)
