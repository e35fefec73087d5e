"""action_give_feedback stores ratings and messages for officers."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from actions.feedback import ActionGiveFeedback
from bot.officer.access import Viewer
from bot.store.models import (
    Category,
    Privacy,
    Rating,
    Ticket,
    TicketEvent,
    utcnow,
)
from bot.store.repository import RATING_WINDOW_DAYS, ComplaintDraft, Repository
from bot.tickets.workflow import Workflow
from tests.utils.actions import entity, make_tracker, responses, texts


def feedback(domain: dict[str, Any], text: str, entities: list[dict[str, Any]] | None = None):
    dispatcher = CollectingDispatcher()
    ActionGiveFeedback().run(dispatcher, make_tracker(text, "give_feedback", entities), domain)
    return dispatcher


def stored(repo: Repository) -> list[tuple[int | None, str | None]]:
    with Session(repo.engine) as s:
        return [(r.score, r.comment) for r in s.scalars(select(Rating).order_by(Rating.id))]


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("saya kasih nilai 4", 4),
        ("bintang 5 deh", 5),
        ("3/5, antreannya lama", 3),
        ("2 bintang", 2),
    ],
)
def test_rating_in_text_is_stored(
    repo: Repository, domain: dict[str, Any], text: str, score: int
) -> None:
    dispatcher = feedback(domain, text)
    assert responses(dispatcher) == ["utter_feedback_thanks"]
    assert dispatcher.messages[0]["rating"] == score
    assert stored(repo)[0][0] == score


def test_rating_button_payload(repo: Repository, domain: dict[str, Any]) -> None:
    feedback(domain, '/give_feedback{"rating": "5"}', [entity("rating", "5")])
    assert stored(repo) == [(5, None)]


def test_comment_without_rating_is_stored(repo: Repository, domain: dict[str, Any]) -> None:
    text = "Saran: loket pengambilan KTP sebaiknya buka juga hari Sabtu."
    assert responses(feedback(domain, text)) == ["utter_feedback_thanks_comment"]
    assert stored(repo) == [(None, text)]


def test_bare_request_asks_for_a_rating(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher = feedback(domain, "mau kasih nilai")
    assert responses(dispatcher) == ["utter_ask_rating"]
    assert len(dispatcher.messages[0]["buttons"]) == 5
    assert stored(repo) == []


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("saya ingin memberi penilaian", "utter_ask_rating"),
        # Names the SKM survey: with none to fill in, says so (actions/skm_survey.py).
        ("boleh isi survei kepuasan?", "utter_skm_nothing"),
        ("mau kasih rating", "utter_ask_rating"),
    ],
)
def test_requests_to_rate_are_not_stored_as_comments(
    repo: Repository, domain: dict[str, Any], text: str, answer: str
) -> None:
    assert responses(feedback(domain, text)) == [answer]
    assert stored(repo) == []


# -- which ticket a rating belongs to (issue 7, section 3) ----------------------------------

CITIZEN = "rating-citizen"


def file(repo: Repository, text: str, privacy: Privacy = Privacy.PUBLIC, sender: str = CITIZEN):
    view, _ = repo.file_ticket(
        sender,
        ComplaintDraft(text, "Kecamatan Sukamaju", Category.ADMINDUK, privacy, service_id="ktp"),
    )
    return view.public_id


def resolve(officer: tuple[Workflow, Viewer], public_id: str) -> None:
    workflow, supervisor = officer
    workflow.verify(supervisor, public_id)
    workflow.resolve(supervisor, public_id, "KTP sudah dicetak dan bisa diambil di loket 2.")


def rate(domain: dict[str, Any], text: str, sender: str = CITIZEN, **slots: Any):
    """Run the action as Rasa would; returns (dispatcher, events)."""
    dispatcher = CollectingDispatcher()
    entities = [entity("rating", m) for m in re.findall(r'"rating": "(\d)"', text)]
    entities += [entity("ticket_id", m) for m in re.findall(r"ADU-\w{6}", text)]
    tracker = make_tracker(text, "give_feedback", entities, slots=slots, sender=sender)
    events = ActionGiveFeedback().run(dispatcher, tracker, domain)
    return dispatcher, events


def ratings_by_ticket(repo: Repository) -> list[tuple[str | None, int | None, str | None]]:
    with Session(repo.engine) as s:
        rows = s.execute(
            select(Ticket.public_id, Rating.score, Rating.comment)
            .select_from(Rating)
            .outerjoin(Ticket, Ticket.id == Rating.ticket_id)
            .order_by(Rating.id)
        ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def rating_events(repo: Repository, public_id: str) -> list[tuple[Any, str | None]]:
    with Session(repo.engine) as s:
        return [
            ((e.data or {}).get("score"), e.body)
            for e in s.scalars(
                select(TicketEvent)
                .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                .where(Ticket.public_id == public_id, TicketEvent.kind == "rating")
                .order_by(TicketEvent.id)
            )
        ]


def test_a_rating_after_a_resolution_lands_on_the_resolved_ticket(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    # The reproduction: the citizen's later, anonymous ticket was the conversation's
    # last ticket, and the rating went there instead of to the ticket just resolved.
    resolved = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    untouched = file(
        repo, "Petugas loket minta uang tambahan di luar biaya resmi.", Privacy.ANONYMOUS
    )
    resolve(officer, resolved)
    text = "nilai 2, petugasnya lambat sekali"
    dispatcher, _ = rate(domain, text, last_ticket_id=untouched)
    assert ratings_by_ticket(repo) == [(resolved, 2, text)]
    assert responses(dispatcher) == ["utter_feedback_thanks_ticket"]
    assert dispatcher.messages[0]["ticket_id"] == resolved
    assert dispatcher.messages[0]["rating"] == 2
    # The officers see it in the ticket's history; the other ticket has nothing.
    assert rating_events(repo, resolved) == [(2, text)]
    assert rating_events(repo, untouched) == []


def test_a_comment_after_a_resolution_lands_there_too(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    resolved = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, resolved)
    text = "Terima kasih, KTP saya sudah jadi dan petugasnya ramah sekali."
    dispatcher, _ = rate(domain, text)
    assert ratings_by_ticket(repo) == [(resolved, None, text)]
    assert responses(dispatcher) == ["utter_feedback_thanks_comment_ticket"]


def test_several_resolved_tickets_ask_which_one(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    first = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    second = file(repo, "Akta kelahiran anak saya belum jadi padahal sudah dua bulan.")
    resolve(officer, first)
    resolve(officer, second)
    dispatcher, events = rate(domain, "nilai 4, cukup memuaskan")
    assert responses(dispatcher) == ["utter_ask_rating_ticket"]
    buttons = dispatcher.messages[0]["buttons"]
    # Most recently resolved first; each button names its ticket.
    assert [b["payload"] for b in buttons] == [
        f'/give_feedback{{"ticket_id": "{second}"}}',
        f'/give_feedback{{"ticket_id": "{first}"}}',
    ]
    assert second in buttons[0]["title"] and first in buttons[1]["title"]
    # Nothing is lost while the citizen chooses: the rating is kept, not yet linked.
    assert ratings_by_ticket(repo) == [(None, 4, "nilai 4, cukup memuaskan")]
    pending = next(e["value"] for e in events if e["name"] == "pending_rating_id")
    assert pending
    dispatcher, events = rate(domain, buttons[1]["payload"], pending_rating_id=pending)
    assert ratings_by_ticket(repo) == [(first, 4, "nilai 4, cukup memuaskan")]
    assert responses(dispatcher) == ["utter_feedback_linked"]
    assert dispatcher.messages[0]["ticket_id"] == first
    assert {
        "event": "slot",
        "timestamp": None,
        "name": "pending_rating_id",
        "value": None,
    } in events
    assert rating_events(repo, first) == [(4, "nilai 4, cukup memuaskan")]
    assert rating_events(repo, second) == []


def test_a_rated_ticket_is_not_asked_about_again(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    first = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, first)
    rate(domain, "nilai 5")
    second = file(repo, "Akta kelahiran anak saya belum jadi padahal sudah dua bulan.")
    resolve(officer, second)
    rate(domain, "nilai 3 ya")
    # A message that is only a score leaves no comment.
    assert ratings_by_ticket(repo) == [(first, 5, None), (second, 3, None)]


def test_a_reopened_and_resolved_again_ticket_can_be_rated_again(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, ticket)
    rate(domain, "nilai 4")
    workflow, supervisor = officer
    workflow.reopen(supervisor, ticket, "Warga menyampaikan KTP salah cetak.")
    workflow.resolve(supervisor, ticket, "KTP dicetak ulang.")
    rate(domain, "nilai 5")
    # One rating per ticket per citizen (N10): the new one replaces it, the history keeps both.
    assert ratings_by_ticket(repo) == [(ticket, 5, None)]
    assert rating_events(repo, ticket) == [(4, None), (5, None)]


def test_without_a_recent_resolution_a_rating_is_general_feedback(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    # The last filed ticket is still open: the rating is about the service in general.
    open_ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    old = file(repo, "Akta kelahiran anak saya belum jadi padahal sudah dua bulan.")
    resolve(officer, old)
    with Session(repo.engine) as s, s.begin():
        s.execute(
            update(Ticket)
            .where(Ticket.public_id == old)
            .values(closed_at=utcnow() - timedelta(days=RATING_WINDOW_DAYS + 1))
        )
    dispatcher, _ = rate(domain, "nilai 4", last_ticket_id=open_ticket)
    assert ratings_by_ticket(repo) == [(None, 4, None)]
    assert responses(dispatcher) == ["utter_feedback_thanks"]


def test_a_named_ticket_is_rated_only_if_it_is_the_citizens(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    mine = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    other = file(repo, "Lampu jalan mati di gang Melati.", sender="someone-else")
    resolve(officer, mine)
    resolve(officer, other)
    dispatcher, _ = rate(domain, f"nilai 1 untuk {other}")
    assert responses(dispatcher)[0] == "utter_ticket_not_found"
    assert ratings_by_ticket(repo) == [(None, 1, f"nilai 1 untuk {other}")]
    dispatcher, _ = rate(domain, f"nilai 5 untuk {mine}, cepat sekali")
    assert ratings_by_ticket(repo)[-1] == (mine, 5, f"nilai 5 untuk {mine}, cepat sekali")


def test_a_pending_rating_cannot_be_moved_by_someone_else(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    first = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    second = file(repo, "Akta kelahiran anak saya belum jadi padahal sudah dua bulan.")
    resolve(officer, first)
    resolve(officer, second)
    _, events = rate(domain, "nilai 2")
    pending = next(e["value"] for e in events if e["name"] == "pending_rating_id")
    theirs = file(repo, "Lampu jalan mati di gang Melati.", sender="intruder")
    rate(
        domain, f'/give_feedback{{"ticket_id": "{theirs}"}}', "intruder", pending_rating_id=pending
    )
    rate(domain, f'/give_feedback{{"ticket_id": "{first}"}}', "intruder", pending_rating_id=pending)
    assert ratings_by_ticket(repo) == [(None, 2, None)]


# -- issue 8, class 10: typed scores and comments after the star buttons ----------------------

ASK = "mau kasih rating dong"
FOLLOW_UP_SLOT = "last_rating_id"


def user_event(text: str, intent: str, timestamp: float | None = None) -> dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return {"event": "user", "text": text, "parse_data": parse, "timestamp": timestamp}


def bot_events(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """What Rasa records for the action's messages: its name, then one bot event each."""
    return [{"event": "action", "name": "action_give_feedback"}] + [
        {"event": "bot", "text": m.get("text"), "data": {"buttons": m.get("buttons")}}
        for m in dispatcher.messages
    ]


