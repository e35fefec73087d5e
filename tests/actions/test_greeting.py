"""The greeting action: a greeting alone gets the menu; a greeting that also says what the
citizen wants (the classifier read only the greeting) gets that."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.greeting import ActionGreet
from bot.store.repository import Repository
from tests.utils.actions import entity, make_tracker, responses


def greet(domain: dict[str, Any], text: str, **kwargs: Any) -> tuple[CollectingDispatcher, Any]:
    dispatcher = CollectingDispatcher()
    events = ActionGreet().run(dispatcher, make_tracker(text, "greet", **kwargs), domain)
    return dispatcher, events


@pytest.mark.parametrize(
    ("text", "response"),
    [("assalamualaikum", "utter_greet_salam"), ("pagi min", "utter_greet"), ("P", "utter_greet")],
)
def test_a_greeting_alone_gets_the_menu(
    repo: Repository, domain: dict[str, Any], text: str, response: str
) -> None:
    dispatcher, events = greet(domain, text)
    assert responses(dispatcher) == [response]
    assert events == []


@pytest.mark.parametrize(
    "text",
    ["assalamualaikum. sy mau komplain", "siang min, mau lapor nih", "halo kak sy mau ngadu"],
)
def test_a_greeting_with_the_wish_to_complain_starts_the_complaint(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    _dispatcher, events = greet(domain, text)
    assert {"event": "followup", "name": "action_start_complaint", "timestamp": None} in events


def test_a_greeting_with_a_service_question_is_answered(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _events = greet(
        domain, "pagi min, syarat bikin ktp apa ya", entities=[entity("service", "ktp")]
    )
    assert responses(dispatcher)[0] == "utter_service_requirements"
