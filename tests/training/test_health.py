"""Data health of the NLU training data (bot.training.health): small data folders written
per test, and the real data/rasa/ once (a well-formed report, not an empty one)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.training import health
from bot.training.heldout import held_out_sets
from tests.utils import ROOT


def write(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def intent_block(intent: str, examples: list[str]) -> str:
    lines = "".join(f"    - {e}\n" for e in examples)
    return f"- intent: {intent}\n  examples: |\n{lines}"


DOMAIN = """version: "3.1"
intents:
  - greet
  - ask_cost
  - never_trained
  - nlu_fallback
entities:
  - service
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """Two NLU files (one like reviewed.yml), lookups, synonyms, a regex, and a story."""
    folder = tmp_path / "rasa"
    write(
        folder,
        "nlu.yml",
        'version: "3.1"\nnlu:\n'
        + intent_block(
            "ask_cost",
            [
                "biaya [ktp](service) berapa",
                "bayar [e-ktp](service) brp",
                "ongkos bikin [kartu keluarga](service)",
                "halo kak",  # also under greet: a conflict
                'tarif [SIM C]{"entity": "service", "value": "sim"} berapa ya',
            ],
        )
        + intent_block("greet", ["halo", "selamat pagi semuanya", "assalamualaikum"]),
    )
    write(
        folder,
        "reviewed.yml",
        'version: "3.1"\nnlu:\n'
        + intent_block("greet", ["Halo, kak!", "selamat pagi semua"])
        + intent_block("goodbye", ["wassalamualaikum"]),
    )
    write(
        folder,
        "nlu_entities.yml",
        'version: "3.1"\nnlu:\n'
        "- synonym: ktp\n  examples: |\n    - e-ktp\n    - ktp elektronik\n"
        "- synonym: kk\n  examples: |\n    - kartu keluarga\n"
        "- synonym: paspor\n  examples: |\n    - pasport\n"
        "- lookup: service\n  examples: |\n    - ktp\n    - e-ktp\n    - kartu keluarga\n"
        "    - kk\n    - paspor\n    - sim c\n"
        # A word class (RegexFeaturizer only): its unseen words are its purpose.
        "- lookup: kata_tidak\n  examples: |\n    - ndak\n    - hamboq\n"
        "- regex: ticket_id\n  examples: |\n    - ADU-[0-9A-Z]{6}\n",
    )
    write(
        folder, "stories.yml", 'version: "3.1"\nstories:\n- story: s\n  steps:\n  - intent: greet\n'
    )
    return folder


@pytest.fixture
def domain(tmp_path: Path) -> Path:
    return write(tmp_path, "domain.yml", DOMAIN)


def test_load_reads_every_file_of_the_folder(data: Path) -> None:
    loaded = health.load(data)
    assert loaded.files == ["nlu.yml", "nlu_entities.yml", "reviewed.yml", "stories.yml"]
    assert {(e.intent, e.file) for e in loaded.examples} >= {
        ("ask_cost", "nlu.yml"),
        ("greet", "reviewed.yml"),
        ("goodbye", "reviewed.yml"),
    }
    assert len(loaded.examples) == 11
    assert [e.entry for e in loaded.lookups][:2] == ["ktp", "e-ktp"]
    assert {(s.value, s.form) for s in loaded.synonyms} == {
        ("ktp", "e-ktp"),
        ("ktp", "ktp elektronik"),
        ("kk", "kartu keluarga"),
        ("paspor", "pasport"),
    }
    assert loaded.regexes == {"ticket_id": ["ADU-[0-9A-Z]{6}"]}


def test_report_on_a_small_folder(data: Path, domain: Path) -> None:
    report = health.check(data, min_examples=3, similarity=90, domain=domain)
    assert report.example_count == 11
    assert report.intent_counts == {"ask_cost": 5, "goodbye": 1, "greet": 5}
    # Fewest first; a domain intent without examples counts, nlu_fallback does not.
    assert [(c.intent, c.count) for c in report.few_examples] == [
        ("never_trained", 0),
        ("goodbye", 1),
    ]
    # "halo kak" (ask_cost) and "Halo, kak!" (greet) normalise to the same text.
    [conflict] = report.conflicts
    assert conflict.key == "halo kak" and conflict.intents == ["ask_cost", "greet"]
    assert {(e.text, e.file) for e in conflict.examples} == {
        ("halo kak", "nlu.yml"),
        ("Halo, kak!", "reviewed.yml"),
    }
    # Near copies across intents only: "selamat pagi semua"/"semuanya" are both greet.
    pairs = {(d.a.text, d.b.text) for d in report.near_duplicates}
    assert pairs == {("wassalamualaikum", "assalamualaikum")}
    [near] = report.near_duplicates
    assert near.a.intent == "goodbye" and near.b.intent == "greet" and 90 <= near.score < 100
    # Synonym forms the lookup table lacks: never extracted.
    assert [(s.value, s.form) for s in report.synonyms_not_in_lookups] == [
        ("ktp", "ktp elektronik"),
        ("paspor", "pasport"),
    ]
    # kk and paspor: kk through "kartu keluarga"; paspor is never annotated.
    assert report.unannotated_values == ["paspor"]
    # Lookup entries: "ktp" matches inside "[ktp]" and "e-ktp" (word boundary at "-");
    # "kk" and "paspor" appear in no example.
    assert [e.entry for e in report.unused_lookups] == ["kk", "paspor"]
    assert report.problem_count == 2 + 1 + 1 + 2 + 2 + 1


