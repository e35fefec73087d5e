"""Reviewed NLU inbox items exported to the training data (bot.training.export,
`python -m bot nlu export`), on SQLite and PostgreSQL, into a copy of data/rasa/."""

from __future__ import annotations

import json
import shutil
import subprocess
from itertools import count
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.__main__ import main
from bot.store.db import get_engine
from bot.store.models import NluReviewItem, utcnow
from bot.training import export as export_module
from bot.training.export import (
    FILE_NAME,
    example_key,
    example_text,
    export_reviewed,
    read_intent_examples,
    undo,
)
from bot.training.heldout import held_out_sets
from devtools.devstack import RASA, ROOT, TRAINING_DATA, engine_env
from tests.utils.db import IN_CI

_event_ids = count(1)


@pytest.fixture
def engine(database_url: str) -> Engine:
    return get_engine(database_url)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the real training data."""
    target = tmp_path / "rasa"
    shutil.copytree(TRAINING_DATA, target)
    (target / FILE_NAME).unlink(missing_ok=True)
    return target


def add(
    engine: Engine,
    text: str,
    intent: str | None,
    status: str = "confirmed",
    reviewed: str | None = None,
    marks: list[tuple[str, str | None, str]] | None = None,
) -> int:
    """A review item with the trainer's decision: confirmed keeps the prediction. `marks`:
    (entity, value, span) the trainer marked, found in `text`."""
    if status == "confirmed":
        reviewed = intent
    with Session(engine) as s, s.begin():
        row = NluReviewItem(
            tracker_event_id=next(_event_ids),
            sender_hash="0" * 64,
            text=text,
            intent=intent,
            confidence=0.4,
            alternatives=[],
            entities=[],
            reasons="low_confidence",
            status=status,
            reviewed_intent=reviewed if status in ("confirmed", "relabelled") else None,
            reviewed_at=None if status == "new" else utcnow(),
            reviewed_entities=[
                {
                    "entity": e,
                    "value": v,
                    "text": span,
                    "start": text.index(span),
                    "end": text.index(span) + len(span),
                }
                for e, v, span in marks
            ]
            if marks
            else None,
        )
        s.add(row)
        s.flush()
        return row.id


def entity(text: str, span: str, name: str = "service", value: str | None = None) -> dict:
    """An entity as Rasa's loader reads it from markup."""
    start = text.index(span)
    return {"start": start, "end": start + len(span), "value": value or span, "entity": name}


def exported(engine: Engine) -> set[int]:
    with Session(engine) as s:
        return set(
            s.scalars(select(NluReviewItem.id).where(NluReviewItem.exported_at.is_not(None)))
        )


def written(data_dir: Path) -> dict[str, list[str]]:
    path = data_dir / FILE_NAME
    return read_intent_examples(path) if path.exists() else {}


def test_placeholders_become_words_and_brackets_parentheses() -> None:
    assert example_text("nik [NIK][TELEPON]\n tiket ADU-XXXXXX") == (
        "nik NIK_DISAMARKAN TELEPON_DISAMARKAN tiket ADU-XXXXXX"
    )
    assert example_text("motor [PLAT](hitam) [EMAIL] [ANGKA] [catatan]") == (
        "motor PLAT_DISAMARKAN(hitam) EMAIL_DISAMARKAN ANGKA_DISAMARKAN (catatan)"
    )
    assert example_key("Syarat  [KTP-el](service) apa?") == "syarat ktp el apa"
    assert example_key('bikin [SIM]{"entity": "service"} ya') == "bikin sim ya"


