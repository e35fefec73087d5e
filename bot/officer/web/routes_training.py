"""Trainer pages: the NLU review inbox (`/latih`), grouped by similar messages, and the
decisions on its groups (bot.training.review); the latest decisions with their undo and the
export to the training data (`/latih/riwayat`, bot.training.export, as `python -m bot nlu
export` does; in the admin audit log as counts, never a text). Only trainers open them
(403 for every other role); trainers open no ticket page (bot.officer.access)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot.officer import audit
from bot.officer.web.console import BadInput, Trainer, checked_multi, console
from bot.officer.web.params import PAGE_MAX, PageNo, RowId
from bot.training import export, review

router = APIRouter()

ACTIONS = {"benar": "confirm", "ganti": "relabel", "buang": "discard"}
REASON_NAMES = {
    "low_confidence": "keyakinan rendah",
    "fallback": "tidak dipahami",
    "correction": "dikoreksi warga",
    "repeat": "ditanyakan ulang",
    "not_helpful": "jawaban tidak membantu",
}
ENTITY_NAMES = {"service": "layanan", "ticket_id": "nomor tiket"}
DECIDED_NAMES = {
    review.CONFIRMED: "dikonfirmasi",
    review.RELABELLED: "diberi intent",
    review.DISCARDED: "dibuang",
}
HISTORY = "/latih/riwayat"
SHOWN = 50  # conflicts and held-out near copies listed in the export preview
MAX_GROUP_FIELD = 12 * review.MAX_ITEMS  # "2147483647," per id
_ROW_ID: TypeAdapter[int] = TypeAdapter(RowId)
_PAGE: TypeAdapter[int] = TypeAdapter(int)


@router.get("/latih", response_class=HTMLResponse)
def inbox_page(request: Request, auth: Trainer, hal: PageNo = 1) -> Response:
    c = console(request)
    if request.headers.get("hx-boosted") == "true":
        # A boosted (htmx) visit swaps only the body and runs no script in it: load the
        # page fully, so its keyboard shortcuts (static/latih.js) run.
        url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Response(status_code=200, headers={"HX-Redirect": url})
    page = review.list_groups(c.engine, hal)
    intents = review.domain_intents()
    return c.render(
        request,
        "training_inbox.html",
        auth,
        p=page,
        intents=intents,
        shortlists={g.key: review.shortlist(g, intents) for g in page.groups},
        reason_names=REASON_NAMES,
        services=review.services(c.engine),
        entity_names=ENTITY_NAMES,
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


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


@router.post("/latih/entitas")
async def mark_entity(request: Request, auth: Trainer) -> Response:
    """Mark a span of a group's text as an entity (`aksi=tandai`), or remove the group's
    marks (`aksi=hapus`)."""
    c = console(request)
    form = await checked_multi(request, auth)
    back = f"/latih?hal={_page(form.get('hal', []))}"
    groups = _groups(form.get("grup", []))
    if not groups:
        return c.redirect(back, "Pilih minimal satu grup.", error=True)
    action = _one(form, "aksi")
    if action == "hapus":
        cleared = await run_in_threadpool(review.clear_entities, c.engine, groups)
        return c.redirect(back, f"Tanda entitas dihapus dari {cleared} pesan.")
    if action != "tandai":
        raise BadInput("Isian tidak valid: Tindakan.")
    entity = _one(form, "jenis")
    if entity not in review.ENTITY_TYPES:
        raise BadInput("Isian tidak valid: Jenis entitas.")
    span, value = _one(form, "teks"), _one(form, "nilai") or None
    try:
        marked = await run_in_threadpool(review.mark_entity, c.engine, groups, entity, span, value)
    except review.ReviewError as exc:
        return c.redirect(back, str(exc), error=True)
    note = f"{ENTITY_NAMES[entity].capitalize()} ditandai pada {marked.marked} pesan."
    if marked.missing:
        note += f" {marked.missing} pesan lain di grup tidak memuat teks itu."
    return c.redirect(back, note)


def data_dir(request: Request) -> Path:
    """data/rasa, unless a test set another on the app's state."""
    found = getattr(request.app.state, "nlu_data_dir", None)
    return found if isinstance(found, Path) else export.DATA_DIR


