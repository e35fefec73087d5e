"""The queue: filters, search, sorts, keyset pagination and the CSV export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.officer.queue import Queue, QueueFilter, decode_cursor
from bot.store.models import Category, Privacy, TicketStatus
from bot.tickets.deadlines import local_today
from tests.utils.officer import People, TicketMaker, viewer

Client = Callable[..., TestClient]


def _ids(queue: Queue, v: object, f: QueueFilter) -> list[str]:
    today = local_today("Asia/Jakarta")
    out, cursor = [], ""
    while True:
        page = queue.page(v, f, cursor, today)  # type: ignore[arg-type]
        out += [r.public_id for r in page.rows]
        if not page.next_cursor:
            return out
        cursor = page.next_cursor


def test_keyset_pages_cover_every_ticket_once_in_order(
    engine: Engine, people: People, make_ticket: TicketMaker
) -> None:
    today = local_today("Asia/Jakarta")
    made = []
    for i in range(13):
        made.append(
            make_ticket(
                description=f"Keluhan nomor {i} tentang pelayanan KTP yang lambat sekali.",
                due_on=today + timedelta(days=i % 4),
                created_at=datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(hours=i),
            )
        )
    closed = make_ticket(
        description="Sudah selesai ditangani dengan baik oleh petugas.",
        status=TicketStatus.SELESAI,
        due_on=None,
    )
    supervisor = viewer(engine, people.supervisor)
    queue = Queue(engine, page_size=5)
    by_due = _ids(queue, supervisor, QueueFilter())
    assert sorted(by_due) == sorted(made) and len(by_due) == 13
    # Two-phase deadline sort: closed tickets (no deadline) come after all open ones.
    everything = _ids(queue, supervisor, QueueFilter(status="semua"))
    assert everything[-1] == closed and len(everything) == 14 and len(set(everything)) == 14
    newest = _ids(queue, supervisor, QueueFilter(sort="terbaru", status="semua"))
    assert newest[0] == closed and newest[1:] == made[::-1]
    oldest = _ids(queue, supervisor, QueueFilter(sort="terlama"))
    assert oldest == made


def test_filters_and_search(engine: Engine, people: People, make_ticket: TicketMaker) -> None:
    today = local_today("Asia/Jakarta")
    road = make_ticket(
        description="Jalan berlubang 100% parah di depan pasar_baru.",
        category=Category.INFRASTRUKTUR,
        due_on=today - timedelta(days=3),
    )
    anon = make_ticket(privacy=Privacy.ANONYMOUS, description="Petugas tidak ramah di loket KK.")
    sim = make_ticket(service_id="sim", description="Ujian SIM diminta uang pelicin oleh calo.")
    no_unit = make_ticket(
        service_id=None,
        description="Pengumuman di papan informasi sudah usang.",
        category=Category.LAINNYA,  # no owner: the general complaint unit
    )
    supervisor = viewer(engine, people.supervisor)
    queue = Queue(engine)

    def ids(**kw: object) -> set[str]:
        return set(_ids(queue, supervisor, QueueFilter(**kw)))  # type: ignore[arg-type]

    assert ids(category="infrastruktur") == {road}
    assert ids(privacy="anonymous") == {anon}
    assert ids(unit="satpas") == {sim}
    assert ids(unit="-") == {no_unit}
    assert ids(overdue=True) == {road}
    assert ids(q="berlubang") == {road}
    assert ids(q="100%") == {road}  # LIKE wildcards are literal
    assert ids(q="pasar_baru") == {road}
    assert ids(q="50%") == set()
    assert ids(q=sim.lower()) == {sim}  # a ticket id finds that ticket
    assert ids(status="diproses") == set()
    assert ids(assignee="-") == {road, anon, sim, no_unit}
    assert ids(date_from=today + timedelta(days=1)) == set()
    assert ids(date_from=today, date_to=today) == {road, anon, sim, no_unit}


def test_filter_parsing_rejects_unknown_values() -> None:
    import pytest

    from bot.officer.queue import BadFilter

    for params in (
        {"status": "x"},
        {"kategori": "parkir"},
        {"urut": "acak"},
        {"dari": "2026-13-01"},
        {"petugas": "bob"},
        {"privasi": "open"},
        {"petugas": "99999999999999999999999"},
        {"petugas": "²"},
        {"dari": "0001-01-01"},
        {"sampai": "9999-12-31"},
        {"dari": "31/02/2026"},
    ):
        with pytest.raises(BadFilter):
            QueueFilter.from_params(params)
    f = QueueFilter.from_params({"status": "baru", "terlambat": "1", "q": "  jalan   rusak "})
    assert f.overdue and f.q == "jalan rusak"
    assert QueueFilter.from_params(f.to_params()) == f
    dated = QueueFilter.from_params({"dari": "01/02/2026", "sampai": "2026-02-28"})
    assert (dated.date_from, dated.date_to) == (date(2026, 2, 1), date(2026, 2, 28))
    assert dated.to_params()["dari"] == "01/02/2026"
    assert QueueFilter.from_params(dated.to_params()) == dated
    assert decode_cursor("!!!", "tenggat") is None
    assert decode_cursor("WzAsIjIwMjYtMDEtMDEiLDVd", "terbaru") is None


def test_queue_page_highlights_and_counts_overdue_per_unit(
    app_client: Client, people: People, make_ticket: TicketMaker
) -> None:
    today = local_today("Asia/Jakarta")
    late = make_ticket(due_on=today - timedelta(days=10))
    make_ticket(description="Antrean panjang di loket akta kelahiran pagi ini.", due_on=today)
    text = app_client("budi").get("/antrean").text
    assert 'class="overdue"' in text and 'class="soon"' in text
    assert "terlambat" in text and "jatuh tempo hari ini" in text
    assert "Terlambat per unit" in text and ": 1</span>" in text
    assert late in text
    bad = app_client("budi").get("/antrean?status=aneh")
    assert bad.status_code == 400 and "Status tidak dikenal." in bad.text


def test_csv_export_is_filtered_masked_and_supervisor_only(
    app_client: Client, people: People, make_ticket: TicketMaker
) -> None:
    public = make_ticket(description="NIK saya 3201234567890123, hubungi 081234567890 ya pak.")
    secret = make_ticket(privacy=Privacy.CONFIDENTIAL, description="Pungli rahasia di loket 7.")
    r = app_client("siti").get("/antrean.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    lines = r.text.splitlines()
    assert lines[0].startswith('"tiket","dibuat","status","kategori"')
    assert public in r.text and secret in r.text
    assert "3201234567890123" not in r.text and "081234567890" not in r.text
    assert "[NIK]" in r.text and "[telepon]" in r.text
    assert "Pungli rahasia" not in r.text
    filtered = app_client("siti").get("/antrean.csv?privasi=confidential").text
    assert secret in filtered and public not in filtered
    assert app_client("budi").get("/antrean.csv").status_code == 403
    assert date.today().isoformat()[:4] in r.headers["content-disposition"]
