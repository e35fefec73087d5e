"""The public transparency page, open to anyone without an account (GET only, so no CSRF):
`/transparansi` (HTML), and the same figures as open data at the stable addresses
`/transparansi/data.json` and `/transparansi/data.csv` (README, "Open data").

Parameters, all optional: `dari` and `sampai` (months, `2026-03`; default the 12 months up
to this one) and `unit` (a unit id; default all). Bad values get a polite 400: the page with
the reason, or the reason as JSON or text. The figures and the disclosure rule are
bot.transparency's; this module only lays them out. Nothing here reads the session: the
page is the same for everyone, signed in or not.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from bot.officer.web.console import console
from bot.officer.web.routes_tickets import csv_cell
from bot.skm import MIN_RESPONDENTS, decimal_text
from bot.texts import CATEGORY_SHORT_LABELS, format_month
from bot.transparency import (
    MAX_MONTHS,
    MIN_BASE,
    NO_UNIT_ID,
    NO_UNIT_LABEL,
    ROUND_TO,
    SMALL,
    SUPPRESSED,
    BadPeriod,
    CatalogueEntry,
    Count,
    IkmFigure,
    Month,
    Publisher,
    Row,
    Statistics,
    period,
)

router = APIRouter()

# Browsers and proxies may keep a page this long (the figures themselves are cached longer).
HTTP_MAX_AGE_S = 60
TextQuery = Annotated[str | None, Query()]  # checked by bot.transparency (length included)

CSV_COLUMNS = (
    "tabel",
    "bulan",
    "unit_id",
    "unit",
    "kategori",
    "diterima",
    "diverifikasi",
    "selesai",
    "terlambat",
    "median_hari_kerja_verifikasi",
    "persen_verifikasi_tepat_waktu",
    "median_hari_kerja_penyelesaian",
    "persen_selesai_tepat_waktu",
    "batas_hari_kerja_penyelesaian",
    # The IKM rows (tabel "ikm", bulan "first/last": the period they cover).
    "layanan_id",
    "layanan",
    "responden",
    "ikm",
    "mutu_pelayanan",
    "kinerja",
)
IKM_TABLE = "ikm"
# JSON table names, in order; the CSV's `tabel` column holds the same names.
TABLES = ("per_bulan", "per_unit", "per_kategori", "per_unit_kategori")

MAX_ANSWERS = 256  # rendered answers kept (the most recently used)

_publisher_lock = threading.Lock()


def publisher(request: Request) -> Publisher:
    """The app's Publisher (created on first use, with its Answers)."""
    state = request.app.state
    found: Publisher | None = getattr(state, "transparency", None)
    if found is None:
        with _publisher_lock:
            found = getattr(state, "transparency", None)
            if found is None:
                c = console(request)
                found = Publisher(
                    c.engine, c.deadlines, c.settings.timezone, c.settings.transparency_cache_s
                )
                state.transparency_answers = Answers(found.clock)
                state.transparency = found
    return found


@dataclass(frozen=True)
class Answer:
    """A rendered answer (page, JSON or CSV) and until when its figures are fresh."""

    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...]
    fresh_until: float


