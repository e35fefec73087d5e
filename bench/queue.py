"""Officer console queue benchmark on PostgreSQL.

Creates its own database on the server of TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres), migrates it, bulk-inserts 1,000,000 tickets
with COPY (two years of complaints; status depends on age as in a working office: recent
tickets open, older ones mostly closed; weighted categories, units and privacy; deadlines
from the working-day calendar), then measures the server time of the queue page, through
the real app (session lookup, queries and template rendering), for:

- the default view (open tickets, nearest deadline first) of a supervisor;
- a filtered view (status, category, unit, overdue) of a supervisor;
- page 500 of the default view (reached by following the keyset cursors);
- the default view of an officer of one unit.

Prints p50 and p95 per view, then drops the database (unless --keep).

    .venv/bin/python bench/queue.py [--tickets 1000000] [--repeat 30] [--keep]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file is called queue.py: keep its folder off the path so `import queue` (stdlib,
# used by psycopg and uvicorn) is not this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-password-123"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CATEGORIES = [
    ("adminduk", 22), ("infrastruktur", 20), ("kebersihan", 12), ("kesehatan", 8),
    ("pendidikan", 6), ("pungli", 3), ("perizinan", 8), ("ketertiban", 9),
    ("transportasi", 7), ("lainnya", 5),
]  # fmt: skip
TEXTS = [
    "Antrean perekaman KTP-el di kecamatan sangat panjang, sudah menunggu {n} jam.",
    "Jalan berlubang di dekat pasar sudah {n} minggu tidak diperbaiki, membahayakan motor.",
    "Sampah menumpuk di TPS RW {n} dan belum diangkut, baunya menyebar ke rumah warga.",
    "Petugas loket meminta biaya tambahan Rp{n}0.000 tanpa kuitansi resmi.",
    "Lampu penerangan jalan mati sejak {n} hari, jalan gelap pada malam hari.",
    "Pengurusan akta kelahiran anak saya belum selesai setelah {n} minggu.",
    "Parkir liar di depan sekolah membuat macet setiap pagi, sudah {n} kali dilaporkan.",
    "Drainase tersumbat sehingga banjir setinggi {n}0 cm setiap hujan deras.",
]


def _public_id(i: int) -> str:
    n = (i * 7919 + 12345) % (32**6)  # a bijection on 0..32^6-1: unique ids
    return "ADU-" + "".join(CROCKFORD[(n >> (5 * k)) & 31] for k in range(5, -1, -1))


def _status_for_age(rng: random.Random, age_days: int) -> str:
    if age_days < 3:
        table = [("baru", 50), ("diverifikasi", 30), ("diproses", 15), ("ditolak", 5)]
    elif age_days < 14:
        table = [("baru", 5), ("diverifikasi", 15), ("diproses", 40), ("menunggu_warga", 10),
                 ("selesai", 25), ("ditolak", 5)]  # fmt: skip
    elif age_days < 60:
        table = [("baru", 1), ("diverifikasi", 3), ("diproses", 12), ("menunggu_warga", 4),
                 ("selesai", 70), ("ditolak", 10)]  # fmt: skip
    else:
        table = [("diproses", 10), ("menunggu_warga", 5), ("selesai", 885), ("ditolak", 100)]
    names, weights = zip(*table, strict=True)
    return rng.choices(names, weights)[0]


def fill(url: str, count: int, seed: int = 7) -> dict[str, int]:
    """Migrate, seed the catalogue, create accounts, COPY `count` tickets. Returns ids."""
    import psycopg
    from sqlalchemy.engine import make_url

    from bot.officer.accounts import create_account
    from bot.store.db import get_engine, prepare_database
    from bot.store.models import Category, OfficerRole
    from bot.tickets.deadlines import Deadlines, HolidayCalendar, ResolutionPolicy

    prepare_database(url, seed="always")
    engine = get_engine(url)
    with engine.connect() as c:
        offices = [r[0] for r in c.exec_driver_sql("SELECT id FROM offices ORDER BY id")]
        services = {
            o: [
                r[0]
                for r in c.exec_driver_sql("SELECT id FROM services WHERE office_id = %s", (o,))
            ]
            for o in offices
        }
    ids = {
        "supervisor": create_account(engine, "bench-sup", PASSWORD, OfficerRole.SUPERVISOR, []),
        "officer": create_account(
            engine, "bench-officer", PASSWORD, OfficerRole.OFFICER, [offices[0]]
        ),
    }
    assignees = [
        create_account(
            engine, f"petugas{i:02d}", PASSWORD, OfficerRole.OFFICER, [offices[i % len(offices)]]
        )
        for i in range(20)
    ]
    calendar = HolidayCalendar.from_file(ROOT / "data" / "holidays.yml")
    deadlines = Deadlines(
        calendar, ResolutionPolicy.from_file(ROOT / "data" / "resolution_days.yml")
    )
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    today = now.date()
    cats, cat_w = zip(*CATEGORIES, strict=True)
    office_w = [30, 12, 10, 9, 8, 8, 7, 6, 5, 3, 2][: len(offices)]
    columns = (
        "public_id, idempotency_key, category, description, location_text, latitude, longitude, "
        "privacy, status, office_id, service_id, created_at, updated_at, verify_due, "
        "followup_due, resolve_due, closed_at, due_on, assignee_id, verified_at, resolution, "
        "rejection_reason"
    )
    pg = make_url(url)
    started = time.perf_counter()
    with (
        psycopg.connect(
            host=pg.host, port=pg.port or 5432, user=pg.username, dbname=pg.database
        ) as conn,
        conn.cursor() as cur,
    ):
        with cur.copy(f"COPY tickets ({columns}) FROM STDIN") as copy:
            for i in range(count):
                age = int(rng.random() ** 1.3 * 730)  # more recent complaints than old ones
                created = now - timedelta(days=age, seconds=rng.randrange(86400))
                filed_on = created.date()
                status = _status_for_age(rng, age)
                category = rng.choices(cats, cat_w)[0]
                office = (
                    None
                    if status == "baru" and rng.random() < 0.1
                    else rng.choices(offices, office_w)[0]
                )
                privacy = (
                    "confidential"
                    if category == "pungli"
                    else rng.choices(("public", "anonymous", "confidential"), (85, 12, 3))[0]
                )
                verify_due = deadlines.verify_due(filed_on)
                verified_at = followup_due = resolve_due = closed_at = None
                assignee = None
                if status not in ("baru",) and not (status == "ditolak" and rng.random() < 0.5):
                    verified_at = created + timedelta(hours=rng.uniform(1, 90))
                    v_day = min(verified_at.date(), today)
                    followup_due = deadlines.followup_due(v_day)
                    resolve_due = deadlines.resolve_due(v_day, Category(category))
                    if rng.random() < 0.7:
                        assignee = rng.choice(assignees)
                if status in ("selesai", "ditolak"):
                    base = verified_at or created
                    closed_at = min(base + timedelta(days=rng.expovariate(1 / 9)), now)
                due_on = {
                    "baru": verify_due,
                    "diverifikasi": followup_due,
                    "diproses": resolve_due,
                    "menunggu_warga": resolve_due,
                }.get(status)
                copy.write_row(
                    (
                        _public_id(i), f"bench-{i}", category,
                        rng.choice(TEXTS).format(n=rng.randint(2, 9)),
                        f"Kelurahan {rng.randint(1, 60)}",
                        None, None, privacy, status, office,
                        rng.choice(services[office]) if office and services[office] else None,
                        created, closed_at or verified_at or created, verify_due, followup_due,
                        resolve_due, closed_at, due_on, assignee, verified_at,
                        "Sudah ditindaklanjuti." if status == "selesai" else None,
                        "Bukan kewenangan instansi kami." if status == "ditolak" else None,
                    )
                )  # fmt: skip
                if i and i % 200_000 == 0:
                    print(f"    {i:,} tickets ({time.perf_counter() - started:.0f} s)", flush=True)
        conn.commit()
    # What autovacuum does on a live database: statistics and the visibility map.
    with (
        psycopg.connect(
            host=pg.host,
            port=pg.port or 5432,
            user=pg.username,
            dbname=pg.database,
            autocommit=True,
        ) as conn,
        conn.cursor() as cur,
    ):
        cur.execute("VACUUM ANALYZE tickets")
        cur.execute("SELECT status, count(*) FROM tickets GROUP BY status ORDER BY 2 DESC")
        print("    " + ", ".join(f"{s} {n:,}" for s, n in cur.fetchall()))
    print(f"==> {count:,} tickets inserted with COPY in {time.perf_counter() - started:.0f} s")
    return ids


def measure(url: str, repeat: int, ids: dict[str, int]) -> list[tuple[str, float, float, int]]:
    """p50/p95 (ms) of the queue page's server time for each view."""
    from fastapi.testclient import TestClient

    from bot.config import get_settings
    from bot.officer.queue import QueueFilter
    from bot.officer.web import create_app
    from bot.store.db import get_engine
    from bot.tickets.deadlines import local_today

    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    settings = get_settings()
    app = create_app(settings, get_engine(url))
    console = app.state.console

    def client(username: str) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        page = c.get("/masuk")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        r = c.post(
            "/masuk",
            data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert r.status_code == 303, r.text
        return c

    supervisor, officer = client("bench-sup"), client("bench-officer")
    from sqlalchemy.orm import Session

    from bot.officer.access import viewer_for
    from bot.store.models import Officer

    with Session(get_engine(url)) as s:
        sup_viewer = viewer_for(s, s.get(Officer, ids["supervisor"]))
    # Page 500: follow the cursors of pages 1..499 (what clicking "next" 499 times does).
    cursor = ""
    today = local_today(settings.timezone)
    page_no = 1
    while page_no < 500:  # small runs (--tickets) may have fewer pages: the last one then
        page = console.queue.page(sup_viewer, QueueFilter(), cursor, today, with_counts=False)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
        page_no += 1
    views = [
        ("default view (supervisor, open, by deadline)", supervisor, "/antrean"),
        (
            "filtered view (diproses, infrastruktur, disdukcapil, overdue)",
            supervisor,
            "/antrean?status=diproses&kategori=infrastruktur&unit=disdukcapil&terlambat=1",
        ),
        (
            f"page {page_no} of the default view",
            supervisor,
            f"/antrean?setelah={cursor}&hal={page_no}",
        ),
        ("officer default view (one unit)", officer, "/antrean"),
        ("text search 'berlubang' (supervisor)", supervisor, "/antrean?q=berlubang"),
    ]
    results = []
    for name, c, path in views:
        c.get(path)  # warm
        times = []
        rows = 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            r = c.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text[:500]
            rows = r.text.count('<tr class="')
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        results.append((name, statistics.median(times), p95, rows))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()

    import psycopg
    from sqlalchemy.engine import make_url

    from bot.store.db import dispose_engines

    admin = make_url(ADMIN_URL)
    name = f"layanan_bench_{uuid.uuid4().hex[:8]}"

    def connect():  # type: ignore[no-untyped-def]
        return psycopg.connect(
            host=admin.host, port=admin.port or 5432, user=admin.username,
            dbname=admin.database, autocommit=True,
        )  # fmt: skip

    with connect() as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = str(admin.set(database=name, drivername="postgresql+psycopg"))
    print(f"==> database {name}")
    try:
        ids = fill(url, args.tickets)
        results = measure(url, args.repeat, ids)
        print(f"==> queue page server time over {args.repeat} requests ({args.tickets:,} tickets)")
        print(f"    {'view':64} {'p50 ms':>8} {'p95 ms':>8} rows")
        for view, p50, p95, rows in results:
            print(f"    {view:64} {p50:8.1f} {p95:8.1f} {rows}")
    finally:
        dispose_engines()
        if not args.keep:
            with connect() as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"==> database {name} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
