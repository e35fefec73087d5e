"""'Tidak membantu' as a citizen uses it, end to end: a service question to a real Rasa
server and our action server over the REST channel, the button pressed, the reply, and the
question in the trainers' review inbox, collected from Rasa's own tracker store (the one
source of truth) with reason not_helpful and the prediction Rasa made."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from bot.store.models import NluReviewItem
from bot.training.inbox import collect
from tests.utils.stack import rasa_stack

pytestmark = pytest.mark.rasa

KEY = "test-key"


class Citizen:
    """One conversation on the REST channel, with the buttons on screen."""

    def __init__(self, rasa_url: str):
        self.http = httpx.Client(base_url=rasa_url, timeout=120)
        self.sender = f"citizen-{uuid.uuid4().hex[:12]}"

    def send(self, message: str) -> list[dict[str, Any]]:
        response = self.http.post(
            "/webhooks/rest/webhook", json={"sender": self.sender, "message": message}
        )
        response.raise_for_status()
        return list(response.json())


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine, Engine]]:
    """Rasa and the action server on a fresh store: (Rasa URL, store, Rasa's tracker store)."""
    folder: Path = tmp_path_factory.mktemp("not-helpful")
    with rasa_stack(folder, rasa_auth_token=uuid.uuid4().hex) as running:
        store = create_engine(f"sqlite:///{folder / 'stack.db'}")
        tracker = create_engine(running.tracker_url)
        try:
            yield running.rasa_url, store, tracker
        finally:
            store.dispose()
            tracker.dispose()


def buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for r in replies for b in r.get("buttons") or []]


def test_a_citizen_says_an_answer_did_not_help(stack: tuple[str, Engine, Engine]) -> None:
    rasa_url, store, tracker = stack
    citizen = Citizen(rasa_url)

    answer = citizen.send("syarat bikin ktp apa aja ya")
    assert "Persyaratan" in " ".join(r.get("text", "") for r in answer), answer
    [not_helpful] = [b for b in buttons(answer) if b["title"] == "Tidak membantu"]
    assert buttons(answer)[-1] == not_helpful  # last, after the other aspects

    reply = citizen.send(not_helpful["payload"])
    text = " ".join(r.get("text", "") for r in reply)
    assert "Mohon maaf" in text and "kalimat lain" in text and "KTP" in text, reply
    titles = [b["title"] for b in buttons(reply)]
    assert titles[-2:] == ["Hubungi petugas", "Buat pengaduan"]
    assert "Biaya" in titles and "Persyaratan" not in titles  # the other aspects again

    # A second question answered and left alone is not collected.
    citizen.send("biaya skck berapa")

    report = collect(tracker, store, 0.0, key=KEY, since_id=0, settle_s=0)
    assert report.read >= 3
    with Session(store) as s:
        items = s.scalars(select(NluReviewItem)).all()
    assert [(i.text, i.reasons) for i in items] == [("syarat bikin ktp apa aja ya", "not_helpful")]
    [item] = items
    assert item.intent == "ask_requirements" and item.confidence is not None
    assert len(item.alternatives) == 3
    assert {"entity": "service", "value": "ktp"}.items() <= item.entities[0].items()
