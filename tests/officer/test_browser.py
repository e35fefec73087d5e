"""The console in a real headless Chromium (Debian's package, driven by Playwright):
log in, filter the queue, open a ticket, reply, resolve; `<script>` renders as text.

Screenshots of failures go to var/browser-failures/."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.store.models import OutboxMessage, Ticket, TicketStatus
from tests.utils.officer import PASSWORD, People, TicketMaker

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FAILURES = ROOT / "var" / "browser-failures"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(console_settings: Settings, engine: Engine) -> Iterator[str]:
    """The console served by uvicorn on a free local port."""
    import uvicorn

    from bot.officer.web import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(console_settings, engine),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="none",
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("console did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser page; a screenshot is kept when the test fails."""
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (scripts/ensure-chromium.sh installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="id-ID")
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        failed_before = request.session.testsfailed
        try:
            yield pg
        finally:
            if request.session.testsfailed > failed_before or getattr(
                request.node, "rep_failed", False
            ):
                FAILURES.mkdir(parents=True, exist_ok=True)
                name = request.node.name.replace("/", "_").replace("[", "_").replace("]", "")
                pg.screenshot(path=str(FAILURES / f"{name}.png"), full_page=True)
            context.close()
            browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.failed:
        item.rep_failed = True  # type: ignore[attr-defined]


def _status(engine: Engine, public_id: str) -> TicketStatus:
    with Session(engine) as s:
        status = s.scalar(select(Ticket.status).where(Ticket.public_id == public_id))
        assert status is not None
        return status


def test_officer_works_a_ticket_in_the_browser(
    server: str, page: object, engine: Engine, people: People, make_ticket: TicketMaker
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    road = make_ticket(
        description="Jalan berlubang di depan kantor kecamatan membahayakan pengendara.",
        sender="6660001",
    )
    ktp = make_ticket(description="Blanko KTP habis sudah dua minggu, mohon kejelasan.")
    page.goto(f"{server}/antrean")
    expect(page).to_have_url(f"{server}/masuk?next=/antrean")
    page.get_by_label("Nama pengguna").fill("budi")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{server}/antrean")
    expect(page.locator("table.queue")).to_contain_text(road)
    expect(page.locator("table.queue")).to_contain_text(ktp)

    # Filter by text: htmx swaps the table and pushes the URL.
    page.get_by_label("Cari").fill("berlubang")
    page.get_by_role("button", name="Terapkan").click()
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    expect(page.locator("table.queue")).to_contain_text(road)
    expect(page).to_have_url(
        f"{server}/antrean?status=terbuka&kategori=&unit=&petugas=&privasi=&dari=&sampai=&urut=tenggat&q=berlubang"
    )

    page.get_by_role("link", name=road).click()
    expect(page.locator("h1")).to_have_text(road)
    expect(page.locator("#complaint-text")).to_contain_text("Jalan berlubang")

    page.locator("form[data-action=verify] button").click()
    expect(page.locator(".flash.ok")).to_have_text("Laporan diverifikasi.")

    page.locator("form[data-action=reply] textarea").fill("Tim kami akan meninjau lokasi besok.")
    page.locator("form[data-action=reply] button").click()
    expect(page.locator(".flash.ok")).to_have_text("Balasan masuk antrean kirim.")
    expect(page.locator("ol.events")).to_contain_text("Tim kami akan meninjau lokasi besok.")
    expect(page.locator("ol.events")).to_contain_text("menunggu dikirim")

    page.locator("form[data-action=resolve] textarea").fill("Lubang sudah ditambal.")
    page.locator("form[data-action=resolve] button").click()
    expect(page.locator(".flash.ok")).to_have_text("Laporan diselesaikan.")
    expect(page.locator(".ticket-head .badge").first).to_have_text("Selesai")
    assert _status(engine, road) == TicketStatus.SELESAI
    with Session(engine) as s:
        kinds = s.scalars(
            select(OutboxMessage.kind)
            .where(OutboxMessage.chat_id == 6660001)
            .order_by(OutboxMessage.id)
        ).all()
    assert kinds == ["status", "reply", "resolution"]


def test_script_in_a_complaint_renders_as_text(
    server: str, page: object, people: People, make_ticket: TicketMaker
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    text = "<script>window.pwned = 1; alert('xss')</script> trotoar rusak di Jl. Kenanga"
    tid = make_ticket(description=text)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/masuk")
    page.get_by_label("Nama pengguna").fill("budi")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("table.queue")).to_contain_text("<script>window.pwned")
    page.goto(f"{server}/tiket/{tid}")
    expect(page.locator("#complaint-text")).to_have_text(text)
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.querySelectorAll('main script').length") == 0
    assert dialogs == []


def _sign_in(page: object, server: str, username: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(f"{server}/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def test_date_filter_takes_indonesian_dates(
    server: str, page: object, people: People, make_ticket: TicketMaker
) -> None:
    """The filing-date filter reads and shows dd/mm/yyyy, whatever the browser's locale."""
    from datetime import datetime, timezone

    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    january = make_ticket(
        description="Antrean KTP Januari lama sekali.",
        created_at=datetime(2026, 1, 31, 3, tzinfo=timezone.utc),
    )
    february = make_ticket(
        description="Antrean KTP Februari lama sekali.",
        created_at=datetime(2026, 2, 1, 3, tzinfo=timezone.utc),
    )
    _sign_in(page, server, "budi")
    expect(page).to_have_url(f"{server}/antrean")
    dari = page.get_by_label("Dari")
    expect(dari).to_have_attribute("placeholder", "hh/bb/tttt")
    dari.fill("01/02/2026")
    page.get_by_label("Sampai").fill("28/02/2026")
    page.get_by_role("button", name="Terapkan").click()
    expect(page).to_have_url(re.compile(r"dari=01%2F02%2F2026&sampai=28%2F02%2F2026"))
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    expect(page.locator("table.queue")).to_contain_text(february)
    expect(page.locator("table.queue")).not_to_contain_text(january)
    page.reload()
    expect(page.get_by_label("Dari")).to_have_value("01/02/2026")
    expect(page.get_by_label("Sampai")).to_have_value("28/02/2026")
    # A date that does not exist is refused politely, in the page.
    page.get_by_label("Dari").fill("31/02/2026")
    page.get_by_role("button", name="Terapkan").click()
    expect(page.locator("#queue .flash.error")).to_contain_text("31/02/2026")


def test_logout_lands_on_the_login_address(
    server: str, page: object, people: People, make_ticket: TicketMaker
) -> None:
    """After logout the address is /masuk, and going back shows no ticket data (no page
    snapshot kept by the browser or htmx): the server is asked again and sends to /masuk."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    tid = make_ticket(description="Penanda-logout: antrean KTP lama sekali.")
    _sign_in(page, server, "budi")
    page.get_by_label("Cari").fill("Penanda-logout")
    page.get_by_role("button", name="Terapkan").click()
    expect(page).to_have_url(re.compile(r"/antrean\?.*q=Penanda-logout"))
    expect(page.locator("table.queue")).to_contain_text(tid)
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(f"{server}/masuk")
    expect(page.locator(".flash.ok")).to_have_text("Anda telah keluar.")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/masuk\?next="))
    expect(page.locator("body")).not_to_contain_text("Penanda-logout")
    expect(page.locator("body")).not_to_contain_text(tid)
