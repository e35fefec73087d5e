"""End to end: a real Rasa server and action server, a real SQLite file, Rasa's REST channel."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.store.models import Citizen, Ticket
from devtools.devstack import Servers
from tests.utils import ROOT
from tests.utils.chat import TICKET, Chat

pytestmark = pytest.mark.rasa


def tickets_of(engine: Engine, sender: str) -> list[str]:
    """The public ids of the tickets this sender filed."""
    with Session(engine) as s:
        return list(
            s.scalars(
                select(Ticket.public_id).join(Citizen).where(Citizen.sender_id == sender)
            ).all()
        )


def ticket_count(engine: Engine) -> int:
    """All tickets in the stack's database."""
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Ticket)) or 0)


def catalogue_row(service_id: str) -> dict[str, Any]:
    catalogue = yaml.safe_load((ROOT / "data" / "services.yml").read_text(encoding="utf-8"))
    return next(s for s in catalogue["services"] if s["id"] == service_id)


def test_requirement_question_is_answered_from_the_catalogue(stack: Servers) -> None:
    answer = Chat(stack.rasa_url, "e2e-question").text("syarat bikin KTP apa aja ya kak?")
    for requirement in catalogue_row("ktp")["requirements"]:
        assert requirement in answer


def test_complaint_is_filed_stored_and_its_status_reported(stack: Servers, engine: Engine) -> None:
    chat = Chat(stack.rasa_url, "e2e-citizen")
    story = (
        "Saya mau lapor, jalan di depan rumah saya berlubang besar sudah tiga bulan "
        "dan belum diperbaiki, kemarin ada motor jatuh."
    )
    assert "lokasinya" in chat.text(story)
    category_question = chat.say("Jl. Melati No. 5, Kelurahan Sukamaju")
    buttons = [b for m in category_question for b in m.get("buttons", [])]
    assert buttons[0]["payload"] == '/inform{"complaint_category": "infrastruktur"}'
    assert "Anonim" in chat.text(buttons[0]["payload"])
    summary = chat.text('/inform{"complaint_privacy": "anonymous"}')
    assert "Jl. Melati No. 5" in summary and "Kirim pengaduan ini?" in summary
    filed = chat.text("/affirm")
    ticket_id = TICKET.search(filed)
    assert ticket_id, filed
    assert "3 hari kerja" in filed

    with Session(engine) as s:
        row = s.scalar(select(Ticket).where(Ticket.public_id == ticket_id.group(0)))
        assert row is not None
        assert row.description == story
        assert row.location_text == "Jl. Melati No. 5, Kelurahan Sukamaju"
        assert row.category.value == "infrastruktur"
        assert row.privacy.value == "anonymous"
        citizen = s.get(Citizen, row.citizen_id)
        assert citizen is not None and citizen.sender_id == "e2e-citizen"

    status = chat.text(f"status tiket {ticket_id.group(0)}")
    assert ticket_id.group(0) in status and "menunggu verifikasi" in status
    stranger = Chat(stack.rasa_url, "e2e-stranger").text(f"status tiket {ticket_id.group(0)}")
    assert "tidak ditemukan" in stranger


def test_batal_before_anything_is_written_files_nothing(stack: Servers, engine: Engine) -> None:
    chat = Chat(stack.rasa_url, "e2e-cancel")
    chat.text("saya mau buat pengaduan")
    assert "dibatalkan" in chat.text("batal")
    assert tickets_of(engine, "e2e-cancel") == []


def test_batal_at_the_summary_files_nothing(stack: Servers, engine: Engine) -> None:
    """Everything a ticket needs is filled in and shown; the citizen cancels instead of
    sending. No ticket is filed, not even by the summary's old "Ya, kirim" pressed later."""
    before = ticket_count(engine)
    chat = Chat(stack.rasa_url, "e2e-cancel-summary")
    assert "lokasinya" in chat.text(
        "Saya mau lapor, lampu penerangan jalan di depan masjid mati sudah dua minggu "
        "dan malam hari gelap sekali."
    )
    category_question = chat.say("Jl. Kenanga No. 3, Kelurahan Sukamaju")
    category = next(b["payload"] for m in category_question for b in m.get("buttons", []))
    chat.say(category)
    summary = chat.text('/inform{"complaint_privacy": "public"}')
    assert "Kirim pengaduan ini?" in summary
    assert "Yakin ingin membatalkan" in chat.text("batal")
    cancelled = chat.text("ya")
    assert "dibatalkan" in cancelled and not TICKET.search(cancelled)
    assert tickets_of(engine, "e2e-cancel-summary") == []
    assert not TICKET.search(chat.text("/affirm"))
    assert tickets_of(engine, "e2e-cancel-summary") == []
    assert ticket_count(engine) == before


def test_bad_input_gets_a_polite_answer(stack: Servers) -> None:
    chat = Chat(stack.rasa_url, "e2e-bad-input")
    for message in ("asdkjh qwe zxcmnb", "'; DROP TABLE tickets; --", "🙂" * 50):
        replies = chat.say(message)
        assert replies and all(r.get("text") for r in replies), message
