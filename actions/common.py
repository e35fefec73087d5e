"""Helpers shared by the actions: the latest message, and never crashing a chat."""

from __future__ import annotations

import json
import logging
from abc import ABCMeta, abstractmethod
from collections.abc import Iterator
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import metrics
from bot.logging_config import correlation_id
from bot.store.models import Category
from bot.store.repository import get_repository
from bot.texts import BUTTON_SEND_AS_ANSWER, CATEGORY_LABELS

log = logging.getLogger("actions")

Events = list[dict[str, Any]]


def latest_entities(tracker: Tracker, name: str) -> list[str]:
    """Values of entity `name` in the latest user message, in order, without repeats."""
    values: list[str] = []
    for entity in tracker.latest_message.get("entities", []) or []:
        value = entity.get("value")
        if entity.get("entity") == name and isinstance(value, str) and value not in values:
            values.append(value)
    return values


def earlier_user_texts(tracker: Tracker, until_slot: str | None = None) -> Iterator[str]:
    """The texts of the citizen's messages before the latest one, newest first (stripped;
    button payloads as sent), stopping where the slot `until_slot` was set."""
    seen_latest = False
    for event in reversed(tracker.events):
        if until_slot and event.get("event") == "slot" and event.get("name") == until_slot:
            return
        if event.get("event") != "user":
            continue
        if seen_latest:
            yield str(event.get("text") or "").strip()
        seen_latest = True


def latest_text(tracker: Tracker) -> str:
    """The text of the latest user message ('' for button payloads like /intent{...})."""
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


ANSWER_INTENT = "answer_officer"  # the "Kirim sebagai jawaban" button (domain.yml)


def answer_button(public_id: str) -> dict[str, str]:
    """The button that sends the citizen's previous message as the answer for `public_id`
    (actions/officer_answer.py)."""
    return {
        "title": BUTTON_SEND_AS_ANSWER,
        "payload": f"/{ANSWER_INTENT}" + json.dumps({"ticket_id": public_id}),
    }


def utter_not_understood(dispatcher: CollectingDispatcher, sender_id: str) -> None:
    """Ask to rephrase; a citizen an officer is waiting for is shown how to answer."""
    try:
        waiting = get_repository().waiting_for_answer(sender_id)
    except Exception:  # the hint is a courtesy: never fail the turn over it
        log.exception("could not look up tickets waiting for %s", sender_id)
        waiting = []
    if waiting:
        # The message itself may be the answer: one press sends it (actions/officer_answer).
        dispatcher.utter_message(
            response="utter_default_answer_hint",
            ticket_id=waiting[0],
            buttons=[answer_button(waiting[0])],
        )
    else:
        dispatcher.utter_message(response="utter_default")


def latest_intent(tracker: Tracker) -> str | None:
    """Name of the latest user message's intent."""
    return (tracker.latest_message.get("intent") or {}).get("name")


class SafeAction(Action, metaclass=ABCMeta):
    """An action that apologises instead of crashing the conversation on any error.

    Subclasses implement `act`; the failure is logged with the conversation id and the
    latest message so that nothing the citizen wrote is lost.
    """

    @abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    @abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        """The action's work."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        """Run `act`; on failure log everything needed to follow up and apologise."""
        metrics.count_intent(tracker.latest_message)
        # This request's log lines carry the front end's inbox id (the correlation id).
        correlation_id.set((tracker.latest_message.get("metadata") or {}).get("inbox_id"))
        try:
            return self.act(dispatcher, tracker, domain)
        except Exception:
            log.exception(
                "action %s failed for sender %s; latest message: %r",
                self.name(),
                tracker.sender_id,
                tracker.latest_message.get("text"),
            )
            dispatcher.messages.clear()
            dispatcher.utter_message(response="utter_technical_error")
            return []


def say_complaint_timeline(dispatcher: CollectingDispatcher, category: str | None) -> None:
    """How long a complaint takes: verification, then its category's resolution days (the
    deadlines the console applies, bot.tickets.deadlines)."""
    rules = get_repository().deadlines()
    if category:
        dispatcher.utter_message(
            response="utter_complaint_timeline_category",
            verify_days=rules.verification_days,
            resolve_days=rules.policy.days_for(Category(category)),
            category=CATEGORY_LABELS[Category(category)],
        )
        return
    days = [rules.policy.default, *rules.policy.by_category.values()]
    dispatcher.utter_message(
        response="utter_complaint_timeline",
        verify_days=rules.verification_days,
        min_days=min(days),
        max_days=max(days),
    )
