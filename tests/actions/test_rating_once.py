"""N10: one rating per ticket per citizen. A citizen who rates again (pressed 5 then 1,
typed a new score right after, or rated the same ticket again later) has corrected
themselves: the later rating replaces the earlier one, the reply says it was changed, the
ticket's history keeps both, and officers' reports count it once.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.officer.access import Viewer
from bot.store.models import Rating, Ticket, TicketEvent, utcnow
from bot.store.repository import Repository
from bot.tickets.workflow import Workflow
from tests.actions.test_feedback import (
    file,
    press,
    rate,
    ratings_by_ticket,
    resolve,
    slots_of,
    stars_shown,
    stored,
    turn,
)
from tests.utils.actions import texts


def changed(domain: dict[str, Any], dispatcher: Any) -> str:
    said = " ".join(texts(domain, dispatcher))
    assert "ubah" in said, said
    return said


def test_star_5_then_star_1_for_a_resolved_ticket_keeps_one_rating(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, ticket)
    payload, entities = press(5)
    _, _, history = turn(domain, payload, before=stars_shown(domain), entities=entities)
    payload, entities = press(1)
    dispatcher, _, _ = turn(domain, payload, before=history, entities=entities, **slots_of(history))
    said = changed(domain, dispatcher)
    assert "5/5" in said and "1/5" in said and ticket in said
    assert ratings_by_ticket(repo) == [(ticket, 1, None)]
    with Session(repo.engine) as s:
        events = s.scalars(
            select(TicketEvent.data)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(Ticket.public_id == ticket, TicketEvent.kind == "rating")
            .order_by(TicketEvent.id)
        ).all()
    # The audit trail: the first rating and its replacement, with the score it replaced.
    assert [(e or {}).get("score") for e in events] == [5, 1]
    assert (events[1] or {}).get("replaced_score") == 5


@pytest.mark.parametrize(
    ("first", "second", "intent", "score"),
    [
        ("nilai 4", "2 aja", "nlu_fallback", 2),
        ("bintang 5 deh", "1", "nlu_fallback", 1),
        ("saya kasih nilai 3", "nilai 5", "give_feedback", 5),
    ],
)
def test_a_new_score_typed_right_after_replaces_the_first(
    repo: Repository,
    domain: dict[str, Any],
    officer: tuple[Workflow, Viewer],
    first: str,
    second: str,
    intent: str,
    score: int,
) -> None:
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, ticket)
    # Sent a few seconds apart, as Rasa stamps them.
    _, _, history = turn(domain, first, before=stars_shown(domain), timestamp=time.time() - 20)
    dispatcher, _, _ = turn(
        domain, second, intent, history, timestamp=time.time(), **slots_of(history)
    )
    changed(domain, dispatcher)
    assert ratings_by_ticket(repo) == [(ticket, score, None)]


def test_two_star_presses_without_a_ticket_are_one_general_rating(
    repo: Repository, domain: dict[str, Any]
) -> None:
    payload, entities = press(5)
    _, _, history = turn(domain, payload, before=stars_shown(domain), entities=entities)
    payload, entities = press(3)
    dispatcher, _, _ = turn(domain, payload, before=history, entities=entities, **slots_of(history))
    said = changed(domain, dispatcher)
    assert "5/5" in said and "3/5" in said
    assert stored(repo) == [(3, None)]


def test_the_same_ticket_rated_again_later_by_its_id_replaces_the_rating(
    repo: Repository, domain: dict[str, Any], officer: tuple[Workflow, Viewer]
) -> None:
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, ticket)
    rate(domain, f"{ticket} nilai 5, cepat")
    # A new conversation: no slot remembers the first rating.
    dispatcher, _ = rate(domain, f"{ticket} nilai 1, ternyata KTPnya salah cetak")
    said = changed(domain, dispatcher)
    assert ticket in said
    assert ratings_by_ticket(repo) == [
        (ticket, 1, f"{ticket} nilai 5, cepat\n{ticket} nilai 1, ternyata KTPnya salah cetak")
    ]


def test_a_pending_rating_linked_to_an_already_rated_ticket_replaces_it(
    repo: Repository, officer: tuple[Workflow, Viewer]
) -> None:
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, ticket)
    repo.add_rating("rating-citizen", 4, None, ticket)
    pending, _ = repo.add_rating("rating-citizen", 2, None, None)
    assert repo.link_rating("rating-citizen", pending, ticket) == ticket
    assert ratings_by_ticket(repo) == [(ticket, 2, None)]


def test_other_citizens_and_other_tickets_keep_their_own_ratings(
    repo: Repository, officer: tuple[Workflow, Viewer]
) -> None:
    first = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    second = file(repo, "Akta kelahiran anak saya belum jadi padahal sudah dua bulan.")
    resolve(officer, first)
    resolve(officer, second)
    repo.add_rating("rating-citizen", 4, None, first)
    repo.add_rating("rating-citizen", 2, None, second)
    repo.add_rating("rating-citizen", 5, None, None)
    repo.add_rating("rating-citizen", 3, None, None)
    assert sorted(ratings_by_ticket(repo), key=str) == sorted(
        [(first, 4, None), (second, 2, None), (None, 5, None), (None, 3, None)], key=str
    )


def test_the_database_holds_one_rating_per_citizen_and_ticket(
    repo: Repository, officer: tuple[Workflow, Viewer]
) -> None:
    ticket = file(repo, "Antrean rekam e-KTP di kecamatan sangat lama, tiga jam.")
    resolve(officer, ticket)
    repo.add_rating("rating-citizen", 4, None, ticket)
    with Session(repo.engine) as s:
        citizen_id, ticket_id = s.execute(
            select(Rating.citizen_id, Rating.ticket_id).where(Rating.score == 4)
        ).one()
    with pytest.raises(IntegrityError), Session(repo.engine) as s, s.begin():
        s.execute(
            insert(Rating).values(
                citizen_id=citizen_id, ticket_id=ticket_id, score=1, created_at=utcnow()
            )
        )
    with Session(repo.engine) as s:
        assert s.scalar(select(func.count(Rating.id))) == 1
