"""The greeting: "assalamualaikum" is answered in kind, any other greeting with "Halo".
A greeting that also says what the citizen wants is acted on as that."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, SafeAction, latest_text
from actions.service_info import answer_or_not_understood, is_explicit_complaint, names_a_service
from bot.phrases import asks_yes_no

# "assalamualaikum", "asalamualaikum wr wb", "assalamu'alaikum", "ass wr wb".
SALAM_RE = re.compile(
    r"\b(?:as+alam+u'?\s*'?ala[iy]kum\w*|ass?\s+wr\.?\s*wb|samlekom|mikum)\b",
    re.IGNORECASE,
)


class ActionGreet(SafeAction):
    """Says the greeting with the main menu. "assalamualaikum. sy mau komplain" starts the
    complaint and "pagi min, syarat bikin ktp apa ya" is answered, when the classifier read
    only the greeting in them."""

    def name(self) -> str:
        return "action_greet"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        text = latest_text(tracker)
        if is_explicit_complaint(text):
            return [FollowupAction("action_start_complaint")]
        if asks_yes_no(text) and names_a_service(tracker):
            return answer_or_not_understood(dispatcher, tracker, domain)
        salam = SALAM_RE.search(text) is not None
        dispatcher.utter_message(response="utter_greet_salam" if salam else "utter_greet")
        return []
