"""The SKM survey's actions (actions/skm_survey.py) with a real dispatcher and database:
the offer after a service answer (consent, once per service per 30 days), start, answers
by button and typed, skip, a stale button, pause and resume, the comment, refusal."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.service_info import ActionAnswerService
from actions.skm_survey import (
    ActionAskSkmDone,
    ActionSkmStart,
    ActionSkmSubmit,
    ValidateSkmForm,
    payload,
)
from bot.store.models import Citizen, SkmResponse, utcnow
from bot.store.repository import Repository
from tests.utils.actions import entity, make_tracker, responses, texts

SENDER = "7300"


def consent(repo: Repository, sender: str = SENDER) -> None:
    with Session(repo.engine) as s, s.begin():
        s.add(Citizen(sender_id=sender, consent_at=utcnow()))


def ask_service(domain: dict[str, Any], sender: str = SENDER) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "syarat bikin ktp apa aja", "ask_requirements", [entity("service", "ktp")], sender=sender
    )
    ActionAnswerService().run(dispatcher, tracker, domain)
    return dispatcher


def press(value: str, slots: dict[str, Any] | None = None) -> Any:
    return make_tracker(
        payload(value), "skm", [entity("skm", value)], slots=slots, sender=SENDER,
        active_loop="skm_form" if slots and slots.get("skm_id") else None,
    )  # fmt: skip


def typed(text: str, slots: dict[str, Any], intent: str = "inform") -> Any:
    return make_tracker(text, intent, slots=slots, sender=SENDER, active_loop="skm_form")


def validate(domain: dict[str, Any], tracker: Any) -> tuple[CollectingDispatcher, list[Any]]:
    dispatcher = CollectingDispatcher()
    events = ValidateSkmForm().run(dispatcher, tracker, domain)
    # Always a slot besides requested_slot: Rasa must never reject the form's turn.
    assert any(e["event"] == "slot" and e["name"] != "requested_slot" for e in events)
    return dispatcher, events


def asked(domain: dict[str, Any], slots: dict[str, Any]) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    ActionAskSkmDone().run(dispatcher, make_tracker(slots=slots, sender=SENDER), domain)
    return dispatcher


def row(repo: Repository) -> SkmResponse:
    with Session(repo.engine) as s:
        found = s.scalars(select(SkmResponse).order_by(SkmResponse.id.desc())).first()
        assert found is not None
        s.expunge(found)
        return found


def test_no_offer_without_consent(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher = ask_service(domain)
    assert "utter_skm_offer" not in responses(dispatcher)


def test_offer_after_a_service_answer_once(repo: Repository, domain: dict[str, Any]) -> None:
    consent(repo)
    dispatcher = ask_service(domain)
    assert responses(dispatcher)[-1] == "utter_skm_offer"
    offer = dispatcher.messages[-1]
    assert [b["payload"] for b in offer["buttons"]] == [
        payload("mulai"),
        payload("nanti"),
        payload("tolak"),
    ]
    # The answer keeps its "Tidak membantu" button; the offer is a message of its own.
    assert dispatcher.messages[-2]["buttons"][-1]["payload"] == "/answer_not_helpful"
    assert "KTP" in texts(domain, dispatcher)[-1]
    assert "utter_skm_offer" not in responses(ask_service(domain))


def test_refusal_is_recorded_and_not_offered_again(
    repo: Repository, domain: dict[str, Any]
) -> None:
    consent(repo)
    ask_service(domain)
    dispatcher = CollectingDispatcher()
    assert ActionSkmStart().run(dispatcher, press("tolak"), domain) == []
    assert responses(dispatcher) == ["utter_skm_refused"]
    assert row(repo).status == "refused"
    assert "utter_skm_offer" not in responses(ask_service(domain))
    # /survei afterwards: the service talked about was refused within 30 days.
    dispatcher = CollectingDispatcher()
    ActionSkmStart().run(dispatcher, press("mulai", {"service": "ktp"}), domain)
    assert responses(dispatcher) == ["utter_skm_recent"]


def test_later_keeps_the_offer(repo: Repository, domain: dict[str, Any]) -> None:
    consent(repo)
    ask_service(domain)
    dispatcher = CollectingDispatcher()
    ActionSkmStart().run(dispatcher, press("nanti"), domain)
    assert responses(dispatcher) == ["utter_skm_later"]
    assert row(repo).status == "offered"


def test_nothing_to_survey(repo: Repository, domain: dict[str, Any]) -> None:
    consent(repo)
    dispatcher = CollectingDispatcher()
    assert ActionSkmStart().run(dispatcher, press("mulai"), domain) == []
    assert responses(dispatcher) == ["utter_skm_nothing"]


def test_the_whole_survey(repo: Repository, domain: dict[str, Any]) -> None:
    consent(repo)
    ask_service(domain)
    dispatcher = CollectingDispatcher()
    events = ActionSkmStart().run(dispatcher, press("mulai"), domain)
    assert responses(dispatcher) == ["utter_skm_intro"]
    assert FollowupAction("skm_form") in events
    survey = next(e["value"] for e in events if e.get("name") == "skm_id")
    slots = {"skm_id": survey}
    # The form opens on the same "Isi survei" press: no hint, only the question after it.
    dispatcher, _ = validate(domain, press("mulai", slots))
    assert dispatcher.messages == []
    first = asked(domain, slots)
    assert responses(first) == ["utter_skm_question"]
    assert "Persyaratan" in texts(domain, first)[0]
    titles = [b["title"] for b in first.messages[0]["buttons"]]
    assert titles == [
        "1. Tidak sesuai",
        "2. Kurang sesuai",
        "3. Sesuai",
        "4. Sangat sesuai",
        "Lewati",
        "Nanti saja",
    ]
    validate(domain, press("u1:4", slots))
    # A stale press of element 1 again changes nothing and asks element 2 again.
    dispatcher, _ = validate(domain, press("u1:1", slots))
    assert responses(dispatcher) == ["utter_skm_use_buttons"]
    validate(domain, typed("sangat mudah", slots))  # U2 by its words
    validate(domain, press("u3:lewati", slots))  # U3 skipped
    # A service question in the middle is answered, then the same question again.
    dispatcher, _ = validate(domain, typed("berapa biaya sim?", slots, "ask_cost"))
    assert "utter_skm_use_buttons" not in responses(dispatcher)
    assert any("Biaya" in t and "SIM" in t for t in texts(domain, dispatcher))
    assert "Biaya/tarif" in texts(domain, asked(domain, slots))[0]
    dispatcher, _ = validate(domain, typed("hmm", slots, "nlu_fallback"))  # small talk
    assert responses(dispatcher) == ["utter_skm_use_buttons"]
    validate(domain, typed("3", slots))  # U4 typed
    _, events = validate(domain, typed("nanti aja ya", slots))  # the pause, as people say it
    assert SlotSet("skm_done", "paused") in events and SlotSet("requested_slot", None) in events
    dispatcher = CollectingDispatcher()
    ActionSkmSubmit().run(dispatcher, make_tracker(slots={"skm_done": "paused"}), domain)
    assert responses(dispatcher) == ["utter_skm_paused"]
    assert row(repo).status == "paused"

    # Resumed with /survei: from element 5.
    dispatcher = CollectingDispatcher()
    events = ActionSkmStart().run(dispatcher, press("mulai"), domain)
    assert responses(dispatcher) == ["utter_skm_resumed"]
    assert "pertanyaan 5" in texts(domain, dispatcher)[0]
    for code in range(5, 10):
        validate(domain, press(f"u{code}:3", slots))
    assert responses(asked(domain, slots)) == ["utter_skm_ask_comment"]
    dispatcher, _ = validate(domain, typed("ok", slots))  # too short for a comment
    assert responses(dispatcher) == ["utter_skm_comment_hint"]
    _, events = validate(domain, typed("Loketnya kurang, NIK saya 3201234567890123", slots))
    assert SlotSet("skm_done", "done") in events
    stored = row(repo)
    assert stored.status == "done"
    assert (stored.u1, stored.u2, stored.u3, stored.u4) == (4, 4, None, 3)
    assert [stored.u5, stored.u6, stored.u7, stored.u8, stored.u9] == [3] * 5
    assert stored.comment == "Loketnya kurang, NIK saya [NIK]"
    assert stored.service_id == "ktp" and SENDER not in stored.respondent_key


def test_no_comment_button_finishes(repo: Repository, domain: dict[str, Any]) -> None:
    consent(repo)
    dispatcher = CollectingDispatcher()
    events = ActionSkmStart().run(dispatcher, press("mulai", {"service": "sim"}), domain)
    slots = {"skm_id": next(e["value"] for e in events if e.get("name") == "skm_id")}
    for code in range(1, 10):
        validate(domain, press(f"u{code}:lewati", slots))
    _, events = validate(domain, press("komentar:tidak", slots))
    assert SlotSet("skm_done", "done") in events
    stored = row(repo)
    assert stored.status == "done" and stored.comment is None and stored.u1 is None


# -- a typed request to rate: the survey (issue 11: the SKM replaces the 1-5 rating) --------


def request(text: str, slots: dict[str, Any] | None = None) -> tuple[CollectingDispatcher, Any]:
    """The citizen types a request to rate; action_give_feedback answers it."""
    from actions.feedback import ActionGiveFeedback

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "give_feedback", slots=slots, sender=SENDER)
    return dispatcher, ActionGiveFeedback().run(dispatcher, tracker, {})


def test_typed_request_to_rate_starts_the_survey(repo: Repository, domain: dict[str, Any]) -> None:
    """After a service answer, "saya mau kasih penilaian layanan" opens the SKM survey
    (as /survei does), not the stars; the form's opening turn asks its question without
    the "use the buttons" hint; no 1-5 rating is stored."""
    from bot.store.models import Rating

    consent(repo)
    ask_service(domain)
    dispatcher, events = request("saya mau kasih penilaian layanan", {"service": "ktp"})
    assert responses(dispatcher) == ["utter_skm_intro"]
    assert FollowupAction("skm_form") in events
    survey_id = next(e["value"] for e in events if e.get("name") == "skm_id")
    # The form opens on the same message: validated as the opening, no hint.
    opening = make_tracker(
        "saya mau kasih penilaian layanan",
        "give_feedback",
        slots={"skm_id": survey_id},
        sender=SENDER,
        events=[
            {"event": "user", "text": "saya mau kasih penilaian layanan"},
            {"event": "action", "name": "action_give_feedback"},
        ],
    )
    dispatcher, _ = validate(domain, opening)
    assert responses(dispatcher) == []
    with Session(repo.engine) as s:
        assert s.scalars(select(Rating)).all() == []
        row = s.get(SkmResponse, int(survey_id))
        assert row is not None and row.service_id == "ktp" and row.status == "open"


def test_typed_request_for_the_survey_without_a_subject(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """ "mau isi survei kepuasan" with nothing to survey says so (as /survei does); a
    general request to rate with nothing to survey keeps today's stars (general feedback)."""
    consent(repo)
    dispatcher, events = request("mau isi survei kepuasan")
    assert responses(dispatcher) == ["utter_skm_nothing"] and events == []
    dispatcher, _ = request("saya mau kasih penilaian")
    assert responses(dispatcher) == ["utter_ask_rating"]