def test_marked_entities_become_rasa_markup() -> None:
    text = "cek [NIK]ktp sama ADU-XXXXXX [catatan] ktp elektronik"
    marks = [
        {"entity": "service", "value": "ktp", "text": "ktp", "start": 9, "end": 12},
        {"entity": "ticket_id", "value": None, "text": "ADU-XXXXXX", "start": 18, "end": 28},
        {"entity": "service", "value": "ktp", "text": "ktp elektronik", "start": 39, "end": 53},
    ]
    assert example_text(text, marks) == (
        "cek NIK_DISAMARKAN [ktp](service) sama [ADU-XXXXXX](ticket_id) (catatan) "
        '[ktp elektronik]{"entity": "service", "value": "ktp"}'
    )
    # A known synonym of the value needs no value; a mark that no longer fits is dropped.
    assert example_text(text, marks, {"ktp elektronik": "ktp"}).endswith(
        "[ktp elektronik](service)"
    )
    stale = [{"entity": "service", "value": "ktp", "text": "sim", "start": 9, "end": 12}]
    assert example_text(text, stale) == example_text(text)
    assert example_key(example_text(text, marks)) == example_key(example_text(text))


def test_marked_items_are_exported_with_their_entities(engine: Engine, data_dir: Path) -> None:
    add(engine, "kalo KTP elektronik rusak gmn", "ask_procedure",
        marks=[("service", "ktp", "KTP elektronik")])  # fmt: skip
    add(engine, "kalo ktp elektronik rusak gmn?", "ask_procedure")  # same text, older
    add(engine, "status ADU-XXXXXX sudah sampai mana", "check_status",
        marks=[("ticket_id", None, "ADU-XXXXXX")])  # fmt: skip
    result = export_reviewed(engine, data_dir, held_out=())
    assert result.conflicts == [] and result.added_count == 2
    synonym = "[KTP elektronik](service)"  # a synonym of ktp in nlu_entities.yml
    assert written(data_dir) == {
        "ask_procedure": [f"kalo {synonym} rusak gmn"],
        "check_status": ["status [ADU-XXXXXX](ticket_id) sudah sampai mana"],
    }


def test_confirmed_and_relabelled_items_are_written_discarded_and_new_are_not(
    engine: Engine, data_dir: Path
) -> None:
    confirmed = add(engine, "min biaya legalisir ijazah di kecamatan brp ya", "ask_cost")
    relabelled = add(
        engine, "petugasnya ramah bgt kmrn, makasih bnyk", "thank", "relabelled", "give_feedback"
    )
    discarded = add(engine, "asdfgh qwerty", "nlu_fallback", "discarded")
    new = add(engine, "jam brp tutup loketnya", "ask_location_hours", "new")

    result = export_reviewed(engine, data_dir, held_out=())

    assert written(data_dir) == {
        "ask_cost": ["min biaya legalisir ijazah di kecamatan brp ya"],
        "give_feedback": ["petugasnya ramah bgt kmrn, makasih bnyk"],
    }
    assert result.added_count == 2 and result.conflicts == [] and result.duplicates == 0
    assert exported(engine) == {confirmed, relabelled}
    assert discarded not in result.exported_ids and new not in result.exported_ids
    text = (data_dir / FILE_NAME).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    assert [b["intent"] for b in data["nlu"]] == ["ask_cost", "give_feedback"]
    assert "examples: |" in text


def test_the_file_is_merged_never_losing_earlier_examples(engine: Engine, data_dir: Path) -> None:
    (data_dir / FILE_NAME).write_text(
        'version: "3.1"\nnlu:\n- intent: give_feedback\n  examples: |\n'
        "    - zzz pelayanan mantul pokoknya\n    - aplikasinya oke [KTP](service) cepet jadi\n"
        "- synonym: ktp\n  examples: |\n    - ktp elektronik baru\n",
        encoding="utf-8",
    )
    add(engine, "antreannya rapi skrg, good job", "give_feedback")
    add(engine, "berapa lama sih bikin akta", "ask_duration")

    export_reviewed(engine, data_dir, held_out=())

    assert written(data_dir) == {
        "ask_duration": ["berapa lama sih bikin akta"],
        "give_feedback": [  # sorted on the normalised text
            "antreannya rapi skrg, good job",
            "aplikasinya oke [KTP](service) cepet jadi",
            "zzz pelayanan mantul pokoknya",
        ],
    }
    nlu = yaml.safe_load((data_dir / FILE_NAME).read_text(encoding="utf-8"))["nlu"]
    assert {"synonym": "ktp", "examples": "- ktp elektronik baru\n"} in nlu


