"""The complaint category page (/latih/kategori) over HTTP (real app, real database, the
classifier trained on a private copy of data/categories/): who may open it, which tickets
become candidates (public worked ones, masked), decisions recorded as the CLI records them,
the export to reviewed.yml with its counts and audit entry, and "retrain and measure"
against the held-out set, before and after. Last, the real action server: a reviewed.yml
written by the page changes its suggestion without a restart."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.category_eval import MEASUREMENTS_FILE, evaluate, read_held_out
from bot.category_model import get_model, read_examples, training_examples
from bot.category_review import DECISIONS_FILE, candidate_key
from bot.config import Settings
from bot.officer.web.console import FLASH_COOKIE
from bot.store.models import Category, ConsoleAuditLog, OfficerRole, Privacy, Ticket, TicketStatus
from bot.texts import CATEGORY_LABELS
from devtools.devstack import engine_env, free_port, stop, wait_http
from tests.utils import ROOT
from tests.utils.officer import People, TicketMaker, add_officer, csrf_of

Client = Callable[..., TestClient]
PAGE = "/latih/kategori"
# The classifier reads this as kebersihan; the ticket's category says infrastruktur.
STORY = "Sampah menumpuk di gang Mawar dan baunya sampai ke rumah, hubungi saya di 081234567890"
# Fallen trees: the classifier says infrastruktur; three stories filed as kebersihan, once
# accepted and exported, make it say kebersihan for a fourth (measured before writing).
OTHER_STORY = "Tumpukan sampah di pinggir jalan Kenanga tidak diangkut dua minggu, lalatnya banyak"
TREE = "Pohon besar tumbang menutup jalan di gang {} sejak kemarin sore"
TREE_GANGS = ("Mawar", "Melati", "Kenanga")
TREE_PROBE = TREE.format("Seroja")


@pytest.fixture
def trainer(engine: Engine, people: People) -> int:
    return add_officer(engine, "tina", OfficerRole.TRAINER, [], "Tina Pelatih")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the classifier's training data (the page writes reviewed.yml)."""
    target = tmp_path / "categories"
    target.mkdir()
    shutil.copy(ROOT / "data" / "categories" / "complaints.yml", target / "complaints.yml")
    return target


@pytest.fixture
def held_out(tmp_path: Path) -> Path:
    """A copy of the real held-out set."""
    target = tmp_path / "heldout.yml"
    shutil.copy(ROOT / "tests" / "categories" / "heldout.yml", target)
    return target


@pytest.fixture
def client(app_client: Client, data_dir: Path, held_out: Path, trainer: int) -> Client:
    """Clients of an app whose category page works on the private copies."""

    def make(username: str | None = None) -> TestClient:
        c = app_client(username)
        c.app.state.category_data_dir = data_dir  # type: ignore[attr-defined]
        c.app.state.category_held_out = held_out  # type: ignore[attr-defined]
        return c

    return make


def worked(make_ticket: TicketMaker, text: str, category: Category, **changes: Any) -> str:
    """A complaint the officers are working (diproses) unless `changes` say otherwise."""
    changes.setdefault("status", TicketStatus.DIPROSES)
    return make_ticket(description=text, category=category, **changes)


def row_id(engine: Engine, public_id: str) -> int:
    with Session(engine) as s:
        found = s.scalar(select(Ticket.id).where(Ticket.public_id == public_id))
        assert found is not None
        return found


def key_of(engine: Engine, settings: Settings, public_id: str) -> str:
    return candidate_key(row_id(engine, public_id), settings.secret_key)


def decisions(settings: Settings) -> dict[str, dict[str, str]]:
    path = settings.var_dir / DECISIONS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


_tokens: dict[int, str] = {}


def token(c: TestClient) -> str:
    """The session's CSRF token (read once per client from a light page)."""
    if id(c) not in _tokens:
        _tokens[id(c)] = csrf_of(c, "/latih/laporan")
    return _tokens[id(c)]


