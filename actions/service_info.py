"""Answers service questions (requirements, cost, duration, procedure, office and hours)."""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Events,
    SafeAction,
    latest_entities,
    latest_intent,
    latest_text,
    utter_not_understood,
)
from bot.complaint_turns import looks_like_a_complaint
from bot.service_match import find_all_exact, find_referral, near_miss_scores, suggest
from bot.store.repository import ServiceView, get_repository
from bot.texts import ASPECT_BUTTON_LABELS, ASPECT_LABELS

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
        for other in INTENT_BY_ASPECT
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


# A near miss this close to a name is taken for a misspelt new service even when a
# previous service could be meant ("pasprot" after a KTP question asks about paspor).
STRONG_NEAR_MISS = 85
MAX_SERVICES_PER_MESSAGE = 3


# "batas waktunya", "paling lambat", "telat ngurus": a legal deadline for the citizen, not
# how long the office takes.
DEADLINE_RE = re.compile(
    r"\bbatas(?:nya)?\b|\bbatas waktu|paling lambat|\btelat\b|terlambat|\btenggat|"
    r"\bdeadline\b|kedaluwarsa|kadaluarsa|\bmasih boleh\b|\bmasih bisa\b.*\blewat\b",
    re.IGNORECASE,
)


def asks_deadline(text: str) -> bool:
    """True when the message asks about a deadline the citizen must meet."""
    return bool(text and DEADLINE_RE.search(text))


def asked_aspect(tracker: Tracker) -> str:
    """The aspect asked by the intent, else the one of the previous question."""
    aspect = ASPECT_BY_INTENT.get(latest_intent(tracker) or "") or tracker.get_slot(
        "service_aspect"
    )
    return aspect if aspect in INTENT_BY_ASPECT else "requirements"


def names_a_service(tracker: Tracker) -> bool:
    """True when the latest message names a service, ours or one handled elsewhere, or a
    close misspelling of one (used to answer follow-ups the NLU could not classify)."""
    if latest_entities(tracker, "service"):
        return True
    text = latest_text(tracker)
    if not text:
        return False
    aliases = get_repository().service_aliases()
    if find_all_exact(text, aliases) or find_referral(text):
        return True
    return any(score >= STRONG_NEAR_MISS for score in near_miss_scores(text, aliases).values())


def answer_service_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, aspect: str
) -> Events:
    """Answer `aspect` of every service the message names (up to three), else of the
    service discussed before; say honestly when a service is handled elsewhere."""
    repo = get_repository()
    aliases = repo.service_aliases()
    known = set(aliases.values())
    text = latest_text(tracker)
    entities = latest_entities(tracker, "service")

    named: list[tuple[str, str]] = [
        (sid, value) for value in entities if (sid := resolve(value, aliases)) is not None
    ]
    for sid, alias in find_all_exact(text, aliases) if text else []:
        if sid not in [n[0] for n in named]:
            named.append((sid, alias))
    referral = find_referral(text) if text else None
    if referral is not None and all(len(referral.alias) > len(alias) for _, alias in named):
        dispatcher.utter_message(
            response="utter_service_not_served",
            service_name=referral.referral.name,
            where=referral.referral.where,
            source=referral.referral.source,
        )
        return [SlotSet("service", None), SlotSet("service_aspect", aspect)]

    service_ids = [sid for sid, _ in named][:MAX_SERVICES_PER_MESSAGE]
    if not service_ids:
        unknown = [value for value in entities if resolve(value, aliases) is None]
        if unknown:
            # The NLU saw a service name the catalogue does not know: offer the closest ones.
            return _suggest(dispatcher, repo, aspect, unknown[0], suggest(unknown[0], aliases))
        previous = tracker.get_slot("service") if latest_intent(tracker) != "inform" else None
        previous = previous if previous in known else None
        scores = near_miss_scores(text, aliases) if text else {}
        ranked = tuple(sorted(scores, key=lambda sid: -scores[sid])[:3])
        if ranked and ranked[0] == previous:
            ranked = ()
        if ranked and (previous is None or scores[ranked[0]] >= STRONG_NEAR_MISS):
            return _suggest(dispatcher, repo, aspect, text, ranked)
        if previous is not None:
            # A follow-up ("kalau biayanya?", "yang elektronik berapa hari?") keeps the
            # service of the previous question.
            service_ids = [previous]

    if not service_ids and latest_intent(tracker) == "inform":
        if looks_like_a_complaint(text):
            # A complaint told without "lapor": the form opens with it as the story.
            return [FollowupAction("action_start_complaint")]
        # A stray form answer (an address, a category) outside the form.
        utter_not_understood(dispatcher, tracker.sender_id)
        return []
    if not service_ids:
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

    answered: list[str] = []
    deadline_question = asks_deadline(text)
    for sid in service_ids:
        service = repo.get_service(sid)
        if service is None:  # catalogue changed underneath the model
            dispatcher.utter_message(response="utter_service_not_found", query=sid)
            continue
        if deadline_question and service.reporting_deadline:
            dispatcher.utter_message(
                response="utter_service_deadline",
                service_name=service.name,
                reporting_deadline=service.reporting_deadline,
                reporting_deadline_basis=service.reporting_deadline_basis or "-",
                buttons=other_aspect_buttons("", service.id),
            )
        else:
            utter_aspect(dispatcher, service, aspect)
        repo.record_service_question(service.id, aspect)
        answered.append(service.id)
    # Follow-ups go on with the first service named.
    return [
        SlotSet("service", answered[0] if answered else None),
        SlotSet("service_aspect", aspect),
    ]


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
        dispatcher.utter_message(response="utter_service_not_found", query=query, buttons=buttons)
    else:
        buttons = []
        for sid in suggestions:
            service = repo.get_service(sid)
            if service:
                buttons.append({"title": service.name, "payload": payload(aspect, sid)})
        dispatcher.utter_message(response="utter_service_suggestions", query=query, buttons=buttons)
    return [SlotSet("service", None), SlotSet("service_aspect", aspect)]


class ActionAnswerService(SafeAction):
    """Answers the asked aspect of the named (or previously discussed) services."""

    def name(self) -> str:
        return "action_answer_service"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        return answer_service_question(dispatcher, tracker, asked_aspect(tracker))