def test_duplicates_of_the_data_and_within_the_export_are_written_once(
    engine: Engine, data_dir: Path
) -> None:
    # In data/rasa/nlu.yml under ask_requirements: "syaratnya apa aja?".
    dup_data = add(engine, "Syaratnya   APA aja", "ask_requirements")
    a = add(engine, "loketnya buka hari sabtu gak ya", "ask_location_hours")
    b = add(engine, "Loketnya buka hari Sabtu gak ya??", "ask_location_hours")

    result = export_reviewed(engine, data_dir, held_out=())

    assert written(data_dir) == {"ask_location_hours": ["Loketnya buka hari Sabtu gak ya??"]}
    assert result.duplicates == 1 and result.conflicts == []
    assert exported(engine) == {dup_data, a, b}  # all of them are in the data now


def test_conflicts_are_reported_and_not_written(engine: Engine, data_dir: Path) -> None:
    against_data = add(engine, "syaratnya apa aja", "ask_cost", "relabelled", "ask_cost")
    inside_1 = add(engine, "ok sip makasih", "thank")
    inside_2 = add(engine, "ok sip, makasih!", "affirm", "relabelled", "affirm")
    fine = add(engine, "kantor capil pindah kemana skrg", "ask_location_hours")

    result = export_reviewed(engine, data_dir, held_out=())

    assert written(data_dir) == {"ask_location_hours": ["kantor capil pindah kemana skrg"]}
    conflicts = {c.text: c for c in result.conflicts}
    assert set(conflicts) == {"syaratnya apa aja", "ok sip, makasih!"}
    data_conflict = conflicts["syaratnya apa aja"]
    assert data_conflict.export == {"ask_cost": [against_data]}
    assert data_conflict.existing == {"ask_requirements": ["nlu.yml"]}
    assert data_conflict.intents == ["ask_cost", "ask_requirements"]
    assert conflicts["ok sip, makasih!"].export == {"affirm": [inside_2], "thank": [inside_1]}
    assert exported(engine) == {fine}  # conflicts wait for a trainer

    again = export_reviewed(engine, data_dir, held_out=())
    assert [c.text for c in again.conflicts] == [c.text for c in result.conflicts]


def test_a_second_export_adds_nothing(engine: Engine, data_dir: Path) -> None:
    add(engine, "kalo ktp rusak bs diganti gratis gak", "ask_cost")
    export_reviewed(engine, data_dir, held_out=())
    before = (data_dir / FILE_NAME).read_bytes()

    second = export_reviewed(engine, data_dir, held_out=())

    assert second.added_count == 0 and second.exported_ids == [] and second.duplicates == 0
    assert (data_dir / FILE_NAME).read_bytes() == before


def test_a_dry_run_writes_and_marks_nothing(engine: Engine, data_dir: Path) -> None:
    item = add(engine, "kalo ktp rusak bs diganti gratis gak", "ask_cost")

    result = export_reviewed(engine, data_dir, dry_run=True, held_out=())

    assert result.added == {"ask_cost": ["kalo ktp rusak bs diganti gratis gak"]}
    assert result.exported_ids == [item]
    assert not (data_dir / FILE_NAME).exists() and exported(engine) == set()


def test_near_copies_of_held_out_messages_stay_out(
    engine: Engine, data_dir: Path, tmp_path: Path
) -> None:
    held = tmp_path / "held.yml"
    held.write_text(
        'version: "3.1"\nnlu:\n- intent: ask_cost\n  examples: |\n'
        "    - biaya perpanjang [SIM A](service) berapa sekarang\n",
        encoding="utf-8",
    )
    near = add(engine, "biaya perpanjang sim a brp sekarang", "ask_cost")

    result = export_reviewed(engine, data_dir, held_out=[held])

    assert written(data_dir) == {} and exported(engine) == set()
    [kept_out] = result.held_out
    assert kept_out.ids == [near] and kept_out.source == "held.yml"


def test_the_shipped_held_out_sets_are_checked() -> None:
    names = {p.name for p in held_out_sets()}
    shipped = {"test_nlu.yml", "heldout_2026_11.yml", "heldout_2026_11_30.yml", "nlu_fresh.yml"}
    assert shipped <= names