def test_free_feedback_stays(repo: Repository, domain: dict[str, Any]) -> None:
    """Praise and suggestions are still stored as feedback, with or without a survey."""
    consent(repo)
    ask_service(domain)
    dispatcher, _ = request("petugasnya ramah sekali, terima kasih", {"service": "ktp"})
    assert responses(dispatcher) == ["utter_feedback_thanks_comment"]
    dispatcher, _ = request("nilai 4, antreannya cepat", {"service": "ktp"})
    assert responses(dispatcher) == ["utter_feedback_thanks"]


@pytest.mark.parametrize(
    ("text", "position", "score"),
    [
        # Black-box tester 2026-12-01b, D22: "cepet kok" to the speed question was refused.
        ("cepet kok", 2, 3),
        ("cepat", 2, 3),
        ("cepet bgt", 2, 4),
        ("sangat cepat", 2, 4),
        ("gak cepet", 2, 1),
        ("krg cepet sih", 2, 2),
        ("gampang kok", 1, 3),
        ("sesuai aja", 0, 3),
        ("kurang sopan dan ramah", 6, 2),
        ("murah kok", 3, 3),
        ("cukup mahal", 3, 2),
        ("3", 2, 3),
        ("entahlah", 2, None),
    ],
)
def test_typed_answers_in_everyday_words(text: str, position: int, score: int | None) -> None:
    from actions.skm_survey import _typed_score

    assert _typed_score(text, position) == score
