"""Screenshots of the officer console for the docs: a throwaway SQLite database, migrated and
seeded with the catalogue, filled with made-up demo data (no real person, text or place)
through the product's own functions, the console served on a free port, and full-page
pictures at 1280 px taken in headless Chromium signed in as admin, officer and supervisor.

    .venv/bin/python -m devtools.console_screenshots               # docs/*.png
    .venv/bin/python -m devtools.console_screenshots --out /tmp/x  # elsewhere

Pictures: katalog-sumber.png (the catalogue editor of one service: each fact's source,
checked date, regional flag, stale-fact badges), perlu-diperiksa.png, obrolan-antrean.png
(the live chat queue), obrolan-langsung.png (an officer's live chat with delivery states),
skm-laporan.png (the supervisor's SKM report with IKM per unit and service, per-element
NRR and the trend chart).
"""

from __future__ import annotations

import argparse
import random
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from devtools.transparency_demo import CHROMIUM, CHROMIUM_ARGS, ROOT, _free_port, _shift

WIDTH = 1280
SERVICE_SHOWN = "ktp"  # the service whose catalogue editor is photographed
SKM_MONTHS = 8  # months of made-up survey answers up to this one


@dataclass(frozen=True)
class Demo:
    """What the pictures need to find in the demo database."""

    password: str
    chat_id: int  # the live chat the officer holds


# -- the catalogue: a few facts checked long ago, one without a source, one never checked ------


def age_catalogue(engine: Engine, admin_id: int, today: date) -> None:
    """Make some catalogue facts need a check, through the admin editor's own save
    (bot.officer.catalogue_admin.update_service with the date of the check): stale checks,
    a dropped source and a fact never checked."""
    from bot.officer import catalogue_admin
    from bot.store.models import ServiceFact

    long_ago = today - timedelta(days=240)
    last_year = today - timedelta(days=400)
    changes: dict[str, dict[str, tuple[date, str | None]]] = {
        # aspect -> (checked on, new source; None keeps the stored one, "" drops it)
        "ktp": {"cost": (long_ago, None), "duration": (last_year, None)},
        "sim": {"requirements": (long_ago, None), "cost": (today, "")},
        "paspor": {"duration": (last_year, None)},
        "skck": {"cost": (long_ago, "")},
    }
    for service_id, facts in changes.items():
        for aspect, (day, source) in facts.items():
            row = catalogue_admin.get_service(engine, service_id)
            assert row is not None, service_id
            form = _service_form(row)
            form[catalogue_admin.fact_field("checked", aspect)] = "1"
            if source is not None:
                form[catalogue_admin.fact_field("source", aspect)] = source
            catalogue_admin.update_service(engine, service_id, form, admin_id, day)
    # A fact the catalogue file never dated: the bare row the seed would leave.
    with Session(engine) as s, s.begin():
        fact = s.scalar(
            select(ServiceFact).where(
                ServiceFact.service_id == "kk", ServiceFact.aspect == "location_hours"
            )
        )
        if fact is not None:
            fact.checked = None


def _service_form(row: object) -> dict[str, str]:
    """The editor's form as a browser would post it unchanged."""
    from bot.officer.catalogue_admin import LIST_FIELDS, TEXT_FIELDS, ServiceRow

    assert isinstance(row, ServiceRow)
    form = {"name": row.name, "office_id": row.office_id}
    for field in TEXT_FIELDS:
        form[field] = getattr(row, field) or ""
    for field in LIST_FIELDS:
        form[field] = "\n".join(getattr(row, field))
    return form


# -- the live chats: one taken with messages both ways, others waiting ---------------------------


def _working_morning(now: datetime, tz: ZoneInfo) -> datetime:
    """10:05 local on the latest weekday whose 10:05 has passed (units are open then)."""
    local = now.astimezone(tz)
    day = local.date() if local.hour >= 11 else local.date() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 5, tzinfo=tz).astimezone(timezone.utc)


