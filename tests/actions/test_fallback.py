"""Fallback: the first miss asks to rephrase; a second miss in a row offers menu and human."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update
from sqlalchemy.orm import Session

from actions.fallback import ActionHandleFallback
from bot.store.models import Category, Privacy, Ticket, TicketStatus
from bot.store.repository import ComplaintDraft, Repository
from tests.utils.actions import make_tracker, responses


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