def held_out(request: Request) -> list[Path] | None:
    """The held-out sets (None: bot.training.heldout's), unless a test set others."""
    found = getattr(request.app.state, "nlu_held_out", None)
    return list(found) if isinstance(found, (list, tuple)) else None


@router.get(HISTORY, response_class=HTMLResponse)
async def decided_page(request: Request, auth: Trainer) -> Response:
    """The latest decisions with their undo, and what an export would write."""
    c = console(request)
    decided = await run_in_threadpool(review.list_decided, c.engine)
    preview = await run_in_threadpool(
        lambda: export.export_reviewed(
            c.engine, data_dir(request), dry_run=True, held_out=held_out(request)
        )
    )
    return c.render(
        request,
        "training_decided.html",
        auth,
        decided=decided,
        preview=preview,
        shown=SHOWN,
        status_names=DECIDED_NAMES,
        file_name=export.FILE_NAME,
    )


@router.post(f"{HISTORY}/batal")
async def undo_decision(request: Request, auth: Trainer) -> Response:
    """Put a decided group back in the inbox; out of reviewed.yml too when exported."""
    c = console(request)
    form = await checked_multi(request, auth)
    groups = _groups(form.get("grup", []))
    if not groups:
        return c.redirect(HISTORY, "Pilih keputusan yang dibatalkan.", error=True)
    ids = [i for ids in groups for i in ids]
    result = await run_in_threadpool(export.undo, c.engine, ids, data_dir(request))
    if not result.undone:
        return c.redirect(
            HISTORY, "Keputusan itu sudah dibatalkan atau pesannya sudah dihapus.", error=True
        )
    parts = [f"Keputusan dibatalkan: {result.undone} pesan kembali ke kotak tinjauan."]
    removed = sum(len(texts) for texts in result.removed.values())
    if removed:
        parts.append(
            f"{removed} contoh dihapus dari data/rasa/{export.FILE_NAME}; model yang sudah "
            "dilatih tetap memuatnya sampai dilatih ulang."
        )
    for text, intent, files in result.kept:
        parts.append(
            f"\u201c{text}\u201d tetap ada sebagai {intent} di {', '.join(files)} (bukan dari "
            "ekspor); ubah berkas itu bila perlu."
        )
    if removed:
        with Session(c.engine) as s, s.begin():
            audit.record(
                s,
                auth.viewer.id,
                "nlu_export_undo",
                f"data/rasa/{export.FILE_NAME}",
                {"items": result.undone, "removed": removed},
            )
    return c.redirect(HISTORY, " ".join(parts))


@router.post("/latih/ekspor")
async def export_decisions(request: Request, auth: Trainer) -> Response:
    """Write the confirmed and relabelled messages to data/rasa/reviewed.yml, with the
    CLI's checks (duplicates, conflicts, near copies of held-out messages)."""
    c = console(request)
    await checked_multi(request, auth)
    result = await run_in_threadpool(
        lambda: export.export_reviewed(c.engine, data_dir(request), held_out=held_out(request))
    )
    parts = [f"Ekspor ke data/rasa/{export.FILE_NAME}: {result.added_count} contoh ditambahkan."]
    if result.duplicates:
        parts.append(f"{result.duplicates} pesan sudah ada di data latih (tidak ditulis lagi).")
    if result.conflicts:
        parts.append(
            f"{len(result.conflicts)} konflik: teks yang sama dengan intent lain (tidak ditulis)."
        )
    if result.held_out:
        parts.append(f"{len(result.held_out)} terlalu mirip teks set uji (tidak ditulis).")
    if result.added:
        parts.append("Latih model baru di halaman Model untuk memakainya.")
        with Session(c.engine) as s, s.begin():
            audit.record(
                s,
                auth.viewer.id,
                "nlu_export",
                f"data/rasa/{export.FILE_NAME}",
                {
                    "added": result.added_count,
                    "duplicates": result.duplicates,
                    "conflicts": len(result.conflicts),
                    "held_out": len(result.held_out),
                },
            )
    return c.redirect(HISTORY, " ".join(parts), error=not (result.added or result.duplicates))
