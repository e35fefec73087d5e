"""What to do when the NLU is unsure: ask to rephrase, then offer the menu and a human."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, utter_not_understood
from bot.labels import BUTTON_TALK_TO_OFFICER, MAIN_MENU_BUTTONS


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user messages in a row the NLU could not understand."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") != "nlu_fallback":
            break
        count += 1
    return count


class ActionHandleFallback(Action):
    """First miss: ask to rephrase. Second miss in a row: the menu and a human."""

    def name(self) -> str:
        return "action_handle_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if consecutive_fallbacks(tracker) >= 2:
            buttons = [{"title": t, "payload": p} for t, p in MAIN_MENU_BUTTONS]
            buttons.append({"title": BUTTON_TALK_TO_OFFICER, "payload": "/request_human"})
            dispatcher.utter_message(response="utter_fallback_menu", buttons=buttons)
        else:
            utter_not_understood(dispatcher, tracker.sender_id)
        return []
