"""Supervisor pages of the satisfaction survey (SKM, PermenPANRB 14/2017): the IKM per unit
and service over a period with respondent counts and per-element NRR, the monthly trend as
an SVG drawn here, and the CSV in the usual SKM report layout.

Only anonymous aggregates from bot.skm: no comment, respondent key or ticket of any
response is read here, and a group of fewer than bot.skm.MIN_RESPONDENTS respondents shows
its count only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot import skm
from bot.officer.web.console import Supervisor, console
from bot.officer.web.routes_tickets import csv_cell
from bot.store.models import Office, Service
from bot.transparency import BadPeriod, Month, period

router = APIRouter()

TextQuery = Annotated[str | None, Query(max_length=40)]

# The chart's drawing area (SVG user units).
CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM, CHART_TOP = 640, 220, 40, 190, 10
# Horizontal lines at the grade boundaries.
GRADE_LINES = ((88.31, "A"), (76.61, "B"), (65.0, "C"))


@dataclass(frozen=True)
class Point:
    """One month of the trend chart."""

    x: float
    y: float | None  # None: no IKM (no or too few respondents)
    label: str
    respondents: int
    ikm_text: str


@dataclass(frozen=True)
class Chart:
    points: tuple[Point, ...]
    path: str  # the line through the months with an IKM
    grade_lines: tuple[tuple[float, str], ...]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    bottom: int = CHART_BOTTOM
    top: int = CHART_TOP


def _y(value: float) -> float:
    """IKM 25..100 to the chart's y (100 at the top)."""
    return round(CHART_BOTTOM - (value - 25) / 75 * (CHART_BOTTOM - CHART_TOP), 1)


def chart(trend: list[tuple[str, skm.Summary]]) -> Chart:
    """The monthly IKM as a line over the months; months without an IKM leave a gap."""
    slot = (CHART_WIDTH - CHART_LEFT - 10) / max(1, len(trend))
    points = []
    for i, (month, summary) in enumerate(trend):
        x = round(CHART_LEFT + slot * i + slot / 2, 1)
        y = _y(float(summary.ikm)) if summary.ikm is not None else None
        points.append(Point(x, y, month, summary.respondents, summary.ikm_text))
    parts, pen_down = [], False
    for point in points:
        if point.y is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point.x},{point.y}")
        pen_down = True
    lines = tuple((_y(value), letter) for value, letter in GRADE_LINES)
    return Chart(tuple(points), " ".join(parts), lines)


@dataclass(frozen=True)
class Asked:
    first: Month
    last: Month
    unit_id: str | None
    service_id: str | None


def _asked(
    request: Request, dari: str | None, sampai: str | None, unit: str | None, layanan: str | None
) -> Asked:
    """The checked period and filters, or BadPeriod."""
    first, last = period(dari, sampai, Month.of(console(request).today()))
    with Session(console(request).engine) as s:
        if unit and s.get(Office, unit) is None:
            raise BadPeriod("Unit tidak dikenal.")
        if layanan and s.get(Service, layanan) is None:
            raise BadPeriod("Layanan tidak dikenal.")
    return Asked(first, last, unit or None, layanan or None)


def _figures(request: Request, asked: Asked) -> dict[str, Any]:
    with Session(console(request).engine) as s:
        overall, rows = skm.ikm_by_unit_and_service(s, str(asked.first), str(asked.last))
        selected = skm.summary_for(
            s, str(asked.first), str(asked.last), asked.unit_id, asked.service_id
        )
        trend = skm.monthly_trend(
            s, str(asked.first), str(asked.last), asked.unit_id, asked.service_id
        )
        units = s.execute(select(Office.id, Office.name).order_by(Office.name)).tuples().all()
        services = s.execute(select(Service.id, Service.name).order_by(Service.name)).tuples().all()
    return {
        "overall": overall,
        "rows": rows,
        "selected": selected,
        "trend": trend,
        "chart": chart(trend),
        "units": units,
        "services": services,
    }


