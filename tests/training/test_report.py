"""The NLU report (bot.training.report): reading Rasa's output, the summary on disk, and one
real run of `rasa test nlu` (2-fold cross-validation and a held-out set) on a tiny data
folder with a tiny model, so the parser is tested on what Rasa 3.6 really writes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.training import rasa_engine, report

TINY_CONFIG = """recipe: default.v1
language: id
assistant_id: tiny
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 3
  - name: DIETClassifier
    epochs: 5
    number_of_transformer_layers: 0
    entity_recognition: false
    random_seed: 1
  - name: RegexEntityExtractor
    use_lookup_tables: true
    case_sensitive: false
    use_word_boundaries: true
  - name: EntitySynonymMapper
policies: []
"""
TINY_NLU = """version: "3.1"
nlu:
- intent: ask_cost
  examples: |
    - biaya [ktp](service) berapa
    - bayar [kk](service) brp
    - ongkos bikin [paspor](service)
    - tarif [sim](service) berapa ya
    - harga [ktp](service) sekarang
    - berapa duit buat [paspor](service)
- intent: greet
  examples: |
    - halo
    - selamat pagi
    - hai kak
    - assalamualaikum
    - pagi min
    - halo admin
- lookup: service
  examples: |
    - ktp
    - kk
    - paspor
    - sim
"""
TINY_STORIES = 'version: "3.1"\nstories:\n- story: salam\n  steps:\n  - intent: greet\n'
TINY_HELD_OUT = """version: "3.1"
nlu:
- intent: ask_cost
  examples: |
    - biaya [paspor](service) brp
    - harga [sim](service) berapa
    - berapa bayar [kk](service)
- intent: greet
  examples: |
    - halo kak
    - selamat siang
    - hai
