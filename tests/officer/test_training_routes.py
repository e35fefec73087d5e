"""The trainer role and the NLU review inbox pages over HTTP (real app, real database):
who may open them, grouping, decisions stored, bad input refused with a 4xx page."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.__main__ import main
from bot.store.models import NluReviewItem, Officer, OfficerRole
from bot.training.review import domain_intents
from tests.utils.officer import PASSWORD, People, TicketMaker, add_officer, csrf_of

Client = Callable[..., TestClient]
_EVENT_IDS = count(1)
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


def add_item(
    engine: Engine,
    text: str,
    intent: str | None = "ask_requirements",
    confidence: float | None = 0.42,
    reasons: str = "low_confidence",
    minutes: int = 0,
    alternatives: list[dict[str, Any]] | None = None,
) -> int:
    """A review item as the collector stores one (text already masked)."""
    with Session(engine) as s, s.begin():
        item = NluReviewItem(
            tracker_event_id=next(_EVENT_IDS),
            sender_hash="0" * 64,
            text=text,
            intent=intent,
            confidence=confidence,
            alternatives=alternatives
            if alternatives is not None
            else [
                {"name": "ask_cost", "confidence": 0.3},
                {"name": "ask_procedure", "confidence": 0.1},
                {"name": "greet", "confidence": 0.05},
            ],
            entities=[],
            reasons=reasons,
            status="new",
            message_at=T0 + timedelta(minutes=minutes),
        )
        s.add(item)
        s.flush()
        return item.id


def statuses(engine: Engine) -> dict[int, tuple[str, str | None, int | None]]:
    with Session(engine) as s:
        return {
            r.id: (r.status, r.reviewed_intent, r.reviewed_by)
            for r in s.scalars(select(NluReviewItem))
        }


@pytest.fixture
def trainer(engine: Engine, people: People) -> int:
    return add_officer(engine, "tina", OfficerRole.TRAINER, [], "Tina Pelatih")


def _post(client: TestClient, data: dict[str, Any]) -> Any:
    token = csrf_of(client, "/latih")
    return client.post("/latih/keputusan", data={"csrf_token": token, **data})


# -- roles -----------------------------------------------------------------------------------


def test_only_trainers_open_the_inbox(
    app_client: Client, engine: Engine, trainer: int, make_ticket: TicketMaker
) -> None:
    item = add_item(engine, "syarat ktp apa aja")
    for username in ("budi", "sari", "siti", "admin"):
        c = app_client(username)
        page = c.get("/latih")
        assert page.status_code == 403, username
        assert "Akses ditolak" in page.text and "syarat ktp" not in page.text
        assert 'href="/latih"' not in c.get("/", follow_redirects=True).text
        token = csrf_of(c, "/")
        r = c.post("/latih/keputusan", data={"csrf_token": token, "aksi": "buang", "grup": item})
        assert r.status_code == 403, username
    assert statuses(engine)[item][0] == "new"

    c = app_client("tina")
    home = c.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/latih"
    page = c.get("/latih")
    assert page.status_code == 200 and "syarat ktp apa aja" in page.text
    assert "Tina Pelatih (Pelatih)" in page.text and 'href="/latih"' in page.text
    assert 'href="/antrean"' not in page.text


def test_a_trainer_opens_no_ticket_surface(
    app_client: Client, trainer: int, make_ticket: TicketMaker
) -> None:
    tid = make_ticket(description="Antrean KTP sangat lama PENANDATIKET, tiga jam menunggu.")
    c = app_client("tina")
    for path in (
        "/antrean",
        f"/antrean?q={tid}",
        "/antrean.csv?status=semua",
        f"/tiket/{tid}",
        f"/tiket/{tid}/balasan-cepat",
        "/laporan",
        "/balasan-cepat",
        "/lampiran/1",
        "/admin/akun",
        "/admin/audit",
    ):
        r = c.get(path)
        assert r.status_code in (403, 404), (path, r.status_code)
        assert "PENANDATIKET" not in r.text and tid not in r.text.replace(path, ""), path
    r = c.post(f"/tiket/{tid}/take", data={"csrf_token": csrf_of(c, "/latih")})
    assert r.status_code in (403, 404)


def test_cli_creates_a_trainer(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code = main(
        ["officer", "create", "--username", "tono", "--role", "trainer", "--password-stdin"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Akun tono dibuat" in out and "pelatih" in out
    from bot.store.db import get_engine

    with Session(get_engine(database_url)) as s:
        role = s.scalar(select(Officer.role).where(Officer.username == "tono"))
    assert role == OfficerRole.TRAINER
    assert main(["officer", "list"]) == 0
    assert "pelatih" in capsys.readouterr().out


def test_admin_can_make_an_account_a_trainer(
    app_client: Client, engine: Engine, people: People
) -> None:
    admin = app_client("admin")
    page = admin.get("/admin/akun")
    assert '<option value="trainer">Pelatih</option>' in page.text
    r = admin.post(
        "/admin/akun",
        data={
            "csrf_token": csrf_of(admin, "/admin/akun"),
            "username": "rini",
            "password": PASSWORD,
            "role": "trainer",
            "display_name": "Rini",
        },
    )
    assert r.status_code == 303
    with Session(engine) as s:
        assert s.scalar(select(Officer.role).where(Officer.username == "rini")) == (
            OfficerRole.TRAINER
        )


# -- grouping --------------------------------------------------------------------------------


def test_the_inbox_groups_similar_messages_largest_first(
    app_client: Client, engine: Engine, trainer: int
) -> None:
    add_item(engine, "mau lapor jalan rusak", "file_complaint", 0.5, minutes=50)
    for minutes, text in enumerate(
        ["Syarat KTP apa aja?", "syarat ktp  apa aja", "syarat ktp apa aj", "SYARAT KTP APA AJA!!"]
    ):
        add_item(engine, text, minutes=minutes)
    add_item(engine, "halo", "greet", 0.3, reasons="correction,low_confidence", minutes=60)
    add_item(engine, "halo", "greet", 0.5, reasons="low_confidence", minutes=61)
    page = app_client("tina").get("/latih").text
    assert "7 pesan dalam 3 grup" in page
    first, second, third = (page.index(t) for t in ("KTP APA AJA!!", ">halo<", "jalan rusak"))
    assert first < second < third  # by size (4, 2, 1), not by recency
    assert "4 pesan" in page and "ask_requirements (42%)" in page
    assert "ask_cost (30%), ask_procedure (10%), greet (5%)" in page
    assert "greet (40%)" in page  # mean confidence of the group's prediction
    assert "dikoreksi warga" in page and "keyakinan rendah × 2" in page


def test_the_citizens_signals_are_named(app_client: Client, engine: Engine, trainer: int) -> None:
    add_item(engine, "syarat ktp apa", "ask_requirements", 0.9, reasons="not_helpful,repeat")
    page = app_client("tina").get("/latih").text
    assert "jawaban tidak membantu" in page and "ditanyakan ulang" in page


def test_the_inbox_pages(app_client: Client, engine: Engine, trainer: int) -> None:
    for n in range(25):
        add_item(engine, f"{chr(97 + n) * 4} {n * 37}", minutes=n)  # all unlike each other
    c = app_client("tina")
    first = c.get("/latih").text
    assert "halaman 1 dari 2" in first and 'href="/latih?hal=2"' in first
    # A checkbox, a decision form and an entity form per group.
    assert first.count('name="grup" value=') == 20 * 3
    second = c.get("/latih?hal=2").text
    assert second.count('name="grup" value=') == 5 * 3
    beyond = c.get("/latih?hal=9")
    assert beyond.status_code == 200 and "Tidak ada grup di halaman ini" in beyond.text


# -- decisions -------------------------------------------------------------------------------


def test_decisions_are_stored_on_every_item_of_the_group(
    app_client: Client, engine: Engine, trainer: int
) -> None:
    a = [add_item(engine, "syarat ktp apa aja", minutes=i) for i in range(2)]
    b = [
        add_item(engine, "brp lama bikin paspor", "ask_cost", 0.5, minutes=5 + i) for i in range(2)
    ]
    d = add_item(engine, "asdfgh", "nlu_fallback", 0.2, reasons="fallback")
    c = app_client("tina")

    r = _post(c, {"aksi": "benar", "grup": ",".join(map(str, a)), "hal": "1"})
    assert r.status_code == 303 and r.headers["location"] == "/latih?hal=1"
    assert "2 pesan dikonfirmasi." in c.get(r.headers["location"]).text
    r = _post(c, {"aksi": "ganti", "intent": "ask_duration", "grup": f"{b[0]},{b[1]}"})
    assert r.status_code == 303
    r = _post(c, {"aksi": "buang", "grup": str(d)})
    assert r.status_code == 303
    stored = statuses(engine)
    assert [stored[i] for i in a] == [("confirmed", "ask_requirements", trainer)] * 2
    assert [stored[i] for i in b] == [("relabelled", "ask_duration", trainer)] * 2
    assert stored[d] == ("discarded", None, trainer)
    page = c.get("/latih").text
    assert "Kotak tinjauan kosong" in page

    # Deciding again changes nothing and says so.
    r = _post(c, {"aksi": "buang", "grup": str(a[0])})
    assert "sudah ditinjau" in c.get(r.headers["location"]).text
    assert statuses(engine)[a[0]][0] == "confirmed"


def test_bulk_actions_and_a_fallback_prediction_is_not_confirmed(
    app_client: Client, engine: Engine, trainer: int
) -> None:
    a = add_item(engine, "syarat ktp apa aja")
    b = add_item(engine, "biaya sim berapa", "ask_cost", 0.5)
    f = add_item(engine, "asdfgh", "nlu_fallback", 0.2, reasons="fallback")
    keep = add_item(engine, "tidak dipilih", "greet", 0.3)
    c = app_client("tina")
    page = c.get("/latih").text
    assert "Benar: nlu_fallback" not in page and "Benar: ask_cost" in page
    r = c.post(
        "/latih/keputusan",
        data={"csrf_token": csrf_of(c, "/latih"), "aksi": "benar", "grup": [a, b, f]},
    )
    shown = c.get(r.headers["location"]).text
    assert "2 pesan dikonfirmasi." in shown and "1 grup dilewati" in shown
    stored = statuses(engine)
    assert stored[a][:2] == ("confirmed", "ask_requirements")
    assert stored[b][:2] == ("confirmed", "ask_cost")
    assert stored[f][0] == "new" and stored[keep][0] == "new"
    r = _post(c, {"aksi": "ganti", "intent": "out_of_scope", "grup": [str(f), str(keep)]})
    assert r.status_code == 303
    stored = statuses(engine)
    assert stored[f][:2] == stored[keep][:2] == ("relabelled", "out_of_scope")


def test_the_intent_choices_are_the_domains(
    app_client: Client, engine: Engine, trainer: int
) -> None:
    add_item(engine, "syarat ktp apa aja")
    page = app_client("tina").get("/latih").text
    intents = domain_intents()
    assert "nlu_fallback" not in intents and {"give_feedback", "deny", "cancel"} <= set(intents)
    for name in intents:
        assert f'<option value="{name}">{name}</option>' in page
    assert '<option value="nlu_fallback">' not in page


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"aksi": "hapus", "grup": "1"}, 400),
        ({"aksi": "benar", "grup": "abc"}, 400),
        ({"aksi": "benar", "grup": "0"}, 400),
        ({"aksi": "benar", "grup": "1,,2"}, 400),
        ({"aksi": "benar", "grup": str(2**31)}, 400),
        ({"aksi": "benar", "grup": ",".join(["1"] * 3001)}, 400),
        ({"aksi": "ganti", "intent": "bukan_intent", "grup": "1"}, 400),
        ({"aksi": "ganti", "intent": "nlu_fallback", "grup": "1"}, 400),
        ({"aksi": "benar", "grup": "1", "hal": "x"}, 400),
        ({"aksi": "benar", "grup": "1", "hal": "0"}, 400),
        ({"aksi": "benar", "grup": "1\x00"}, 400),
    ],
)
def test_bad_input_is_a_clear_4xx(
    app_client: Client, engine: Engine, trainer: int, data: dict[str, str], status: int
) -> None:
    item = add_item(engine, "syarat ktp apa aja")
    r = _post(app_client("tina"), data)
    assert r.status_code == status, r.text
    assert "Isian" in r.text or "tidak" in r.text
    assert statuses(engine)[item][0] == "new"


def test_missing_choices_are_explained(app_client: Client, engine: Engine, trainer: int) -> None:
    item = add_item(engine, "syarat ktp apa aja")
    c = app_client("tina")
    r = _post(c, {"aksi": "benar"})
    assert r.status_code == 303 and "Pilih minimal satu grup" in c.get("/latih").text
    r = _post(c, {"aksi": "ganti", "intent": "", "grup": str(item)})
    assert r.status_code == 303 and "Pilih intent pengganti" in c.get("/latih").text
    assert statuses(engine)[item][0] == "new"


def test_csrf_and_bad_query(app_client: Client, engine: Engine, trainer: int) -> None:
    item = add_item(engine, "syarat ktp apa aja")
    c = app_client("tina")
    r = c.post("/latih/keputusan", data={"aksi": "buang", "grup": str(item)})
    assert r.status_code == 403
    r = c.post("/latih/keputusan", data={"csrf_token": "salah", "aksi": "buang", "grup": item})
    assert r.status_code == 403
    for query in ("hal=0", "hal=abc", "hal=99999999999"):
        r = c.get(f"/latih?{query}")
        assert r.status_code == 400, query
        assert "<html" in r.text and "tidak valid" in r.text
    assert c.get("/latih/tidak-ada").status_code == 404
    assert statuses(engine)[item][0] == "new"


# -- entities --------------------------------------------------------------------------------


def _mark(client: TestClient, data: dict[str, Any]) -> Any:
    token = csrf_of(client, "/latih")
    return client.post("/latih/entitas", data={"csrf_token": token, "hal": "1", **data})


def marks(engine: Engine) -> dict[int, list[dict[str, Any]] | None]:
    with Session(engine) as s:
        return dict(s.execute(select(NluReviewItem.id, NluReviewItem.reviewed_entities)).all())


def test_a_trainer_marks_a_service_and_a_ticket_id_on_a_group(
    app_client: Client, engine: Engine, trainer: int
) -> None:
    a = add_item(engine, "syarat KTP apa aja", minutes=1)
    b = add_item(engine, "syarat ktp apa aja!", minutes=2)
    t = add_item(engine, "cek ADU-XXXXXX dong min", "check_status", 0.5, minutes=3)
    c = app_client("tina")
    page = c.get("/latih").text
    assert 'action="/latih/entitas"' in page and '<option value="ktp">' in page

    r = _mark(c, {"aksi": "tandai", "grup": f"{b},{a}", "jenis": "service", "teks": "ktp",
                  "nilai": "ktp"})  # fmt: skip
    assert r.status_code == 303
    assert "Layanan ditandai pada 2 pesan." in c.get("/latih").text
    assert marks(engine)[a] == [
        {"entity": "service", "value": "ktp", "text": "KTP", "start": 7, "end": 10}
    ]
    assert marks(engine)[b] == [
        {"entity": "service", "value": "ktp", "text": "ktp", "start": 7, "end": 10}
    ]
    r = _mark(c, {"aksi": "tandai", "grup": str(t), "jenis": "ticket_id", "teks": "adu-xxxxxx"})
    assert r.status_code == 303
    assert marks(engine)[t] == [
        {"entity": "ticket_id", "value": None, "text": "ADU-XXXXXX", "start": 4, "end": 14}
    ]
    page = c.get("/latih").text
    assert "layanan: <q>KTP</q> = ktp" in page or "layanan: <q>ktp</q> = ktp" in page
    assert "nomor tiket: <q>ADU-XXXXXX</q>" in page

    # The marks travel with the decision; removing them is possible before it.
    r = _mark(c, {"aksi": "hapus", "grup": str(t)})
    assert r.status_code == 303 and marks(engine)[t] is None
    _post(c, {"aksi": "benar", "grup": f"{a},{b}"})
    assert statuses(engine)[a][0] == "confirmed" and marks(engine)[a]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"jenis": "service", "teks": "sim", "nilai": "sim"}, "tidak ada dalam pesan"),
        ({"jenis": "service", "teks": "kt", "nilai": "ktp"}, "tidak ada dalam pesan"),
        ({"jenis": "service", "teks": "ktp", "nilai": ""}, "Pilih layanan dari katalog"),
        ({"jenis": "service", "teks": "ktp", "nilai": "bukan_layanan"}, "Pilih layanan"),
        ({"jenis": "service", "teks": "[NIK]", "nilai": "ktp"}, "tanda kurung"),
        ({"jenis": "service", "teks": "", "nilai": "ktp"}, "Tulis teks entitas"),
        ({"jenis": "ticket_id", "teks": "ktp"}, "Nomor tiket ditulis ADU-"),
    ],
)
def test_a_mark_that_does_not_fit_is_explained_and_not_stored(
    app_client: Client, engine: Engine, trainer: int, data: dict[str, str], message: str
) -> None:
    item = add_item(engine, "syarat ktp [NIK] apa aja")
    c = app_client("tina")
    r = _mark(c, {"aksi": "tandai", "grup": str(item), **data})
    assert r.status_code == 303
    assert message in c.get("/latih").text
    assert marks(engine)[item] is None


@pytest.mark.parametrize(
    "data",
    [
        {"aksi": "tandai", "grup": "1", "jenis": "complaint_location", "teks": "x"},
        {"aksi": "ubah", "grup": "1", "jenis": "service", "teks": "ktp"},
        {"aksi": "tandai", "grup": "x", "jenis": "service", "teks": "ktp"},
        {"aksi": "tandai", "grup": "1", "jenis": "service", "teks": "ktp", "hal": "0"},
    ],
)
def test_bad_entity_input_is_a_4xx(
    app_client: Client, engine: Engine, trainer: int, data: dict[str, str]
) -> None:
    item = add_item(engine, "syarat ktp apa aja")
    c = app_client("tina")
    r = c.post("/latih/entitas", data={"csrf_token": csrf_of(c, "/latih"), "hal": "1", **data})
    assert r.status_code == 400
    assert marks(engine)[item] is None
    r = c.post("/latih/entitas", data={"aksi": "hapus", "grup": str(item)})
    assert r.status_code == 403  # no CSRF token


@pytest.mark.parametrize("username", ["budi", "siti", "admin"])
def test_only_trainers_mark(
    app_client: Client, engine: Engine, people: People, username: str
) -> None:
    item = add_item(engine, "syarat ktp apa aja")
    c = app_client(username)
    token = csrf_of(c, "/")
    r = c.post(
        "/latih/entitas",
        data={"csrf_token": token, "aksi": "tandai", "grup": str(item), "jenis": "service",
              "teks": "ktp", "nilai": "ktp"},
    )  # fmt: skip
    assert r.status_code == 403
    assert marks(engine)[item] is None


def test_a_boosted_visit_loads_the_page_fully(
    app_client: Client, engine: Engine, trainer: int
) -> None:
    add_item(engine, "syarat ktp apa aja", alternatives=[{"name": "ask_cost", "confidence": 0.3}])
    c = app_client("tina")
    r = c.get("/latih?hal=1", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert r.status_code == 200 and r.headers["HX-Redirect"] == "/latih?hal=1"
    page = c.get("/latih").text
    assert '<script src="/static/latih.js" defer></script>' in page
    assert "Pintasan keyboard" in page
    # The shortlist: the alternatives first, never the prediction itself.
    short = page.split('data-shortlist="')[1].split('"')[0].split(",")
    assert short[0] == "ask_cost" and "ask_requirements" not in short and len(short) == 9


# -- E25: decided items, undo, export from the console ----------------------------------------


@pytest.fixture
def nlu_data(tmp_path: Any) -> Any:
    """A private copy of data/rasa for the console's export and undo."""
    import shutil

    from bot.training.export import DATA_DIR, FILE_NAME

    target = tmp_path / "rasa"
    shutil.copytree(DATA_DIR, target)
    (target / FILE_NAME).unlink(missing_ok=True)
    return target


