"""A citizen's existing tickets after the black-box round d (E16, E17, E19, and the thanks
for a "penilaian" Lina never gave), in the tester's words and in others.

- E17: a rating right after the resolution notice landed in general feedback, glued to an
  earlier remark still within its follow-up minutes; "eh salah, 5 aja deh soalnya ..." was
  kept as a comment and the score stayed.
- E16: "makasih pak udh ditanggepin" got "Anda tidak punya pengaduan yang sedang berjalan".
- E19: the status of a closed ticket showed its verification deadline.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.ticket_status import ActionCheckStatus
from actions.yes_no import ActionYesNo
from bot.officer.access import Viewer
from bot.store.repository import Repository
from bot.tickets.workflow import Workflow
from tests.actions.test_complaint_form import FORM, first_turn_tracker
from tests.actions.test_feedback import CITIZEN, file, ratings_by_ticket, resolve, slots_of, turn
from tests.utils.actions import make_tracker, texts


def stamped(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events with the times Rasa gives them (the helpers leave the slots' empty)."""
    now = time.time()
    return [{**e, "timestamp": e.get("timestamp") or now} for e in history]


def said(domain: dict[str, Any], dispatcher: CollectingDispatcher) -> str:
    return " ".join(texts(domain, dispatcher))


@pytest.mark.parametrize(
    ("remark", "rating", "score"),
    [
        # Rahmat: thanks for the officer's reply, then stars after the resolution.
        ("pelayanannya ramah bgt bu", "⭐⭐⭐⭐⭐ mantap bu, cepet ditanggepin", 5),
        # Bambang: a remark, then "kasih nilai 4" after the resolution notice.
        ("lho sy td jawab pertanyaan petugas", "kasih nilai 4 deh, cm agak lama aja", 4),
        ("antrenya td lumayan panjang", "nilai 3 aja, lumayan lah", 3),
    ],
)
def test_a_rating_after_the_resolution_lands_on_the_ticket_not_on_an_earlier_remark(
    repo: Repository,
    domain: dict[str, Any],
    officer: tuple[Workflow, Viewer],
    remark: str,
    rating: str,
    score: int,
) -> None:
    ticket = file(repo, "Bikin SIM A di Satpas lama sekali, sudah dua minggu belum jadi.")
    _, _, history = turn(domain, remark)  # general feedback: nothing resolved yet
    history = stamped(history)
    assert ratings_by_ticket(repo) == [(None, None, remark)]
    time.sleep(0.01)
    resolve(officer, ticket)
    dispatcher, _, _ = turn(domain, rating, before=history, **slots_of(history))
    assert ticket in said(domain, dispatcher)
    # On the ticket, with its own words only; the earlier remark is left as it was.
    assert ratings_by_ticket(repo) == [(None, None, remark), (ticket, score, rating)]


@pytest.mark.parametrize(
    "correction",
    [
        "eh salah, 5 aja deh soalnya petugasnya udh minta maaf",  # the tester's words
        "eh salah 5 aja",
        "ralat, 5 aja krn petugasnya udh minta maaf",
    ],
)
def test_a_corrected_score_after_the_resolution_replaces_the_rating(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer], correction: str
) -> None:
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, ticket)
    first = "kasih nilai 4 deh, cm agak lama aja"
    _, _, history = turn(domain, first)
    history = stamped(history)
    dispatcher, _, _ = turn(domain, correction, before=history, **slots_of(history))
    assert "5" in said(domain, dispatcher)
    rows = ratings_by_ticket(repo)
    assert [(t, s) for t, s, _ in rows] == [(ticket, 5)]


