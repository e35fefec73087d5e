"""D24 (black-box tester 2026-12-01 b): after filing, "identitas sy tetep aman kan min? kan
td sy pilih anonim" gets what the complaint's privacy means (who sees what), for the
citizen's own ticket; other questions are left to the other actions."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleFallback
from actions.privacy_answer import answer_privacy_question, asks_about_own_privacy
from actions.service_info import ActionAnswerService
from bot.store.models import Category, Privacy
from bot.store.repository import ComplaintDraft
from tests.utils.actions import make_tracker


@pytest.mark.parametrize(
    "text",
    [
        "identitas sy tetep aman kan min? kan td sy pilih anonim",
        "nama saya gak bakal ketahuan kan?",
        "petugasnya bakal tau gak kalo sy yg lapor?",
        "data diri sy aman gak min",
        "yg td anonim kan ya? jd gak ada yg tau sy yg ngadu",
        "beneran dirahasiakan kan identitas saya?",
        "aman kan min nama aku gak disebar",
    ],
)
def test_a_question_whether_the_identity_is_safe_is_recognised(text: str) -> None:
    assert asks_about_own_privacy(text)


@pytest.mark.parametrize(
    "text",
    [
        "syarat ganti nama di KTP apa aja?",
        "kalo ganti identitas di kk tau gak caranya?",
        "terima kasih min",
        "status ADU-7K3M9Q",
        "identitas",
        "jalan di depan rumah saya rusak parah sejak sebulan, tolong diperbaiki",
        "rahasia",
    ],
)
def test_other_messages_are_not_privacy_questions(text: str) -> None:
    assert not asks_about_own_privacy(text)


def filed(repo: Any, sender: str, privacy: Privacy) -> str:
    draft = ComplaintDraft(
        description=f"Petugas loket minta uang tambahan 50rb tanpa kuitansi ({privacy.value}).",
        location_text="Kantor Kelurahan Sukamaju",
        category=Category.PUNGLI,
        privacy=privacy,
    )
    ticket, _ = repo.file_ticket(sender, draft)
    return str(ticket.public_id)


def answered(text: str, sender: str, **slots: Any) -> list[str] | None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "nlu_fallback", slots=slots, sender=sender)
    if not answer_privacy_question(dispatcher, tracker):
        assert dispatcher.messages == []
        return None
    return [str(m.get("text")) for m in dispatcher.messages]


@pytest.mark.parametrize(
    ("privacy", "must", "must_not"),
    [
        (Privacy.ANONYMOUS, ["Anonim", "tidak ditampilkan"], ["Rahasia:"]),
        (Privacy.CONFIDENTIAL, ["Rahasia", "ditugaskan"], ["Anonim:"]),
        (Privacy.PUBLIC, ["Biasa", "Anonim"], []),
    ],
)
def test_the_answer_is_about_the_privacy_of_the_citizens_own_ticket(
    repo: Any, privacy: Privacy, must: list[str], must_not: list[str]
) -> None:
    sender = f"citizen-d24-{privacy.value}"
    public_id = filed(repo, sender, privacy)
    said = answered(
        "identitas sy tetep aman kan min? kan td sy pilih anonim", sender, last_ticket_id=public_id
    )
    assert said is not None and len(said) == 1
    (reply,) = said
    assert public_id in reply
    for part in must:
        assert part in reply
    for part in must_not:
        assert part not in reply


def test_without_the_slot_the_newest_open_ticket_is_meant(repo: Any) -> None:
    filed(repo, "citizen-d24-two", Privacy.PUBLIC)
    newest = filed(repo, "citizen-d24-two", Privacy.ANONYMOUS)
    said = answered("nama saya gak bakal ketahuan kan?", "citizen-d24-two")
    assert said is not None and newest in said[0] and "Anonim" in said[0]


def test_another_citizens_ticket_is_never_described(repo: Any) -> None:
    other = filed(repo, "citizen-d24-owner", Privacy.CONFIDENTIAL)
    said = answered("identitas saya aman kan?", "citizen-d24-stranger", last_ticket_id=other)
    assert said is not None and other not in said[0]
    # without a ticket of their own: what each choice means
    for part in ("Biasa", "Anonim", "Rahasia"):
        assert part in said[0]


def test_a_message_that_is_no_privacy_question_is_left_alone(repo: Any) -> None:
    assert answered("syarat bikin KTP apa aja?", "citizen-d24-none") is None


def test_a_story_of_data_spread_around_is_a_complaint_not_a_question() -> None:
    assert not asks_about_own_privacy(
        "kemarin data diri sy disebar petugas kelurahan ke grup wa warga, gak aman bgt"
    )


@pytest.mark.parametrize(
    ("intent", "action"),
    [("inform", "service"), ("ask_cost", "service"), ("nlu_fallback", "fallback")],
)
def test_the_question_is_answered_whatever_the_classifier_read(
    repo: Any, intent: str, action: str
) -> None:
    """The tester's sentence is read as inform (1.0), "nama saya gak bakal ketahuan kan?" as
    ask_cost: the service answer and the fallback answer the privacy question first."""
    sender = f"citizen-d24-route-{intent}"
    public_id = filed(repo, sender, Privacy.ANONYMOUS)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "identitas sy tetep aman kan min? kan td sy pilih anonim",
        intent,
        slots={"last_ticket_id": public_id},
        sender=sender,
    )
    runner = ActionAnswerService() if action == "service" else ActionHandleFallback()
    runner.run(dispatcher, tracker, {})
    said = " ".join(str(m.get("text")) for m in dispatcher.messages)
    assert public_id in said and "Anonim" in said
