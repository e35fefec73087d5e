"""Answers service questions (requirements, cost, duration, procedure, office and hours)."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Events,
    SafeAction,
    latest_entities,
    latest_intent,
    latest_text,
    repository,
    utter_not_understood,
)
from bot.labels import ASPECT_BUTTON_LABELS, ASPECT_LABELS
from bot.service_match import match_service, suggest
from bot.store import ServiceView

ASPECT_BY_INTENT = {
    "ask_requirements": "requirements",
    "ask_cost": "cost",
    "ask_duration": "duration",
    "ask_procedure": "procedure",
    "ask_location_hours": "location_hours",
}
INTENT_BY_ASPECT = {aspect: intent for intent, aspect in ASPECT_BY_INTENT.items()}


def resolve(value: str, aliases: dict[str, str]) -> str | None:
    """The catalogue id for an entity value (a canonical id or any known alias)."""
    lowered = value.strip().lower()
    if lowered in aliases.values():
        return lowered
    return aliases.get(lowered)


def numbered(items: tuple[str, ...]) -> str:
    """'1. a\\n2. b' for a list of catalogue lines."""
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, start=1))


def payload(aspect: str, service_id: str) -> str:
    """A button payload that asks `aspect` of `service_id` directly (no NLU involved)."""
    return f"/{INTENT_BY_ASPECT[aspect]}" + json.dumps({"service": service_id})


def other_aspect_buttons(aspect: str, service_id: str) -> list[dict[str, str]]:
    """Buttons for the other four aspects of the same service."""
    return [
        {"title": ASPECT_BUTTON_LABELS[other], "payload": payload(other, service_id)}
        for other in ASPECT_BUTTON_LABELS
        if other != aspect
    ]


def utter_aspect(dispatcher: CollectingDispatcher, service: ServiceView, aspect: str) -> None:
    """Say one aspect of a service, every fact taken from the catalogue row."""
    buttons = other_aspect_buttons(aspect, service.id)
    common: dict[str, Any] = {"service_name": service.name, "buttons": buttons}
    if aspect == "requirements" and service.requirements:
        dispatcher.utter_message(
            response="utter_service_requirements",
            requirements=numbered(service.requirements),
            **common,
        )
    elif aspect == "cost" and service.cost:
        if service.cost_basis:
            dispatcher.utter_message(
                response="utter_service_cost",
                cost=service.cost,
                cost_basis=service.cost_basis,
                **common,
            )
        else:
            dispatcher.utter_message(
                response="utter_service_cost_no_basis", cost=service.cost, **common
            )
    elif aspect == "duration" and service.duration:
        if service.duration_basis:
            dispatcher.utter_message(
                response="utter_service_duration",
                duration=service.duration,
                duration_basis=service.duration_basis,
                **common,
            )
        else:
            dispatcher.utter_message(
                response="utter_service_duration_no_basis", duration=service.duration, **common
            )
    elif aspect == "procedure" and service.procedure:
        if service.online_channel:
            dispatcher.utter_message(
                response="utter_service_procedure_online",
                procedure=numbered(service.procedure),
                online_channel=service.online_channel,
                **common,
            )
        else:
            dispatcher.utter_message(
                response="utter_service_procedure", procedure=numbered(service.procedure), **common
            )
    elif aspect == "location_hours" and service.office_address and service.office_hours:
        dispatcher.utter_message(
            response="utter_service_location",
            office_name=service.office_name,
            office_address=service.office_address,
            office_hours=service.office_hours,
            office_phone=service.office_phone or "-",
            **common,
        )
    else:
        dispatcher.utter_message(
            response="utter_service_unavailable",
            aspect_label=ASPECT_LABELS[aspect],
            office_name=service.office_name,
            office_phone=service.office_phone or "-",
            office_hours=service.office_hours or "-",
            **common,
        )


class ActionAnswerService(SafeAction):
    """Answers the asked aspect of the named (or previously discussed) service."""

    def name(self) -> str:
        return "action_answer_service"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        repo = repository()
        aspect = ASPECT_BY_INTENT.get(latest_intent(tracker) or "") or tracker.get_slot(
            "service_aspect"
        )
        aspect = aspect if aspect in ASPECT_LABELS else "requirements"
        aliases = repo.service_aliases()
        known = set(aliases.values())

        service_id: str | None = None
        entities = latest_entities(tracker, "service")
        canonical = [sid for sid in (resolve(value, aliases) for value in entities) if sid]
        if canonical:
            service_id = canonical[0]
        elif entities:
            # The NLU saw a service name the catalogue does not know: offer the closest ones.
            return self._suggest(
                dispatcher, repo, aspect, entities[0], suggest(entities[0], aliases)
            )
        else:
            text = latest_text(tracker)
            found = match_service(text, aliases)
            if found.exact:
                service_id = found.exact
            elif found.suggestions:
                return self._suggest(dispatcher, repo, aspect, text, found.suggestions)
            else:
                # "kalau biayanya?" reuses the service; a bare form answer does not.
                previous = (
                    tracker.get_slot("service") if latest_intent(tracker) != "inform" else None
                )
                service_id = previous if previous in known else None

        if service_id is None and latest_intent(tracker) == "inform":
            # A stray form answer (an address, a category) outside the form.
            utter_not_understood(dispatcher, tracker.sender_id)
            return []
        if service_id is None:
            buttons = [
                {"title": name, "payload": payload(aspect, sid)}
                for sid, name in repo.most_asked_services()
            ]
            dispatcher.utter_message(
                response="utter_ask_which_service",
                aspect_label=ASPECT_LABELS[aspect],
                buttons=buttons,
            )
            return [SlotSet("service_aspect", aspect)]

        service = repo.get_service(service_id)
        if service is None:  # catalogue changed underneath the model
            dispatcher.utter_message(response="utter_service_not_found", query=service_id)
            return [SlotSet("service", None)]
        utter_aspect(dispatcher, service, aspect)
        repo.record_service_question(service.id, aspect)
        return [SlotSet("service", service.id), SlotSet("service_aspect", aspect)]

    @staticmethod
    def _suggest(
        dispatcher: CollectingDispatcher,
        repo: Any,
        aspect: str,
        query: str,
        suggestions: tuple[str, ...],
    ) -> Events:
        if not suggestions:
            buttons = [
                {"title": name, "payload": payload(aspect, sid)}
                for sid, name in repo.most_asked_services()
            ]
            dispatcher.utter_message(
                response="utter_service_not_found", query=query, buttons=buttons
            )
        else:
            buttons = []
            for sid in suggestions:
                service = repo.get_service(sid)
                if service:
                    buttons.append({"title": service.name, "payload": payload(aspect, sid)})
            dispatcher.utter_message(
                response="utter_service_suggestions", query=query, buttons=buttons
            )
        return [SlotSet("service", None), SlotSet("service_aspect", aspect)]
