"""Running the fallback and the service answer on one message, for the tests of the
black-box tester of 2026-12-01 (d)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleFallback
from actions.service_info import ActionAnswerService
from tests.utils.actions import entity, make_tracker, texts

START = "action_start_complaint"


def run_fallback(
    domain: dict[str, Any], text: str, service: str | None = None, **slots: Any
) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    entities = [entity("service", service)] if service else []
    tracker = make_tracker(text, "nlu_fallback", entities, slots=slots)
    return dispatcher, ActionHandleFallback().run(dispatcher, tracker, domain)


def answer(
    domain: dict[str, Any], text: str, intent: str, service: str | None = None, **slots: Any
) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    entities = [entity("service", service)] if service else []
    tracker = make_tracker(text, intent, entities, slots=slots)
    return dispatcher, ActionAnswerService().run(dispatcher, tracker, domain)


def followups(events: list[dict[str, Any]]) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "followup"]


def said(domain: dict[str, Any], dispatcher: CollectingDispatcher) -> str:
    return "\n".join(texts(domain, dispatcher)).lower()
