"""The complaint form: `validate_complaint_form` and the questions it asks."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import Events, latest_intent, latest_text
from bot.categories import mentions_pungli, parse_category, suggest_category
from bot.labels import (
    BUTTON_CANCEL,
    BUTTON_SEND,
    CATEGORY_LABELS,
    CATEGORY_SHORT_LABELS,
    PRIVACY_LABELS,
    PRIVACY_SHORT_LABELS,
)
from bot.store.models import Category, Privacy

DESCRIPTION_MIN = 15
DESCRIPTION_MAX = 4000
LOCATION_MIN = 3
LOCATION_MAX = 500
# A message that starts the form and is at least this long is taken as the description.
NARRATIVE_MIN = 40

FORM_SLOTS = (
    "complaint_description",
    "complaint_location",
    "complaint_category",
    "complaint_privacy",
    "complaint_confirmed",
    "complaint_latitude",
    "complaint_longitude",
)

PRIVACY_WORDS: dict[str, Privacy] = {
    "biasa": Privacy.PUBLIC,
    "publik": Privacy.PUBLIC,
    "public": Privacy.PUBLIC,
    "terbuka": Privacy.PUBLIC,
    "anonim": Privacy.ANONYMOUS,
    "anonym": Privacy.ANONYMOUS,
    "anonymous": Privacy.ANONYMOUS,
    "tanpa nama": Privacy.ANONYMOUS,
    "sembunyikan identitas": Privacy.ANONYMOUS,
    "rahasiakan identitas": Privacy.ANONYMOUS,
    "rahasia": Privacy.CONFIDENTIAL,
    "confidential": Privacy.CONFIDENTIAL,
}
YES_WORDS = ("ya", "iya", "yes", "betul", "benar", "oke", "ok", "kirim", "lanjut", "setuju", "sip")
NO_WORDS = ("tidak", "gak", "nggak", "enggak", "ga", "no", "jangan", "salah")


def default_privacy(category: Category | None, description: str = "") -> Privacy:
    """Pungli reports are confidential by default (whistle-blower protection): the pungli
    category, and any story that tells of money asked outside the official fee, whatever
    category the citizen picked."""
    if category == Category.PUNGLI or mentions_pungli(description):
        return Privacy.CONFIDENTIAL
    return Privacy.PUBLIC


def parse_privacy(text: str) -> Privacy | None:
    """The privacy choice in a typed answer, if any (longest phrase first)."""
    lowered = text.strip().lower()
    if lowered in {p.value for p in Privacy}:
        return Privacy(lowered)
    for word in sorted(PRIVACY_WORDS, key=len, reverse=True):
        if word in lowered:
            return PRIVACY_WORDS[word]
    return None


def parse_yes_no(value: Any) -> bool | None:
    """True/False for a confirmation answer, None when it is neither."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    words = value.strip().lower().replace(",", " ").split()
    if any(word in NO_WORDS for word in words):
        return False
    if any(word in YES_WORDS for word in words):
        return True
    return None


def inform_payload(slot: str, value: str) -> str:
    """A button payload that fills a form slot without going through the NLU."""
    return "/inform" + json.dumps({slot: value})


def judging_dispatcher(
    slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
) -> CollectingDispatcher:
    """Where the verdict on a value of `slot` goes.

    Only the answer to the question asked (`requested_slot`) is judged aloud. Rasa also
    hands the validation every other slot set since the citizen's last message (the resets
    of `action_start_complaint`, a story taken from the opening message): those are checked
    silently, so a citizen never hears about a question nobody asked.
    """
    if tracker.get_slot(REQUESTED_SLOT) == slot:
        return dispatcher
    return CollectingDispatcher()


