"""action_check_status: own tickets only; unknown and foreign ids get the same answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.ticket_status import ActionCheckStatus
from bot.store.models import Category, Privacy
from bot.store.repository import ComplaintDraft, Repository
from tests.utils.actions import entity, make_tracker, responses, texts


def file(repo: Repository, sender: str, text: str) -> str:
    draft = ComplaintDraft(text, "Jl. Melati 5", Category.INFRASTRUKTUR, Privacy.PUBLIC)
    return repo.file_ticket(sender, draft)[0].public_id


def status(domain: dict[str, Any], text: str, sender: str = "citizen-1", ids: tuple[str, ...] = ()):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text, "check_status", [entity("ticket_id", i) for i in ids], sender=sender
    )
    ActionCheckStatus().run(dispatcher, tracker, domain)
    return dispatcher


def test_status_by_id(repo: Repository, domain: dict[str, Any]) -> None:
    ticket_id = file(repo, "citizen-1", "Lampu jalan mati di gang Melati sejak seminggu.")
    dispatcher = status(domain, f"status {ticket_id}", ids=(ticket_id,))
    assert len(dispatcher.messages) == 1
    text = texts(domain, dispatcher)[0]
    assert ticket_id in text and "menunggu verifikasi" in text


def test_lowercase_id_without_entity_is_understood(
    repo: Repository, domain: dict[str, Any]
) -> None:
    ticket_id = file(repo, "citizen-1", "Lampu jalan mati di gang Melati sejak seminggu.")
    dispatcher = status(domain, f"gimana laporan {ticket_id.lower()} ya")
    said = texts(domain, dispatcher)
    assert len(said) == 1 and ticket_id in said[0] and "Status:" in said[0]


def test_someone_elses_ticket_looks_unknown(repo: Repository, domain: dict[str, Any]) -> None:
    ticket_id = file(repo, "citizen-1", "Lampu jalan mati di gang Melati sejak seminggu.")
    foreign = status(domain, f"status {ticket_id}", sender="citizen-2", ids=(ticket_id,))
    unknown = status(domain, "status ADU-ZZZZZZ", sender="citizen-2", ids=("ADU-ZZZZZZ",))
    assert responses(foreign) == responses(unknown) == ["utter_ticket_not_found"]
    assert texts(domain, foreign)[0].replace(ticket_id, "X") == texts(domain, unknown)[0].replace(
        "ADU-ZZZZZZ", "X"
    )


def test_malformed_id_is_explained(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher = status(domain, "cek tiket ADU-12")
    assert responses(dispatcher) == ["utter_ticket_id_malformed"]
    assert "ADU-12" in texts(domain, dispatcher)[0]


def test_injection_attempt_is_just_a_malformed_id(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher = status(domain, "status ADU-1' OR '1'='1")
    assert responses(dispatcher) == ["utter_ticket_id_malformed"]


def test_without_id_lists_own_open_tickets(repo: Repository, domain: dict[str, Any]) -> None:
    a = file(repo, "citizen-1", "Lampu jalan mati di gang Melati sejak seminggu.")
    b = file(repo, "citizen-1", "Sampah tidak diangkut sudah dua minggu di RT 03.")
    other = file(repo, "citizen-2", "Parkir liar di depan minimarket setiap malam.")
    dispatcher = status(domain, "laporan saya gimana?")
    assert responses(dispatcher) == ["utter_open_tickets"]
    text = texts(domain, dispatcher)[0]
    assert a in text and b in text and other not in text


def test_without_id_and_no_tickets(repo: Repository, domain: dict[str, Any]) -> None:
    assert responses(status(domain, "cek status")) == ["utter_no_open_tickets"]


def test_filing_date_is_the_citizens_local_date(repo: Repository, domain: dict[str, Any]) -> None:
    """Filed at 03:00 WIB on 1 December (20:00 UTC the day before): the citizen reads 1 December."""
    from datetime import datetime, timezone

    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from bot.store.models import Ticket

    ticket_id = file(repo, "citizen-1", "Lampu jalan mati di gang Melati sejak seminggu.")
    with Session(repo.engine) as s, s.begin():
        s.execute(
            update(Ticket)
            .where(Ticket.public_id == ticket_id)
            .values(created_at=datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc))
        )
    by_id = texts(domain, status(domain, f"status {ticket_id}", ids=(ticket_id,)))[0]
    listed = texts(domain, status(domain, "laporan saya gimana"))[0]
    for text in (by_id, listed):
        assert "1 Desember 2026" in text and "30 November 2026" not in text


def test_the_word_aduan_is_not_a_ticket_id(repo: Repository, domain: dict[str, Any]) -> None:
    """Black-box tester D15: "aduan sy yg kemaren udh smp mana ya?" listed nothing and said
    'Nomor tiket "ADUAN" tidak sesuai format'."""
    mine = file(repo, "citizen-1", "Lampu jalan mati di gang Melati sejak seminggu.")
    for text in (
        "aduan sy yg kemaren udh smp mana ya?",
        "aduannya udah diproses belum",
        "ADUAN SAYA GIMANA",
        "adu domba antar warga",
    ):
        dispatcher = status(domain, text)
        assert responses(dispatcher) == ["utter_open_tickets"], text
        assert mine in texts(domain, dispatcher)[0]
