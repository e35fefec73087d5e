"""Fallback: the first miss asks to rephrase; a second miss in a row offers menu and human."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update
from sqlalchemy.orm import Session

from actions.fallback import ActionHandleFallback, ActionOutOfScope
from bot.phrases import is_opener_only
from bot.store.models import Category, Privacy, Ticket, TicketStatus
from bot.store.repository import ComplaintDraft, Repository
from tests.utils.actions import entity, make_tracker, responses, texts


def user(text: str, intent: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def run(domain: dict[str, Any], events: list[dict[str, Any]]) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(events[-1]["text"], "nlu_fallback", events=events)
    ActionHandleFallback().run(dispatcher, tracker, domain)
    return dispatcher


def test_first_miss_asks_to_rephrase(repo: Repository, domain: dict[str, Any]) -> None:
    events = [user("halo", "greet"), {"event": "bot"}, user("qwerty asdf", "nlu_fallback")]
    assert responses(run(domain, events)) == ["utter_default"]


def test_second_miss_in_a_row_offers_menu_and_human(
    repo: Repository, domain: dict[str, Any]
) -> None:
    events = [user("zzz", "nlu_fallback"), {"event": "bot"}, user("qqq", "nlu_fallback")]
    dispatcher = run(domain, events)
    assert responses(dispatcher) == ["utter_fallback_menu"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert "/request_human" in payloads and "/file_complaint" in payloads


def test_understood_message_in_between_resets_the_count(
    repo: Repository, domain: dict[str, Any]
) -> None:
    events = [user("zzz", "nlu_fallback"), user("halo", "greet"), user("qqq", "nlu_fallback")]
    assert responses(run(domain, events)) == ["utter_default"]


def test_a_citizen_an_officer_waits_for_is_shown_how_to_answer(
    repo: Repository, domain: dict[str, Any]
) -> None:
    draft = ComplaintDraft(
        "Jalan berlubang di depan pasar.", "Pasar", Category.INFRASTRUKTUR, Privacy.PUBLIC
    )
    ticket, _ = repo.file_ticket("citizen-1", draft)
    with Session(repo.engine) as s, s.begin():
        s.execute(
            update(Ticket)
            .where(Ticket.public_id == ticket.public_id)
            .values(status=TicketStatus.MENUNGGU_WARGA)
        )
    dispatcher = run(domain, [user("di depan los ikan, sebelah kiri", "nlu_fallback")])
    assert responses(dispatcher) == ["utter_default_answer_hint"]
    assert dispatcher.messages[0]["ticket_id"] == ticket.public_id


@pytest.mark.parametrize(
    "openers",
    [
        ["min", "mau tanya"],
        ["permisi kak", "numpang nanya dong"],
        ["p", "mimin"],
        ["halo min, mau tanya boleh?"],
    ],
)
def test_opening_words_alone_are_invited_to_go_on(
    repo: Repository, domain: dict[str, Any], openers: list[str]
) -> None:
    """Second black-box round, N13: "min", then "mau tanya", each on its own (common on
    Telegram) are invited to ask, with the menu, not told they were not understood."""
    events: list[dict[str, Any]] = []
    for text in openers:
        events += [user(text, "nlu_fallback")]
        dispatcher = run(domain, events)
        said = " ".join(str(m.get("text") or m.get("response")) for m in dispatcher.messages)
        assert "Silakan" in said, (text, said)
        assert "utter_default" not in said and "utter_fallback_menu" not in said
        events += [{"event": "bot"}]


@pytest.mark.parametrize("text", ["min ktp", "mau tanya syarat skck", "qwerty", "min tolong"])
def test_words_beside_the_openers_are_not_an_opener(text: str) -> None:
    assert not is_opener_only(text)


@pytest.mark.parametrize(
    ("text", "service", "fact"),
    [
        ("bikin NIB buat usaha kue rumahan bayar gak sih", "nib", "Gratis"),
        ("buat usaha warung, npwp nya bayar ga?", "npwp", "Gratis"),
    ],
)
def test_a_service_question_read_as_out_of_scope_is_answered(
    repo: Repository, domain: dict[str, Any], text: str, service: str, fact: str
) -> None:
    """A question naming a catalogue service and one of its aspects is answered even when
    the classifier took the private business it mentions for out of scope."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "out_of_scope", [entity("service", service)])
    ActionOutOfScope().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0].startswith("utter_service_cost")
    assert fact in texts(domain, dispatcher)[0]


@pytest.mark.parametrize(
    "text", ["cara bikin email gmn", "harga cabe hari ini brp", "buka usaha kue modal brp ya"]
)
def test_out_of_scope_stays_out_of_scope(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    dispatcher = CollectingDispatcher()
    ActionOutOfScope().run(dispatcher, make_tracker(text, "out_of_scope"), domain)
    assert responses(dispatcher) == ["utter_out_of_scope"]
