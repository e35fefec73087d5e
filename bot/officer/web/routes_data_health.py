"""Trainer pages about the training data and the model's quality: the data health report
(`/latih/kesehatan-data`, bot.training.health) and the latest NLU report
(`/latih/laporan`, bot.training.report) with its pictures. Only trainers open them.

The pictures are files under VAR_DIR/reports/nlu-report/<run>/<set>/; a request names the
run, the evaluation and the file, and is served only when the run folder is named like a
run, the evaluation is one of that run's summary and the file is a picture the summary
lists (IMAGE_NAME): nothing else under the folder, and nothing outside it, is reachable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from bot.officer.web.console import NotFound, Trainer, console
from bot.training import health, report

router = APIRouter()

SHOWN = 200  # findings listed per section; the page says how many more there are
MinExamples = Annotated[int, Query(ge=1, le=10_000)]
NamePath = Annotated[str, PathParam(min_length=1, max_length=100)]  # checked by _picture


def reports_root(request: Request) -> Path:
    """Where `python -m bot nlu report` writes its runs, for this console's settings."""
    return console(request).settings.var_dir / "reports" / report.REPORT_DIR


def _health(request: Request, min_examples: int) -> health.HealthReport:
    c = console(request)
    return health.check(min_examples=min_examples, extra_texts=health.inbox_texts(c.engine))


@router.get("/latih/kesehatan-data", response_class=HTMLResponse)
async def data_health_page(
    request: Request, auth: Trainer, min_contoh: MinExamples = health.MIN_EXAMPLES
) -> Response:
    found = await run_in_threadpool(_health, request, min_contoh)
    return console(request).render(request, "training_health.html", auth, r=found, shown=SHOWN)


@router.get("/latih/laporan", response_class=HTMLResponse)
async def report_page(request: Request, auth: Trainer) -> Response:
    root = reports_root(request)
    run_dir = await run_in_threadpool(report.latest_run, root)
    summary = await run_in_threadpool(report.read_summary, run_dir) if run_dir else None
    return console(request).render(
        request,
        "training_report.html",
        auth,
        s=summary,
        label=report.set_label,
        f=report.fmt,
    )


def _picture(root: Path, run: str, evaluation: str, name: str) -> Path:
    """The picture's path, or NotFound (see the module docstring)."""
    if not (
        report.RUN_NAME.fullmatch(run)
        and report.SET_NAME.fullmatch(evaluation)
        and report.IMAGE_NAME.fullmatch(name)
    ):
        raise NotFound()
    run_dir = root / run
    summary = report.read_summary(run_dir) if run_dir.is_dir() else None
    found = summary.get(evaluation) if summary else None
    if found is None or name not in found.images:
        raise NotFound()
    path = (run_dir / evaluation / name).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise NotFound()
    return path


@router.get("/latih/laporan/{run}/{evaluation}/{name}")
async def report_picture(
    request: Request, auth: Trainer, run: NamePath, evaluation: NamePath, name: NamePath
) -> Response:
    path = await run_in_threadpool(_picture, reports_root(request), run, evaluation, name)
    return FileResponse(
        path, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
    )
