"""Trainer page of the complaint category classifier (`/latih/kategori`): the candidates of
bot.category_review (masked texts of public worked tickets whose category the classifier
now gets wrong) with accept / relabel / discard per row and in bulk, the export of the
decisions to `data/categories/reviewed.yml`, and "retrain and measure": the classifier
trained again on the data and scored on the held-out set (bot.category_eval) beside the
keyword rules, before and after. The same work as `python -m bot categories
review|export|eval`, with the same files.

Only trainers open it (403 for every other role, as on `/latih`). Decisions are kept as the
CLI keeps them (key, action, category, who, when; no text); an export that writes to the
training data is in the admin audit log with its counts (never a text). Nothing here
restarts anything: the console's classifier and the action server's are trained again
from the files at their next use, because their cache is keyed by the data's hash
(bot.category_model.get_model).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot import category_eval
from bot.category_eval import HELD_OUT_PATH, Measurement
from bot.category_model import (
    DATA_DIR,
    ExamplesError,
    data_hash,
    get_model,
    read_examples,
    training_paths,
)
from bot.category_review import (
    REVIEWED_FILE,
    ExportResult,
    candidates,
    decide,
    export_reviewed,
    read_decisions,
)
from bot.officer import audit
from bot.officer.web.console import BadInput, PageError, Trainer, checked_multi, console
from bot.officer.web.params import PAGE_MAX, PageNo
from bot.store.models import Category
from bot.texts import CATEGORY_LABELS

router = APIRouter()

PAGE = "/latih/kategori"
PER_PAGE = 50
MAX_KEYS = 500  # keys in one decision (a page holds PER_PAGE)
KEY_RE = re.compile(r"[0-9a-f]{20}")
ACTIONS = {"terima": "accept", "ganti": "relabel", "buang": "discard"}
DECIDED = {"accept": "diterima", "relabel": "diberi kategori lain", "discard": "dibuang"}
SHOWN = 50  # conflicts and held-out near copies listed in the export preview

T = TypeVar("T")

_decisions = threading.Lock()  # one read-modify-write of the decisions file at a time
_work = threading.Lock()  # one export or retraining at a time


@dataclass(frozen=True)
class Places:
    """Where the page reads and writes: the training data, the held-out set, VAR_DIR."""

    data_dir: Path
    held_out: Path
    var_dir: Path


def places(request: Request) -> Places:
    """The project's files, unless a test set others on the app's state."""
    state = request.app.state
    data_dir = getattr(state, "category_data_dir", None)
    held_out = getattr(state, "category_held_out", None)
    return Places(
        data_dir if isinstance(data_dir, Path) else DATA_DIR,
        held_out if isinstance(held_out, Path) else HELD_OUT_PATH,
        console(request).settings.var_dir,
    )


async def _run(func: Callable[..., T], *args: Any) -> T:
    """`func(*args)` on a worker thread; a training file that cannot be read is a 503 page
    naming the file and the example (an edit by hand can break it), never a 500."""
    try:
        return await run_in_threadpool(func, *args)
    except ExamplesError as exc:
        raise PageError(503, f"Data latih kategori tidak bisa dibaca: {exc}") from exc


def _data_hash(where: Places) -> str:
    return data_hash(training_paths(where.data_dir))


_counted: dict[Path, tuple[tuple[int, int], int]] = {}


def _count(path: Path) -> int:
    """How many examples a file holds (0 when missing), read again only when it changed:
    parsing the YAML is most of a page view's time."""
    try:
        stat = path.stat()
    except OSError:
        return 0
    stamp = (stat.st_mtime_ns, stat.st_size)
    known = _counted.get(path)
    if known is None or known[0] != stamp:
        known = (stamp, len(read_examples(path)))
        _counted[path] = known
    return known[1]


