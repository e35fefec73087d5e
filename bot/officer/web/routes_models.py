"""Model lifecycle pages (`/latih/model`): train a new model in the background with its
progress, compare it with the served one on the held-out sets, activate it (refused when
worse beyond MODEL_ACTIVATION_MARGIN unless a supervisor overrides with a reason), roll
back in one click. Trainers do everything but the override; supervisors compare,
override and roll back; every other role gets 403. The pages show held-out set texts
only, never citizens' messages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from bot.officer.web.console import (
    BadInput,
    Forbidden,
    ModelKeeper,
    NotFound,
    Trainer,
    checked_form,
    console,
)
from bot.officer.web.params import RowIdPath
from bot.training import activation, evaluation, registry
from bot.training.rasa_engine import Workspace
from bot.training.registry import RegistryError
from bot.training.training_run import Trainer as ModelTrainer

router = APIRouter()

STATUS_NAMES = registry.STATUS_NAMES
KIND_NAMES = {
    "activate": "diaktifkan",
    "override": "diaktifkan (pengecualian supervisor)",
    "rollback": "dipulihkan",
    "adopt": "tercatat dari make train",
}
MAX_REASON_CHARS = 2000


def workspace(request: Request) -> Workspace:
    """The app's models and training data (the project's, unless a test set another)."""
    found = getattr(request.app.state, "model_workspace", None)
    return found if isinstance(found, Workspace) else Workspace()


def model_trainer(request: Request) -> ModelTrainer:
    """The app's one background trainer."""
    state = request.app.state
    found = getattr(state, "model_trainer", None)
    if not isinstance(found, ModelTrainer):
        found = ModelTrainer(console(request).engine, workspace(request))
        state.model_trainer = found
    return found


def _rasa(request: Request) -> activation.Rasa:
    settings = console(request).settings
    return activation.Rasa(
        settings.rasa_url, settings.rasa_auth_token, tuple(settings.rasa_replica_urls)
    )


def _overview(request: Request) -> dict[str, Any]:
    c = console(request)
    models = registry.all_models(c.engine)
    return {
        "models": models,
        "latest": models[0] if models else None,
        "served": registry.active(c.engine),
        "previous": registry.previous(c.engine),
        "running": registry.running(c.engine),
        "history": registry.history(c.engine, 20),
    }


@router.get("/latih/model", response_class=HTMLResponse)
async def models_page(request: Request, auth: ModelKeeper) -> Response:
    c = console(request)
    data = await run_in_threadpool(_overview, request)
    return c.render(
        request,
        "training_models.html",
        auth,
        status_names=STATUS_NAMES,
        kind_names=KIND_NAMES,
        **data,
    )


@router.get("/latih/model/kemajuan", response_class=HTMLResponse)
async def progress_fragment(request: Request, auth: ModelKeeper) -> Response:
    """The training's progress, polled by the page every few seconds while it runs."""
    c = console(request)

    def load() -> tuple[list[registry.ModelRow], registry.ModelRow | None]:
        return registry.all_models(c.engine, 1), registry.running(c.engine)

    models, running = await run_in_threadpool(load)
    return c.render(
        request,
        "training_model_progress.html",
        auth,
        latest=models[0] if models else None,
        running=running,
        status_names=STATUS_NAMES,
    )


@router.post("/latih/model/latih")
async def start_training(request: Request, auth: Trainer) -> Response:
    c = console(request)
    await checked_form(request, auth)
    try:
        row = await run_in_threadpool(model_trainer(request).start, auth.viewer.id)
    except RegistryError as exc:
        return c.redirect("/latih/model", str(exc), error=True)
    return c.redirect("/latih/model", f"Pelatihan model {row.id} dimulai.")


@router.get("/latih/model/{model_id}", response_class=HTMLResponse)
async def compare_page(request: Request, auth: ModelKeeper, model_id: RowIdPath) -> Response:
    c = console(request)

    def load() -> tuple[registry.ModelRow | None, registry.ModelRow | None]:
        return registry.get(c.engine, model_id), registry.active(c.engine)

    candidate, served = await run_in_threadpool(load)
    if candidate is None:
        raise NotFound()
    comparison = evaluation.compare(
        served if served and served.id != candidate.id else None, candidate
    )
    verdict = evaluation.gate(comparison, c.settings.model_activation_margin)
    return c.render(
        request,
        "training_compare.html",
        auth,
        m=candidate,
        served=served,
        cmp=comparison,
        missing_labels=[evaluation.set_label(name) for name in comparison.missing],
        verdict=verdict,
        margin=c.settings.model_activation_margin,
        status_names=STATUS_NAMES,
        can_activate=candidate.status in (registry.READY, registry.RETIRED),
    )


@router.post("/latih/model/{model_id}/aktifkan")
async def activate_model(request: Request, auth: ModelKeeper, model_id: RowIdPath) -> Response:
    c = console(request)
    form = await checked_form(request, auth)
    back = f"/latih/model/{model_id}"
    reason = form.get("alasan", "").strip() or None
    if reason is not None and len(reason) > MAX_REASON_CHARS:
        raise BadInput(f"Alasan terlalu panjang (maksimal {MAX_REASON_CHARS} karakter).")
    is_supervisor = auth.viewer.is_supervisor
    if not is_supervisor and not auth.viewer.is_trainer:
        raise Forbidden()
    if is_supervisor and reason is None:
        # Supervisors activate only by overriding a refusal, with a reason.
        return c.redirect(back, "Tulis alasan pengecualian untuk mengaktifkan.", error=True)
    try:
        served = await run_in_threadpool(
            activation.activate,
            c.engine,
            workspace(request),
            _rasa(request),
            model_id,
            auth.viewer.id,
            c.settings.model_activation_margin,
            reason if is_supervisor else None,
            is_supervisor,
        )
    except RegistryError as exc:
        return c.redirect(back, str(exc), error=True)
    return c.redirect("/latih/model", _served_message(served, "diaktifkan"))


@router.post("/latih/model/pulihkan")
async def rollback_model(request: Request, auth: ModelKeeper) -> Response:
    c = console(request)
    await checked_form(request, auth)
    try:
        served = await run_in_threadpool(
            activation.rollback, c.engine, workspace(request), _rasa(request), auth.viewer.id
        )
    except RegistryError as exc:
        return c.redirect("/latih/model", str(exc), error=True)
    return c.redirect("/latih/model", _served_message(served, "dipulihkan"))


def _served_message(served: activation.Served, verb: str) -> str:
    where = (
        "dan sudah dimuat ke server Rasa yang berjalan"
        if served.loaded
        else "; server Rasa tidak berjalan, model ini dipakai saat Rasa dimulai"
    )
    return f"Model {served.model.id} ({served.model.file_name}) {verb} {where}."