def fill_live_chats(engine: Engine, officer_id: int, tz_name: str) -> int:
    """A citizen asks the assistant about a KTP, asks for a person, an officer takes the chat
    and they write back and forth; the first replies are delivered, the last waits in the
    outbox. Two more citizens wait and one asked to be called back. Returns the chat's id."""
    from bot.handoff.chats import LiveChats
    from bot.officer.access import viewer_for
    from bot.store.consent import ConsentRepository
    from bot.store.models import LiveChatMessage, Officer
    from bot.store.outbox import OutboxRepository

    tz = ZoneInfo(tz_name)
    start = _working_morning(datetime.now(timezone.utc), tz)
    chats = LiveChats(engine, tz_name)
    consent = ConsentRepository(engine)
    helpdesk = ("Unit Pengaduan (umum)", "Senin–Jumat 08.00–16.00 WIB")

    def at(minutes: float) -> datetime:
        return start + timedelta(minutes=minutes)

    sender = "900100201"
    consent.record(sender, int(sender), "Rina Contoh")
    history = (
        (at(-3), "warga", "syarat bikin ktp baru apa aja ya"),
        (
            at(-2.9),
            "asisten",
            "Persyaratan KTP-el: berusia 17 tahun atau sudah kawin, fotokopi KK.",
        ),
        (at(-1), "warga", "sudah 3 minggu ktp saya belum jadi, katanya blanko habis"),
        (at(-0.9), "asisten", "Maaf atas kendalanya. Mau saya hubungkan dengan petugas?"),
    )
    requested = chats.request(sender, "ktp", history, frozenset(), *helpdesk, now=at(0))
    assert requested.opened, "the demo chat must fall within the unit's hours"
    chat_id = requested.chat_id
    with Session(engine) as s:
        officer = s.get(Officer, officer_id)
        assert officer is not None
        viewer = viewer_for(s, officer)
    chats.take(viewer, chat_id, now=at(1.5))
    outbox = OutboxRepository(engine)
    lines = (
        (2.0, "warga", "Halo pak, KTP saya sudah 3 minggu belum jadi. Rekamnya di kecamatan."),
        (3.5, "petugas", "Selamat pagi, Bu. Saya bantu cek. Perekaman di kecamatan mana, Bu?"),
        (4.5, "warga", "Kecamatan Contoh Barat, tanggal 2 bulan lalu."),
        (6.0, "petugas", "Terima kasih. Blanko untuk kecamatan itu sudah dikirim kemarin."),
        (6.5, "petugas", "KTP Ibu bisa diambil mulai besok pukul 08.00 dengan membawa KK asli."),
        (8.0, "warga", "Baik pak, terima kasih banyak infonya"),
        (9.0, "petugas", "Sama-sama, Bu. Ada lagi yang bisa kami bantu?"),
    )
    delivered = 0
    for minutes, who, body in lines:
        if who == "warga":
            chats.add_citizen_message(sender, body, now=at(minutes))
            continue
        message_id = chats.send(viewer, chat_id, body, now=at(minutes))
        with Session(engine) as s:
            outbox_id = s.scalar(
                select(LiveChatMessage.outbox_id).where(LiveChatMessage.id == message_id)
            )
        delivered += 1
        if outbox_id is not None and delivered < 4:  # the last reply is still on its way
            outbox.sent(outbox_id, 5000 + delivered)
    # Others in the queue: waiting in the officer's unit and the general unit, and a call-back.
    for i, (service, minutes) in enumerate((("kk", 11.0), (None, 12.5), ("akta_kelahiran", 14.0))):
        other = f"90010030{i}"
        consent.record(other, int(other), None)
        chats.request(other, service, (), frozenset(), *helpdesk, now=at(minutes))
    callback = "900100400"
    consent.record(callback, int(callback), None)
    chats.request_callback(callback, "ktp", now=at(-60 * 14))
    return chat_id


# -- the SKM survey: made-up answers over several months --------------------------------------

# service -> (respondents a month, mean score of its answers); >= 5 a group except one.
SKM_SERVICES: tuple[tuple[str, int, float], ...] = (
    ("ktp", 4, 3.2),
    ("kk", 3, 3.4),
    ("akta_kelahiran", 2, 3.6),
    ("sim", 3, 2.7),
    ("paspor", 2, 3.0),
    ("bpjs_kesehatan", 1, 2.9),
    ("pbg", 0, 2.5),  # only in the last month, below the minimum: shown as a count
)


def fill_skm(engine: Engine, secret_key: str, tz_name: str, months: int, seed: int = 11) -> int:
    """Surveys answered through bot.store.skm.SkmStore (start, answer, finish) by made-up
    consenting respondents over `months` months up to this one, slowly improving; the
    third element (waiting time) scores lowest. Returns how many."""
    from bot.store.consent import ConsentRepository
    from bot.store.skm import SkmStore

    rng = random.Random(seed)
    tz = ZoneInfo(tz_name)
    store = SkmStore(engine, secret_key, tz_name)
    consent = ConsentRepository(engine)
    now = datetime.now(timezone.utc)
    first_of_month = now.astimezone(tz).date().replace(day=1)
    count = 0
    for back in range(months - 1, -1, -1):
        month = _shift(first_of_month, -back)
        last_day = (now.astimezone(tz).date() if back == 0 else _shift(month, 1) - timedelta(1)).day
        lift = 0.35 * (months - 1 - back) / max(1, months - 1)
        for service, per_month, mean in SKM_SERVICES:
            n = per_month + (2 if service == "pbg" and back == 0 else 0)
            for _ in range(n):
                day = rng.randint(1, last_day)
                local = datetime(
                    month.year, month.month, day, rng.randint(8, 20), rng.randint(0, 59)
                )
                moment = min(local.replace(tzinfo=tz).astimezone(timezone.utc), now)
                sender = str(800_000_000 + count)
                consent.record(sender, int(sender), None)
                survey, _ = store.start(sender, service, now=moment)
                assert survey is not None
                for position in range(9):
                    target = mean + lift - (0.6 if position == 2 else 0.0)
                    score = None if rng.random() < 0.03 else _score(rng, target)
                    store.answer(sender, survey.id, position, score, now=moment)
                store.finish(sender, survey.id, None, now=moment)
                count += 1
    return count


