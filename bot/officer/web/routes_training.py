"""Trainer pages: the NLU review inbox (`/latih`), grouped by similar messages, and the
decisions on its groups (bot.training.review). Only trainers open them (403 for every
other role); trainers open no ticket page (bot.officer.access)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from bot.officer.web.console import BadInput, Trainer, checked_multi, console
from bot.officer.web.params import PAGE_MAX, PageNo, RowId
from bot.training import review

router = APIRouter()

ACTIONS = {"benar": "confirm", "ganti": "relabel", "buang": "discard"}
REASON_NAMES = {
    "low_confidence": "keyakinan rendah",
    "fallback": "tidak dipahami",
    "correction": "dikoreksi warga",
}
MAX_GROUP_FIELD = 12 * review.MAX_ITEMS  # "2147483647," per id
_ROW_ID: TypeAdapter[int] = TypeAdapter(RowId)
_PAGE: TypeAdapter[int] = TypeAdapter(int)


@router.get("/latih", response_class=HTMLResponse)
def inbox_page(request: Request, auth: Trainer, hal: PageNo = 1) -> Response:
    c = console(request)
    page = review.list_groups(c.engine, hal)
    return c.render(
        request,
        "training_inbox.html",
        auth,
        p=page,
        intents=review.domain_intents(),
        reason_names=REASON_NAMES,
    )


def _groups(values: list[str]) -> list[list[int]]:
    """The posted groups ("12,9,4" each) as lists of item ids; BadInput when malformed."""
    groups: list[list[int]] = []
    total = 0
    for value in values:
        if len(value) > MAX_GROUP_FIELD:
            raise BadInput("Terlalu banyak pesan dalam satu grup.")
        try:
            ids = [_ROW_ID.validate_python(part.strip()) for part in value.split(",")]
        except ValidationError as exc:
            raise BadInput("Isian tidak valid: Grup.") from exc
        total += len(ids)
        if total > review.MAX_ITEMS:
            raise BadInput("Terlalu banyak pesan sekaligus.")
        groups.append(ids)
    return groups


def _page(values: list[str]) -> int:
    raw = values[0] if values else "1"
    try:
        page = _PAGE.validate_python(raw.strip() or "1")
    except ValidationError as exc:
        raise BadInput("Isian tidak valid: Halaman.") from exc
    if not 1 <= page <= PAGE_MAX:
        raise BadInput("Isian tidak valid: Halaman.")
    return page


def _summary(decision: review.Decision, action: str) -> str:
    verb = {"confirm": "dikonfirmasi", "relabel": "diberi intent baru", "discard": "dibuang"}
    parts = [f"{decision.decided} pesan {verb[action]}."]
    if decision.skipped_groups:
        parts.append(
            f"{decision.skipped_groups} grup dilewati: prediksinya tidak bisa dikonfirmasi "
            "(tidak dipahami); pilih intent lain."
        )
    if decision.gone:
        parts.append(f"{decision.gone} pesan sudah ditinjau atau dihapus sebelumnya.")
    return " ".join(parts)


@router.post("/latih/keputusan")
async def decide(request: Request, auth: Trainer) -> Response:
    c = console(request)
    form = await checked_multi(request, auth)
    page = _page(form.get("hal", []))
    back = f"/latih?hal={page}"
    action = ACTIONS.get((form.get("aksi") or [""])[0])
    if action is None:
        raise BadInput("Isian tidak valid: Tindakan.")
    groups = _groups(form.get("grup", []))
    if not groups:
        return c.redirect(back, "Pilih minimal satu grup.", error=True)
    intent = (form.get("intent") or [""])[0].strip() or None
    if action == "relabel":
        if intent is None:
            return c.redirect(back, "Pilih intent pengganti.", error=True)
        if intent not in review.domain_intents():
            raise BadInput("Intent tidak dikenal.")
    decision = await run_in_threadpool(
        review.decide, c.engine, groups, action, auth.viewer.id, intent
    )
    error = decision.decided == 0
    return c.redirect(back, _summary(decision, action), error=error)
