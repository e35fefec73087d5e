"""action_give_feedback stores ratings and messages for officers."""

from __future__ import annotations

from typing import Any

import pytest
from action_helpers import entity, make_tracker, responses
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.feedback import ActionGiveFeedback
from bot.store import Repository
from bot.store.models import Rating


def feedback(domain: dict[str, Any], text: str, entities: list[dict[str, Any]] | None = None):
    dispatcher = CollectingDispatcher()
    ActionGiveFeedback().run(dispatcher, make_tracker(text, "give_feedback", entities), domain)
    return dispatcher


def stored(repo: Repository) -> list[tuple[int | None, str | None]]:
    with Session(repo.engine) as s:
        return [(r.score, r.comment) for r in s.scalars(select(Rating).order_by(Rating.id))]


@pytest.mark.parametrize(
    ("text", "score"),
    [("saya kasih nilai 4", 4), ("bintang 5 deh", 5), ("3/5, antreannya lama", 3), ("2", 2)],
)
def test_rating_in_text_is_stored(
    repo: Repository, domain: dict[str, Any], text: str, score: int
) -> None:
    dispatcher = feedback(domain, text)
    assert responses(dispatcher) == ["utter_feedback_thanks"]
    assert dispatcher.messages[0]["rating"] == score
    assert stored(repo)[0][0] == score


def test_rating_button_payload(repo: Repository, domain: dict[str, Any]) -> None:
    feedback(domain, '/give_feedback{"rating": "5"}', [entity("rating", "5")])
    assert stored(repo) == [(5, None)]


def test_comment_without_rating_is_stored(repo: Repository, domain: dict[str, Any]) -> None:
    text = "Saran: loket pengambilan KTP sebaiknya buka juga hari Sabtu."
    assert responses(feedback(domain, text)) == ["utter_feedback_thanks_comment"]
    assert stored(repo) == [(None, text)]


def test_bare_request_asks_for_a_rating(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher = feedback(domain, "mau kasih nilai")
    assert responses(dispatcher) == ["utter_ask_rating"]
    assert len(dispatcher.messages[0]["buttons"]) == 5
    assert stored(repo) == []


@pytest.mark.parametrize(
    "text", ["saya ingin memberi penilaian", "boleh isi survei kepuasan?", "mau kasih rating"]
)
def test_requests_to_rate_are_not_stored_as_comments(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    assert responses(feedback(domain, text)) == ["utter_ask_rating"]
    assert stored(repo) == []
