"""Running our Rasa actions as the action server does: a real rasa_sdk Tracker and
CollectingDispatcher, the replies rendered from domain.yml."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.service_info import ActionAnswerService
from tests.utils import ROOT

DOMAIN_PATH = ROOT / "domain.yml"


def make_tracker(
    text: str = "",
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    sender: str = "citizen-1",
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose latest user message is `text` classified as `intent`."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": entities or [],
    }
    return Tracker(
        sender_id=sender,
        slots=dict(slots or {}),
        latest_message=latest,
        events=events or [{"event": "user", "text": text, "parse_data": latest}],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def entity(name: str, value: str) -> dict[str, Any]:
    """An extracted entity as Rasa sends it."""
    return {"entity": name, "value": value, "extractor": "RegexEntityExtractor"}


def render(domain: dict[str, Any], message: dict[str, Any]) -> str:
    """The text Rasa would send for a dispatcher message (filling {placeholders})."""
    if message.get("text"):
        return str(message["text"])
    template = domain["responses"][message["response"]][0]["text"]

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        assert key in message, f"{message['response']} needs {{{key}}}"
        return str(message[key])

    return re.sub(r"\{(\w+)\}", fill, template)


def texts(domain: dict[str, Any], dispatcher: CollectingDispatcher) -> list[str]:
    """Everything the dispatcher would say, rendered."""
    return [render(domain, m) for m in dispatcher.messages]


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    """The response names the dispatcher used, in order."""
    return [m.get("response") for m in dispatcher.messages]


def ask(
    domain: dict[str, Any], text: str, intent: str, found: str | None = None, **slots: Any
) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    """Run the service answer for a message in which the NLU found the service entity
    `found`: the dispatcher and the events."""
    dispatcher = CollectingDispatcher()
    entities = [entity("service", found)] if found else []
    tracker = make_tracker(text, intent, entities, slots=slots)
    events = ActionAnswerService().run(dispatcher, tracker, domain)
    return dispatcher, events