def post(c: TestClient, path: str, data: dict[str, Any]) -> tuple[int, str]:
    """POST with the session's CSRF token: (status, the one-time message the redirect
    carries, "!" first when it is an error) or (status, the error page)."""
    r = c.post(path, data={"csrf_token": token(c), **data})
    if r.status_code != 303:
        return r.status_code, r.text
    flash = c.app.state.console.flash_signer.loads(r.cookies[FLASH_COOKIE])  # type: ignore[attr-defined]
    return 303, ("!" if flash["e"] else "") + flash["m"]


# -- who may open it --------------------------------------------------------------------------


def test_only_trainers_open_the_category_page(
    client: Client, engine: Engine, make_ticket: TicketMaker, console_settings: Settings
) -> None:
    public = worked(make_ticket, STORY, Category.INFRASTRUKTUR)
    key = key_of(engine, console_settings, public)
    for username in ("budi", "sari", "siti", "admin"):
        c = client(username)
        page = c.get(PAGE)
        assert page.status_code == 403, username
        assert "Akses ditolak" in page.text and "Sampah menumpuk" not in page.text
        assert f'href="{PAGE}"' not in c.get("/", follow_redirects=True).text
        token = csrf_of(c, "/")
        for path, data in (
            (f"{PAGE}/keputusan", {"aksi": "terima", "kunci": key}),
            (f"{PAGE}/ekspor", {}),
            (f"{PAGE}/latih-ulang", {}),
        ):
            r = c.post(path, data={"csrf_token": token, **data})
            assert r.status_code == 403, (username, path)
    assert decisions(console_settings) == {}
    anonymous = client().get(PAGE)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/masuk")

    c = client("tina")
    page = c.get(PAGE)
    assert page.status_code == 200
    assert f'href="{PAGE}">Kategori aduan</a>' in c.get("/latih").text
    assert "Sampah menumpuk" in page.text


# -- candidates -------------------------------------------------------------------------------


def test_only_public_worked_tickets_are_listed_masked(
    client: Client, engine: Engine, make_ticket: TicketMaker
) -> None:
    shown = worked(make_ticket, STORY + " UMUMDIPROSES", Category.INFRASTRUKTUR)
    done = worked(
        make_ticket, STORY + " UMUMSELESAI", Category.INFRASTRUKTUR, status=TicketStatus.SELESAI
    )
    hidden: dict[str, dict[str, Any]] = {
        "ANONIMDIPROSES": {"privacy": Privacy.ANONYMOUS},
        "RAHASIASELESAI": {"privacy": Privacy.CONFIDENTIAL, "status": TicketStatus.SELESAI},
        "UMUMBARU": {"status": TicketStatus.BARU},
        "UMUMDITOLAK": {"status": TicketStatus.DITOLAK},
    }
    for marker, changes in hidden.items():
        privacy = changes.pop("privacy", Privacy.PUBLIC)
        worked(make_ticket, f"{STORY} {marker}", Category.INFRASTRUKTUR, privacy=privacy, **changes)
    page = client("tina").get(PAGE)
    assert page.status_code == 200
    text = page.text
    assert "UMUMDIPROSES" in text and "UMUMSELESAI" in text
    assert not [m for m in hidden if m in text]
    assert "081234567890" not in text and "[TELEPON]" in text
    assert shown not in text and done not in text and "Andi Wijaya" not in text
    assert "2 kandidat" in text
    rows = text[text.find("<tbody>") : text.find("</tbody>")]
    assert rows.count("<tr data-candidate=") == 2
    assert html.escape(CATEGORY_LABELS[Category.INFRASTRUKTUR]) in rows  # the officers'
    assert html.escape(CATEGORY_LABELS[Category.KEBERSIHAN]) in rows  # the classifier's
    # The relabel choices are every category with its Indonesian label.
    for category in Category:
        option = f'<option value="{category.value}">{html.escape(CATEGORY_LABELS[category])}'
        assert option in rows, category


# -- decisions --------------------------------------------------------------------------------