def _score(rng: random.Random, mean: float) -> int:
    return max(1, min(4, round(rng.gauss(mean, 0.6))))


# -- serving and photographing ----------------------------------------------------------------


@contextmanager
def served(settings: object, engine: Engine) -> Iterator[str]:
    """The console app on a free local port (uvicorn in a thread); yields its base URL."""
    import uvicorn

    from bot.config import Settings
    from bot.officer.web import create_app

    assert isinstance(settings, Settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, engine),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            ws="none",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the console did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def photograph(base: str, demo: Demo, out: Path) -> list[Path]:
    """Sign in as each role and take the pictures; returns the files written."""
    from playwright.sync_api import Browser, Page, sync_playwright

    written: list[Path] = []

    def signed_in(browser: Browser, username: str) -> Page:
        page = browser.new_context(
            viewport={"width": WIDTH, "height": 900}, locale="id-ID"
        ).new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{base}/masuk")
        page.get_by_label("Nama pengguna").fill(username)
        page.get_by_label("Kata sandi").fill(demo.password)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(lambda url: "/masuk" not in url)
        return page

    def shot(page: Page, path: str, name: str, must_show: str) -> None:
        response = page.goto(f"{base}{path}")
        status = response.status if response is not None else 0
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}:\n{page.content()[:2000]}")
        page.locator(must_show).first.wait_for()
        target = out / name
        page.screenshot(path=str(target), full_page=True)
        written.append(target)
        print(f"wrote {target}")

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            admin = signed_in(browser, "admin")
            shot(admin, f"/admin/layanan/{SERVICE_SHOWN}", "katalog-sumber.png", "table.facts")
            shot(admin, "/admin/layanan/perlu-diperiksa", "perlu-diperiksa.png", "table.list")
            officer = signed_in(browser, "budi")
            shot(officer, "/obrolan", "obrolan-antrean.png", "table.live-waiting")
            shot(officer, f"/obrolan/{demo.chat_id}", "obrolan-langsung.png", "ol.transcript")
            supervisor = signed_in(browser, "siti")
            shot(supervisor, "/laporan/skm", "skm-laporan.png", "#skm-elements")
        finally:
            browser.close()
    return written


def build(tmp: Path) -> tuple[object, Engine, Demo]:
    """The demo database under `tmp`: migrated, catalogue seeded, accounts, catalogue
    facts to check, live chats, survey answers."""
    from bot.config import Settings
    from bot.officer import accounts
    from bot.store.db import get_engine, prepare_database
    from bot.store.models import OfficerRole
    from bot.tickets.deadlines import local_today

    url = f"sqlite:///{tmp}/demo.db"
    settings = Settings(database_url=url, var_dir=tmp, app_env="development")
    prepare_database(url, seed="always")
    engine = get_engine(url)
    password = "Demo-" + secrets.token_urlsafe(12)
    admin_id = accounts.create_account(
        engine, "admin", password, OfficerRole.ADMIN, [], "Admin Demo"
    )
    officer_id = accounts.create_account(
        engine, "budi", password, OfficerRole.OFFICER, ["disdukcapil"], "Budi Petugas"
    )
    accounts.create_account(engine, "siti", password, OfficerRole.SUPERVISOR, [], "Siti Penyelia")
    age_catalogue(engine, admin_id, local_today(settings.timezone))
    chat_id = fill_live_chats(engine, officer_id, settings.timezone)
    answered = fill_skm(engine, settings.secret_key, settings.timezone, SKM_MONTHS)
    print(f"demo: 1 live chat taken, 3 waiting, 1 call-back; {answered} SKM surveys")
    return settings, engine, Demo(password, chat_id)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder of the pictures")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        settings, engine, demo = build(Path(tmp))
        with served(settings, engine) as base:
            photograph(base, demo, args.out)
        engine.dispose()


if __name__ == "__main__":
    main()
