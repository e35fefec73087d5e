"""A yes, no or thanks outside any question: acknowledged, unless it is really a question.

The classifier reads short questions ("bisa online gk?", "ok kalo perpanjang online
bisa?") as yes or no; those are answered as the service question they are.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Events,
    SafeAction,
    latest_text,
)
from actions.fallback import main_menu
from actions.service_info import ASPECT_BY_INTENT, answer_or_not_understood, answer_service_question
from actions.ticket_status import say_welcome, status_or_not_understood
from bot.phrases import is_small_talk, looks_like_question


def likeliest_aspect(tracker: Tracker) -> str | None:
    """The service aspect among the classifier's alternatives, best first."""
    for candidate in tracker.latest_message.get("intent_ranking") or []:
        aspect = ASPECT_BY_INTENT.get(str(candidate.get("name")))
        if aspect:
            return aspect
    return None


class ActionYesNo(SafeAction):
    """ "Ya" / "tidak" outside a form: "Baik."; a question in disguise: answered."""

    def name(self) -> str:
        return "action_yes_no"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if is_small_talk(latest_text(tracker)):
            # "bot km udh mkn blm" read as a no: a friendly word back (actions/fallback.py).
            dispatcher.utter_message(response="utter_small_talk", buttons=main_menu(domain))
            return []
        if not looks_like_question(latest_text(tracker)):
            if (tracker.latest_message.get("intent") or {}).get("name") == "thank":
                say_welcome(dispatcher, tracker.sender_id)  # and the stars after a resolution
            else:
                dispatcher.utter_message(response="utter_ok")
            return []
        aspect = likeliest_aspect(tracker)
        if aspect is None:
            return status_or_not_understood(dispatcher, tracker, domain)
        return answer_service_question(dispatcher, tracker, domain, aspect)


class ActionGoodbye(SafeAction):
    """A goodbye: "Sampai jumpa!"; a question the classifier took for one ("ini nanti yg
    nanganin dinkes atau siapa ya?") is answered or said not understood instead."""

    def name(self) -> str:
        return "action_goodbye"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if looks_like_question(latest_text(tracker)):
            return answer_or_not_understood(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_goodbye")
        return []
