"""UU PDP deletion on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.consent import ConsentRepository
from bot.store.deletion import DeletionRepository
from bot.store.inbox import InboxRepository
from bot.store.models import Category, Citizen, InboxMessage, OutboxMessage, Privacy, Ticket
from bot.store.repository import ComplaintDraft, Repository


def test_forgetting_a_citizen_keeps_tickets_without_the_person(repo: Repository) -> None:
    consent = ConsentRepository(repo.engine)
    consent.record("42", 42, "Siti Aminah")
    draft = ComplaintDraft(
        "Petugas minta uang tambahan.", "Kecamatan", Category.PUNGLI, Privacy.CONFIDENTIAL
    )
    ticket, _ = repo.file_ticket("42", draft)
    InboxRepository(repo.engine, 1).store_update(30, {"update_id": 30}, "message", "42", 42)
    with Session(repo.engine) as s, s.begin():
        s.add(OutboxMessage(chat_id=42, text="Balasan", kind="reply"))
    assert DeletionRepository(repo.engine).forget_citizen("42") == 1
    with Session(repo.engine) as s:
        row = s.scalar(select(Ticket).where(Ticket.public_id == ticket.public_id))
        assert row is not None and row.citizen_id is None
        assert row.description == "Petugas minta uang tambahan."
        assert s.scalar(select(Citizen).where(Citizen.telegram_user_id == 42)) is None
        assert s.scalar(select(Citizen).where(Citizen.display_name == "Siti Aminah")) is None
        assert s.scalars(select(InboxMessage).where(InboxMessage.sender_id == "42")).all() == []
        assert s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 42)).all() == []
    assert not consent.consented("42")
    assert repo.ticket_for_sender("42", ticket.public_id) is None


def test_forgetting_a_citizen_deletes_their_survey_rows(repo: Repository) -> None:
    """/hapusdata deletes the citizen's SKM rows (answers, comment, refusals), found by the
    respondent key; another citizen's rows stay."""
    from bot.config import get_settings
    from bot.store.models import SkmResponse
    from bot.store.skm import SkmStore

    store = SkmStore(repo.engine, get_settings().secret_key)
    consent = ConsentRepository(repo.engine)
    for sender in ("4201", "4202"):
        consent.record(sender, int(sender), None)
        survey, _ = store.start(sender, "ktp")
        assert survey is not None
        store.answer(sender, survey.id, 0, 4)
        store.finish(sender, survey.id, f"komentar {sender}")
    assert store.offer_for_service("4201", "sim") is not None
    DeletionRepository(repo.engine).forget_citizen("4201")
    with Session(repo.engine) as s:
        keys = s.scalars(select(SkmResponse.respondent_key)).all()
        comments = s.scalars(select(SkmResponse.comment)).all()
    assert keys == [store.key("4202")]
    assert comments == ["komentar 4202"]
