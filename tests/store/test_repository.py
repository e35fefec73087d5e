"""Repository behaviour on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.ids import TICKET_ID_RE, normalise_ticket_id
from bot.store.models import Category, Privacy, Rating, Ticket, TicketEvent, TicketStatus
from bot.store.repository import ComplaintDraft, Repository


def draft(text: str = "Jalan berlubang besar di depan SDN 3 sudah dua bulan.") -> ComplaintDraft:
    return ComplaintDraft(
        description=text,
        location_text="Jl. Merdeka No. 10, Kelurahan Sukamaju",
        category=Category.INFRASTRUKTUR,
        privacy=Privacy.PUBLIC,
    )


def count(repo: Repository, model: type) -> int:
    with Session(repo.engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_filing_creates_ticket_and_created_event(repo: Repository) -> None:
    ticket, created = repo.file_ticket("citizen-1", draft())
    assert created
    assert TICKET_ID_RE.match(ticket.public_id)
    assert ticket.status is TicketStatus.BARU
    assert ticket.verify_due > ticket.created_at.date()
    with Session(repo.engine) as s:
        row = s.scalar(select(Ticket).where(Ticket.public_id == ticket.public_id))
        assert row is not None
        assert row.description == draft().description
        events = s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == row.id)).all()
        assert [(e.kind, e.to_status) for e in events] == [("created", "baru")]


def test_description_is_kept_verbatim(repo: Repository) -> None:
    text = "  Petugas   minta <b>uang</b> 'rokok' Rp50.000;\nDROP TABLE tickets; -- 😡  "
    ticket, _ = repo.file_ticket("citizen-1", draft(text))
    with Session(repo.engine) as s:
        stored = s.scalar(select(Ticket.description).where(Ticket.public_id == ticket.public_id))
    assert stored == text


def test_resubmission_returns_the_same_ticket(repo: Repository) -> None:
    first, created_first = repo.file_ticket("citizen-1", draft())
    again, created_again = repo.file_ticket("citizen-1", draft())
    assert created_first and not created_again
    assert again.public_id == first.public_id
    assert count(repo, Ticket) == 1


def test_same_text_from_another_citizen_is_another_ticket(repo: Repository) -> None:
    a, _ = repo.file_ticket("citizen-1", draft())
    b, created = repo.file_ticket("citizen-2", draft())
    assert created and a.public_id != b.public_id


def test_concurrent_resubmissions_create_one_ticket(repo: Repository) -> None:
    repo.ensure_citizen("citizen-race")
    barrier = threading.Barrier(4)

    def submit(_: int) -> str:
        barrier.wait()
        return repo.file_ticket("citizen-race", draft())[0].public_id

    with ThreadPoolExecutor(4) as pool:
        ids = set(pool.map(submit, range(4)))
    assert len(ids) == 1
    assert count(repo, Ticket) == 1


def test_a_ticket_is_visible_only_to_its_reporter(repo: Repository) -> None:
    ticket, _ = repo.file_ticket("citizen-1", draft())
    assert repo.ticket_for_sender("citizen-1", ticket.public_id) is not None
    assert repo.ticket_for_sender("citizen-2", ticket.public_id) is None
    assert repo.ticket_for_sender("citizen-1", "ADU-000000") is None


def test_open_tickets_lists_only_own_open_tickets(repo: Repository) -> None:
    mine, _ = repo.file_ticket("citizen-1", draft())
    closed, _ = repo.file_ticket(
        "citizen-1", draft("Sampah menumpuk di TPS pasar sejak minggu lalu.")
    )
    repo.file_ticket("citizen-2", draft("Lampu jalan mati di gang Melati sejak seminggu."))
    with Session(repo.engine) as s, s.begin():
        row = s.scalar(select(Ticket).where(Ticket.public_id == closed.public_id))
        assert row is not None
        row.status = TicketStatus.SELESAI
    assert [t.public_id for t in repo.open_tickets_for_sender("citizen-1")] == [mine.public_id]
    assert repo.open_tickets_for_sender("nobody") == []


def test_rating_links_only_own_ticket(repo: Repository) -> None:
    mine, _ = repo.file_ticket("citizen-1", draft())
    repo.add_rating("citizen-1", 5, "Cepat ditangani", mine.public_id)
    repo.add_rating("citizen-2", 1, "Coba tautkan tiket orang lain", mine.public_id)
    with Session(repo.engine) as s:
        rows = s.execute(select(Rating.score, Rating.ticket_id).order_by(Rating.id)).all()
    assert rows[0][0] == 5 and rows[0][1] is not None
    assert rows[1][0] == 1 and rows[1][1] is None
    with pytest.raises(ValueError):
        repo.add_rating("citizen-1", 6, None, None)


def test_most_asked_services_prefers_statistics(repo: Repository) -> None:
    for _ in range(3):
        repo.record_service_question("nib", "cost")
    repo.record_service_question("pbb", "cost")
    top = [sid for sid, _name in repo.most_asked_services(limit=4)]
    assert top[:2] == ["nib", "pbb"]
    assert len(top) == 4


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ADU-7K3M9P", "ADU-7K3M9P"),
        ("adu-7k3m9p", "ADU-7K3M9P"),
        ("ADU 7K3M9P", "ADU-7K3M9P"),
        ("ADU7K3M9P", "ADU-7K3M9P"),
        ("ADU-7K3M9O", "ADU-7K3M90"),  # O reads as 0 in Crockford base32
        ("ADU-12345", None),
        ("ADU-1234567", None),
        ("XYZ-7K3M9P", None),
        ("ADU-7K3M9U", None),
    ],
)
def test_ticket_id_normalisation(typed: str, expected: str | None) -> None:
    assert normalise_ticket_id(typed) == expected
