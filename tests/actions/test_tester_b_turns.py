"""Turns outside the complaint form after the black-box tester of 2026-12-01 (b): a rating
with a comment is a rating (D28, D31), a request for a person is acted on (D18), a
clarification naming an aspect keeps the service (D23), an explicit complaint the
classifier missed opens the form (D34)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.fallback import ActionHandleFallback
from actions.feedback import ActionGiveFeedback, star_buttons
from actions.human import ActionBotChallenge
from actions.service_info import ActionFollowUpOrComplaint
from actions.ticket_status import status_or_not_understood
from bot.store.models import Rating
from bot.store.repository import Repository
from tests.utils.actions import make_tracker, responses, texts

FEEDBACK = {"event": "followup", "timestamp": None, "name": "action_give_feedback"}
START = {"event": "followup", "timestamp": None, "name": "action_start_complaint"}


def user(text: str, intent: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def stored(repo: Repository) -> list[tuple[int | None, str | None]]:
    with Session(repo.engine) as s:
        return [(r.score, r.comment) for r in s.scalars(select(Rating).order_by(Rating.id))]


# -- D31: a rating with a comment the classifier did not understand ------------------------


@pytest.mark.parametrize(
    "text",
    [
        "⭐⭐⭐⭐ mantap cepet bgt, tp kok gak dikabarin rencana tindak lanjutnya dulu ya",
        "bintang 3 aja, soalnya lama bgt nunggunya",
        "nilai 2, petugasnya jutek",
    ],
)
def test_a_rating_the_classifier_missed_goes_to_feedback(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "nlu_fallback", events=[user(text, "nlu_fallback")])
    events = ActionHandleFallback().run(dispatcher, tracker, domain)
    assert events == [FEEDBACK]
    assert dispatcher.messages == []
    other = CollectingDispatcher()
    assert status_or_not_understood(other, make_tracker(text, "inform"), domain) == [FEEDBACK]


def test_a_plain_number_is_not_taken_for_a_rating(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    text = "3 jam nunggu di loket"
    events = ActionHandleFallback().run(
        dispatcher, make_tracker(text, "nlu_fallback", events=[user(text, "nlu_fallback")]), domain
    )
    assert FEEDBACK not in events


def test_the_stars_and_the_comment_are_stored(repo: Repository, domain: dict[str, Any]) -> None:
    text = "⭐⭐⭐⭐ mantap cepet bgt, tp kok gak dikabarin rencana tindak lanjutnya dulu ya"
    dispatcher = CollectingDispatcher()
    ActionGiveFeedback().run(dispatcher, make_tracker(text, "nlu_fallback"), domain)
    assert stored(repo) == [(4, text)]


# -- D28: "3 aja, jawabannya kadang muter2" right after the stars ---------------------------


def test_a_score_with_a_comment_after_the_stars_is_stored(
    repo: Repository, domain: dict[str, Any]
) -> None:
    text = "3 aja, jawabannya kadang muter2"
    events = [
        user("/give_feedback", "give_feedback"),
        {"event": "bot", "data": {"buttons": star_buttons()}},
        user(text, "out_of_scope"),
    ]
    dispatcher = CollectingDispatcher()
    ActionGiveFeedback().run(dispatcher, make_tracker(text, "out_of_scope", events=events), domain)
    assert "3/5" in " ".join(texts(domain, dispatcher))
    assert stored(repo) == [(3, text)]


def test_out_of_scope_after_the_stars_without_a_score_is_answered_as_such(
    repo: Repository, domain: dict[str, Any]
) -> None:
    text = "besok hujan gak ya"
    events = [
        user("/give_feedback", "give_feedback"),
        {"event": "bot", "data": {"buttons": star_buttons()}},
        user(text, "out_of_scope"),
    ]
    dispatcher = CollectingDispatcher()
    ActionGiveFeedback().run(dispatcher, make_tracker(text, "out_of_scope", events=events), domain)
    assert responses(dispatcher) == ["utter_out_of_scope"]
    assert stored(repo) == []


# -- D18: "sy mau ngomong sm orang aja deh, bukan bot" --------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "ribet bgt, sy mau ngomong sm orang aja deh, bukan bot",
        "bisa chat sama manusia aja ga?",
        "sambungin ke petugas dong, jangan bot",
        "aku mau bicara dengan orang asli",
    ],
)
def test_a_request_for_a_person_read_as_a_bot_question_is_acted_on(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    dispatcher = CollectingDispatcher()
    ActionBotChallenge().run(
        dispatcher, make_tracker(text, "bot_challenge", slots={"service": "sim"}), domain
    )
    got = responses(dispatcher)
    assert "utter_iamabot" not in got
    assert "utter_office_contact" in got and "utter_helpdesk_contact" in got


@pytest.mark.parametrize("text", ["kamu bot ya?", "ini robot atau manusia?", "km robot ya? wkwk"])
def test_a_question_whether_this_is_a_bot_is_answered(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    dispatcher = CollectingDispatcher()
    ActionBotChallenge().run(dispatcher, make_tracker(text, "bot_challenge"), domain)
    assert responses(dispatcher) == ["utter_iamabot"]


# -- D23: a clarification right after "Tidak membantu" --------------------------------------


def test_a_clarification_naming_an_aspect_keeps_the_service(
    repo: Repository, domain: dict[str, Any]
) -> None:
    text = "maksudnya kls 3 bayarnya 35rb ato 42rb sih yg bener?"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text, "file_complaint", slots={"service": "bpjs_kesehatan", "service_aspect": "cost"}
    )
    events = ActionFollowUpOrComplaint().run(dispatcher, tracker, domain)
    assert START not in events
    assert responses(dispatcher)[0] == "utter_service_cost_no_basis"
    assert "Rp42.000" in texts(domain, dispatcher)[0]


@pytest.mark.parametrize(
    "text",
    [
        "/file_complaint",
        "petugas bpjs di kantor cabang kemarin minta uang 50rb buat percepat kartu",
        "mau komplain aja lah, dari kemarin dipingpong terus",
    ],
)
def test_after_not_helpful_a_complaint_is_still_a_complaint(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "file_complaint", slots={"service": "bpjs_kesehatan"})
    assert ActionFollowUpOrComplaint().run(dispatcher, tracker, domain) == [START]


def test_the_fallback_keeps_the_service_for_an_aspect_question(
    repo: Repository, domain: dict[str, Any]
) -> None:
    text = "trus bayarnya brp sih sebenernya?"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text, "nlu_fallback", slots={"service": "paspor"}, events=[user(text, "nlu_fallback")]
    )
    ActionHandleFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0].startswith("utter_service_cost")


# -- D34: the explicit complaint the classifier called something else -----------------------


def test_the_fallback_opens_the_form_for_an_explicit_complaint(
    repo: Repository, domain: dict[str, Any]
) -> None:
    text = "pengen ngadu min, td sy disuruh bolak balik 3x sm petugas kelurahan"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "nlu_fallback", events=[user(text, "nlu_fallback")])
    assert ActionHandleFallback().run(dispatcher, tracker, domain) == [START]


def test_payloads_are_json(repo: Repository) -> None:
    assert all(json.loads(b["payload"].split("feedback", 1)[1]) for b in star_buttons())