def test_decisions_are_recorded_like_the_cli_and_leave_the_list(
    client: Client, engine: Engine, make_ticket: TicketMaker, console_settings: Settings
) -> None:
    ids = {
        name: worked(make_ticket, f"{STORY} {name}", Category.INFRASTRUKTUR)
        for name in ("SATU", "DUA", "TIGA", "EMPAT", "LIMA")
    }
    keys = {name: key_of(engine, console_settings, pid) for name, pid in ids.items()}
    c = client("tina")
    assert post(c, f"{PAGE}/keputusan", {"aksi": "terima", "kunci": keys["SATU"]}) == (
        303,
        "1 kandidat diterima.",
    )
    page = c.get(PAGE).text  # the message is shown once, on the page the redirect leads to
    assert '<p class="flash ok" role="status">1 kandidat diterima.</p>' in page
    assert "1 kandidat diterima." not in c.get(PAGE).text
    _, flash = post(
        c, f"{PAGE}/keputusan", {"aksi": "ganti", "kunci": keys["DUA"], "kategori": "kebersihan"}
    )
    assert "1 kandidat diberi kategori lain (Kebersihan dan lingkungan)." in flash
    _, flash = post(c, f"{PAGE}/keputusan", {"aksi": "buang", "kunci": keys["TIGA"]})
    assert "1 kandidat dibuang." in flash
    # Bulk: the ticked rows of the page, in one form.
    _, flash = post(
        c, f"{PAGE}/keputusan", {"aksi": "terima", "kunci": [keys["EMPAT"], keys["LIMA"]]}
    )
    assert "2 kandidat diterima." in flash
    stored = decisions(console_settings)
    assert {k: (d["action"], d["category"], d["by"]) for k, d in stored.items()} == {
        keys["SATU"]: ("accept", "", "tina"),
        keys["DUA"]: ("relabel", "kebersihan", "tina"),
        keys["TIGA"]: ("discard", "", "tina"),
        keys["EMPAT"]: ("accept", "", "tina"),
        keys["LIMA"]: ("accept", "", "tina"),
    }
    assert all(d["at"].endswith("+00:00") for d in stored.values())
    page = c.get(PAGE).text
    assert "0 kandidat" in page and "Tidak ada kandidat" in page
    assert "keputusan tercatat: 3 diterima, 1 diberi kategori lain, 1 dibuang" in page
    # A decided key is not decided again.
    _, flash = post(c, f"{PAGE}/keputusan", {"aksi": "buang", "kunci": keys["SATU"]})
    assert "1 kandidat sudah diputuskan atau tidak lagi menjadi kandidat." in flash
    assert decisions(console_settings)[keys["SATU"]]["action"] == "accept"


def test_a_key_that_is_no_candidate_is_not_recorded(
    client: Client, engine: Engine, make_ticket: TicketMaker, console_settings: Settings
) -> None:
    """Keys of an anonymous or a rejected ticket (computed as the page would) are refused."""
    anonymous = worked(make_ticket, STORY, Category.INFRASTRUKTUR, privacy=Privacy.ANONYMOUS)
    rejected = worked(make_ticket, STORY + " lagi", Category.INFRASTRUKTUR,
                      status=TicketStatus.DITOLAK)  # fmt: skip
    keys = [key_of(engine, console_settings, t) for t in (anonymous, rejected)]
    status, flash = post(client("tina"), f"{PAGE}/keputusan", {"aksi": "terima", "kunci": keys})
    assert status == 303
    assert flash.startswith("!") and "2 kandidat sudah diputuskan" in flash
    assert decisions(console_settings) == {}


def test_bad_decisions_are_explained_or_refused(
    client: Client, engine: Engine, make_ticket: TicketMaker, console_settings: Settings
) -> None:
    key = key_of(engine, console_settings, worked(make_ticket, STORY, Category.INFRASTRUKTUR))
    c = client("tina")
    _, flash = post(c, f"{PAGE}/keputusan", {"aksi": "ganti", "kunci": key})
    assert "Pilih kategori pengganti." in flash
    _, flash = post(c, f"{PAGE}/keputusan", {"aksi": "terima"})
    assert "Pilih minimal satu kandidat." in flash
    for data in (
        {"aksi": "ganti", "kunci": key, "kategori": "jalanan"},
        {"aksi": "hapus", "kunci": key},
        {"aksi": "terima", "kunci": "../../etc/passwd"},
        {"aksi": "terima", "kunci": key.upper()},
        {"aksi": "terima", "kunci": [key] * 501},
        {"aksi": "terima", "kunci": key, "hal": "0"},
        {"aksi": "terima", "kunci": key, "hal": "²"},
    ):
        assert post(c, f"{PAGE}/keputusan", data)[0] == 400, data
    # Without the CSRF token nothing is recorded.
    r = c.post(f"{PAGE}/keputusan", data={"aksi": "terima", "kunci": key})
    assert r.status_code == 403
    assert c.get(PAGE, params={"hal": "0"}).status_code == 400
    assert decisions(console_settings) == {}