def turn(
    domain: dict[str, Any],
    text: str,
    intent: str = "give_feedback",
    before: list[dict[str, Any]] | None = None,
    sender: str = CITIZEN,
    entities: list[dict[str, Any]] | None = None,
    timestamp: float | None = None,
    **slots: Any,
) -> tuple[CollectingDispatcher, list[dict[str, Any]], list[dict[str, Any]]]:
    """One citizen message after the events `before`, run as Rasa would run the action.

    Returns the dispatcher, the action's events, and the conversation so far (for the next
    turn), with the slots the action set applied.
    """
    history = [*(before or []), {"event": "action", "name": "action_listen"}]
    history.append(user_event(text, intent, timestamp))
    tracker = make_tracker(text, intent, entities, slots=slots, sender=sender, events=history)
    dispatcher = CollectingDispatcher()
    events = ActionGiveFeedback().run(dispatcher, tracker, domain)
    return dispatcher, events, [*history, *bot_events(dispatcher), *events]


def slots_of(history: list[dict[str, Any]]) -> dict[str, Any]:
    """The slot values the conversation's events set, last one wins."""
    return {e["name"]: e["value"] for e in history if e.get("event") == "slot"}


def stars_shown(domain: dict[str, Any]) -> list[dict[str, Any]]:
    """A conversation in which the citizen asked to rate and the star buttons came."""
    dispatcher, _, history = turn(domain, ASK)
    assert responses(dispatcher) == ["utter_ask_rating"]
    assert len(dispatcher.messages[0]["buttons"]) == 5
    return history