@router.get("/laporan/skm", response_class=HTMLResponse)
async def skm_page(
    request: Request,
    auth: Supervisor,
    dari: TextQuery = None,
    sampai: TextQuery = None,
    unit: TextQuery = None,
    layanan: TextQuery = None,
) -> Response:
    c = console(request)
    try:
        asked = await run_in_threadpool(_asked, request, dari, sampai, unit, layanan)
    except BadPeriod as exc:
        return c.render(request, "skm.html", auth, error=str(exc), status_code=400)
    figures = await run_in_threadpool(_figures, request, asked)
    query = {"dari": str(asked.first), "sampai": str(asked.last)}
    if asked.unit_id:
        query["unit"] = asked.unit_id
    if asked.service_id:
        query["layanan"] = asked.service_id
    return c.render(
        request,
        "skm.html",
        auth,
        error=None,
        asked=asked,
        query=query,
        elements=skm.ELEMENTS,
        mutu=skm.MUTU,
        minimum=skm.MIN_RESPONDENTS,
        dec=skm.decimal_text,
        **figures,
    )


def report_csv(summary: skm.Summary, period_text: str, unit_name: str, service_name: str) -> str:
    """The SKM report of one group in the layout units publish: header lines (unit,
    service, period, respondents), then per element no, unsur, respondents answering,
    NRR, NRR tertimbang (x 1/9) and NRR x 25 with its grade, then the IKM and mutu."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)

    def row(*cells: object) -> None:
        writer.writerow([csv_cell("" if c is None else str(c)) for c in cells])

    row("Laporan Survei Kepuasan Masyarakat (PermenPANRB No. 14 Tahun 2017)")
    row("Unit", unit_name)
    row("Layanan", service_name)
    row("Periode", period_text)
    row("Jumlah responden", summary.respondents)
    row()
    if summary.suppressed:
        row(
            f"Nilai tidak ditampilkan: kurang dari {skm.MIN_RESPONDENTS} responden "
            "(menjaga kerahasiaan responden)."
        )
        return buffer.getvalue()
    row("No", "Unsur pelayanan", "Responden menjawab", "NRR", "NRR tertimbang", "NRR x 25", "Mutu")
    for number, score in enumerate(summary.elements, start=1):
        if score.nrr is None:
            row(number, score.element.label, score.answered, "-", "-", "-", "-")
            continue
        weighted, converted = score.weighted, score.converted
        assert weighted is not None and converted is not None
        row(
            number,
            score.element.label,
            score.answered,
            skm.decimal_text(score.nrr, 3),
            skm.decimal_text(weighted, 4),
            skm.decimal_text(converted, 2),
            score.grade,
        )
    total = sum((s.weighted for s in summary.elements if s.weighted is not None), skm.Fraction(0))
    row("", "Jumlah NRR tertimbang", "", "", skm.decimal_text(total, 4), "", "")
    row("", "IKM (jumlah NRR tertimbang x 25)", "", "", "", summary.ikm_text, summary.grade or "-")
    row(
        "",
        "Mutu pelayanan",
        "",
        "",
        "",
        "",
        f"{summary.grade} ({summary.mutu})" if summary.grade else "-",
    )
    return buffer.getvalue()


def _csv_body(request: Request, asked: Asked) -> str:
    with Session(console(request).engine) as s:
        summary = skm.summary_for(
            s, str(asked.first), str(asked.last), asked.unit_id, asked.service_id
        )
        unit = s.get(Office, asked.unit_id) if asked.unit_id else None
        service = s.get(Service, asked.service_id) if asked.service_id else None
        unit_name = unit.name if unit is not None else "Semua unit"
        service_name = service.name if service is not None else "Semua layanan"
    return report_csv(summary, f"{asked.first} s.d. {asked.last}", unit_name, service_name)


@router.get("/laporan/skm.csv")
async def skm_csv(
    request: Request,
    auth: Supervisor,
    dari: TextQuery = None,
    sampai: TextQuery = None,
    unit: TextQuery = None,
    layanan: TextQuery = None,
) -> Response:
    try:
        asked = await run_in_threadpool(_asked, request, dari, sampai, unit, layanan)
    except BadPeriod as exc:
        return PlainTextResponse(str(exc) + "\n", status_code=400)
    body = await run_in_threadpool(_csv_body, request, asked)
    parts = ["skm", asked.unit_id, asked.service_id, str(asked.first), str(asked.last)]
    name = "-".join(p for p in parts if p) + ".csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
