"""The complaint category page (/latih/kategori) in a real headless Chromium (the console's
browser fixtures): a trainer reaches it from the menu, ticks rows and accepts them in bulk,
relabels and discards single rows, exports, retrains and reads the figures; no console
error (a Content Security Policy violation is one)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.category_model import read_examples
from bot.config import Settings
from bot.store.models import Category, OfficerRole, TicketStatus
from bot.texts import CATEGORY_LABELS
from tests.officer.test_browser import _free_port, page  # noqa: F401  (fixture)
from tests.officer.test_category_routes import STORY, TREE, decisions, key_of
from tests.utils import ROOT
from tests.utils.officer import PASSWORD, People, TicketMaker, add_officer

# Every view lists the candidates again (the training files parsed, the tickets masked and
# classified): on a busy 2-core machine a round trip can take several seconds.
SLOW = 30_000


@pytest.fixture
def category_server(
    console_settings: Settings, engine: Engine, tmp_path: Path
) -> Iterator[tuple[str, Path]]:
    """The console on a free local port, its category page on a copy of the data."""
    import uvicorn

    from bot.officer.web import create_app

    data_dir = tmp_path / "categories"
    data_dir.mkdir()
    shutil.copy(ROOT / "data" / "categories" / "complaints.yml", data_dir / "complaints.yml")
    app = create_app(console_settings, engine)
    app.state.category_data_dir = data_dir
    app.state.category_held_out = ROOT / "tests" / "categories" / "heldout.yml"
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("console did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", data_dir
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_trainer_reviews_categories_in_the_browser(
    category_server: tuple[str, Path],
    page: object,  # noqa: F811
    engine: Engine,
    people: People,
    make_ticket: TicketMaker,
    console_settings: Settings,
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    server, data_dir = category_server
    add_officer(engine, "tina", OfficerRole.TRAINER, [], "Tina Pelatih")
    working = {"status": TicketStatus.DIPROSES}
    trees = [
        make_ticket(description=TREE.format(g), category=Category.KEBERSIHAN, **working)
        for g in ("Mawar", "Melati", "Kenanga")
    ]
    rubbish = make_ticket(description=STORY, category=Category.INFRASTRUKTUR, **working)
    odd = make_ticket(
        description=STORY.replace("Mawar", "Dahlia") + " pokoknya",
        category=Category.INFRASTRUKTUR,
        **working,
    )
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{server}/masuk?next=/latih")
    page.get_by_label("Nama pengguna").fill("tina")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{server}/latih")
    page.get_by_role("link", name="Kategori aduan").click()
    # The first view trains the classifier on the data (a few seconds on a busy machine).
    expect(page).to_have_url(f"{server}/latih/kategori", timeout=SLOW)
    expect(page.locator("h1")).to_have_text("Tinjauan kategori aduan")
    rows = page.locator("tr[data-candidate]")
    expect(rows).to_have_count(5)
    expect(page.locator("table.category-candidates")).to_contain_text("[TELEPON]")
    expect(page.locator("table.category-candidates")).not_to_contain_text("081234567890")

    # Bulk: tick the three fallen-tree rows, accept the officers' category.
    keys = {pid: key_of(engine, console_settings, pid) for pid in [*trees, rubbish, odd]}
    for pid in trees:
        page.locator(f'tr[data-candidate="{keys[pid]}"] input[type="checkbox"]').check()
    page.locator("#massal-kategori").get_by_role("button", name="Terima kategori petugas").click()
    expect(page.locator(".flash.ok")).to_have_text("3 kandidat diterima.", timeout=SLOW)
    expect(rows).to_have_count(2)

    # One row relabelled with the select's Indonesian label, one discarded.
    row = page.locator(f'tr[data-candidate="{keys[rubbish]}"]')
    row.get_by_label("Kategori").select_option(label=CATEGORY_LABELS[Category.KEBERSIHAN])
    row.get_by_role("button", name="Ganti kategori").click()
    expect(page.locator(".flash.ok")).to_contain_text(
        "1 kandidat diberi kategori lain", timeout=SLOW
    )
    page.locator(f'tr[data-candidate="{keys[odd]}"]').get_by_role("button", name="Buang").click()
    expect(page.locator(".flash.ok")).to_have_text("1 kandidat dibuang.", timeout=SLOW)
    expect(page.locator("p.empty").first).to_contain_text("Tidak ada kandidat")
    assert {d["action"] for d in decisions(console_settings).values()} == {
        "accept",
        "relabel",
        "discard",
    }

    expect(page.locator("#siap-ekspor")).to_have_text("4")
    page.get_by_role("button", name="Ekspor ke data").click()
    # The export first measures the data as it is (the "before" of the next measurement).
    expect(page.locator(".flash.ok")).to_contain_text("4 contoh ditambahkan.", timeout=2 * SLOW)
    assert len(read_examples(data_dir / "reviewed.yml")) == 4
    expect(page.get_by_role("button", name="Ekspor ke data")).to_be_disabled()

    page.get_by_role("button", name="Latih ulang & ukur").click()
    expect(page.locator(".flash.ok")).to_contain_text(
        "Model kategori dilatih ulang dari 566 contoh.", timeout=2 * SLOW
    )
    table = page.locator("#hasil-ukur")
    expect(table).to_contain_text("Akurasi saran kategori")
    expect(table).to_contain_text("Akurasi aturan kata kunci saja")
    expect(page.locator("#per-kategori tbody tr")).to_have_count(len(Category))
    expect(page.locator("#ukur")).to_contain_text("4 dari reviewed.yml")
    assert errors == []
