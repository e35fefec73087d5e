"""What to do when the NLU is unsure: ask to rephrase, then offer the menu and a human."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, SafeAction, latest_entities, latest_text, utter_not_understood
from actions.privacy_answer import answer_privacy_question
from actions.service_info import (
    answer_service_question,
    asked_aspect,
    asks_about_a_service,
    follow_up_aspect,
    is_explicit_complaint,
    names_a_service,
    ranked_aspect,
)
from actions.ticket_status import is_a_rating, status_instead
from bot import metrics, texts
from bot.complaint_turns import looks_like_a_complaint
from bot.phrases import asks_yes_no, is_opener_only, is_small_talk
from bot.service_match import asked_aspects
from bot.texts import BUTTON_TALK_TO_OFFICER

log = logging.getLogger("actions.fallback")


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


def _names_a_service(tracker: Tracker) -> bool:
    try:
        return names_a_service(tracker)
    except Exception:  # the catalogue is unreachable: fall back as before
        log.exception("could not look for a service name in a fallback message")
        return False


def _follow_up_aspect(tracker: Tracker) -> str | None:
    try:
        return follow_up_aspect(tracker)
    except Exception:  # the catalogue is unreachable: fall back as before
        log.exception("could not read a fallback message as a follow-up")
        return None


def main_menu(domain: DomainDict) -> list[dict[str, str]]:
    """The main menu's buttons, as domain.yml defines them once (under utter_greet)."""
    return [dict(b) for b in domain["responses"]["utter_greet"][0]["buttons"]]


class ActionHandleFallback(Action):
    """A message naming a service is a question about it; otherwise the first miss asks to
    rephrase and the second in a row offers the menu and a human."""

    def name(self) -> str:
        return "action_handle_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        metrics.FALLBACKS.inc()
        text = latest_text(tracker)
        if not tracker.active_loop and answer_privacy_question(dispatcher, tracker):
            return []  # "nama sy gak ketauan kan?": before the complaint checks
        if not tracker.active_loop and is_opener_only(text):
            # "min", then "mau tanya": the question is still to come.
            dispatcher.utter_message(text=texts.text("opener_invite"), buttons=main_menu(domain))
            return []
        if not tracker.active_loop and is_a_rating(text):
            # "⭐⭐⭐⭐ mantap cepet bgt, tp ...": a rating with a comment.
            return [FollowupAction("action_give_feedback")]
        if (
            not tracker.active_loop
            and (looks_like_a_complaint(text) or is_explicit_complaint(text))
            and not asks_about_a_service(text)
        ):
            # A complaint told without "lapor", or "pengen ngadu, ...": start the form with
            # it as the story.
            return [FollowupAction("action_start_complaint")]
        status = status_instead(dispatcher, tracker, domain)
        if status is not None:
            return status
        aspect = None if tracker.active_loop else _follow_up_aspect(tracker)
        if aspect is not None:
            # "trus bayarnya brp sih?": the aspect it names, of the service discussed.
            return answer_service_question(dispatcher, tracker, domain, aspect)
        if not tracker.active_loop and _names_a_service(tracker):
            # "kalau SIM?", "paspot": a follow-up or a service name the classifier was
            # unsure about; answer it as a question about that service.
            aspect = next(iter(asked_aspects(text)), None) or ranked_aspect(tracker)
            return answer_service_question(
                dispatcher, tracker, domain, aspect or asked_aspect(tracker)
            )
        if not tracker.active_loop and is_small_talk(text):
            # "bot km udh mkn blm": a friendly word back, and what we can help with.
            dispatcher.utter_message(response="utter_small_talk", buttons=main_menu(domain))
            return []
        if consecutive_fallbacks(tracker) >= 2:
            buttons = main_menu(domain)
            buttons.append({"title": BUTTON_TALK_TO_OFFICER, "payload": "/request_human"})
            dispatcher.utter_message(response="utter_fallback_menu", buttons=buttons)
        else:
            utter_not_understood(dispatcher, tracker.sender_id)
        return []


class ActionOutOfScope(SafeAction):
    """Outside our services ("besok hujan gak ya"): said so. A question that names a
    service of ours and asks one of its aspects ("bikin NIB buat usaha kue rumahan bayar gak
    sih", read as out of scope for the private business in it) is answered instead."""

    def name(self) -> str:
        return "action_out_of_scope"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        text = latest_text(tracker)
        asked = asked_aspects(text) if text and asks_yes_no(text) else []
        # An extracted service entity only (names_a_service would return True on it too).
        if asked and latest_entities(tracker, "service"):
            return answer_service_question(dispatcher, tracker, domain, asked[0])
        if is_small_talk(text):
            # "min udah makan belum": chat with the bot, not a topic we do not serve.
            dispatcher.utter_message(response="utter_small_talk", buttons=main_menu(domain))
            return []
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
