"""The SKM survey's offer after a service answer, and what the offer and the survey share
(its intent, button values and store). Apart from actions/skm_survey.py so that the service
answer (actions/service_info.py) and the survey, which answers a service question asked in
its middle, do not import each other.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.config import get_settings
from bot.store.db import get_engine
from bot.store.skm import SkmStore
from bot.texts import BUTTON_SKM_LATER, BUTTON_SKM_REFUSE, BUTTON_SKM_START

log = logging.getLogger("actions")

INTENT = "skm"
START, LATER, REFUSE = "mulai", "nanti", "tolak"


def payload(value: str) -> str:
    return f"/{INTENT}" + json.dumps({INTENT: value})


def offer_buttons() -> list[dict[str, str]]:
    return [
        {"title": BUTTON_SKM_START, "payload": payload(START)},
        {"title": BUTTON_SKM_LATER, "payload": payload(LATER)},
        {"title": BUTTON_SKM_REFUSE, "payload": payload(REFUSE)},
    ]


@lru_cache(maxsize=4)
def _store(database_url: str, secret_key: str, timezone: str) -> SkmStore:
    return SkmStore(get_engine(database_url), secret_key, timezone)


def survey_store() -> SkmStore:
    settings = get_settings()
    return _store(settings.database_url, settings.secret_key, settings.timezone)


def offer_after_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, service_id: str, service_name: str
) -> None:
    """After a catalogue answer (outside any form): offer the survey about the service when
    the 30-day rule and consent allow. Never fails the answer."""
    if tracker.active_loop and tracker.active_loop.get("name"):
        return
    try:
        offered = survey_store().offer_for_service(tracker.sender_id, service_id)
    except Exception:  # the offer is a courtesy: the answer stands without it
        log.exception("could not offer the SKM survey to %s", tracker.sender_id)
        return
    if offered is not None:
        dispatcher.utter_message(
            response="utter_skm_offer", service_name=service_name, buttons=offer_buttons()
        )