"""


# -- reading Rasa's output (pure) ------------------------------------------------------------


def test_confused_pairs_count_and_keep_the_most_confident_examples() -> None:
    def error(text: str, expected: str, predicted: str, confidence: float) -> dict[str, object]:
        return {
            "text": text,
            "intent": expected,
            "intent_prediction": {"name": predicted, "confidence": confidence},
        }

    errors = [
        error("a", "ask_office", "ask_hours", 0.5),
        error("b", "ask_office", "ask_hours", 0.9),
        error("c", "greet", "goodbye", 0.6),
        error("d", "ask_office", "ask_hours", 0.7),
        error("e", "ask_office", "ask_hours", 0.4),
        {"text": "rusak"},  # malformed entries are skipped
        error("f", "greet", "goodbye", 0.3),
        error("g", "thanks", "greet", 0.8),
    ]
    pairs = report.confused_pairs(errors, top=2)
    assert [(p.expected, p.predicted, p.count) for p in pairs] == [
        ("ask_office", "ask_hours", 4),
        ("greet", "goodbye", 2),
    ]
    assert pairs[0].examples == ["b", "d", "a"]  # most confidently wrong first, at most 3
    assert report.confused_pairs([]) == []


def test_intent_scores_leave_out_the_averages_weakest_first() -> None:
    raw = {
        "greet": {"precision": 1.0, "recall": 0.5, "f1-score": 0.667, "support": 2},
        "ask_cost": {"precision": 0.9, "recall": 1.0, "f1-score": 0.947, "support": 9},
        "unused": {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0},
        "accuracy": 0.9,
        "macro avg": {"f1-score": 0.5, "support": 11},
        "weighted avg": {"f1-score": 0.8, "support": 11},
        "micro avg": {"f1-score": 0.9, "support": 11},
    }
    scores = report.intent_scores(raw)
    assert [s.intent for s in scores] == ["unused", "greet", "ask_cost"]
    result = report.SetResult("x", "held_out", "x.yml", intents=scores)
    assert [s.intent for s in result.weakest] == ["greet", "ask_cost"]  # support 0 left out


def test_set_names_are_safe_and_unique() -> None:
    assert report.set_name(Path("tests/nlu/heldout_2026_11_30.yml")) == "heldout_2026_11_30"
    assert report.set_name(Path("bench/nlu-fresh v2.yml")) == "nlu_fresh_v2"
    assert report.set_name(Path("x/cv.yml")) == "cv_set"
    assert report.set_name(Path("a/test_nlu.yml"), ["cv", "test_nlu"]) == "test_nlu_2"
    assert report.set_name(Path("../../..yml")) == "set"
    for name in ("heldout_2026_11_30", "nlu_fresh_v2", "cv_set", "test_nlu_2", "set"):
        assert report.SET_NAME.match(name)


def test_the_summary_survives_a_round_trip(tmp_path: Path) -> None:
    summary = report.Summary(
        run="20261130-120000",
        created_at="2026-11-30T12:00:00+00:00",
        model="models/m.tar.gz",
        config="config.yml",
        folds=None,
        seconds=1.5,
        sets=[
            report.SetResult(
                "test_nlu",
                "held_out",
                "tests/nlu/test_nlu.yml",
                accuracy=0.5,
                intents=[report.IntentScore("greet", 1.0, 0.5, 0.667, 2)],
                entities=[report.EntityScore("RegexEntityExtractor", "service", 1, 1, 1, 3)],
                confused=[report.ConfusedPair("greet", "goodbye", 1, ["halo"])],
                images=["intent_confusion_matrix.png"],
            )
        ],
    )
    report.write_summary(tmp_path, summary)
    assert report.read_summary(tmp_path) == summary
    assert report.read_summary(tmp_path / "none") is None


def test_refusals_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(report.ReportError, match="make install"):
        report.run_report(tmp_path, rasa=tmp_path / "no-rasa")
    fake_rasa = tmp_path / "rasa"
    fake_rasa.write_text("")
    with pytest.raises(report.ReportError, match="2 folds"):
        report.run_report(tmp_path, folds=1, rasa=fake_rasa)
    with pytest.raises(report.ReportError, match="make train"):
        report.run_report(
            tmp_path, rasa=fake_rasa, model=tmp_path / "none.tar.gz", held_out=[tmp_path]
        )
    assert list(tmp_path.iterdir()) == [fake_rasa]  # no run folder was made


def test_the_cli_says_what_is_wrong(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    from bot.config import get_settings

    get_settings.cache_clear()
    try:
        code = main(["nlu", "report", "--folds", "1"])
    finally:
        get_settings.cache_clear()
    assert code == 1
    err = capsys.readouterr().err
    assert "2 folds" in err or "make install" in err


# -- a real run ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, report.Summary, Path]:
    """A tiny NLU model, then a report run: 2-fold cross-validation on the tiny data, the
    tiny held-out set and a broken one (not YAML), with the tiny model."""
    if not rasa_engine.RASA.is_file():
        pytest.skip("the Rasa engine is not installed (make install)")
    base = tmp_path_factory.mktemp("nlu_report")
    data = base / "data"
    data.mkdir()
    (data / "nlu.yml").write_text(TINY_NLU, encoding="utf-8")
    (data / "stories.yml").write_text(TINY_STORIES, encoding="utf-8")
    config = base / "config.yml"
    config.write_text(TINY_CONFIG, encoding="utf-8")
    held_out = base / "tiny_heldout.yml"
    held_out.write_text(TINY_HELD_OUT, encoding="utf-8")
    broken = base / "rusak.yml"
    broken.write_text("nlu: [: tidak yaml", encoding="utf-8")
    trained = subprocess.run(
        [
            str(rasa_engine.RASA),
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(data),
            "--out",
            str(base / "models"),
            "--fixed-model-name",
            "tiny",
        ],
        cwd=base,
        env=rasa_engine.rasa_env(),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert trained.returncode == 0, trained.stdout[-2000:] + trained.stderr[-2000:]
    root = base / "reports"
    run_dir, summary = report.run_report(
        root,
        folds=2,
        data_dir=data,
        config=config,
        model=base / "models" / "tiny.tar.gz",
        held_out=[held_out, broken],
    )
    return root, summary, run_dir


@pytest.mark.rasa
def test_a_real_run_writes_every_report(tiny_run: tuple[Path, report.Summary, Path]) -> None:
    root, summary, run_dir = tiny_run
    assert report.latest_run(root) == run_dir and (root / "latest").is_symlink()
    assert report.RUN_NAME.match(run_dir.name)
    assert [s.name for s in summary.sets] == ["cv", "tiny_heldout", "rusak"]
    assert summary.folds == 2 and summary.failed == ["rusak"]
    assert report.read_summary(run_dir) == summary
    html = (run_dir / "summary.html").read_text(encoding="utf-8")
    assert "Validasi silang" in html and "Set uji tiny_heldout" in html and "gagal" in html
    for result in summary.sets[:2]:
        folder = run_dir / result.name
        rasa_report = json.loads((folder / "intent_report.json").read_text())
        assert result.error is None
        assert result.accuracy == pytest.approx(rasa_report["accuracy"])
        assert result.macro_f1 == pytest.approx(rasa_report["macro avg"]["f1-score"])
        assert result.weighted_f1 == pytest.approx(rasa_report["weighted avg"]["f1-score"])
        assert {i.intent for i in result.intents} == {"ask_cost", "greet"}
        # What Rasa draws, intents first; every picture exists and has a servable name.
        assert result.images[:2] == ["intent_confusion_matrix.png", "intent_histogram.png"]
        assert "RegexEntityExtractor_confusion_matrix.png" in result.images
        for name in result.images:
            assert report.IMAGE_NAME.match(name) and (folder / name).is_file()
        assert set(result.entity_f1) == {"service"}
        errors = json.loads((folder / "intent_errors.json").read_text())
        assert sum(c.count for c in result.confused) == len(errors)
        assert (folder / "intent_successes.json").is_file()
        assert (run_dir / f"{result.name}.log").is_file()
    cv, held = summary.sets[0], summary.sets[1]
    assert cv.kind == "cross_validation" and cv.examples == 12
    assert held.kind == "held_out" and held.examples == 6


@pytest.mark.rasa
def test_a_second_run_moves_latest(tiny_run: tuple[Path, report.Summary, Path]) -> None:
    root, _summary, first = tiny_run
    run_dir, summary = report.run_report(
        root, skip_cv=True, model=first.parent.parent / "models" / "tiny.tar.gz", held_out=[]
    )
    assert run_dir != first and summary.sets == [] and summary.folds is None
    assert report.latest_run(root) == run_dir
    assert (root / first.name / "summary.json").is_file()  # earlier runs stay
