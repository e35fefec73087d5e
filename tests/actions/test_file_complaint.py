"""Filing: one ticket per submission, in SQL, and nothing lost when the database fails."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from actions.file_complaint import ActionSubmitComplaint
from bot.config import get_settings
from bot.store.ids import TICKET_ID_RE
from bot.store.models import Ticket
from bot.store.repository import Repository
from tests.utils.actions import make_tracker, responses, texts

FILLED = {
    "complaint_description": "Petugas loket minta uang 150 ribu untuk percepat KTP saya.",
    "complaint_location": "Kantor Kecamatan Tebet",
    "complaint_category": "pungli",
    "complaint_privacy": "confidential",
    "complaint_confirmed": True,
}


def submit(domain: dict[str, Any], sender: str = "citizen-1", **slots: Any):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ya", "affirm", slots={**FILLED, **slots}, sender=sender)
    events = ActionSubmitComplaint().run(dispatcher, tracker, domain)
    return dispatcher, events


def tickets(repo: Repository) -> int:
    with Session(repo.engine) as s:
        return int(s.scalar(select(func.count()).select_from(Ticket)) or 0)


def test_submission_files_one_ticket_and_tells_the_deadline(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, events = submit(domain)
    assert responses(dispatcher) == ["utter_complaint_filed"]
    message = dispatcher.messages[0]
    assert TICKET_ID_RE.match(message["ticket_id"])
    text = texts(domain, dispatcher)[0]
    assert message["ticket_id"] in text and "3 hari kerja" in text and message["verify_due"] in text
    with Session(repo.engine) as s:
        row = s.scalar(select(Ticket).where(Ticket.public_id == message["ticket_id"]))
        assert row is not None
        assert row.description == FILLED["complaint_description"]
        assert row.privacy.value == "confidential" and row.category.value == "pungli"
    slots = {e["name"]: e["value"] for e in events}
    assert (
        slots["complaint_description"] is None and slots["last_ticket_id"] == message["ticket_id"]
    )


def test_repeated_submission_does_not_duplicate(repo: Repository, domain: dict[str, Any]) -> None:
    first, _ = submit(domain)
    second, _ = submit(domain)
    assert responses(second) == ["utter_complaint_duplicate"]
    assert second.messages[0]["ticket_id"] == first.messages[0]["ticket_id"]
    assert tickets(repo) == 1


def test_declined_summary_files_nothing(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, events = submit(domain, complaint_confirmed=False)
    assert responses(dispatcher) == ["utter_complaint_not_sent"]
    assert tickets(repo) == 0
    assert all(e["value"] is None for e in events)


@pytest.mark.parametrize(
    ("exit_reason", "said"),
    [("cancelled", ["utter_complaint_cancelled"]), ("left", [])],
)
def test_a_stopped_form_files_nothing_and_clears_the_form(
    repo: Repository, domain: dict[str, Any], exit_reason: str, said: list[str]
) -> None:
    dispatcher, events = submit(domain, complaint_exit=exit_reason, complaint_confirmed=None)
    assert responses(dispatcher) == said
    assert tickets(repo) == 0
    assert {e["name"] for e in events} >= {"complaint_description", "complaint_exit"}


def test_the_service_is_the_complaints_own_not_the_last_asked(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """Asking about SKCK earlier must not send a rubbish complaint to the police."""
    submit(domain, service="skck", complaint_service=None)
    with Session(repo.engine) as s:
        service_id, office_id = s.execute(select(Ticket.service_id, Ticket.office_id)).one()
    assert service_id is None and office_id is None


def test_database_failure_keeps_the_complaint(
    domain: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}")  # a directory: cannot open
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        dispatcher, _ = submit(domain, sender="citizen-offline")
        kept = (tmp_path / "var" / "failed_submissions.jsonl").read_text(encoding="utf-8")
    finally:
        get_settings.cache_clear()
    assert responses(dispatcher) == ["utter_complaint_store_failed"]
    record = json.loads(kept.splitlines()[-1])
    assert record["sender_id"] == "citizen-offline"
    assert record["slots"]["complaint_description"] == FILLED["complaint_description"]


def test_the_transcript_shows_the_pressed_buttons_label_not_its_payload() -> None:
    """Officers read '[tombol] Adminduk', not '/inform{"complaint_category": ...}'."""
    from actions.file_complaint import form_conversation

    payload = '/inform{"complaint_category": "adminduk"}'
    events = [
        {"event": "user", "text": "mau lapor", "timestamp": 1.0},
        {"event": "active_loop", "name": "complaint_form", "timestamp": 1.1},
        {
            "event": "bot",
            "text": "Termasuk kategori apa?",
            "timestamp": 1.2,
            "data": {
                "buttons": [
                    {"title": "Adminduk", "payload": payload},
                    {"title": "Lainnya", "payload": '/inform{"complaint_category": "lainnya"}'},
                ]
            },
        },
        {"event": "user", "text": payload, "timestamp": 2.0},
        {"event": "bot", "text": "Kirim?", "timestamp": 2.1, "data": {"buttons": []}},
        {"event": "user", "text": "/affirm", "timestamp": 3.0},
    ]
    lines = [text for _, _, text in form_conversation(events)]
    assert "[tombol] Adminduk" in lines
    assert not any("complaint_category" in line for line in lines)
    assert "[tombol] /affirm" in lines  # a payload no button offered stays as it was


def test_the_transcript_names_earlier_buttons_and_shared_places() -> None:
    """A black-box tester saw '[tombol] /ask_cost{"service": "stnk"}' and the raw location
    payload on a ticket page: a button of an earlier message is named by its label, a shared
    location by its place."""
    from actions.file_complaint import form_conversation

    cost = '/ask_cost{"service": "stnk"}'
    place = "Titik lokasi: -6.2001, 106.8166"
    location = (
        '/inform{"complaint_location": "' + place + '", "complaint_latitude": -6.2001, '
        '"complaint_longitude": 106.8166}'
    )
    events = [
        {"event": "user", "text": "mau lapor", "timestamp": 1.0},
        {"event": "active_loop", "name": "complaint_form", "timestamp": 1.1},
        {
            "event": "bot",
            "text": "Persyaratan STNK: ...",
            "timestamp": 1.2,
            "data": {"buttons": [{"title": "Biaya", "payload": cost}]},
        },
        {"event": "bot", "text": "Di mana lokasinya?", "timestamp": 1.3, "data": {}},
        {"event": "user", "text": cost, "timestamp": 2.0},
        {"event": "user", "text": location, "timestamp": 3.0},
    ]
    lines = [text for _, _, text in form_conversation(events)]
    assert "[tombol] Biaya" in lines
    assert f"[lokasi] {place}" in lines
    assert not any("{" in line for line in lines)