def test_the_cli_exports_to_data_rasa(
    engine: Engine, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(export_module, "DATA_DIR", data_dir)
    monkeypatch.setattr(export_module, "held_out_sets", list)
    add(engine, "syaratnya apa aja", "ask_cost", "relabelled", "ask_cost")
    item = add(engine, "kalo ktp rusak bs diganti gratis gak", "ask_cost")

    assert main(["nlu", "export", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would add 1 examples" in out and "'syaratnya apa aja'" in out
    assert not (data_dir / FILE_NAME).exists()

    assert main(["nlu", "export"]) == 0
    out = capsys.readouterr().out
    assert "added 1 examples" in out and "ask_requirements (nlu.yml)" in out
    assert written(data_dir) == {"ask_cost": ["kalo ktp rusak bs diganti gratis gak"]}
    assert exported(engine) == {item}


@pytest.mark.rasa
def test_the_exported_file_passes_rasa_and_holds_the_corrected_labels(
    engine: Engine, data_dir: Path
) -> None:
    if not RASA.exists() and not IN_CI:
        pytest.skip("the Rasa engine is not installed (.venv-rasa): run `make install`")
    add(engine, "nik sy [NIK][TELEPON] kok ga bs dipake daftar", "file_complaint")
    add(
        engine,
        "plat [PLAT](mobil dinas) parkir sembarangan",
        "ask_help",
        "relabelled",
        "file_complaint",
    )
    add(engine, "cek ADU-XXXXXX dong, email [EMAIL]", "check_status")
    add(engine, "nomor [ANGKA] [catatan] blm diproses", "ask_help", "relabelled", "check_status")
    add(
        engine,
        "pelayanannya lelet bgt tp petugasnya sopan",
        "ask_help",
        "relabelled",
        "give_feedback",
    )

    # Entities a trainer marked: a synonym, a new surface form with its catalogue id, a
    # service glued to a placeholder, a ticket id.
    add(engine, "mau perpanjang KTP elektronik di mana", "ask_location_hours",
        marks=[("service", "ktp", "KTP elektronik")])  # fmt: skip
    add(engine, "bikin ktp baru buat anak 17 thn", "ask_requirements",
        marks=[("service", "ktp", "ktp baru")])  # fmt: skip
    add(engine, "nik [NIK]kartu tanda penduduk hilang", "ask_procedure",
        marks=[("service", "ktp", "kartu tanda penduduk")])  # fmt: skip
    add(engine, "tolong cek ADU-XXXXXX ya", "check_status",
        marks=[("ticket_id", None, "ADU-XXXXXX")])  # fmt: skip

    result = export_reviewed(engine, data_dir, held_out=())
    assert result.added_count == 9 and result.conflicts == []

    validate = subprocess.run(
        [
            str(RASA),
            "data",
            "validate",
            "--data",
            str(data_dir),
            "--domain",
            str(ROOT / "domain.yml"),
            "--config",
            str(ROOT / "config.yml"),
            "--fail-on-warnings",
        ],
        cwd=ROOT,
        env=engine_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert validate.returncode == 0, validate.stdout[-3000:] + validate.stderr[-3000:]

    # Rasa's own reader: plain text, no entity, the trainer's labels.
    script = (
        "import json, sys\n"
        "from rasa.shared.nlu.training_data.loading import load_data\n"
        "data = load_data(sys.argv[1])\n"
        "print(json.dumps([[m.get('text'), m.get('intent'), m.get('entities') or []]"
        " for m in data.intent_examples]))\n"
    )
    loaded = subprocess.run(
        [str(RASA.parent / "python"), "-c", script, str(data_dir / FILE_NAME)],
        env=engine_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    examples = json.loads(loaded.stdout.strip().splitlines()[-1])
    assert sorted(map(tuple, examples), key=lambda example: example[0]) == sorted(
        [
            (
                "nik sy NIK_DISAMARKAN TELEPON_DISAMARKAN kok ga bs dipake daftar",
                "file_complaint",
                [],
            ),
            ("plat PLAT_DISAMARKAN(mobil dinas) parkir sembarangan", "file_complaint", []),
            ("cek ADU-XXXXXX dong, email EMAIL_DISAMARKAN", "check_status", []),
            ("nomor ANGKA_DISAMARKAN (catatan) blm diproses", "check_status", []),
            ("pelayanannya lelet bgt tp petugasnya sopan", "give_feedback", []),
            (
                "mau perpanjang KTP elektronik di mana",
                "ask_location_hours",
                [entity("mau perpanjang KTP elektronik di mana", "KTP elektronik")],
            ),
            (
                "bikin ktp baru buat anak 17 thn",
                "ask_requirements",
                [entity("bikin ktp baru buat anak 17 thn", "ktp baru", value="ktp")],
            ),
            (
                "nik NIK_DISAMARKAN kartu tanda penduduk hilang",
                "ask_procedure",
                [entity("nik NIK_DISAMARKAN kartu tanda penduduk hilang", "kartu tanda penduduk")],
            ),
            (
                "tolong cek ADU-XXXXXX ya",
                "check_status",
                [entity("tolong cek ADU-XXXXXX ya", "ADU-XXXXXX", "ticket_id")],
            ),
        ],
        key=lambda example: example[0],
    )


# -- E25: undo a decision, before and after export --------------------------------------------


def test_undo_before_export_puts_the_items_back(engine: Engine, data_dir: Path) -> None:
    wrong = add(engine, "lho kok gitu", "nlu_fallback", "relabelled", "ask_duration")
    right = add(engine, "lamanya?", "nlu_fallback", "relabelled", "ask_duration")
    result = undo(engine, [wrong], data_dir)
    assert (result.undone, result.removed, result.kept) == (1, {}, [])
    with Session(engine) as s:
        row = s.get(NluReviewItem, wrong)
        assert row is not None
        assert (row.status, row.reviewed_intent, row.reviewed_at) == ("new", None, None)
    assert undo(engine, [wrong], data_dir).undone == 0  # already undone
    export_reviewed(engine, data_dir, held_out=[])
    assert written(data_dir) == {"ask_duration": ["lamanya?"]}
    assert exported(engine) == {right}


def test_undo_after_export_takes_the_example_out_of_reviewed_yml(
    engine: Engine, data_dir: Path
) -> None:
    wrong = add(engine, "lho kok gitu", "nlu_fallback", "relabelled", "ask_duration")
    add(engine, "lamanya?", "nlu_fallback", "relabelled", "ask_duration")
    # Two messages, one example: undoing one keeps the line, which is still the other's.
    twin_a = add(engine, "syarat skck apa aj", "ask_requirements", "confirmed")
    twin_b = add(engine, "Syarat SKCK apa aj?", "ask_requirements", "confirmed")
    export_reviewed(engine, data_dir, held_out=[])
    before = written(data_dir)
    assert "lho kok gitu" in before["ask_duration"]

    result = undo(engine, [wrong, twin_a], data_dir)
    assert result.undone == 2
    assert result.removed == {"ask_duration": ["lho kok gitu"]}
    after = written(data_dir)
    assert after["ask_duration"] == ["lamanya?"]
    assert after["ask_requirements"] == before["ask_requirements"]
    assert wrong not in exported(engine) and twin_b in exported(engine)


def test_undo_of_an_example_the_data_already_had_says_so(engine: Engine, data_dir: Path) -> None:
    nlu = read_intent_examples(data_dir / "nlu.yml")
    intent, texts = next((i, t) for i, t in nlu.items() if t)
    plain = next(t for t in texts if "[" not in t and "(" not in t)
    item = add(engine, plain, intent, "confirmed")
    result = export_reviewed(engine, data_dir, held_out=[])
    assert result.duplicates == 1 and item in exported(engine)
    undone = undo(engine, [item], data_dir)
    assert undone.undone == 1 and undone.removed == {}
    assert undone.kept == [(plain, intent, ["nlu.yml"])]
    assert (data_dir / "nlu.yml").read_text(encoding="utf-8").count(plain) >= 1
