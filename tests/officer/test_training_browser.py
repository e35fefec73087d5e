"""The NLU review inbox (/latih) in a real headless Chromium (the console's browser
fixtures): its keyboard shortcuts move between groups, confirm, discard, relabel from the
shortlist and tick groups, never while the trainer types in a field; no console error (a
Content Security Policy violation is one)."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.store.models import OfficerRole
from tests.officer.test_browser import page, server  # noqa: F401  (fixtures)
from tests.officer.test_training_routes import add_item, statuses
from tests.utils.officer import PASSWORD, People, add_officer


def test_a_trainer_reviews_with_the_keyboard(
    server: str,  # noqa: F811
    page: object,  # noqa: F811
    engine: Engine,
    people: People,
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    trainer = add_officer(engine, "tina", OfficerRole.TRAINER, [], "Tina Pelatih")
    ktp = [add_item(engine, "syarat ktp apa aja", minutes=50 + i) for i in range(2)]
    sim = add_item(engine, "biaya sim berapa", "ask_cost", 0.5, minutes=40)
    hal = add_item(engine, "halo kak", "greet", 0.4, minutes=30)
    odd = add_item(engine, "asdfgh", "nlu_fallback", 0.2, reasons="fallback", minutes=20)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{server}/masuk?next=/latih")
    page.get_by_label("Nama pengguna").fill("tina")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{server}/latih")
    expect(page.locator("#pintasan")).to_contain_text("j/k")
    groups = page.locator("[data-review-group]")
    expect(groups).to_have_count(4)
    current = page.locator("[data-review-group].current")
    expect(current).to_contain_text("syarat ktp apa aja")

    page.keyboard.press("j")
    expect(current).to_contain_text("biaya sim berapa")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(current).to_contain_text("biaya sim berapa")

    # Typing in a field is typing: "c", "d", "x" and digits do nothing else.
    field = current.locator('input[name="teks"]')
    field.click()
    field.type("cdx1j")
    expect(field).to_have_value("cdx1j")
    expect(current).to_contain_text("biaya sim berapa")
    assert statuses(engine)[sim][0] == "new"
    field.fill("")
    page.locator("h1").click()

    # x ticks the group for the bulk form; again unticks it.
    box = current.locator('input[type="checkbox"][name="grup"]')
    page.keyboard.press("x")
    expect(box).to_be_checked()
    page.keyboard.press("x")
    expect(box).not_to_be_checked()

    # c confirms the current group's prediction; the page reloads on the same position.
    page.keyboard.press("c")
    expect(page.locator(".flash.ok")).to_contain_text("1 pesan dikonfirmasi.")
    assert statuses(engine)[sim] == ("confirmed", "ask_cost", trainer)
    expect(groups).to_have_count(3)
    expect(current).to_contain_text("halo kak")

    # 1 relabels with the first shortlisted intent (the group's best alternative).
    first = current.get_attribute("data-shortlist").split(",")[0]  # type: ignore[union-attr]
    assert first == "ask_cost"
    page.keyboard.press("1")
    expect(page.locator(".flash.ok")).to_contain_text("1 pesan diberi intent baru.")
    assert statuses(engine)[hal] == ("relabelled", "ask_cost", trainer)

    # d discards; k goes back to the first group, c confirms both of its messages.
    expect(current).to_contain_text("asdfgh")
    page.keyboard.press("d")
    expect(page.locator(".flash.ok")).to_contain_text("1 pesan dibuang.")
    assert statuses(engine)[odd] == ("discarded", None, trainer)
    page.keyboard.press("k")
    expect(current).to_contain_text("syarat ktp apa aja")
    page.keyboard.press("c")
    expect(page.locator(".flash.ok")).to_contain_text("2 pesan dikonfirmasi.")
    assert [statuses(engine)[i][0] for i in ktp] == ["confirmed", "confirmed"]
    expect(page.locator("p.empty")).to_contain_text("Kotak tinjauan kosong")
    page.keyboard.press("c")  # nothing left: no error

    # E25: the decisions are listed; a wrong one is undone and back in the inbox.
    page.get_by_role("link", name="Keputusan terakhir").click()
    expect(page).to_have_url(f"{server}/latih/riwayat")
    rows = page.locator("[data-decided]")
    expect(rows).to_have_count(4)
    expect(page.locator("#siap-ekspor")).to_be_visible()  # counts as the real data makes them
    expect(page.get_by_role("button", name="Ekspor ke data latih")).to_be_visible()
    rows.filter(has_text="asdfgh").get_by_role("button", name="Batalkan").click()
    expect(page.locator(".flash.ok")).to_contain_text("1 pesan kembali ke kotak tinjauan")
    expect(rows).to_have_count(3)
    assert statuses(engine)[odd] == ("new", None, None)
    page.goto(f"{server}/latih")
    expect(page.locator("[data-review-group]")).to_contain_text("asdfgh")
    assert errors == []