@pytest.mark.parametrize(
    "thanks",
    ["makasih pak udh ditanggepin", "terima kasih bu sudah dibantu", "alhamdulillah makasih bu"],
)
@pytest.mark.parametrize("intent", ["check_status", "thank", "give_feedback"])
def test_thanks_after_the_resolution_get_you_are_welcome_and_the_stars(
    repo: Repository,
    domain: dict[str, Any],
    officer: tuple[Workflow, Viewer],
    thanks: str,
    intent: str,
) -> None:
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, ticket)
    dispatcher = _thanks(domain, thanks, intent)
    reply = said(domain, dispatcher)
    assert "Sama-sama" in reply and ticket in reply, reply
    assert "tidak punya pengaduan" not in reply
    assert any(len(m.get("buttons") or []) == 5 for m in dispatcher.messages)
    assert ratings_by_ticket(repo) == []  # thanks alone are not a rating
    # The star pressed next rates that ticket.
    dispatcher, _, _ = turn(
        domain, '/give_feedback{"rating": "5"}', entities=[{"entity": "rating", "value": "5"}]
    )
    assert ratings_by_ticket(repo) == [(ticket, 5, None)]


@pytest.mark.parametrize("intent", ["check_status", "thank", "give_feedback"])
def test_thanks_without_a_resolved_ticket_get_you_are_welcome_only(
    repo: Repository, domain: dict[str, Any], intent: str
) -> None:
    file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")  # still open
    dispatcher = _thanks(domain, "makasih pak udh ditanggepin", intent)
    reply = said(domain, dispatcher)
    assert "Sama-sama" in reply and "tidak punya pengaduan" not in reply
    assert not any(m.get("buttons") for m in dispatcher.messages)


def _thanks(domain: dict[str, Any], text: str, intent: str) -> CollectingDispatcher:
    if intent == "give_feedback":
        dispatcher, _, _ = turn(domain, text)
        return dispatcher
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, sender=CITIZEN)
    action = ActionCheckStatus() if intent == "check_status" else ActionYesNo()
    action.run(dispatcher, tracker, domain)
    return dispatcher