def press(stars: int) -> tuple[str, list[dict[str, Any]]]:
    """A star button's payload and the entity Rasa extracts from it."""
    return f'/give_feedback{{"rating": "{stars}"}}', [entity("rating", str(stars))]


@pytest.mark.parametrize(
    ("text", "intent", "score", "comment"),
    [
        ("5", "nlu_fallback", 5, None),
        ("4 bintang deh", "give_feedback", 4, None),
        ("lima, mantap pelayanannya cepet", "give_feedback", 5, "lima, mantap pelayanannya cepet"),
        ("papat", "inform", 4, None),
        ("hiji", "nlu_fallback", 1, None),
        ("⭐⭐⭐", "nlu_fallback", 3, None),
        ("bintang dua, antrenya kelamaan", "give_feedback", 2, "bintang dua, antrenya kelamaan"),
    ],
)
def test_a_score_typed_after_the_stars_is_stored(
    repo: Repository,
    domain: dict[str, Any],
    text: str,
    intent: str,
    score: int,
    comment: str | None,
) -> None:
    dispatcher, _, _ = turn(domain, text, intent, stars_shown(domain))
    assert responses(dispatcher) == ["utter_feedback_thanks"]
    assert dispatcher.messages[0]["rating"] == score
    assert stored(repo) == [(score, comment)]