def test_a_broken_training_file_is_named_not_a_server_error(client: Client, data_dir: Path) -> None:
    (data_dir / "reviewed.yml").write_text(
        "examples:\n- text: jalan rusak\n  category: jalanan\n", encoding="utf-8"
    )
    c = client("tina")
    page = c.get(PAGE)
    assert page.status_code == 503
    assert "Data latih kategori tidak bisa dibaca" in page.text
    assert "example 1: unknown category &#39;jalanan&#39;" in page.text
    assert post(c, f"{PAGE}/ekspor", {})[0] == 503


# -- export and retraining --------------------------------------------------------------------


def test_export_writes_reviewed_yml_once_with_counts_and_an_audit_entry(
    client: Client,
    engine: Engine,
    make_ticket: TicketMaker,
    console_settings: Settings,
    data_dir: Path,
    held_out: Path,
) -> None:
    relabelled = worked(make_ticket, STORY + " UMUMSATU", Category.INFRASTRUKTUR)
    accepted = worked(make_ticket, OTHER_STORY, Category.INFRASTRUKTUR)
    near_test = worked(make_ticket, TREE.format("Anggrek"), Category.KEBERSIHAN)
    # A held-out text the third story nearly copies: it must never become training data.
    rows = yaml.safe_load(held_out.read_text(encoding="utf-8"))["examples"]
    rows.append({"text": TREE.format("Anggrek") + " ya", "category": "kebersihan"})
    held_out.write_text(yaml.safe_dump({"examples": rows}, allow_unicode=True), encoding="utf-8")
    c = client("tina")
    keys = {t: key_of(engine, console_settings, t) for t in (relabelled, accepted, near_test)}
    assert 'id="siap-ekspor">0<' in c.get(PAGE).text
    post(c, f"{PAGE}/keputusan", {"aksi": "ganti", "kunci": keys[relabelled],
                                  "kategori": "kebersihan"})  # fmt: skip
    post(c, f"{PAGE}/keputusan", {"aksi": "terima", "kunci": [keys[accepted], keys[near_test]]})
    page = c.get(PAGE).text
    assert 'id="siap-ekspor">2<' in page and "Terlalu mirip set uji</dt><dd>1<" in page

    status, flash = post(c, f"{PAGE}/ekspor", {})
    assert status == 303
    assert "2 contoh ditambahkan." in flash and "1 terlalu mirip teks set uji" in flash
    written = {e.text: e.category for e in read_examples(data_dir / "reviewed.yml")}
    assert len(written) == 2
    assert sorted(c.value for c in written.values()) == ["infrastruktur", "kebersihan"]
    text = (data_dir / "reviewed.yml").read_text(encoding="utf-8")
    assert "081234567890" not in text and "[TELEPON]" in text and "Anggrek" not in text
    assert relabelled not in text and "Andi Wijaya" not in text
    with Session(engine) as s:
        [entry] = s.scalars(select(ConsoleAuditLog)).all()
    assert (entry.action, entry.target) == ("category_export", "data/categories/reviewed.yml")
    assert entry.data == {"added": 2, "duplicates": 0, "conflicts": 0, "held_out": 1}
    assert entry.actor_id is not None
    # The export measured the data as it was before writing, for the next comparison.
    [before] = json.loads((console_settings.var_dir / MEASUREMENTS_FILE).read_text())
    assert (before["examples"], before["reviewed"], before["by"]) == (562, 0, "tina")
    page = c.get(PAGE).text
    assert "Data latih berubah sejak pengukuran terakhir" in page
    assert "Belum pernah diukur" not in page

    # Again: nothing new, nothing written, no audit entry.
    status, flash = post(c, f"{PAGE}/ekspor", {})
    assert flash.startswith("!") and "0 contoh ditambahkan. 2 sudah ada" in flash
    with Session(engine) as s:
        assert len(s.scalars(select(ConsoleAuditLog)).all()) == 1
    assert len(read_examples(data_dir / "reviewed.yml")) == 2