def form_just_started(tracker: Tracker) -> bool:
    """Whether `action_start_complaint` ran in this turn (the form's first question)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == ActionStartComplaint.NAME:
            return True
    return False


class ValidateComplaintForm(FormValidationAction):
    """Checks every answer of the complaint form and keeps the description verbatim."""

    def name(self) -> str:
        return "validate_complaint_form"

    def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """15 to 4,000 characters of free text, stored exactly as written."""
        if value is None:
            return {"complaint_description": None}
        dispatcher = judging_dispatcher("complaint_description", dispatcher, tracker)
        text = value if isinstance(value, str) else ""
        length = len(text.strip())
        if length < DESCRIPTION_MIN:
            dispatcher.utter_message(
                response="utter_description_too_short", minimum=DESCRIPTION_MIN
            )
            return {"complaint_description": None}
        if length > DESCRIPTION_MAX:
            dispatcher.utter_message(
                response="utter_description_too_long", maximum=DESCRIPTION_MAX, length=length
            )
            return {"complaint_description": None}
        return {"complaint_description": text}

    def validate_complaint_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A place described in words (coordinates arrive separately from Telegram)."""
        if value is None:
            return {"complaint_location": None}
        dispatcher = judging_dispatcher("complaint_location", dispatcher, tracker)
        text = value.strip() if isinstance(value, str) else ""
        if len(text) < LOCATION_MIN:
            dispatcher.utter_message(response="utter_location_too_short")
            return {"complaint_location": None}
        if len(text) > LOCATION_MAX:
            dispatcher.utter_message(response="utter_location_too_long", maximum=LOCATION_MAX)
            return {"complaint_location": None}
        return {"complaint_location": text}

    def validate_complaint_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A category tapped or typed; "ya" accepts the suggested one."""
        if value is None:
            return {"complaint_category": None}
        dispatcher = judging_dispatcher("complaint_category", dispatcher, tracker)
        category: Category | None = None
        if latest_intent(tracker) == "affirm" or parse_yes_no(latest_text(tracker)) is True:
            category = suggest_category(tracker.get_slot("complaint_description") or "")
        elif isinstance(value, str):
            category = parse_category(value)
        if category is None:
            dispatcher.utter_message(response="utter_category_invalid")
            return {"complaint_category": None}
        return {"complaint_category": category.value}

    def validate_complaint_privacy(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """public / anonymous / confidential; "ya" accepts the default."""
        if value is None:
            return {"complaint_privacy": None}
        dispatcher = judging_dispatcher("complaint_privacy", dispatcher, tracker)
        privacy: Privacy | None = None
        if isinstance(value, str):
            privacy = parse_privacy(value)
        if privacy is None and (
            latest_intent(tracker) == "affirm" or parse_yes_no(latest_text(tracker)) is True
        ):
            category = tracker.get_slot("complaint_category")
            privacy = default_privacy(
                Category(category) if category else None,
                tracker.get_slot("complaint_description") or "",
            )
        if privacy is None:
            dispatcher.utter_message(response="utter_privacy_invalid")
            return {"complaint_privacy": None}
        return {"complaint_privacy": privacy.value}

    def validate_complaint_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes sends the complaint, no discards it; anything else asks again."""
        if value is None:
            return {"complaint_confirmed": None}
        dispatcher = judging_dispatcher("complaint_confirmed", dispatcher, tracker)
        answer = parse_yes_no(value)
        if answer is None:
            dispatcher.utter_message(response="utter_confirm_invalid")
            return {"complaint_confirmed": None}
        return {"complaint_confirmed": answer}


class ActionStartComplaint(Action):
    """Clears the form for a new complaint; a long first message is already the description.

    It says nothing: the form's first question (`action_ask_complaint_description`, or
    `action_ask_complaint_location` after a story) greets the citizen in the same message.
    """

    NAME = "action_start_complaint"

    def name(self) -> str:
        return self.NAME

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        text = latest_text(tracker)
        events: Events = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if NARRATIVE_MIN <= len(text.strip()) <= DESCRIPTION_MAX:
            events.append(SlotSet("complaint_description", text))
        return events


class ActionAskComplaintDescription(Action):
    """Asks for the story; the form's first question also says how to cancel."""

    def name(self) -> str:
        return "action_ask_complaint_description"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        first = form_just_started(tracker)
        dispatcher.utter_message(
            response="utter_complaint_start" if first else "utter_ask_complaint_description"
        )
        return []


class ActionAskComplaintLocation(Action):
    """Asks where it happened; as the first question, it confirms the story was noted."""

    def name(self) -> str:
        return "action_ask_complaint_location"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        first = form_just_started(tracker)
        dispatcher.utter_message(
            response="utter_complaint_start_with_story" if first else "utter_ask_complaint_location"
        )
        return []


class ActionAskComplaintCategory(Action):
    """Asks for the category, suggesting one from the description."""

    def name(self) -> str:
        return "action_ask_complaint_category"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        suggested = suggest_category(tracker.get_slot("complaint_description") or "")
        order = [suggested, *[c for c in Category if c != suggested]]
        buttons = [
            {
                "title": CATEGORY_SHORT_LABELS[c] + (" ✓" if c == suggested else ""),
                "payload": inform_payload("complaint_category", c.value),
            }
            for c in order
        ]
        dispatcher.utter_message(
            response="utter_ask_complaint_category",
            suggested_category=CATEGORY_LABELS[suggested],
            buttons=buttons,
        )
        return []


class ActionAskComplaintPrivacy(Action):
    """Asks how the report should be handled; pungli defaults to confidential."""

    def name(self) -> str:
        return "action_ask_complaint_privacy"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        category_value = tracker.get_slot("complaint_category")
        category = Category(category_value) if category_value else None
        default = default_privacy(category, tracker.get_slot("complaint_description") or "")
        order = [default, *[p for p in Privacy if p != default]]
        buttons = [
            {
                "title": PRIVACY_SHORT_LABELS[p] + (" ✓" if p == default else ""),
                "payload": inform_payload("complaint_privacy", p.value),
            }
            for p in order
        ]
        response = (
            "utter_ask_complaint_privacy_pungli"
            if default == Privacy.CONFIDENTIAL
            else "utter_ask_complaint_privacy"
        )
        dispatcher.utter_message(response=response, buttons=buttons)
        return []


class ActionAskComplaintConfirmed(Action):
    """Shows the summary of the complaint and asks to send it."""

    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        category = Category(tracker.get_slot("complaint_category"))
        privacy = Privacy(tracker.get_slot("complaint_privacy"))
        dispatcher.utter_message(
            response="utter_ask_complaint_confirmed",
            description=tracker.get_slot("complaint_description"),
            location=tracker.get_slot("complaint_location"),
            category=CATEGORY_LABELS[category],
            privacy=PRIVACY_LABELS[privacy],
            buttons=[
                {"title": BUTTON_SEND, "payload": "/affirm"},
                {"title": BUTTON_CANCEL, "payload": "/cancel"},
            ],
        )
        return []
