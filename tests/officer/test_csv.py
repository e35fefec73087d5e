"""The queue's CSV export: no formula injection (OWASP), always a header row, bad filters
refused before anything is streamed. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from bot.store.models import Officer
from bot.store.models import Privacy as PrivacyLevel
from tests.utils.officer import People, TicketMaker, csrf_of

Client = Callable[..., TestClient]

HEADER = [
    "tiket",
    "dibuat",
    "status",
    "kategori",
    "privasi",
    "unit",
    "petugas",
    "tenggat",
    "uraian_singkat",
]
# OWASP "CSV Injection": cells starting with these are read as formulas by spreadsheets.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_cells_that_look_like_formulas_are_neutralised(
    app_client: Client, engine: Engine, people: People, make_ticket: TicketMaker
) -> None:
    texts = {
        "=": '=HYPERLINK("http://evil.example/x","klik") jalan rusak',
        "+": "+62 21 1234 gangguan lampu jalan di RT 5",
        "-": "-2+3+cmd|' /C calc'!A0 sampah menumpuk",
        "@": "@SUM(1+1)*cmd|' /C calc'!A0 parkir liar",
    }
    made = {prefix: make_ticket(description=text) for prefix, text in texts.items()}
    # A display name is text too (admins type it): an assignee named like a formula.
    with Session(engine) as s, s.begin():
        s.execute(
            update(Officer)
            .where(Officer.id == people.officer)
            .values(display_name="\t=cmd|' /C calc'!A0")
        )
    siti = app_client("siti")
    token = csrf_of(siti, f"/tiket/{made['=']}")
    r = siti.post(
        f"/tiket/{made['=']}/assign", data={"csrf_token": token, "assignee": str(people.officer)}
    )
    assert r.status_code == 303
    r = siti.get("/antrean.csv?status=semua")
    assert r.status_code == 200
    rows = _rows(r.text)
    assert rows[0] == HEADER
    by_id = {row[0]: row for row in rows[1:]}
    for prefix, text in texts.items():
        snippet = by_id[made[prefix]][8]
        assert snippet == "'" + text, (prefix, snippet)
    assert by_id[made["="]][6] == "'\t=cmd|' /C calc'!A0"
    # Every field is quoted, so no cell boundary is left to the spreadsheet's guess.
    assert '"\'=HYPERLINK(""http://evil.example/x"",""klik"") jalan rusak"' in r.text
    for line in r.text.splitlines():
        if line:
            assert line.startswith('"'), line
    for row in rows:
        for cell in row:
            assert not cell.startswith(DANGEROUS), cell


def test_empty_export_still_has_the_header_row(
    app_client: Client, people: People, make_ticket: TicketMaker
) -> None:
    make_ticket()
    r = app_client("siti").get("/antrean.csv?q=tidak-ada-yang-cocok-sama-sekali")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert _rows(r.text) == [HEADER]


def test_export_with_an_impossible_filter_is_refused_not_empty(
    app_client: Client, people: People, make_ticket: TicketMaker
) -> None:
    make_ticket(privacy=PrivacyLevel.PUBLIC)
    siti = app_client("siti")
    for query in (
        "petugas=" + "9" * 30,
        "dari=0001-01-01&sampai=9999-12-31",
        "status=aneh",
    ):
        r = siti.get(f"/antrean.csv?{query}")
        assert r.status_code == 400, (query, r.status_code, r.text[:200])
        assert r.headers["content-type"].startswith("text/html")
        assert "tidak" in r.text.lower()  # an Indonesian explanation, not an empty file