class Answers:
    """Rendered answers by (address, period, unit, local date), served again while their
    figures are fresh: a busy page costs a dictionary lookup, not a rendering. Keeps the
    MAX_ANSWERS most recently used."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._items: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Answer | None:
        """The fresh answer for `key`, if any."""
        with self._lock:
            found = self._items.get(key)
            if found is None or self.clock() >= found.fresh_until:
                return None
            self._items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], response: Response, fresh_until: float) -> Answer:
        """Keep `response` (rendered) for `key`."""
        kept = {"content-disposition"}
        answer = Answer(
            bytes(response.body),
            response.media_type or "text/plain",
            tuple((k, v) for k, v in response.headers.items() if k in kept),
            fresh_until,
        )
        with self._lock:
            self._items[key] = answer
            self._items.move_to_end(key)
            while len(self._items) > MAX_ANSWERS:
                self._items.popitem(last=False)
        return answer


@dataclass(frozen=True)
class Asked:
    """The period and unit a request asks for, checked."""

    first: Month
    last: Month
    unit_id: str | None

    def query(self) -> dict[str, str]:
        """As query parameters (the data links carry the page's filter)."""
        out = {"dari": str(self.first), "sampai": str(self.last)}
        if self.unit_id:
            out["unit"] = self.unit_id
        return out


def _asked(request: Request, dari: str | None, sampai: str | None, unit: str | None) -> Asked:
    """The checked parameters, or BadPeriod."""
    today = console(request).today()
    first, last = period(dari, sampai, Month.of(today))
    return Asked(first, last, publisher(request).check_unit(unit))


Build = Callable[[Request, Asked, Statistics], Response]


def _serve(
    request: Request,
    address: str,
    params: tuple[str | None, str | None, str | None],
    build: Build,
    refuse: Callable[[Request, str], Response],
) -> Response:
    """The answer of `address` for the query `params` (dari, sampai, unit): `refuse`d
    when they are bad, else the kept answer while fresh, else `build` on new figures."""
    try:
        asked = _asked(request, *params)
    except BadPeriod as exc:
        return refuse(request, str(exc))
    pub = publisher(request)
    answers: Answers = request.app.state.transparency_answers
    today = console(request).today()
    key = (address, str(asked.first), str(asked.last), asked.unit_id, today)
    answer = answers.get(key)
    if answer is None:
        stats = pub.statistics(asked.first, asked.last, asked.unit_id, today)
        answer = answers.put(key, build(request, asked, stats), stats.fresh_until)
    response = Response(answer.body, media_type=answer.media_type, headers=dict(answer.headers))
    response.headers["Cache-Control"] = f"public, max-age={HTTP_MAX_AGE_S}"
    return response


# -- the page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar of the monthly chart (SVG coordinates)."""

    x: float
    y: float
    width: float
    height: float
    kind: str  # received | resolved
    text: str  # the published value
    suppressed: bool


@dataclass(frozen=True)
class Chart:
    """The monthly chart: received and resolved complaints, drawn on the server."""

    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]
    labels: tuple[tuple[float, str], ...]  # (x, month label) under the bars
    top: int  # the value of the top of the scale


CHART_W, CHART_H, CHART_PAD_TOP, CHART_PAD_BOTTOM = 720, 220, 20, 28


def _drawn(value: Count) -> float:
    """The height a published value is drawn with ("<5" as the most it may be)."""
    return float(SMALL - 1) if value == SUPPRESSED else float(value)


