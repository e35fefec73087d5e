"""The complaint category classifier (issue 10): it beats the keyword scorer it replaced,
places the issue's two examples and the hard cases, reaches the issue's target on the
held-out set, and trains again when its data changes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.categories import suggest_category
from bot.category_eval import cross_validate, evaluate, read_held_out
from bot.category_model import (
    CategoryModel,
    Example,
    ExamplesError,
    get_model,
    read_examples,
    training_examples,
)
from bot.store.models import Category

HELD_OUT_TARGET = 0.85  # the issue's accuracy target


def test_training_data_has_enough_examples_per_category() -> None:
    examples = training_examples()
    for category in Category:
        assert sum(e.category is category for e in examples) >= 45, category


def test_training_data_shares_no_text_with_the_held_out_set() -> None:
    def key(text: str) -> str:
        return " ".join(text.lower().split())

    training = {key(e.text) for e in training_examples()}
    assert not [e.text for e in read_held_out() if key(e.text) in training]


def test_classifier_beats_the_keyword_scorer_in_cross_validation() -> None:
    results = cross_validate(training_examples(), folds=5, seeds=(0,))
    assert results["suggestion"].accuracy > results["keywords"].accuracy + 0.05
    # The keyword features earn their place: the model with them beats the text alone.
    assert results["model"].accuracy > results["model_text"].accuracy


def test_held_out_accuracy_reaches_the_issue_target() -> None:
    results = evaluate(training_examples(), read_held_out())
    assert results["suggestion"].count == 250
    assert results["suggestion"].accuracy >= HELD_OUT_TARGET


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The issue's two examples, in new words: a pungli complaint at a transport office
        # (not Transportasi) and a SIM exam complaint (not Kebersihan).
        (
            "Biar STNK cepat jadi, orang samsat nyuruh nitip 200 ribu lewat satpam, katanya "
            "sudah biasa begitu",
            Category.PUNGLI,
        ),
        (
            "Udah dua kali gagal ujian praktik SIM C, penguji gak pernah jelasin salahnya di mana",
            Category.TRANSPORTASI,
        ),
        # A SIM exam with money asked is pungli.
        (
            "ujian SIM di satpas, kata pengujinya lulus asal nambah 300rb, kalau nggak ya ulang "
            "bulan depan",
            Category.PUNGLI,
        ),
        # Garbage on a road is kebersihan, not infrastruktur or transportasi.
        (
            "sampah numpuk di tengah jalan raya dekat lampu merah, mobil sampai harus belok",
            Category.KEBERSIHAN,
        ),
        # Pungli inside a school or a clinic is pungli.
        (
            "anak saya disuruh bayar uang gedung 3 juta di SMP negeri, kalau gak bayar gak "
            "dapet kursi",
            Category.PUNGLI,
        ),
        ("bidan di puskesmas minta 150 ribu buat imunisasi yang harusnya gratis", Category.PUNGLI),
        ("lampu jalan di depan gang mati sebulan, gelap banget", Category.INFRASTRUKTUR),
        ("tetangga setel musik keras sampai subuh tiap malam", Category.KETERTIBAN),
        ("izin usaha saya di OSS belum terbit sudah dua bulan", Category.PERIZINAN),
        ("petugas kantor pos kasar dan paket saya hilang", Category.LAINNYA),
    ],
)
def test_hard_cases(text: str, expected: Category) -> None:
    assert suggest_category(text) is expected


def test_empty_text_is_lainnya() -> None:
    assert suggest_category("   ") is Category.LAINNYA


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_text(yaml.safe_dump({"examples": rows}, allow_unicode=True), encoding="utf-8")


def test_model_trains_again_when_its_data_changes(tmp_path: Path) -> None:
    rows = [
        {"text": f"sampah menumpuk di gang {i} bau sekali", "category": "kebersihan"}
        for i in range(5)
    ] + [
        {"text": f"jalan berlubang di blok {i} bahaya", "category": "infrastruktur"}
        for i in range(5)
    ]
    _write(tmp_path / "complaints.yml", rows)
    first = get_model(tmp_path)
    assert get_model(tmp_path) is first
    assert first.predict("musik karaoke keras tengah malam") is not Category.KETERTIBAN
    reviewed = [
        {"text": f"musik karaoke keras tengah malam {i}", "category": "ketertiban"}
        for i in range(5)
    ]
    _write(tmp_path / "reviewed.yml", reviewed)
    second = get_model(tmp_path)
    assert second is not first and second.data_hash != first.data_hash
    assert second.predict("musik karaoke keras tengah malam") is Category.KETERTIBAN


def test_bad_data_is_refused_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "complaints.yml"
    _write(path, [{"text": "jalan rusak", "category": "jalanan"}])
    with pytest.raises(ExamplesError, match="example 1: unknown category 'jalanan'"):
        read_examples(path)
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ExamplesError, match="expected 'examples:'"):
        read_examples(path)
    with pytest.raises(ExamplesError, match="two categories"):
        CategoryModel.train([Example("jalan rusak", Category.INFRASTRUKTUR)])