@pytest.mark.parametrize(
    "text",
    [
        "saya mau kasih penilaian untuk layanan ini",
        "sy mau nilai pelayanannya",
        "Saya ingin memberikan penilaian atas pelayanan yang saya terima hari ini.",
        "gimana caranya kasih bintang?",
    ],
)
def test_asking_to_rate_offers_the_stars_and_stores_nothing(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    dispatcher = feedback(domain, text)
    assert responses(dispatcher) == ["utter_ask_rating"]
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == [
        "⭐" * n for n in range(5, 0, -1)
    ]
    assert stored(repo) == []


@pytest.mark.parametrize("text", ["10", "0", "nilai 10", "enam bintang", "10/10", "4,5"])
def test_a_score_outside_1_to_5_is_refused_politely(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    dispatcher, _, _ = turn(domain, text, "nlu_fallback", stars_shown(domain))
    assert responses(dispatcher) == ["utter_rating_out_of_range"]
    assert len(dispatcher.messages[0]["buttons"]) == 5
    assert "1" in texts(domain, dispatcher)[0] and "5" in texts(domain, dispatcher)[0]
    assert stored(repo) == []


def test_a_comment_with_a_score_outside_1_to_5_is_kept_and_the_score_asked_again(
    repo: Repository, domain: dict[str, Any]
) -> None:
    text = "nilai 10, mantap pelayanannya"
    dispatcher, _, history = turn(domain, text)
    assert responses(dispatcher) == ["utter_feedback_thanks_comment", "utter_rating_out_of_range"]
    assert stored(repo) == [(None, text)]
    payload, entities = press(5)
    dispatcher, _, _ = turn(domain, payload, before=history, entities=entities, **slots_of(history))
    assert responses(dispatcher) == ["utter_feedback_thanks"]
    assert stored(repo) == [(5, text)]


def test_a_comment_right_after_the_stars_joins_the_rating(
    repo: Repository, domain: dict[str, Any]
) -> None:
    payload, entities = press(4)
    dispatcher, _, history = turn(domain, payload, before=stars_shown(domain), entities=entities)
    assert responses(dispatcher) == ["utter_feedback_thanks"]
    comment = "petugasnya ramah, cuma antrean di loketnya lama bgt, mohon ditambah petugasnya"
    dispatcher, _, history = turn(domain, comment, before=history, **slots_of(history))
    assert responses(dispatcher) == ["utter_feedback_comment_added"]
    # A follow-up the NLU did not recognise still belongs to the same rating.
    dispatcher, _, _ = turn(
        domain, "tapi antreannya lama", "nlu_fallback", history, **slots_of(history)
    )
    assert responses(dispatcher) == ["utter_feedback_comment_added"]
    assert stored(repo) == [(4, f"{comment}\ntapi antreannya lama")]


def test_a_comment_first_then_the_stars_make_one_rating(
    repo: Repository, domain: dict[str, Any]
) -> None:
    comment = "ruang tunggunya panas, kipasnya mati semua"
    dispatcher, _, history = turn(domain, comment, before=stars_shown(domain))
    assert responses(dispatcher) == ["utter_feedback_thanks_comment"]
    payload, entities = press(2)
    dispatcher, _, _ = turn(domain, payload, before=history, entities=entities, **slots_of(history))
    assert responses(dispatcher) == ["utter_feedback_thanks"]
    assert dispatcher.messages[0]["rating"] == 2
    assert stored(repo) == [(2, comment)]


def test_a_follow_up_after_the_window_is_feedback_of_its_own(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _, history = turn(domain, "nilai 4", before=stars_shown(domain))
    with Session(repo.engine) as s, s.begin():
        s.execute(
            # The follow-up window is minutes long; a day later is always after it.
            update(Rating).values(created_at=utcnow() - timedelta(days=1))
        )
    comment = "petugasnya ramah, cuma antreannya lama"
    dispatcher, _, _ = turn(domain, comment, before=history, **slots_of(history))
    assert responses(dispatcher) == ["utter_feedback_thanks_comment"]
    assert stored(repo) == [(4, None), (None, comment)]


def test_a_second_score_right_after_replaces_the_first(
    repo: Repository, domain: dict[str, Any]
) -> None:
    # N10 (was: a rating of its own): the citizen corrected themselves.
    payload, entities = press(5)
    _, _, history = turn(domain, payload, before=stars_shown(domain), entities=entities)
    payload, entities = press(3)
    _, _, _ = turn(domain, payload, before=history, entities=entities, **slots_of(history))
    assert stored(repo) == [(3, None)]


@pytest.mark.parametrize(
    ("text", "intent", "entities", "answer"),
    [
        ("hah?", "nlu_fallback", [], "utter_default"),
        ("apa maksudnya", "nlu_fallback", [], "utter_default"),
        # A service name typed after the stars is a question about that service.
        ("KTP", "inform", [entity("service", "ktp")], "utter_service_requirements"),
    ],
)
def test_what_is_neither_a_score_nor_a_comment_is_answered_as_without_the_stars(
    repo: Repository,
    domain: dict[str, Any],
    text: str,
    intent: str,
    entities: list[dict[str, Any]],
    answer: str,
) -> None:
    dispatcher, _, _ = turn(domain, text, intent, stars_shown(domain), entities=entities)
    assert responses(dispatcher) == [answer]
    assert stored(repo) == []


@pytest.mark.parametrize("text", ["5", "lima", "3 aja"])
def test_a_bare_number_without_a_rating_context_is_not_a_rating(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer], text: str
) -> None:
    # A ticket was resolved, but the citizen has talked about other things since then.
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, ticket)
    earlier = [user_event("syarat bikin SKCK apa aja", "ask_requirements", time.time())]
    dispatcher, _, _ = turn(domain, text, before=earlier, timestamp=time.time())
    assert responses(dispatcher) == ["utter_rating_unsure"]
    assert len(dispatcher.messages[0]["buttons"]) == 5
    assert stored(repo) == []


def test_a_bare_number_right_after_a_resolution_rates_that_ticket(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    # The citizen's last message came before the resolution message.
    earlier = [user_event("status laporan saya gimana", "check_status", time.time() - 3600)]
    resolve(officer, ticket)
    dispatcher, _, _ = turn(domain, "5", before=earlier, timestamp=time.time())
    assert responses(dispatcher) == ["utter_feedback_thanks_ticket"]
    assert ratings_by_ticket(repo) == [(ticket, 5, None)]


def test_a_comment_after_a_ticket_rating_is_in_the_tickets_history(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, ticket)
    _, _, history = turn(domain, "nilai 4")
    dispatcher, _, _ = turn(
        domain, "tapi antreannya lama", "nlu_fallback", history, **slots_of(history)
    )
    assert responses(dispatcher) == ["utter_feedback_comment_added_ticket"]
    assert dispatcher.messages[0]["ticket_id"] == ticket
    assert ratings_by_ticket(repo) == [(ticket, 4, "tapi antreannya lama")]
    # The history keeps what was given when: the score, then the rating with its comment.
    assert rating_events(repo, ticket) == [(4, None), (4, "tapi antreannya lama")]


def test_a_follow_up_comment_is_never_added_to_someone_elses_rating(
    repo: Repository, domain: dict[str, Any]
) -> None:
    _, _, history = turn(domain, "nilai 4", before=stars_shown(domain))
    theirs = slots_of(history)[FOLLOW_UP_SLOT]
    comment = "antreannya lama sekali tadi pagi"
    turn(domain, comment, before=history, sender="intruder", **{FOLLOW_UP_SLOT: theirs})
    assert stored(repo) == [(4, None), (None, comment)]


def test_a_follow_up_the_nlu_takes_for_a_complaint_joins_the_rating(
    repo: Repository, domain: dict[str, Any]
) -> None:
    payload, entities = press(4)
    _, _, history = turn(domain, payload, before=stars_shown(domain), entities=entities)
    dispatcher, events, _ = turn(
        domain, "tapi antrenya agak lama ya", "file_complaint", history, **slots_of(history)
    )
    assert responses(dispatcher) == ["utter_feedback_comment_added"]
    assert not [e for e in events if e["event"] == "followup"]
    assert stored(repo) == [(4, "tapi antrenya agak lama ya")]


def test_a_complaint_right_after_a_rating_starts_the_complaint(
    repo: Repository, domain: dict[str, Any]
) -> None:
    payload, entities = press(2)
    _, _, history = turn(domain, payload, before=stars_shown(domain), entities=entities)
    text = "saya mau lapor, jalan di depan sekolah berlubang besar sudah sebulan"
    dispatcher, events, _ = turn(domain, text, "file_complaint", history, **slots_of(history))
    assert dispatcher.messages == []
    assert [e["name"] for e in events if e["event"] == "followup"] == ["action_start_complaint"]
    assert stored(repo) == [(2, None)]


def test_a_mistaken_star_press_corrected_in_words_keeps_one_rating(
    repo: Repository, domain: dict[str, Any]
) -> None:
    payload, entities = press(2)
    _, _, history = turn(domain, payload, before=stars_shown(domain), entities=entities)
    dispatcher, _, _ = turn(
        domain, "eh salah pencet, harusnya 4", "nlu_fallback", history, **slots_of(history)
    )
    assert responses(dispatcher) == ["utter_rating_corrected"]
    assert dispatcher.messages[0]["rating"] == 4
    assert stored(repo) == [(4, None)]


def test_a_corrected_ticket_rating_is_in_the_tickets_history(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, ticket)
    _, _, history = turn(domain, "nilai 2")
    turn(domain, "ralat, harusnya 4", "give_feedback", history, **slots_of(history))
    assert ratings_by_ticket(repo) == [(ticket, 4, None)]
    assert rating_events(repo, ticket) == [(2, None), (4, None)]


def test_a_javanese_request_to_rate_offers_the_stars(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _, history = turn(domain, "aku arep menehi nilai")
    assert responses(dispatcher) == ["utter_ask_rating"]
    text = "telu wae, soale antrine suwe banget"
    dispatcher, _, _ = turn(domain, text, "nlu_fallback", history, **slots_of(history))
    assert responses(dispatcher) == ["utter_feedback_thanks"]
    assert stored(repo) == [(3, text)]