def chart(rows: tuple[Row, ...]) -> Chart:
    """Bars of received and resolved complaints per month."""
    top = max([_drawn(v) for r in rows for v in (r.received, r.resolved)] + [float(SMALL)])
    top = ROUND_TO * -(-int(top) // ROUND_TO)
    plot_h = CHART_H - CHART_PAD_TOP - CHART_PAD_BOTTOM
    baseline = float(CHART_H - CHART_PAD_BOTTOM)
    slot = CHART_W / max(len(rows), 1)
    bar_w = slot * 0.36
    bars, labels = [], []
    every = max(1, -(-len(rows) // 12))  # at most about 12 month labels
    for i, row in enumerate(rows):
        x0 = i * slot + slot * 0.12
        for j, (kind, value) in enumerate((("received", row.received), ("resolved", row.resolved))):
            h = plot_h * _drawn(value) / top
            bars.append(
                Bar(
                    round(x0 + j * bar_w, 1),
                    round(baseline - h, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    kind,
                    str(value),
                    value == SUPPRESSED,
                )
            )
        if i % every == 0:
            labels.append((round(i * slot + slot / 2, 1), _month_label(row.month)))
    return Chart(CHART_W, CHART_H, baseline, tuple(bars), tuple(labels), top)


def _month_label(month: str) -> str:
    """'Mar 2026' (bot.texts, the one date formatter)."""
    year, number = month.split("-")
    return format_month(int(year), int(number), short=True)


def _days(value: float | None) -> str:
    """'2', '2,5', '-'."""
    if value is None:
        return "-"
    return f"{value:g}".replace(".", ",")


def _pct(value: int | None) -> str:
    return "-" if value is None else f"{value}%"


def _score(value: Decimal | None) -> str:
    """An IKM or element value on the page: '83,33', '-'."""
    return "-" if value is None else decimal_text(value, 2)


def _render(request: Request, status_code: int, **context: Any) -> HTMLResponse:
    c = console(request)
    pub = publisher(request)
    return c.templates.TemplateResponse(
        request,
        "transparency.html",
        {
            "units": pub.units(),
            "no_unit_id": NO_UNIT_ID,
            "no_unit_label": NO_UNIT_LABEL,
            "month_label": _month_label,
            "days": _days,
            "pct": _pct,
            "score": _score,
            "min_respondents": MIN_RESPONDENTS,
            "small": SMALL,
            "round_to": ROUND_TO,
            "min_base": MIN_BASE,
            "max_months": MAX_MONTHS,
            "suppressed": SUPPRESSED,
            "cache_minutes": max(1, round(c.settings.transparency_cache_s / 60)),
            "category_names": {k.value: v for k, v in CATEGORY_SHORT_LABELS.items()},
            **context,
        },
        status_code=status_code,
    )


def _page(request: Request, asked: Asked, stats: Statistics) -> Response:
    return _render(
        request,
        200,
        error=None,
        stats=stats,
        asked=asked,
        chart=chart(stats.by_month),
        catalogue=publisher(request).catalogue(),
        c=console(request),
    )


def _page_refused(request: Request, message: str) -> Response:
    return _render(request, 400, error=message, stats=None, asked=None)


@router.get("/transparansi", response_class=HTMLResponse)
def transparency_page(
    request: Request, dari: TextQuery = None, sampai: TextQuery = None, unit: TextQuery = None
) -> Response:
    return _serve(request, "page", (dari, sampai, unit), _page, _page_refused)


# -- open data -----------------------------------------------------------------------------


def _record(table: str, row: Row, stats: Statistics) -> dict[str, Any]:
    """One row of the open data (the CSV's columns, the JSON's keys)."""
    return {
        "tabel": table,
        "bulan": row.month,
        "unit_id": row.unit_id,
        "unit": row.unit,
        "kategori": row.category,
        "diterima": row.received,
        "diverifikasi": row.verified,
        "selesai": row.resolved,
        "terlambat": row.overdue,
        "median_hari_kerja_verifikasi": row.median_days_to_verify,
        "persen_verifikasi_tepat_waktu": row.verified_on_time_pct,
        "median_hari_kerja_penyelesaian": row.median_days_to_resolve,
        "persen_selesai_tepat_waktu": row.resolved_on_time_pct,
        "batas_hari_kerja_penyelesaian": (
            stats.resolution_days.get(row.category) if row.category else None
        ),
    }


def _tables(stats: Statistics) -> dict[str, list[dict[str, Any]]]:
    rows = (stats.by_month, stats.by_unit, stats.by_category, stats.detail)
    return {
        name: [_record(name, r, stats) for r in table]
        for name, table in zip(TABLES, rows, strict=True)
    }


def _catalogue_data(entries: tuple[CatalogueEntry, ...]) -> list[dict[str, Any]]:
    return [
        {
            "layanan_id": e.service_id,
            "layanan": e.name,
            "unit_id": e.unit_id,
            "unit": e.unit,
            "fakta": [
                {
                    "fakta": f.label,
                    "isi": f.value,
                    "sumber": f.source,
                    "tanggal_diperiksa": f.as_of.isoformat() if f.as_of else None,
                    "aturan_daerah": f.regional,
                }
                for f in e.facts
            ],
        }
        for e in entries
    ]


def _ikm_record(figure: IkmFigure) -> dict[str, Any]:
    """One IKM row of the open data (all units: unit_id and layanan_id null)."""
    return {
        "unit_id": figure.unit_id,
        "unit": figure.unit,
        "layanan_id": figure.service_id,
        "layanan": figure.service,
        "responden": figure.respondents,
        "ikm": float(figure.ikm) if figure.ikm is not None else None,
        "mutu_pelayanan": figure.grade,
        "kinerja": figure.mutu,
        "unsur": [
            {
                "kode": e.code,
                "unsur": e.label,
                "nilai": float(e.value) if e.value is not None else None,
            }
            for e in figure.elements
        ],
    }


def _ikm_data(stats: Statistics) -> dict[str, Any]:
    return {
        "tersedia": stats.ikm.overall.respondents != 0,
        "aturan": (
            f"IKM (PermenPANRB 14/2017, skala 25-100) atas seluruh periode; jumlah responden "
            f"mengikuti aturan di atas; IKM, mutu dan nilai unsur hanya bila paling sedikit "
            f"{MIN_RESPONDENTS} responden (nilai unsur: {MIN_RESPONDENTS} jawaban), selain "
            f"itu null"
        ),
        "semua": _ikm_record(stats.ikm.overall),
        "per_unit_layanan": [_ikm_record(r) for r in stats.ikm.rows],
    }


def _json(request: Request, asked: Asked, stats: Statistics) -> Response:
    body = {
        "judul": "Transparansi pengaduan layanan publik",
        "dihitung_pada": stats.computed_at.isoformat(timespec="seconds"),
        "periode": {"dari": str(stats.first), "sampai": str(stats.last)},
        "unit_id": stats.unit_id,
        "aturan": {
            "sel_kecil": f"jumlah 1 sampai {SMALL - 1} ditulis '{SUPPRESSED}'",
            "pembulatan": f"jumlah lain dibulatkan ke kelipatan {ROUND_TO} terdekat",
            "median_dan_persen": (
                f"hanya dari pengaduan biasa (bukan anonim atau rahasia), bila ada paling "
                f"sedikit {MIN_BASE}; selain itu null"
            ),
            "batas_hari_kerja_verifikasi": stats.verification_days,
        },
        **_tables(stats),
        "ikm": _ikm_data(stats),
        "layanan": _catalogue_data(publisher(request).catalogue()),
    }
    return JSONResponse(body)


def _json_refused(_request: Request, message: str) -> Response:
    return JSONResponse({"galat": message}, status_code=400)


@router.get("/transparansi/data.json")
def transparency_json(
    request: Request, dari: TextQuery = None, sampai: TextQuery = None, unit: TextQuery = None
) -> Response:
    return _serve(request, "json", (dari, sampai, unit), _json, _json_refused)


def _csv(_request: Request, _asked: Asked, stats: Statistics) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    records = [r for table in _tables(stats).values() for r in table]
    ikm = [stats.ikm.overall] if stats.unit_id is None else []
    for figure in (*ikm, *stats.ikm.rows):
        record = _ikm_record(figure)
        record["ikm"] = figure.ikm  # two decimals as published
        records.append({**record, "tabel": IKM_TABLE, "bulan": f"{stats.first}/{stats.last}"})
    for record in records:
        writer.writerow(
            [csv_cell("" if record.get(k) is None else str(record[k])) for k in CSV_COLUMNS]
        )
    name = f"transparansi-pengaduan-{stats.first}-{stats.last}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _csv_refused(_request: Request, message: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=400)


@router.get("/transparansi/data.csv")
def transparency_csv(
    request: Request, dari: TextQuery = None, sampai: TextQuery = None, unit: TextQuery = None
) -> Response:
    return _serve(request, "csv", (dari, sampai, unit), _csv, _csv_refused)
