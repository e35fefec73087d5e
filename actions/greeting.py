"""The greeting: "assalamualaikum" is answered in kind, any other greeting with "Halo"."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, SafeAction, latest_text

# "assalamualaikum", "asalamualaikum wr wb", "assalamu'alaikum", "ass wr wb".
SALAM_RE = re.compile(
    r"\b(?:as+alam+u'?\s*'?ala[iy]kum\w*|ass?\s+wr\.?\s*wb|samlekom|mikum)\b",
    re.IGNORECASE,
)


class ActionGreet(SafeAction):
    """Says the greeting with the main menu."""

    def name(self) -> str:
        return "action_greet"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        salam = SALAM_RE.search(latest_text(tracker)) is not None
        dispatcher.utter_message(response="utter_greet_salam" if salam else "utter_greet")
        return []
