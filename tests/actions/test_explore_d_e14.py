"""E14 (black-box tester 2026-12-01 d): small talk with the bot ("bot km udh mkn blm") gets
a friendly word back and what we can help with, however the classifier read it, not
"Baik. Kalau ada ..." nor "di luar layanan kami"."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleFallback, ActionOutOfScope
from actions.human import ActionBotChallenge
from actions.yes_no import ActionYesNo
from bot.phrases import is_small_talk
from bot.store.repository import Repository
from tests.utils.actions import make_tracker, responses

SMALL_TALK = [
    "bot km udh mkn blm",
    "min udah makan belum",
    "kamu lagi ngapain",
    "apa kabar min",
    "gmn kabarnya kak hari ini",
]


@pytest.mark.parametrize("text", SMALL_TALK)
@pytest.mark.parametrize(
    ("action", "intent"),
    [
        (ActionYesNo, "deny"),
        (ActionOutOfScope, "out_of_scope"),
        (ActionHandleFallback, "nlu_fallback"),
        (ActionBotChallenge, "bot_challenge"),
    ],
)
def test_small_talk_gets_a_friendly_word(
    repo: Repository, domain: dict[str, Any], text: str, action: Any, intent: str
) -> None:
    dispatcher = CollectingDispatcher()
    action().run(dispatcher, make_tracker(text, intent), domain)
    assert responses(dispatcher) == ["utter_small_talk"]
    assert dispatcher.messages[0]["buttons"]  # the menu


@pytest.mark.parametrize(
    "text",
    [
        "halo kak",
        "syarat ktp apa",
        "sy udh makan tp blm dilayani2 di dukcapil, lama bgt",
        "mau komplain, petugasnya lagi ngapain sih ga ada di loket",
    ],
)
def test_not_small_talk(text: str) -> None:
    assert not is_small_talk(text)


def test_asking_if_it_is_a_bot_is_still_answered(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    ActionBotChallenge().run(dispatcher, make_tracker("kamu bot ya?", "bot_challenge"), domain)
    assert responses(dispatcher) == ["utter_iamabot"]


def test_a_plain_no_is_still_acknowledged(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    ActionYesNo().run(dispatcher, make_tracker("gak", "deny"), domain)
    assert responses(dispatcher) == ["utter_ok"]
