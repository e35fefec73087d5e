"""Demo figures for the public transparency page: a throwaway database filled with a year of
made-up complaints (no real person, text or place), served by the console app, and a
screenshot of `/transparansi` in headless Chromium (README, "Open data").

    .venv/bin/python -m devtools.transparency_demo                 # docs/transparansi.png
    .venv/bin/python -m devtools.transparency_demo --out x.png --per-month 80

`fill_demo` is also what bench/transparency.py fills its database with.
"""

from __future__ import annotations

import argparse
import random
import secrets
import socket
import tempfile
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from bot.store.models import Category, Privacy, Service, Ticket, TicketStatus
from bot.tickets.deadlines import Deadlines

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Services complained about, with their category; weights roughly as a city might see them.
DEMO_SERVICES: tuple[tuple[str, Category, int], ...] = (
    ("ktp", Category.ADMINDUK, 30),
    ("kk", Category.ADMINDUK, 14),
    ("akta_kelahiran", Category.ADMINDUK, 8),
    ("sim", Category.LAINNYA, 12),
    ("skck", Category.LAINNYA, 6),
    ("paspor", Category.LAINNYA, 5),
    ("stnk", Category.LAINNYA, 7),
    ("pbg", Category.PERIZINAN, 4),
    ("bpjs_kesehatan", Category.KESEHATAN, 9),
    ("sktm", Category.ADMINDUK, 3),
    ("ktp", Category.PUNGLI, 2),
)


def fill_demo(
    engine: Engine,
    deadlines: Deadlines,
    today: date,
    months: int = 12,
    per_month: int = 60,
    seed: int = 7,
    tz_name: str = "Asia/Jakarta",
) -> int:
    """Insert about `per_month` made-up complaints for each of the `months` months up to
    `today`, at every stage; returns how many. Texts are placeholders, no citizen."""
    rng = random.Random(seed)
    tz = ZoneInfo(tz_name)
    with Session(engine) as s:
        offices = dict(s.execute(select(Service.id, Service.office_id)).tuples().all())
    choices = [x for x in DEMO_SERVICES if x[0] in offices]
    weights = [w for _, _, w in choices]
    rows: list[dict[str, Any]] = []
    with Session(engine) as s:
        id_base = int(s.scalar(select(func.count()).select_from(Ticket)) or 0)
    start = date(today.year, today.month, 1)
    for back in range(months - 1, -1, -1):
        first = _shift(start, -back)
        days = (_shift(first, 1) - first).days
        growth = 0.7 + 0.6 * (months - back) / months
        for _ in range(int(rng.gauss(per_month * growth, per_month * 0.15))):
            filed_on = first + timedelta(days=rng.randrange(days))
            if filed_on > today:
                continue
            service, category, _ = rng.choices(choices, weights)[0]
            public_id = _public_id(id_base + len(rows))
            rows.append(
                _ticket(rng, deadlines, today, tz, filed_on, service, category, offices, public_id)
            )
    with Session(engine) as s, s.begin():
        for i in range(0, len(rows), 2000):
            # render_nulls: a None is NULL (the ORM's bulk insert would apply due_on's default)
            s.execute(insert(Ticket).execution_options(render_nulls=True), rows[i : i + 2000])
    return len(rows)


def _public_id(i: int) -> str:
    """A distinct made-up ticket id for every i below 32**6 (a bijection, no collisions)."""
    n = (i * 7919 + 12345) % (32**6)
    return "ADU-" + "".join(CROCKFORD[(n >> (5 * k)) & 31] for k in range(5, -1, -1))


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _ticket(
    rng: random.Random,
    deadlines: Deadlines,
    today: date,
    tz: ZoneInfo,
    filed_on: date,
    service: str,
    category: Category,
    offices: dict[str, str],
    public_id: str,
) -> dict[str, Any]:
    def moment(day: date) -> datetime:
        local = datetime(day.year, day.month, day.day, rng.randint(8, 15), rng.randint(0, 59))
        return local.replace(tzinfo=tz).astimezone(timezone.utc)

    privacy = (
        Privacy.CONFIDENTIAL
        if category == Category.PUNGLI
        else rng.choices(list(Privacy), [80, 13, 7])[0]
    )
    verify_due = deadlines.verify_due(filed_on)
    row: dict[str, Any] = {
        "public_id": public_id,
        "citizen_id": None,
        "idempotency_key": secrets.token_hex(16),
        "category": category,
        "description": "Contoh pengaduan untuk demo halaman transparansi.",
        "location_text": None,
        "privacy": privacy,
        "status": TicketStatus.BARU,
        "office_id": offices[service],
        "service_id": service,
        "created_at": moment(filed_on),
        "verify_due": verify_due,
        "due_on": verify_due,
        "verified_at": None,
        "followup_due": None,
        "resolve_due": None,
        "closed_at": None,
    }
    verified_on = deadlines.calendar.add_working_days(
        filed_on, rng.choices(range(6), [10, 30, 25, 20, 10, 5])[0]
    )
    if verified_on > today or rng.random() < 0.04:
        if rng.random() < 0.05 and filed_on < today:
            row.update(status=TicketStatus.DITOLAK, closed_at=moment(today), due_on=None)
        return row
    resolve_due = deadlines.resolve_due(verified_on, category)
    days = deadlines.policy.days_for(category)
    row.update(
        status=TicketStatus.DIPROSES,
        verified_at=moment(verified_on),
        followup_due=deadlines.followup_due(verified_on),
        resolve_due=resolve_due,
        due_on=resolve_due,
    )
    took = max(1, int(rng.triangular(1, days * 1.5, days * 0.6)))
    closed_on = deadlines.calendar.add_working_days(verified_on, took)
    if closed_on <= today:
        row.update(status=TicketStatus.SELESAI, closed_at=moment(closed_on), due_on=None)
    return row


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def screenshot(out: Path, per_month: int, until: str = "#monthly") -> None:
    """Fill a throwaway SQLite database, serve the console, photograph /transparansi from
    its top to the end of the element `until` (a CSS selector)."""
    import uvicorn
    from playwright.sync_api import sync_playwright

    from bot.config import Settings
    from bot.officer.web import create_app
    from bot.store.db import get_engine, prepare_database
    from bot.tickets.deadlines import current_deadlines, local_today

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        settings = Settings(database_url=url, var_dir=Path(tmp), app_env="development")
        prepare_database(url, seed="always")
        engine = get_engine(url)
        today = local_today(settings.timezone)
        count = fill_demo(engine, current_deadlines(engine, settings), today, per_month=per_month)
        print(f"{count} demo complaints")
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings, engine), port=port, log_level="warning", ws="none")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the console did not start")
            time.sleep(0.05)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="id-ID")
                page.goto(f"http://127.0.0.1:{port}/transparansi")
                box = page.locator(until).bounding_box()
                height = int(box["y"] + box["height"] + 24) if box else 2400
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=str(out),
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": 1280, "height": height},
                )
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "transparansi.png")
    parser.add_argument("--per-month", type=int, default=60)
    parser.add_argument("--until", default="#monthly", help="CSS selector the picture ends with")
    args = parser.parse_args(argv)
    screenshot(args.out, args.per_month, args.until)


if __name__ == "__main__":
    main()
