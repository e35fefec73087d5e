"""A message Rasa already took is answered again, not taken again (rasa_addons/once.py).

The front end sends each message with its inbox row's id; the same message can reach Rasa
several times (a retry after a timeout, a front end restarted mid-turn, a Rasa replica
dying with the conversation's lock). Through the real Rasa server's REST channel: a copy
gets the first answer, the conversation holds the message once, and a form's slot is not
filled twice. A message without an id is handled as Rasa does.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from bot.telegram.conversation import INBOX_ID_KEY
from devtools.devstack import Servers
from tests.utils import ROOT

pytestmark = pytest.mark.rasa


def send(stack: Servers, sender: str, message: str, inbox_id: int | None) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"sender": sender, "message": message}
    if inbox_id is not None:
        body["metadata"] = {INBOX_ID_KEY: inbox_id}
    response = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=120)
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def user_events(stack: Servers, sender: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=30)
    response.raise_for_status()
    return [e for e in response.json()["events"] if e["event"] == "user"]


def slots(stack: Servers, sender: str) -> dict[str, Any]:
    response = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=30)
    response.raise_for_status()
    return response.json()["slots"]  # type: ignore[no-any-return]


def test_the_key_is_the_front_ends() -> None:
    source = (ROOT / "rasa_addons" / "once.py").read_text()
    assert f'INBOX_ID_KEY = "{INBOX_ID_KEY}"' in source


def test_a_copy_of_a_message_gets_the_first_answer(stack: Servers) -> None:
    sender = "once-1"
    first = send(stack, sender, "apa saja syarat membuat paspor baru?", 71001)
    assert first and "paspor" in " ".join(m.get("text", "") for m in first).lower()
    again = send(stack, sender, "apa saja syarat membuat paspor baru?", 71001)
    assert again == first
    taken = [e for e in user_events(stack, sender) if e["metadata"].get(INBOX_ID_KEY) == 71001]
    assert len(taken) == 1


def test_copies_sent_at_once_are_taken_once(stack: Servers) -> None:
    sender = "once-2"

    async def copies() -> list[list[dict[str, Any]]]:
        return await asyncio.gather(
            *(
                asyncio.to_thread(send, stack, sender, "berapa biaya bikin SIM A?", 71002)
                for _ in range(4)
            )
        )

    answers = asyncio.run(copies())
    assert answers[0] and all(a == answers[0] for a in answers), answers
    events = user_events(stack, sender)
    assert [e["metadata"].get(INBOX_ID_KEY) for e in events] == [71002]


def test_a_form_slot_is_not_filled_twice(stack: Servers) -> None:
    sender = "once-3"
    send(stack, sender, "saya mau mengadu", 71003)
    story = "Petugas loket KTP di kecamatan meminta uang lima puluh ribu untuk mempercepat."
    told = send(stack, sender, story, 71004)
    after_story = slots(stack, sender)
    assert send(stack, sender, story, 71004) == told
    assert slots(stack, sender) == after_story
    assert len(user_events(stack, sender)) == 2


def test_messages_without_an_id_are_handled_as_rasa_does(stack: Servers) -> None:
    sender = "once-4"
    send(stack, sender, "halo", None)
    send(stack, sender, "halo", None)
    assert [e["text"] for e in user_events(stack, sender)] == ["halo", "halo"]


def test_the_next_message_is_still_taken(stack: Servers) -> None:
    sender = "once-5"
    send(stack, sender, "halo", 71005)
    send(stack, sender, "halo", 71005)
    send(stack, sender, "halo", 71006)
    assert [e["metadata"].get(INBOX_ID_KEY) for e in user_events(stack, sender)] == [71005, 71006]
