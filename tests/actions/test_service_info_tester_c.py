"""Turns outside the complaint form after the black-box tester of 2026-12-01 (c): a
question after an answer never opens the form (N7), a doubted fee is a pungli question
(N2), an office named wins over the previous service (N1), a question is never a goodbye
nor feedback (N11, N12), Javanese "where" words (N14). Wordings other than the tester's."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionGiveFeedback
from actions.human import ActionBotChallenge
from actions.service_info import ActionAnswerService, ActionFollowUpOrComplaint
from actions.yes_no import ActionGoodbye
from bot.category_rules import mentions_pungli
from bot.service_match import asked_aspects, named_office
from bot.store.repository import Repository
from tests.utils.actions import entity, make_tracker, responses, texts

START = {"event": "followup", "timestamp": None, "name": "action_start_complaint"}


def run(action: Any, domain: dict[str, Any], text: str, intent: str, **slots: Any) -> Any:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, make_tracker(text, intent, slots=slots), domain)
    return dispatcher, events


def test_polite_question_after_an_answer_is_answered_not_a_complaint(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """N7: "Apakah pengurusan tersebut dapat diwakilkan ...?" read as a complaint."""
    dispatcher, events = run(
        ActionFollowUpOrComplaint(),
        domain,
        "Maaf bu, saya mau tanya lagi. Kalau yang datang mengurus adik saya boleh tidak, "
        "soalnya saya sedang sakit?",
        "file_complaint",
        service="akta_kematian",
    )
    assert START not in events
    assert "utter_service_procedure" in " ".join(responses(dispatcher))


def test_story_with_a_question_after_an_answer_still_opens_the_form(
    repo: Repository, domain: dict[str, Any]
) -> None:
    _dispatcher, events = run(
        ActionFollowUpOrComplaint(),
        domain,
        "kemarin sy antri 5 jam di kantor, petugasnya malah main hp, gimana tuh?",
        "file_complaint",
        service="ktp",
    )
    assert START in events


def test_a_button_after_an_answer_opens_the_form(repo: Repository, domain: dict[str, Any]) -> None:
    _dispatcher, events = run(
        ActionFollowUpOrComplaint(), domain, "/file_complaint", "file_complaint", service="ktp"
    )
    assert START in events


def test_doubted_amount_is_pungli() -> None:
    """N2: "disuruh bayar", "emg resmi segitu" tell of money asked outside the fee."""
    assert mentions_pungli("td di kelurahan sy disuruh bayar 75rb buat surat pengantar")
    assert mentions_pungli("bikin sim kemarin kena 600rb, emang resmi ya segitu?")
    assert not mentions_pungli("saya disuruh bayar di loket 3")


def test_skck_doubted_fee_gets_cost_and_pungli_offer(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerService().run(
        dispatcher,
        make_tracker(
            "kmrn ngurus skck di polsek disuruh bayar 75rb, itu emang resmi?",
            "ask_location_hours",
            [entity("service", "skck")],
        ),
        domain,
    )
    said = responses(dispatcher)
    assert "utter_pungli_offer" in said
    assert any(r.startswith("utter_service_cost") for r in said)


def test_office_named_wins_over_previous_service(repo: Repository, domain: dict[str, Any]) -> None:
    """N1: "samsat buka hari sabtu?" after a passport question is about Samsat."""
    assert named_office("kantor capil buka jam brp")[0] == "disdukcapil"  # type: ignore[index]
    dispatcher, _events = run(
        ActionAnswerService(),
        domain,
        "kantor samsat hari sabtu buka gak?",
        "ask_location_hours",
        service="paspor",
    )
    said = "\n".join(texts(domain, dispatcher))
    assert "Samsat" in said
    assert "Imigrasi" not in said


def test_question_read_as_goodbye_is_not_a_goodbye(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """N12: no "Sampai jumpa" for a question."""
    dispatcher, _events = run(
        ActionGoodbye(), domain, "nanti laporan sy diurus sama siapa ya?", "goodbye"
    )
    assert "utter_goodbye" not in responses(dispatcher)
    dispatcher, _events = run(ActionGoodbye(), domain, "oke makasih, sampai jumpa", "goodbye")
    assert responses(dispatcher) == ["utter_goodbye"]


def test_question_read_as_feedback_is_answered_not_stored(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """N11: "do I need ... juga?" after a SIM answer: the SIM requirements."""
    dispatcher, _events = run(
        ActionGiveFeedback(),
        domain,
        "do I need to bring my old SIM juga?",
        "give_feedback",
        service="sim",
    )
    said = responses(dispatcher)
    assert "utter_service_requirements" in said
    assert not any("feedback" in r for r in said)


def test_javanese_where_to_pay_and_to_object() -> None:
    """N14: "mbayare nang endi", "keberatan teng pundi": the procedure first."""
    assert asked_aspects("pbb ne mbayare nang endi?")[0] == "procedure"
    assert asked_aspects("badhe ngajukaken keberatan teng pundi nggih?")[0] == "procedure"
    assert asked_aspects("kantore neng ndi?") == ["location_hours"]


def test_inform_with_a_service_answers_the_aspect_in_words(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerService().run(
        dispatcher,
        make_tracker("pbb griya kulo, mbayare teng pundi?", "inform", [entity("service", "pbb")]),
        domain,
    )
    assert responses(dispatcher)[0].startswith("utter_service_procedure")


def test_thanks_read_as_feedback_is_thanked_not_forwarded(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """N7's last line: thanks and good wishes get "Sama-sama", not "diteruskan ke petugas";
    praise stays feedback."""
    dispatcher, _events = run(
        ActionGiveFeedback(),
        domain,
        "Makasih banyak infonya bu, semoga sukses selalu.",
        "give_feedback",
    )
    assert responses(dispatcher) == ["utter_you_are_welcome"]
    dispatcher, _events = run(
        ActionGiveFeedback(), domain, "makasih, pelayanannya cepat dan ramah", "give_feedback"
    )
    assert "utter_you_are_welcome" not in responses(dispatcher)


def _after_not_helpful(text: str, intent: str) -> list[dict[str, Any]]:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return [
        {"event": "action", "name": "action_answer_service"},
        {"event": "user", "text": "/answer_not_helpful", "parse_data": {}},
        {"event": "action", "name": "action_answer_not_helpful"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest},
    ]


def test_same_aspect_after_not_helpful_is_said_honestly_with_a_person(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """D23: after "Tidak membantu" on the BPJS cost, "jadi kelas 3 bayar 35 ribu atau 42
    ribu?" gets that this is all there is and "Hubungi petugas", not the same paragraph."""
    text = "jadi kelas 3 itu bayar 35rb atau 42rb?"
    slots = {"service": "bpjs_kesehatan", "service_aspect": "cost"}
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text, "ask_cost", slots=slots, events=_after_not_helpful(text, "ask_cost")
    )
    ActionAnswerService().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_answer_still_the_same"]
    said = "\n".join(texts(domain, dispatcher))
    assert "Rp35.000" in said
    assert any(b["payload"] == "/request_human" for b in dispatcher.messages[0]["buttons"])
    # Another aspect after "Tidak membantu" is answered as usual.
    text = "kalo daftarnya gimana caranya?"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text, "ask_procedure", slots=slots, events=_after_not_helpful(text, "ask_procedure")
    )
    ActionAnswerService().run(dispatcher, tracker, domain)
    assert "utter_answer_still_the_same" not in responses(dispatcher)


