"""Comparison and the activation gate (bot.training.evaluation) on stored scores; the
parsing of a real `rasa test nlu` run is tested in test_model_lifecycle.py."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bot.training import cli
from bot.training.evaluation import compare, gate, set_label
from bot.training.registry import ModelRow

SET = "tests/nlu/test_nlu.yml"


def row(id: int, accuracy: float, entity_f1: float | None, predicted: str = "ask_cost") -> ModelRow:
    scores: dict[str, Any] = {
        "set_sha256": "s",
        "accuracy": accuracy,
        "macro_f1": accuracy,
        "entity_f1": entity_f1,
        "per_intent": {"ask_cost": accuracy},
        "predictions": [["biaya sim", "ask_cost", predicted], ["halo", "greet", "greet"]],
    }
    now = datetime(2026, 12, 4, tzinfo=timezone.utc)
    return ModelRow(
        id, f"m{id}.tar.gz", "x", "d", "ready", None, now, now, 1.0, 100, "", "", {SET: scores}
    )


def test_within_the_margin_is_allowed_beyond_it_refused() -> None:
    served = row(1, 0.950, 0.98)
    assert gate(compare(served, row(2, 0.945, 0.98)), 0.01).allowed
    refused = gate(compare(served, row(3, 0.930, 0.98)), 0.01)
    assert not refused.allowed and "akurasi intent turun 0.020" in refused.reasons[0]
    assert "gabungan 1 set" in refused.reasons[0]
    entity = gate(compare(served, row(4, 0.99, 0.90)), 0.01)
    assert not entity.allowed and "F1 entitas" in entity.reasons[0]


def test_a_model_without_entities_counts_as_entity_f1_zero() -> None:
    verdict = gate(compare(row(1, 0.9, 0.98), row(2, 0.95, None)), 0.01)
    assert not verdict.allowed and "F1 entitas turun 0.980" in verdict.reasons[0]


def test_sets_not_tested_for_both_refuse_and_nothing_served_allows() -> None:
    served = row(1, 0.9, 0.9)
    candidate = row(2, 0.95, 0.95)
    candidate.metrics["bench/nlu_fresh.yml"] = dict(candidate.metrics[SET])
    comparison = compare(served, candidate)
    assert comparison.missing == ["bench/nlu_fresh.yml"]
    refused = gate(comparison, 0.01)
    assert not refused.allowed and refused.reasons == [
        "nlu_fresh: belum dievaluasi untuk kedua model"
    ]
    assert gate(compare(None, candidate), 0.01).allowed


def test_changed_predictions_are_listed_with_expected_old_and_new() -> None:
    [one] = compare(row(1, 0.9, 0.9), row(2, 0.5, 0.9, predicted="greet")).sets
    assert [(c.text, c.expected, c.old, c.new, c.broken) for c in one.changed] == [
        ("biaya sim", "ask_cost", "ask_cost", "greet", True)
    ]
    assert one.delta("accuracy") == -0.4
    assert [(i.intent, i.delta) for i in one.intents] == [("ask_cost", -0.4)]


def scored(accuracy: float, messages: int, entity_f1: float = 0.9) -> dict[str, Any]:
    return {"set_sha256": "s", "accuracy": accuracy, "entity_f1": entity_f1, "messages": messages}


def model_on(id: int, sets: dict[str, dict[str, Any]]) -> ModelRow:
    now = datetime(2026, 12, 4, tzinfo=timezone.utc)
    return ModelRow(id, f"m{id}.tar.gz", "x", "d", "ready", None, now, now, 1.0, 100, "", "", sets)


FOUR = [
    "tests/nlu/test_nlu.yml",
    "tests/nlu/heldout_2026_11.yml",
    "tests/nlu/heldout_2026_12.yml",
    "bench/nlu_fresh.yml",
]


def test_the_gate_decides_on_all_sets_pooled_not_on_one_set_at_noise_level() -> None:
    served = model_on(1, {name: scored(0.900, 250) for name in FOUR})
    # 3 messages fewer on one set of 250 (-0.012 there), 6 more on another: better pooled
    better = model_on(
        2,
        {
            FOUR[0]: scored(0.888, 250),
            FOUR[1]: scored(0.924, 250),
            FOUR[2]: scored(0.900, 250),
            FOUR[3]: scored(0.900, 250),
        },
    )
    comparison = compare(served, better)
    [one] = [s for s in comparison.sets if s.name == FOUR[0]]
    assert one.delta("accuracy") == -0.012 and one.label == "test_nlu"
    [accuracy, entity] = comparison.pooled()
    assert (accuracy.old, accuracy.new) == (0.9, 0.903) and entity.delta == 0.0
    assert gate(comparison, 0.01).allowed

    # 12 messages fewer of 1000 (0.012 pooled) is beyond the margin
    worse = model_on(2, {name: scored(0.888, 250) for name in FOUR})
    refused = gate(compare(served, worse), 0.01)
    assert not refused.allowed
    assert refused.reasons == [
        "gabungan 4 set (1000 pesan): akurasi intent turun 0.012 (0.900 → 0.888; batas 0.010)"
    ]
    lines = cli.comparison_lines(compare(served, better), 0.01)
    assert any(
        line.startswith("  test_nlu (250 pesan, informasi): akurasi intent 0.900 -> 0.888")
        for line in lines
    )
    assert lines[-3:] == [
        "keputusan: gabungan 4 set (1000 pesan), batas 0.010:",
        "  akurasi intent: 0.900 -> 0.903",
        "  F1 entitas: 0.900 -> 0.900",
    ]
    # entity F1 pooled the same way
    entities = model_on(2, {name: scored(0.9, 250, entity_f1=0.85) for name in FOUR})
    assert "F1 entitas turun 0.050" in gate(compare(served, entities), 0.01).reasons[0]


def test_sets_are_weighted_by_their_messages() -> None:
    served = model_on(1, {FOUR[0]: scored(0.9, 900), FOUR[3]: scored(0.5, 100)})
    candidate = model_on(2, {FOUR[0]: scored(0.9, 900), FOUR[3]: scored(0.6, 100)})
    [accuracy, _] = compare(served, candidate).pooled()
    assert (accuracy.old, accuracy.new) == (0.86, 0.87)


def test_sets_are_named_as_the_report_names_them() -> None:
    assert set_label("tests/nlu/heldout_2026_11.yml") == "heldout_2026_11"
    assert set_label("bench/nlu_fresh.yml") == "nlu_fresh"
