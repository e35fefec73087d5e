"""End to end: a real Rasa server and action server, a real SQLite file, Rasa's REST channel."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.store.models import Citizen, Ticket
from devtools.devstack import (
    ROOT,
    ensure_model,
    free_port,
    start_action_server,
    start_rasa_server,
    stop,
    wait_http,
)

pytestmark = pytest.mark.rasa
TICKET = re.compile(r"ADU-[0-9A-HJKMNP-TV-Z]{6}")


class Chat:
    """One citizen talking to Rasa's REST channel."""

    def __init__(self, base_url: str, sender: str):
        self.url = f"{base_url}/webhooks/rest/webhook"
        self.sender = sender

    def say(self, message: str) -> list[dict[str, Any]]:
        response = httpx.post(
            self.url, json={"sender": self.sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def text(self, message: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(message))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Action server + Rasa server on free ports, sharing a fresh SQLite database."""
    ensure_model()
    folder = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{folder / 'e2e.db'}"
    action_port, rasa_port = free_port(), free_port()
    actions = start_action_server(action_port, database_url, folder / "actions.log")
    rasa = start_rasa_server(rasa_port, action_port, folder / "rasa.log")
    try:
        wait_http(f"http://127.0.0.1:{action_port}/health", 60, actions)
        wait_http(f"http://127.0.0.1:{rasa_port}/status", 180, rasa)
        yield {"rasa": f"http://127.0.0.1:{rasa_port}", "database_url": database_url}
    except Exception:
        for log in ("actions.log", "rasa.log"):
            print(f"--- {log}\n" + (folder / log).read_text(errors="replace")[-4000:])
        raise
    finally:
        stop(rasa)
        stop(actions)


def catalogue_row(service_id: str) -> dict[str, Any]:
    catalogue = yaml.safe_load((ROOT / "data" / "services.yml").read_text(encoding="utf-8"))
    return next(s for s in catalogue["services"] if s["id"] == service_id)


def test_requirement_question_is_answered_from_the_catalogue(stack: dict[str, str]) -> None:
    answer = Chat(stack["rasa"], "e2e-question").text("syarat bikin KTP apa aja ya kak?")
    for requirement in catalogue_row("ktp")["requirements"]:
        assert requirement in answer


def test_complaint_is_filed_stored_and_its_status_reported(stack: dict[str, str]) -> None:
    chat = Chat(stack["rasa"], "e2e-citizen")
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

    engine = create_engine(stack["database_url"])
    with Session(engine) as s:
        row = s.scalar(select(Ticket).where(Ticket.public_id == ticket_id.group(0)))
        assert row is not None
        assert row.description == story
        assert row.location_text == "Jl. Melati No. 5, Kelurahan Sukamaju"
        assert row.category.value == "infrastruktur"
        assert row.privacy.value == "anonymous"
        citizen = s.get(Citizen, row.citizen_id)
        assert citizen is not None and citizen.sender_id == "e2e-citizen"
    engine.dispose()

    status = chat.text(f"status tiket {ticket_id.group(0)}")
    assert ticket_id.group(0) in status and "menunggu verifikasi" in status
    stranger = Chat(stack["rasa"], "e2e-stranger").text(f"status tiket {ticket_id.group(0)}")
    assert "tidak ditemukan" in stranger


def test_batal_cancels_the_form_and_files_nothing(stack: dict[str, str]) -> None:
    chat = Chat(stack["rasa"], "e2e-cancel")
    chat.text("saya mau buat pengaduan")
    assert "dibatalkan" in chat.text("batal")
    engine = create_engine(stack["database_url"])
    with Session(engine) as s:
        mine = s.scalars(
            select(Ticket).join(Citizen).where(Citizen.sender_id == "e2e-cancel")
        ).all()
    engine.dispose()
    assert mine == []


def test_bad_input_gets_a_polite_answer(stack: dict[str, str]) -> None:
    chat = Chat(stack["rasa"], "e2e-bad-input")
    for message in ("asdkjh qwe zxcmnb", "'; DROP TABLE tickets; --", "🙂" * 50):
        replies = chat.say(message)
        assert replies and all(r.get("text") for r in replies), message