# Measuring reads files only: once, on SQLite, is enough (the database holds the tickets).
ONE_DATABASE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@ONE_DATABASE
def test_retrain_and_measure_shows_held_out_figures_before_and_after(
    client: Client,
    engine: Engine,
    make_ticket: TicketMaker,
    console_settings: Settings,
    data_dir: Path,
    held_out: Path,
) -> None:
    c = client("tina")
    assert "Belum pernah diukur dari konsol." in c.get(PAGE).text
    trees = [worked(make_ticket, TREE.format(g), Category.KEBERSIHAN) for g in TREE_GANGS]
    keys = [key_of(engine, console_settings, t) for t in trees]
    page = c.get(PAGE).text
    assert all(TREE.format(g) in page for g in TREE_GANGS)
    post(c, f"{PAGE}/keputusan", {"aksi": "terima", "kunci": keys})
    _, flash = post(c, f"{PAGE}/ekspor", {})
    assert "3 contoh ditambahkan." in flash

    status, flash = post(c, f"{PAGE}/latih-ulang", {})
    assert status == 303
    # The figures are those of the CLI's evaluation, on the data before and after.
    examples = training_examples(data_dir)
    assert len(examples) == 565
    after = evaluate(examples, read_held_out(held_out))
    base = [e for e in examples if e.text not in {TREE.format(g) for g in TREE_GANGS}]
    before = evaluate(base, read_held_out(held_out))
    change = f"{before['suggestion'].accuracy:.3f} → {after['suggestion'].accuracy:.3f}"
    assert "Model kategori dilatih ulang dari 565 contoh." in flash
    assert f"Akurasi saran pada set uji (250 teks): {change};" in flash
    assert f"aturan kata kunci saja {after['keywords'].accuracy:.3f}" in flash
    page = c.get(PAGE).text
    table = page[page.find('id="hasil-ukur"') : page.find('id="per-kategori"')]
    for figure in (
        before["suggestion"].accuracy,
        after["suggestion"].accuracy,
        after["suggestion"].macro_f1,
        after["keywords"].accuracy,
    ):
        assert f"{figure:.3f}" in table, figure
    per_category = page[page.find('id="per-kategori"') :]
    for category in Category:
        row = per_category[per_category.find(html.escape(CATEGORY_LABELS[category])) :]
        row = row[: row.find("</tr>")]
        p, r, f1, n = after["suggestion"].per_category[category]
        assert f'<td class="num">{n}</td>' in row, category
        for figure in (p, r, f1, after["keywords"].per_category[category][2]):
            assert f"{figure:.3f}" in row, (category, figure)
    assert "3 dari reviewed.yml" in page and "0 dari reviewed.yml" in page
    # The console's own classifier learnt them: a new fallen-tree story is now kebersihan.
    assert get_model(data_dir).predict(TREE_PROBE) is Category.KEBERSIHAN
    stored = json.loads((console_settings.var_dir / MEASUREMENTS_FILE).read_text())
    assert [(m["examples"], m["basis"]) for m in stored] == [(562, "data"), (565, "data")]
    # Measuring again without a change keeps the same "before".
    _, flash = post(c, f"{PAGE}/latih-ulang", {})
    assert change in flash


