"""action_give_feedback stores ratings and messages for officers."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from action_helpers import entity, make_tracker, responses
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from actions.feedback import ActionGiveFeedback
from bot.officer.access import Viewer
from bot.officer.accounts import create_account, viewer_for
from bot.officer.deadlines import Deadlines, ResolutionPolicy
from bot.officer.workflow import Workflow
from bot.store import ComplaintDraft, Repository
from bot.store.models import (
    Category,
    Officer,
    OfficerRole,
    Privacy,
    Rating,
    Ticket,
    TicketEvent,
    utcnow,
)
from bot.store.repository import RATING_WINDOW_DAYS
from bot.workdays import HolidayCalendar

ROOT = Path(__file__).resolve().parents[2]


def feedback(domain: dict[str, Any], text: str, entities: list[dict[str, Any]] | None = None):
    dispatcher = CollectingDispatcher()
    ActionGiveFeedback().run(dispatcher, make_tracker(text, "give_feedback", entities), domain)
    return dispatcher


def stored(repo: Repository) -> list[tuple[int | None, str | None]]:
    with Session(repo.engine) as s:
        return [(r.score, r.comment) for r in s.scalars(select(Rating).order_by(Rating.id))]


@pytest.mark.parametrize(
    ("text", "score"),
    [("saya kasih nilai 4", 4), ("bintang 5 deh", 5), ("3/5, antreannya lama", 3), ("2", 2)],
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
    "text", ["saya ingin memberi penilaian", "boleh isi survei kepuasan?", "mau kasih rating"]
)
def test_requests_to_rate_are_not_stored_as_comments(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    assert responses(feedback(domain, text)) == ["utter_ask_rating"]
    assert stored(repo) == []


# -- which ticket a rating belongs to (issue 7, section 3) ----------------------------------

CITIZEN = "rating-citizen"


@pytest.fixture
def officer(repo: Repository, calendar: HolidayCalendar) -> tuple[Workflow, Viewer]:
    """The officer workflow and a supervisor who works the tickets."""
    account = create_account(
        repo.engine, "siti", "rahasia-uji-123", OfficerRole.SUPERVISOR, [], "Siti"
    )
    with Session(repo.engine) as s:
        officer_row = s.get(Officer, account)
        assert officer_row is not None
        supervisor = viewer_for(s, officer_row)
    policy = ResolutionPolicy.from_file(ROOT / "data" / "resolution_days.yml")
    return Workflow(repo.engine, Deadlines(calendar, policy, 3, 5)), supervisor


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
    assert ratings_by_ticket(repo) == [(first, 5, "nilai 5"), (second, 3, "nilai 3 ya")]


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
    assert ratings_by_ticket(repo) == [(ticket, 4, "nilai 4"), (ticket, 5, "nilai 5")]


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
    assert ratings_by_ticket(repo) == [(None, 4, "nilai 4")]
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
    assert ratings_by_ticket(repo) == [(None, 2, "nilai 2")]