def _on_copy(c: TestClient, data: Any) -> TestClient:
    c.app.state.nlu_data_dir = data  # type: ignore[attr-defined]
    c.app.state.nlu_held_out = []  # type: ignore[attr-defined]
    return c


def test_a_wrong_decision_is_listed_and_undone_before_export(
    app_client: Client, engine: Engine, trainer: int, nlu_data: Any
) -> None:
    """The tester's slip: 'lho kok gitu' relabelled ask_duration by a wrong group number."""
    slip = add_item(engine, "lho kok gitu", "nlu_fallback", 0.45, reasons="fallback")
    meant = add_item(engine, "lamanya?", "nlu_fallback", 0.45, reasons="fallback", minutes=1)
    c = _on_copy(app_client("tina"), nlu_data)
    assert 'href="/latih/riwayat"' in c.get("/latih").text
    _post(c, {"aksi": "ganti", "intent": "ask_duration", "grup": str(slip)})
    _post(c, {"aksi": "ganti", "intent": "ask_duration", "grup": str(meant)})

    page = c.get("/latih/riwayat").text
    assert "lho kok gitu" in page and "lamanya?" in page
    assert "diberi intent: <strong>ask_duration</strong>" in page and "tina" in page
    assert page.count("Batalkan</button>") == 2
    assert '<dd id="siap-ekspor">2 (ask_duration: 2)</dd>' in page

    token = csrf_of(c, "/latih/riwayat")
    r = c.post("/latih/riwayat/batal", data={"csrf_token": token, "grup": str(slip)})
    assert r.status_code == 303 and r.headers["location"] == "/latih/riwayat"
    after = c.get("/latih/riwayat").text
    assert "1 pesan kembali ke kotak tinjauan" in after
    assert after.count("Batalkan</button>") == 1
    assert statuses(engine)[slip] == ("new", None, None)
    assert "lho kok gitu" in c.get("/latih").text  # back in the inbox
    again = c.post("/latih/riwayat/batal", data={"csrf_token": token, "grup": str(slip)})
    assert "sudah dibatalkan" in c.get(again.headers["location"]).text


