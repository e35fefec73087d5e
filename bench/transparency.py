"""Public transparency page benchmark on PostgreSQL.

Creates its own database on the server of TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/postgres), migrates it, fills 12 months of made-up
complaints (devtools.transparency_demo.fill_demo, about --per-month a month), then measures
through the real app, in process:

- the cold page: the first `/transparansi` (12 months counted);
- warm answers of `/transparansi`, `data.json` and `data.csv` (served from the cache);
- a recount: the page after the cache's time is up (the figures counted again).

Prints the figures, then drops the database (unless --keep).

    .venv/bin/python bench/transparency.py [--per-month 10000] [--repeat 50] [--keep]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue (psycopg and uvicorn use it).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def run(url: str, per_month: int, repeat: int) -> None:
    from fastapi.testclient import TestClient

    from bot.config import Settings
    from bot.officer.web import create_app
    from bot.store.db import get_engine, prepare_database
    from bot.tickets.deadlines import current_deadlines, local_today
    from devtools.transparency_demo import fill_demo

    prepare_database(url, seed="always")
    engine = get_engine(url)
    settings = Settings(database_url=url)
    started = time.perf_counter()
    count = fill_demo(
        engine, current_deadlines(engine, settings), local_today(settings.timezone), 12, per_month
    )
    print(f"filled {count} complaints in {time.perf_counter() - started:.1f} s")
    app = create_app(settings, engine)
    with TestClient(app) as client:
        started = time.perf_counter()
        assert client.get("/transparansi").status_code == 200
        print(f"cold page (12 months counted): {(time.perf_counter() - started) * 1000:.0f} ms")
        for path in ("/transparansi", "/transparansi/data.json", "/transparansi/data.csv"):
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                samples.append(time.perf_counter() - started)
            p50, p95 = _ms(samples)
            print(f"warm {path}: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({repeat} requests)")
        from bot.officer.web.routes_public import Answers

        publisher = app.state.transparency
        publisher.ttl_s = 0.0  # every request counts again and renders again
        app.state.transparency_answers = Answers(publisher.clock)
        samples = []
        for _ in range(max(3, repeat // 10)):
            started = time.perf_counter()
            assert client.get("/transparansi").status_code == 200
            samples.append(time.perf_counter() - started)
        p50, p95 = _ms(samples)
        print(f"recount (cache expired): p50 {p50:.0f} ms, p95 {p95:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--per-month", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    import psycopg
    from sqlalchemy.engine import make_url

    from bot.store.db import dispose_engines

    name = f"bench_transparency_{uuid.uuid4().hex[:8]}"
    admin = make_url(ADMIN_URL)
    conninfo = (
        f"host={admin.host} port={admin.port or 5432} user={admin.username} dbname={admin.database}"
    )
    with psycopg.connect(conninfo, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )
    try:
        run(url, args.per_month, args.repeat)
    finally:
        dispose_engines()
        if not args.keep:
            with psycopg.connect(conninfo, autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