def _overview(request: Request, page: int) -> dict[str, Any]:
    c = console(request)
    where = places(request)
    model = get_model(where.data_dir)
    found = candidates(c.engine, where.var_dir, c.settings.secret_key, model, where.data_dir)
    pages = max(1, -(-len(found) // PER_PAGE))
    preview = export_reviewed(
        c.engine,
        where.var_dir,
        c.settings.secret_key,
        where.data_dir,
        where.held_out,
        dry_run=True,
    )
    decided = Counter(d.get("action", "") for d in read_decisions(where.var_dir).values())
    history = category_eval.read_measurements(where.var_dir)
    current = _data_hash(where)
    after = category_eval.latest_for(history, current)
    return {
        "rows": found[(page - 1) * PER_PAGE : page * PER_PAGE],
        "total": len(found),
        "page": page,
        "pages": pages,
        "preview": preview,
        "decided": decided,
        "files": {p.name: _count(p) for p in training_paths(where.data_dir)},
        "held_out_count": _count(where.held_out),
        "after": after,
        "before": category_eval.latest_before(history, current),
        "stale": bool(history) and after is None,
    }


@router.get(PAGE, response_class=HTMLResponse)
async def categories_page(request: Request, auth: Trainer, hal: PageNo = 1) -> Response:
    c = console(request)
    data = await _run(_overview, request, hal)
    return c.render(
        request,
        "training_categories.html",
        auth,
        labels=CATEGORY_LABELS,
        categories=list(Category),
        shown=SHOWN,
        reviewed_file=REVIEWED_FILE,
        when=lambda iso: c.format_datetime(datetime.fromisoformat(iso)),
        **data,
    )


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def _page(form: dict[str, list[str]]) -> int:
    raw = _one(form, "hal") or "1"
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= PAGE_MAX:
        raise BadInput("Isian tidak valid: Halaman.")
    return int(raw)


def _keys(values: list[str]) -> list[str]:
    """The posted candidate keys, each once; BadInput when one is not a key."""
    if len(values) > MAX_KEYS:
        raise BadInput("Terlalu banyak kandidat sekaligus.")
    keys = [v.strip() for v in values]
    if not all(KEY_RE.fullmatch(k) for k in keys):
        raise BadInput("Isian tidak valid: Kandidat.")
    return list(dict.fromkeys(keys))


def _record(
    request: Request, keys: list[str], action: str, by: str, category: Category | None
) -> tuple[int, int]:
    """Record the decision on the keys that are still open candidates: (recorded, gone)."""
    c = console(request)
    where = places(request)
    with _decisions:
        model = get_model(where.data_dir)
        open_keys = {
            found.key
            for found in candidates(
                c.engine, where.var_dir, c.settings.secret_key, model, where.data_dir
            )
        }
        wanted = [k for k in keys if k in open_keys]
        if wanted:
            decide(where.var_dir, wanted, action, by, category)
    return len(wanted), len(keys) - len(wanted)


@router.post(f"{PAGE}/keputusan")
async def decide_candidates(request: Request, auth: Trainer) -> Response:
    c = console(request)
    form = await checked_multi(request, auth)
    back = f"{PAGE}?hal={_page(form)}"
    action = ACTIONS.get(_one(form, "aksi"))
    if action is None:
        raise BadInput("Isian tidak valid: Tindakan.")
    keys = _keys(form.get("kunci", []))
    if not keys:
        return c.redirect(back, "Pilih minimal satu kandidat.", error=True)
    category: Category | None = None
    if action == "relabel":
        value = _one(form, "kategori")
        if not value:
            return c.redirect(back, "Pilih kategori pengganti.", error=True)
        try:
            category = Category(value)
        except ValueError as exc:
            raise BadInput("Kategori tidak dikenal.") from exc
    recorded, gone = await _run(_record, request, keys, action, auth.viewer.username, category)
    parts = []
    if recorded:
        verb = DECIDED[action]
        if category is not None:
            verb += f" ({CATEGORY_LABELS[category]})"
        parts.append(f"{recorded} kandidat {verb}.")
    if gone:
        parts.append(f"{gone} kandidat sudah diputuskan atau tidak lagi menjadi kandidat.")
    return c.redirect(back, " ".join(parts), error=recorded == 0)


def _busy() -> str:
    return "Ekspor atau pelatihan ulang lain sedang berjalan; coba lagi sebentar lagi."


def _export(request: Request, actor_id: int, by: str) -> ExportResult | None:
    """Export the decisions; first measure the data as it is, when that was never done,
    so that the next measurement has its "before". None when other work is running."""
    c = console(request)
    where = places(request)
    if not _work.acquire(blocking=False):
        return None
    try:
        secret = c.settings.secret_key
        dry = export_reviewed(
            c.engine, where.var_dir, secret, where.data_dir, where.held_out, dry_run=True
        )
        history = category_eval.read_measurements(where.var_dir)
        if (
            dry.added
            and _count(where.held_out)
            and category_eval.latest_for(history, _data_hash(where)) is None
        ):
            category_eval.save_measurement(
                where.var_dir, category_eval.measure(where.data_dir, where.held_out, by)
            )
        result = export_reviewed(c.engine, where.var_dir, secret, where.data_dir, where.held_out)
        if result.added:
            with Session(c.engine) as s, s.begin():
                audit.record(
                    s,
                    actor_id,
                    "category_export",
                    f"data/categories/{REVIEWED_FILE}",
                    {
                        "added": len(result.added),
                        "duplicates": result.duplicates,
                        "conflicts": len(result.conflicts),
                        "held_out": len(result.held_out),
                    },
                )
        return result
    finally:
        _work.release()


@router.post(f"{PAGE}/ekspor")
async def export_decisions(request: Request, auth: Trainer) -> Response:
    c = console(request)
    await checked_multi(request, auth)
    result = await _run(_export, request, auth.viewer.id, auth.viewer.username)
    if result is None:
        return c.redirect(PAGE, _busy(), error=True)
    parts = [f"Ekspor ke data/categories/{REVIEWED_FILE}: {len(result.added)} contoh ditambahkan."]
    if result.duplicates:
        parts.append(f"{result.duplicates} sudah ada di data latih.")
    if result.conflicts:
        parts.append(f"{len(result.conflicts)} konflik dengan data latih (tidak ditulis).")
    if result.held_out:
        parts.append(f"{len(result.held_out)} terlalu mirip teks set uji (tidak ditulis).")
    if result.added:
        parts.append("Tekan Latih ulang & ukur untuk melihat akibatnya.")
    return c.redirect(PAGE, " ".join(parts), error=not result.added)


def _retrain(request: Request, by: str) -> tuple[Measurement, Measurement | None] | None:
    """Measure the data as it is now (and, the first time, complaints.yml alone as the
    reference), train the console's classifier on it; (after, before). None when other
    work is running."""
    where = places(request)
    if not _work.acquire(blocking=False):
        return None
    try:
        history = category_eval.read_measurements(where.var_dir)
        current = _data_hash(where)
        after = category_eval.measure(where.data_dir, where.held_out, by)
        before = category_eval.latest_before(history, current)
        if before is None and after.reviewed:
            before = category_eval.measure(where.data_dir, where.held_out, by, base_only=True)
            category_eval.save_measurement(where.var_dir, before)
        category_eval.save_measurement(where.var_dir, after)
        get_model(where.data_dir)  # the console's own classifier (the candidates list)
        return after, before
    finally:
        _work.release()


@router.post(f"{PAGE}/latih-ulang")
async def retrain_and_measure(request: Request, auth: Trainer) -> Response:
    c = console(request)
    await checked_multi(request, auth)
    if not await _run(_count, places(request).held_out):
        return c.redirect(PAGE, "Set uji kategori tidak ada atau kosong.", error=True)
    done = await _run(_retrain, request, auth.viewer.username)
    if done is None:
        return c.redirect(PAGE, _busy(), error=True)
    after, before = done
    change = (
        f"{before.suggestion.accuracy:.3f} → {after.suggestion.accuracy:.3f}"
        if before
        else f"{after.suggestion.accuracy:.3f}"
    )
    return c.redirect(
        PAGE,
        f"Model kategori dilatih ulang dari {after.examples} contoh. Akurasi saran pada set uji "
        f"({after.suggestion.count} teks): {change}; aturan kata kunci saja "
        f"{after.keywords.accuracy:.3f}.",
    )
