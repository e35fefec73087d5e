"""The "Tidak membantu" button under service answers and the reply to it
(actions/answer_feedback.py), with a real dispatcher and the catalogue in SQL."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.answer_feedback import (
    NOT_HELPFUL_PAYLOAD,
    ActionAnswerNotHelpful,
    not_helpful_button,
)
from actions.service_info import ActionAnswerService
from bot.store.repository import Repository
from bot.texts import BUTTON_TALK_TO_OFFICER
from tests.utils.actions import entity, make_tracker, responses, texts


def answer(domain: dict[str, Any], text: str, intent: str, *found: str, **kw: Any) -> Any:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, [entity("service", f) for f in found], **kw)
    ActionAnswerService().run(dispatcher, tracker, domain)
    return dispatcher


def payloads(message: dict[str, Any]) -> list[str]:
    return [b["payload"] for b in message.get("buttons") or []]


def test_the_button_is_defined_once_in_the_domain(domain: dict[str, Any]) -> None:
    button = domain["responses"]["utter_answer_feedback_button"][0]["buttons"][0]
    assert (
        not_helpful_button(domain)
        == button
        == {
            "title": "Tidak membantu",
            "payload": NOT_HELPFUL_PAYLOAD,
        }
    )
    assert "answer_not_helpful" in domain["intents"]
    assert "action_answer_not_helpful" in domain["actions"]


def test_a_service_answer_ends_with_the_button(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher = answer(domain, "syarat bikin ktp apa aja", "ask_requirements", "ktp")
    [message] = dispatcher.messages
    assert payloads(message)[-1] == NOT_HELPFUL_PAYLOAD
    assert payloads(message).count(NOT_HELPFUL_PAYLOAD) == 1
    assert len(payloads(message)) == 5  # four other aspects, then the button


def test_several_services_in_one_turn_get_one_button_on_the_last_answer(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher = answer(domain, "biaya skck sama paspor brp", "ask_cost", "skck", "paspor")
    assert len(dispatcher.messages) == 2
    assert NOT_HELPFUL_PAYLOAD not in payloads(dispatcher.messages[0])
    assert payloads(dispatcher.messages[1])[-1] == NOT_HELPFUL_PAYLOAD


def test_no_button_inside_the_complaint_form_nor_on_questions_back(
    repo: Repository, domain: dict[str, Any]
) -> None:
    in_form = answer(
        domain, "syarat ktp apa", "ask_requirements", "ktp", active_loop="complaint_form"
    )
    assert in_form.messages and all(
        NOT_HELPFUL_PAYLOAD not in payloads(m) for m in in_form.messages
    )
    which = answer(domain, "syaratnya apa", "ask_requirements")  # no service: asks which
    assert responses(which) == ["utter_ask_which_service"]
    assert NOT_HELPFUL_PAYLOAD not in payloads(which.messages[0])


def test_the_reply_apologises_and_offers_other_aspects_a_human_and_a_complaint(
    repo: Repository, domain: dict[str, Any]
) -> None:
    answered = answer(domain, "biaya paspor brp", "ask_cost", "paspor")
    shown = answered.messages[0]["buttons"]
    events = [
        {"event": "user", "text": "biaya paspor brp"},
        {"event": "bot", "text": "Biaya Paspor: ...", "data": {"buttons": shown}},
        {"event": "user", "text": NOT_HELPFUL_PAYLOAD},
    ]
    tracker = make_tracker(
        NOT_HELPFUL_PAYLOAD,
        "answer_not_helpful",
        slots={"service": "paspor", "service_aspect": "cost"},
        events=events,
    )
    dispatcher = CollectingDispatcher()
    assert ActionAnswerNotHelpful().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_answer_not_helpful_service"]
    [text] = texts(domain, dispatcher)
    assert "Mohon maaf" in text and "Paspor" in text and "kalimat lain" in text
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == [
        "Persyaratan",
        "Lama proses",
        "Prosedur",
        "Lokasi & jam",
        BUTTON_TALK_TO_OFFICER,
        "Buat pengaduan",
    ]
    assert NOT_HELPFUL_PAYLOAD not in payloads(dispatcher.messages[0])
    assert payloads(dispatcher.messages[0])[:4] == [b["payload"] for b in shown[:4]]


def test_without_a_service_the_reply_is_general(repo: Repository, domain: dict[str, Any]) -> None:
    tracker = make_tracker(NOT_HELPFUL_PAYLOAD, "answer_not_helpful")
    dispatcher = CollectingDispatcher()
    ActionAnswerNotHelpful().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_answer_not_helpful"]
    assert payloads(dispatcher.messages[0]) == ["/request_human", "/file_complaint"]