def test_who_handles_my_complaint_read_as_goodbye_is_answered(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """N12: "laporan sy nanti ditangani siapa ya?" gets who deals with a complaint."""
    dispatcher, _events = run(
        ActionGoodbye(), domain, "laporan sy nanti ditangani siapa ya?", "goodbye"
    )
    assert responses(dispatcher) == ["utter_complaint_timeline"]
    assert "unit terkait" in texts(domain, dispatcher)[0]


def test_who_handles_my_complaint_read_as_a_bot_challenge_is_answered(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """N12 again: with more training data the classifier took "ini nanti yg nanganin dinkes
    atau siapa ya?" for "are you a bot?" (0.53): who deals with a complaint, not "I am a
    bot"; "kamu bot ya?" stays the bot's answer."""
    for text in (
        "ini nanti yg nanganin dinkes atau siapa ya?",
        "nanti laporannya diurus sama siapa?",
    ):
        dispatcher, _events = run(ActionBotChallenge(), domain, text, "bot_challenge")
        assert responses(dispatcher) == ["utter_complaint_timeline"], text
        assert "unit terkait" in texts(domain, dispatcher)[0]
    dispatcher, _events = run(ActionBotChallenge(), domain, "kamu bot ya?", "bot_challenge")
    assert responses(dispatcher) == ["utter_iamabot"]