def test_a_suggestion_after_praise_is_not_thanked_as_a_rating(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """Lina praised the office, then made a suggestion: no score was given, so the reply
    speaks of her earlier remark, not of "penilaian Anda tadi"."""
    _, _, history = turn(
        domain, "mau bilang makasih, kmrn bikin kk di disdukcapil cepet bgt pelayanannya ramah"
    )
    history = stamped(history)
    dispatcher, _, _ = turn(
        domain,
        "saran aja sih, mending ada antrian online biar ga numpuk pagi2",
        before=history,
        **slots_of(history),
    )
    reply = said(domain, dispatcher)
    assert "masukan" in reply and "penilaian" not in reply, reply
    # With a score given first, the reply still speaks of the rating.
    _, _, history = turn(domain, "nilai 5, pelayanannya ramah", sender="lina-2")
    history = stamped(history)
    dispatcher, _, _ = turn(
        domain,
        "saran aja sih, antrian online",
        before=history,
        sender="lina-2",
        **slots_of(history),
    )
    assert "penilaian" in said(domain, dispatcher)


def _status(domain: dict[str, Any], public_id: str, sender: str = CITIZEN) -> str:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(f"status {public_id}", "check_status", sender=sender)
    ActionCheckStatus().run(dispatcher, tracker, domain)
    return said(domain, dispatcher)


def test_the_status_shows_the_deadline_of_the_stage_or_how_the_ticket_was_closed(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    workflow, supervisor = officer
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    assert "Batas verifikasi" in _status(domain, ticket)
    workflow.verify(supervisor, ticket)
    assert "Rencana tindak lanjut paling lambat" in _status(domain, ticket)
    workflow.start(supervisor, ticket, "Cek antrean bersama camat.")
    assert "Target penyelesaian" in _status(domain, ticket)
    workflow.request_info(supervisor, ticket, "Jam berapa Anda datang?")
    assert "menunggu keterangan Anda" in _status(domain, ticket)
    repo.answer_info_request(CITIZEN, ticket, "Jam 9 pagi.")
    workflow.resolve(supervisor, ticket, "Loket rekam ditambah satu.")
    closed = _status(domain, ticket)
    assert "Selesai pada" in closed and "Loket rekam ditambah satu." in closed
    assert "Batas" not in closed and "Target" not in closed
    # Another citizen asking with the id learns nothing of it.
    theirs = _status(domain, ticket, sender="someone-else")
    assert "Loket rekam" not in theirs and "Selesai" not in theirs

    rejected = file(repo, "Tetangga saya berisik setiap malam, tolong ditindak.")
    workflow.reject(supervisor, rejected, "bukan_kewenangan", "Silakan lapor ke RT setempat.")
    closed = _status(domain, rejected)
    assert "Ditutup pada" in closed and "Batas" not in closed


# -- E18: the status asked in words never becomes a complaint ------------------------------


def _form_slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.mark.parametrize(
    "text",
    [
        "laporan jalan sy kmrn gmn kbrnya min",  # the tester's words, read as file_complaint
        "aduan sy yg lampu jalan td udh sampe mana ya kak",
        "pengaduan aku kemaren udah diproses belum?",
        "min laporan saya yg kemarin gimana kabarnya",
    ],
)
def test_a_status_question_that_opened_the_form_gets_the_tickets_and_no_form(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    ticket = file(repo, "Jalan di gg. mawar rt 03 bolong2 gede, motor sy sampe jatoh.")
    tracker = first_turn_tracker(text, story=text if len(text) >= 40 else None)
    tracker.sender_id = CITIZEN
    dispatcher = CollectingDispatcher()
    events = FORM.run(dispatcher, tracker, domain)
    assert ticket in said(domain, dispatcher)
    answers = _form_slots(events)
    assert answers.get("complaint_exit") == "left" and answers.get("requested_slot") is None
    assert answers.get("complaint_description") is None


@pytest.mark.parametrize(
    "text",
    [
        "laporan jalan di gg mawar udah 3 bulan belum dibenerin, bolong2 gede",  # a complaint
        "sy mau lapor, laporan sy ke kelurahan udh sebulan blm ditanggapi gmn ini",
    ],
)
def test_a_complaint_about_a_report_still_opens_the_form(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    file(repo, "Jalan di gg. mawar rt 03 bolong2 gede, motor sy sampe jatoh.")
    tracker = first_turn_tracker(text, story=text)
    tracker.sender_id = CITIZEN
    events = FORM.run(CollectingDispatcher(), tracker, domain)
    assert _form_slots(events).get("complaint_exit") is None


@pytest.mark.parametrize(
    "protest",
    [
        "bukan mau lapor baru, mau nanya status laporan yg kmrn",  # the tester's words
        "eh bukan, sy mau cek status pengaduan sy aja",
    ],
)
def test_a_status_protest_before_the_story_closes_the_form_with_the_status(
    repo: Repository, domain: dict[str, Any], protest: str
) -> None:
    ticket = file(repo, "Jalan di gg. mawar rt 03 bolong2 gede, motor sy sampe jatoh.")
    events = [
        *first_turn_tracker("mau lapor").events,
        {"event": "slot", "name": "requested_slot", "value": "complaint_description"},
        {"event": "action", "name": "action_listen"},
        {
            "event": "user",
            "text": protest,
            "parse_data": {"text": protest, "intent": {"name": "inform", "confidence": 1.0}},
        },
    ]
    tracker = make_tracker(
        protest,
        "inform",
        sender=CITIZEN,
        events=events,
        active_loop="complaint_form",
        slots={"requested_slot": "complaint_description", "complaint_opening": "mau lapor"},
    )
    dispatcher = CollectingDispatcher()
    answers = _form_slots(FORM.run(dispatcher, tracker, domain))
    assert ticket in said(domain, dispatcher)
    assert answers.get("complaint_exit") == "left"
    assert answers.get("complaint_description") is None
