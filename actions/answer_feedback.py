"""The citizen's "Tidak membantu" on a service answer: the button, and the reply to it.

The button (domain.yml, `utter_answer_feedback_button`, read from the domain Rasa sends with
every action request) goes under the last catalogue answer of a turn outside the complaint
form; it sends `/answer_not_helpful`. The reply
apologises, asks for the question in other words and offers the other aspects of the
service, a human and a complaint. Nothing is stored here: the press stays in Rasa's tracker
store, where bot.training.inbox finds it and puts the message that was answered into the
trainers' review inbox (reason `not_helpful`).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, SafeAction
from bot.store.repository import get_repository
from bot.texts import BUTTON_TALK_TO_OFFICER

NOT_HELPFUL_INTENT = "answer_not_helpful"
NOT_HELPFUL_PAYLOAD = f"/{NOT_HELPFUL_INTENT}"
BUTTON_RESPONSE = "utter_answer_feedback_button"
COMPLAINT_PAYLOAD = "/file_complaint"


def not_helpful_button(domain: DomainDict) -> dict[str, str]:
    """The "Tidak membantu" button, as the domain defines it (a fresh copy): the domain of
    the model Rasa serves, sent with the action request, so the button always matches the
    intents that model knows (domain.yml on disk may already be newer)."""
    return dict(domain["responses"][BUTTON_RESPONSE][0]["buttons"][0])


def offer_not_helpful(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, first: int
) -> None:
    """Add the button to the last of the messages the turn said from index `first` on, when
    that message has buttons (a catalogue answer) and no form is open (in the form a stray
    button only asks the question again)."""
    if tracker.active_loop and tracker.active_loop.get("name"):
        return
    answers = dispatcher.messages[first:]
    if not answers or not answers[-1].get("buttons"):
        return
    answers[-1]["buttons"] = [*answers[-1]["buttons"], not_helpful_button(domain)]


def _complaint_button(domain: DomainDict) -> dict[str, Any] | None:
    """The main menu's complaint button (domain.yml defines the menu once, under utter_greet)."""
    for button in domain.get("responses", {}).get("utter_greet", [{}])[0].get("buttons", []):
        if button.get("payload") == COMPLAINT_PAYLOAD:
            return dict(button)
    return None


def answered_buttons(tracker: Tracker) -> list[dict[str, Any]]:
    """The other buttons of the answer whose "Tidak membantu" was pressed (the service's
    other aspects), from the latest bot message that offered it."""
    for event in reversed(tracker.events):
        if event.get("event") != "bot":
            continue
        buttons = (event.get("data") or {}).get("buttons") or []
        if any(b.get("payload") == NOT_HELPFUL_PAYLOAD for b in buttons):
            return [dict(b) for b in buttons if b.get("payload") != NOT_HELPFUL_PAYLOAD]
    return []


class ActionAnswerNotHelpful(SafeAction):
    """Apologise for an answer that did not help; offer what else there is."""

    def name(self) -> str:
        return "action_answer_not_helpful"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        service_id = tracker.get_slot("service")
        service = get_repository().get_service(service_id) if service_id else None
        buttons = answered_buttons(tracker) if service is not None else []
        buttons.append({"title": BUTTON_TALK_TO_OFFICER, "payload": "/request_human"})
        complaint = _complaint_button(domain)
        if complaint is not None:
            buttons.append(complaint)
        if service is not None:
            dispatcher.utter_message(
                response="utter_answer_not_helpful_service",
                service_name=service.name,
                buttons=buttons,
            )
        else:
            dispatcher.utter_message(response="utter_answer_not_helpful", buttons=buttons)
        return []
