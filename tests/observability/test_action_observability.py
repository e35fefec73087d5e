"""The action server's metrics and the correlation id in its JSON log line of a filing."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client import REGISTRY
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleFallback
from actions.file_complaint import ActionSubmitComplaint
from bot.logging_config import configure_logging
from bot.store.repository import Repository
from tests.utils.actions import make_tracker

FILLED = {
    "complaint_description": "Petugas loket minta uang 150 ribu untuk percepat KTP saya.",
    "complaint_location": "Kantor Kecamatan Tebet",
    "complaint_category": "pungli",
    "complaint_privacy": "confidential",
    "complaint_confirmed": True,
}


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    yield stream
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_filing_logs_the_inbox_id_as_json_and_counts_the_ticket(
    repo: Repository, domain: dict[str, Any], json_log: io.StringIO
) -> None:
    filed_before = value("aduan_tickets_filed_total")
    tracker = make_tracker("ya", "affirm", slots=FILLED, sender="citizen-obs")
    tracker.latest_message["metadata"] = {"inbox_id": 4242}
    dispatcher = CollectingDispatcher()
    ActionSubmitComplaint().run(dispatcher, tracker, domain)
    ticket_id = dispatcher.messages[0]["ticket_id"]
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    filed = [line for line in lines if line.get("ticket_id") == ticket_id]
    assert len(filed) == 1
    assert filed[0]["inbox_id"] == 4242
    assert filed[0]["level"] == "INFO" and ticket_id in filed[0]["message"]
    assert value("aduan_tickets_filed_total") == filed_before + 1


def test_a_fallback_is_counted(repo: Repository, domain: dict[str, Any]) -> None:
    before = value("aduan_fallbacks_total")
    tracker = make_tracker("qwerty asdf", "nlu_fallback")
    ActionHandleFallback().run(CollectingDispatcher(), tracker, domain)
    assert value("aduan_fallbacks_total") == before + 1