def test_messages_besides_the_examples_count_for_lookups(data: Path, domain: Path) -> None:
    report = health.check(data, domain=domain, extra_texts=["perpanjang PASPOR dimana"])
    assert [e.entry for e in report.unused_lookups] == ["kk"]
    assert report.extra_text_count == 1
    # Inside another word is no match, as RegexEntityExtractor uses word boundaries.
    report = health.check(data, domain=domain, extra_texts=["kkn ke desa", "paspornya"])
    assert [e.entry for e in report.unused_lookups] == ["kk", "paspor"]


def test_only_entity_tables_are_checked_for_unused_entries(data: Path, domain: Path) -> None:
    # With the domain: kata_tidak names no entity, so "ndak"/"hamboq" are not findings.
    report = health.check(data, domain=domain)
    assert {e.table for e in report.unused_lookups} == {"service"}
    # Without a domain nothing tells the kinds apart: every table is checked.
    report = health.check(data, domain=None)
    assert [(e.table, e.entry) for e in report.unused_lookups] == [
        ("kata_tidak", "hamboq"),
        ("kata_tidak", "ndak"),
        ("service", "kk"),
        ("service", "paspor"),
    ]


def test_thresholds_are_parameters(data: Path, domain: Path) -> None:
    report = health.check(data, min_examples=1, similarity=99.5, domain=domain)
    assert [c.intent for c in report.few_examples] == ["never_trained"]
    assert report.near_duplicates == []
    loose = health.check(data, similarity=60, domain=None)
    assert "never_trained" not in [c.intent for c in loose.few_examples]
    assert len(loose.near_duplicates) > 1
    assert all(d.a.intent != d.b.intent for d in loose.near_duplicates)
    assert [d.score for d in loose.near_duplicates] == sorted(
        (d.score for d in loose.near_duplicates), reverse=True
    )


def test_near_duplicates_match_a_full_comparison() -> None:
    """The length blocking finds exactly what comparing every pair finds."""
    from rapidfuzz import fuzz

    words = ["syarat ktp", "syarat ktp apa", "syarat kk", "biaya kk", "biaya kk brp", "halo"]
    texts = [f"{w} {s}".strip() for w in words for s in ("", "ya", "kak", "dong min")]
    examples = [
        health.Example(intent=f"i{n % 3}", text=t, file="x.yml") for n, t in enumerate(texts)
    ]
    for similarity in (70.0, 80.0, 90.0):
        found = {
            frozenset(((d.a.intent, d.a.text), (d.b.intent, d.b.text)))
            for d in health.near_duplicates(examples, similarity)
        }
        expected = {
            frozenset(((a.intent, a.text), (b.intent, b.text)))
            for i, a in enumerate(examples)
            for b in examples[i + 1 :]
            if a.intent != b.intent
            and a.text != b.text
            and fuzz.ratio(a.text, b.text) >= similarity
        }
        assert found == expected, similarity


def test_annotated_values() -> None:
    assert health.annotated_values("bikin [KTP](service) dan [kk](service:kk)") == [
        ("service", "ktp"),
        ("service", "kk"),
    ]
    assert health.annotated_values('[SIM C]{"entity": "service", "value": "sim"} ya') == [
        ("service", "sim")
    ]
    assert health.annotated_values("[x]{bukan json}") == []
    assert health.plain_text('biaya [SIM C]{"entity": "service"} dan [kk](service)') == (
        "biaya SIM C dan kk"
    )


def test_an_empty_folder_is_a_healthy_empty_report(tmp_path: Path) -> None:
    report = health.check(tmp_path, domain=None)
    assert report.example_count == 0 and report.problem_count == 0 and report.files == []


def test_the_real_training_data_gives_a_well_formed_report_in_seconds() -> None:
    started = time.monotonic()
    report = health.check()
    elapsed = time.monotonic() - started
    assert elapsed < 10, elapsed  # a bound, not a timing: thousands of examples, not minutes
    assert "nlu.yml" in report.files and "nlu_entities.yml" in report.files
    assert report.example_count > 1000
    assert sum(report.intent_counts.values()) == report.example_count
    assert report.lookup_count > 50
    for c in report.few_examples:
        assert c.count < report.min_examples
    for conflict in report.conflicts:
        assert len(conflict.intents) > 1
    for d in report.near_duplicates:
        assert d.a.intent != d.b.intent and report.similarity <= d.score < 100
    assert {e.table for e in report.unused_lookups} <= {"service"}


def test_held_out_sets_are_found_by_name(tmp_path: Path) -> None:
    assert held_out_sets(tmp_path) == []
    write(tmp_path / "tests" / "nlu", "heldout_2027.yml", "nlu: []\n")
    write(tmp_path / "tests" / "nlu", "test_nlu.yml", "nlu: []\n")
    write(tmp_path / "tests" / "nlu", "other.yml", "nlu: []\n")
    write(tmp_path / "bench", "nlu_fresh.yml", "nlu: []\n")
    write(tmp_path / "tests" / "nlu", "heldout_2026.yml", "nlu: []\n")
    assert [p.relative_to(tmp_path).as_posix() for p in held_out_sets(tmp_path)] == [
        "tests/nlu/test_nlu.yml",
        "tests/nlu/heldout_2026.yml",
        "tests/nlu/heldout_2027.yml",
        "bench/nlu_fresh.yml",
    ]
    real = held_out_sets()
    assert real[0] == ROOT / "tests" / "nlu" / "test_nlu.yml"
    assert ROOT / "bench" / "nlu_fresh.yml" in real
