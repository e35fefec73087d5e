"""The public transparency page in a real headless Chromium (the console's browser fixtures):
opened without an account, its tables, suppression markers and chart, the unit filter, the
open-data links, and no console error (a Content Security Policy violation is one)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from tests.officer.test_browser import page, server  # noqa: F401  (fixtures)
from tests.utils.officer import People, TicketMaker


def test_anyone_reads_the_transparency_page(
    server: str,  # noqa: F811
    page: object,  # noqa: F811
    people: People,
    make_ticket: TicketMaker,
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    now = datetime.now(timezone.utc)
    for n in range(6):
        make_ticket(description=f"Antrean KTP lama sekali, keluhan nomor {n}.", created_at=now)
    for n in range(2):
        make_ticket(
            description=f"Ujian SIM diulang tanpa alasan jelas {n}.",
            service_id="sim",
            created_at=now,
        )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{server}/transparansi")
    expect(page).to_have_url(f"{server}/transparansi")  # no sign-in asked
    expect(page.locator("h1")).to_have_text("Transparansi pengaduan layanan publik")
    monthly = page.locator("#table-monthly tbody tr")
    expect(monthly).to_have_count(12)
    # This month: 8 received (shown rounded as 10), 2 of them Satpas's (shown "<5").
    expect(monthly.last.locator("td").nth(1)).to_have_text("10")
    units = page.locator("#table-units tbody tr")
    expect(units).to_have_count(2)
    satpas = units.filter(has_text="Satpas")
    expect(satpas.locator("td.suppressed").first).to_have_text("<5")
    expect(page.locator("#rules")).to_contain_text("<5")
    expect(page.locator("figure.chart svg rect.bar")).to_have_count(24)
    expect(page.locator("#ikm")).to_contain_text("Belum ada responden survei")
    expect(page.locator("#catalogue tbody tr").first).to_be_visible()

    page.get_by_label("Unit").select_option(label="Satpas Polres Kota Contoh")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(
        re.compile(r"/transparansi\?dari=\d{4}-\d{2}&sampai=\d{4}-\d{2}&unit=satpas$")
    )
    expect(page.locator("#monthly h2")).to_contain_text("Satpas")
    expect(page.locator("#table-monthly tbody tr").last.locator("td").nth(1)).to_have_text("<5")
    expect(page.locator("#units")).to_have_count(0)

    href = page.locator("#data-json").get_attribute("href")
    assert href and href.startswith("/transparansi/data.json?") and "unit=satpas" in href
    data = page.request.get(f"{server}{href}").json()
    assert data["per_bulan"][-1]["diterima"] == "<5"
    csv_href = page.locator("#data-csv").get_attribute("href")
    assert csv_href and page.request.get(f"{server}{csv_href}").text().startswith('"tabel"')
    assert errors == []