@ONE_DATABASE
def test_first_measurement_of_reviewed_data_compares_with_complaints_alone(
    client: Client, data_dir: Path, held_out: Path, console_settings: Settings
) -> None:
    """reviewed.yml written elsewhere (the CLI), nothing measured before: the reference is
    complaints.yml alone, named as such."""
    rows = [{"text": TREE.format(g), "category": "kebersihan"} for g in TREE_GANGS]
    (data_dir / "reviewed.yml").write_text(yaml.safe_dump({"examples": rows}), encoding="utf-8")
    c = client("tina")
    _, flash = post(c, f"{PAGE}/latih-ulang", {})
    base = evaluate(read_examples(data_dir / "complaints.yml"), read_held_out(held_out))
    assert f"{base['suggestion'].accuracy:.3f} → " in flash
    page = c.get(PAGE).text
    assert "hanya <code>complaints.yml</code> (562 contoh)" in page
    stored = json.loads((console_settings.var_dir / MEASUREMENTS_FILE).read_text())
    assert [m["basis"] for m in stored] == ["base", "data"]
    # A change of the data after the measurement is flagged on the page.
    rows.append(
        {"text": "Musik karaoke tetangga keras sampai jam dua pagi", "category": "ketertiban"}
    )
    (data_dir / "reviewed.yml").write_text(yaml.safe_dump({"examples": rows}), encoding="utf-8")
    assert "Data latih berubah sejak pengukuran terakhir" in c.get(PAGE).text


@ONE_DATABASE
def test_without_a_held_out_set_nothing_is_measured(
    client: Client, held_out: Path, console_settings: Settings
) -> None:
    held_out.unlink()
    c = client("tina")
    page = c.get(PAGE).text
    assert "(0 teks" in page and "disabled>Latih ulang" in page
    _, flash = post(c, f"{PAGE}/latih-ulang", {})
    assert "Set uji kategori tidak ada atau kosong." in flash
    assert not (console_settings.var_dir / MEASUREMENTS_FILE).exists()


# -- the running action server picks the exported data up -------------------------------------

ACTION_SERVER = """
import sys
from pathlib import Path

import bot.category_model as model

# The project's action server; only the folder its classifier trains from is redirected
# (get_model's default argument), so the test writes no file of the repository.
model.get_model.__defaults__ = (Path(sys.argv[1]),)
from bot.__main__ import main

sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def action_server(tmp_path: Path, data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m bot actions` on a free port, its classifier on `data_dir`."""
    port = free_port()
    log = (tmp_path / "actions.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", ACTION_SERVER, str(data_dir), "actions", "--port", str(port)],
        cwd=ROOT,
        env=engine_env(
            DATABASE_URL=f"sqlite:///{tmp_path / 'actions.db'}",
            ACTION_SERVER_PORT=str(port),
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/health", 90, process)
        yield f"http://127.0.0.1:{port}/webhook", process
    finally:
        stop(process)
        log.close()


def suggested_by(url: str, story: str) -> str:
    """The category the action server suggests when the form asks for it."""
    tracker = {
        "sender_id": "7000001",
        "slots": {"complaint_description": story},
        "latest_message": {"text": story, "intent": {"name": "inform"}, "entities": []},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {"name": "complaint_form"},
        "latest_action_name": "complaint_form",
    }
    body = {"next_action": "action_ask_complaint_category", "sender_id": "7000001",
            "tracker": tracker, "domain": {}}  # fmt: skip
    answer = httpx.post(url, json=body, timeout=60).json()
    [message] = answer["responses"]
    assert message["response"] == "utter_ask_complaint_category"
    return str(message["suggested_category"])


@ONE_DATABASE
def test_the_running_action_server_suggests_from_the_exported_data(
    client: Client,
    engine: Engine,
    make_ticket: TicketMaker,
    console_settings: Settings,
    action_server: tuple[str, subprocess.Popen[bytes]],
    data_dir: Path,
) -> None:
    url, process = action_server
    infrastructure = CATEGORY_LABELS[Category.INFRASTRUKTUR]
    cleanliness = CATEGORY_LABELS[Category.KEBERSIHAN]
    assert suggested_by(url, TREE_PROBE) == infrastructure
    trees = [worked(make_ticket, TREE.format(g), Category.KEBERSIHAN) for g in TREE_GANGS]
    c = client("tina")
    keys = [key_of(engine, console_settings, t) for t in trees]
    post(c, f"{PAGE}/keputusan", {"aksi": "terima", "kunci": keys})
    _, flash = post(c, f"{PAGE}/ekspor", {})
    assert "3 contoh ditambahkan." in flash and (data_dir / "reviewed.yml").exists()
    # No restart, no retraining from the page: the next suggestion trains on the new data.
    assert suggested_by(url, TREE_PROBE) == cleanliness
    assert process.poll() is None
