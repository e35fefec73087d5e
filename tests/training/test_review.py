"""Grouping of the NLU review inbox (bot.training.review): normalisation, exact and near
duplicates, order, a group's prediction; the intents a trainer may choose."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.training.inbox import BUTTON_ONLY_INTENTS
from bot.training.review import (
    Item,
    ReviewError,
    domain_intents,
    find_span,
    group_items,
    mark_entity,
    normalise,
    prediction,
    shortlist,
)

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


def item(
    id: int, text: str, intent: str | None = "ask_cost", confidence: float = 0.4, minutes: int = 0
) -> Item:
    return Item(
        id=id,
        text=text,
        intent=intent,
        confidence=confidence,
        alternatives=[{"name": "ask_duration", "confidence": 0.2}],
        entities=[],
        reasons=("low_confidence",),
        at=T0 + timedelta(minutes=minutes),
    )


def test_normalise() -> None:
    assert normalise("  Biaya   SIM-C, berapa?!  ") == "biaya sim c berapa"
    assert normalise("tiket ADU-XXXXXX gmn__") == "tiket adu xxxxxx gmn"
    assert normalise("...") == ""


def test_exact_and_near_duplicates_group_together() -> None:
    groups = group_items(
        [
            item(1, "biaya SIM C berapa?", minutes=1),
            item(2, "biaya sim c  berapa", minutes=2),
            item(3, "biaya sim c brapa", minutes=3),  # ratio >= 90 with the above
            item(4, "biaya paspor berapa", minutes=4),  # a different service: its own group
            item(5, "halo", "greet", minutes=9),
        ]
    )
    assert [g.ids for g in groups] == [(3, 2, 1), (5,), (4,)]  # by size, then newest
    first = groups[0]
    assert first.count == 3 and first.text == "biaya sim c  berapa"  # newest exact wording
    assert first.variants == ("biaya sim c brapa",)
    assert first.key == "3,2,1" and first.reasons == {"low_confidence": 3}


def test_a_groups_prediction_is_the_most_frequent_with_its_mean_confidence() -> None:
    items = [
        item(1, "oke deh", "affirm", 0.5),
        item(2, "oke deh", "affirm", 0.3),
        item(3, "oke deh!", "thank", 0.45, minutes=5),
    ]
    [group] = group_items(items)
    assert group.intent == "affirm" and abs((group.confidence or 0) - 0.4) < 1e-9
    assert prediction([item(1, "a", "thank"), item(2, "b", "affirm")]) == "affirm"  # tie
    assert prediction([item(1, "a", None)]) is None
    fallback = group_items([item(1, "asdf", "nlu_fallback")])[0]
    assert not fallback.confirmable


def test_the_choices_are_the_domains_intents_without_fallback() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert domain_intents() == tuple(
        i for i in domain["intents"] if i != "nlu_fallback" and i not in BUTTON_ONLY_INTENTS
    )
    assert "skm" in domain["intents"] and "skm" not in domain_intents()


def test_a_span_is_found_as_a_whole_word_ignoring_case() -> None:
    assert find_span("syarat KTP-el apa", "ktp-el") == (7, 13)
    assert find_span("ktpnya hilang", "ktp") is None  # inside a word
    assert find_span("[NIK]ktp hilang", "ktp") == (5, 8)  # next to a placeholder
    assert find_span("biaya sim c", "sim c") == (6, 11)


def test_the_shortlist_offers_alternatives_first_never_the_prediction() -> None:
    [group] = group_items([item(1, "brp lama bikin ktp", "ask_cost")])
    names = shortlist(group, ("greet", "ask_cost", "ask_duration", "deny", "cancel"))
    assert names == ["ask_duration", "greet", "deny", "cancel"]
    assert len(shortlist(group, domain_intents())) == 9


def test_a_new_mark_replaces_those_it_overlaps(database_url: str) -> None:
    from sqlalchemy.orm import Session

    from bot.store.db import get_engine
    from bot.store.models import NluReviewItem

    engine = get_engine(database_url)
    with Session(engine) as s, s.begin():
        row = NluReviewItem(
            tracker_event_id=1, sender_hash="0" * 64, text="biaya sim c sama ktp el brp",
            intent="ask_cost", confidence=0.4, alternatives=[], entities=[],
            reasons="low_confidence", status="new",
        )  # fmt: skip
        s.add(row)
        s.flush()
        item_id = row.id
    known = ("sim", "sim_c", "ktp")
    mark_entity(engine, [[item_id]], "service", "sim", "sim", known)
    mark_entity(engine, [[item_id]], "service", "ktp el", "ktp", known)
    assert mark_entity(engine, [[item_id]], "service", "SIM C", "sim_c", known).marked == 1
    with Session(engine) as s:
        marks = s.get(NluReviewItem, item_id).reviewed_entities  # type: ignore[union-attr]
    assert [(m["text"], m["value"], m["start"]) for m in marks] == [
        ("sim c", "sim_c", 6),
        ("ktp el", "ktp", 17),
    ]
    with pytest.raises(ReviewError, match="tidak ada"):
        mark_entity(engine, [[item_id]], "service", "paspor", "ktp", known)