def test_the_export_button_writes_reviewed_yml_with_the_clis_checks(
    app_client: Client, engine: Engine, trainer: int, nlu_data: Any
) -> None:
    from bot.training.export import FILE_NAME, read_intent_examples

    nlu = read_intent_examples(nlu_data / "nlu.yml")
    other, known = next(
        (i, t) for i, texts in nlu.items() if i != "ask_cost" for t in texts if "[" not in t
    )
    slip = add_item(engine, "lho kok gitu", "nlu_fallback", 0.45, reasons="fallback")
    meant = add_item(engine, "lamanya?", "nlu_fallback", 0.45, reasons="fallback", minutes=1)
    clash = add_item(engine, known, other, 0.5, minutes=2)  # relabelled away from the data
    c = _on_copy(app_client("tina"), nlu_data)
    _post(c, {"aksi": "ganti", "intent": "ask_duration", "grup": str(slip)})
    _post(c, {"aksi": "ganti", "intent": "ask_duration", "grup": str(meant)})
    _post(c, {"aksi": "ganti", "intent": "ask_cost", "grup": str(clash)})
    page = c.get("/latih/riwayat").text
    assert 'id="konflik"' in page and "ask_cost (keputusan, 1 pesan)" in page

    # Without the CSRF token: refused, nothing written.
    refused = c.post("/latih/ekspor", data={"csrf_token": "salah"})
    assert refused.status_code == 403 and not (nlu_data / FILE_NAME).exists()
    r = c.post("/latih/ekspor", data={"csrf_token": csrf_of(c, "/latih/riwayat")})
    assert r.status_code == 303 and r.headers["location"] == "/latih/riwayat"
    note = c.get("/latih/riwayat").text
    assert "2 contoh ditambahkan" in note and "1 konflik" in note
    assert read_intent_examples(nlu_data / FILE_NAME) == {
        "ask_duration": ["lamanya?", "lho kok gitu"]
    }

    # Undone after export: out of reviewed.yml too, and said so.
    token = csrf_of(c, "/latih/riwayat")
    r = c.post("/latih/riwayat/batal", data={"csrf_token": token, "grup": str(slip)})
    done = c.get(r.headers["location"]).text
    assert "1 contoh dihapus dari data/rasa/reviewed.yml" in done
    assert read_intent_examples(nlu_data / FILE_NAME) == {"ask_duration": ["lamanya?"]}
    with Session(engine) as s:
        from bot.store.models import ConsoleAuditLog

        actions = [a.action for a in s.scalars(select(ConsoleAuditLog))]
    assert "nlu_export" in actions and "nlu_export_undo" in actions


def test_only_trainers_see_decisions_undo_and_export(
    app_client: Client, engine: Engine, trainer: int, people: People, nlu_data: Any
) -> None:
    item = add_item(engine, "syarat ktp apa aja")
    tina = _on_copy(app_client("tina"), nlu_data)
    _post(tina, {"aksi": "benar", "grup": str(item)})
    for username in ("budi", "sari", "siti", "admin"):
        c = _on_copy(app_client(username), nlu_data)
        page = c.get("/latih/riwayat")
        assert page.status_code == 403 and "syarat ktp" not in page.text, username
        token = csrf_of(c, "/")
        for path, data in (("/latih/riwayat/batal", {"grup": str(item)}), ("/latih/ekspor", {})):
            r = c.post(path, data={"csrf_token": token, **data})
            assert r.status_code == 403, (username, path)
    assert statuses(engine)[item][0] == "confirmed"
    assert not (nlu_data / "reviewed.yml").exists()
