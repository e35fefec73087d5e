"""The NLU review inbox, collected from a real Rasa tracker-store database (SQLite, with the
columns of Rasa 3.6's SQLTrackerStore) into our store on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.store.db import get_engine
from bot.store.deletion import DeletionRepository
from bot.store.models import NluReviewItem, utcnow
from bot.training.inbox import (
    UserMessage,
    collect,
    count_items,
    is_correction,
    purge_expired,
    read_cursor,
)
from bot.training.masking import sender_hash

KEY = "test-key"
T0 = 1_764_000_000.0  # an hour before NOW
NOW = T0 + 3600


def rasa_events_table(metadata: sa.MetaData) -> sa.Table:
    """rasa.core.tracker_store.SQLTrackerStore.SQLEvent, column for column."""
    return sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
    )


class Tracker:
    """A Rasa tracker store database written the way SQLTrackerStore.save writes it."""

    def __init__(self, path: Path):
        self.engine = create_engine(f"sqlite:///{path}")
        metadata = sa.MetaData()
        self.events = rasa_events_table(metadata)
        metadata.create_all(self.engine)
        self.clock = T0

    def _add(self, sender: str, type_name: str, data: dict[str, Any], **cols: Any) -> int:
        self.clock += 5
        data = {"event": type_name, "timestamp": self.clock, **data}
        with self.engine.begin() as c:
            result = c.execute(
                self.events.insert().values(
                    sender_id=sender,
                    type_name=type_name,
                    timestamp=self.clock,
                    data=json.dumps(data),
                    **cols,
                )
            )
            return int(result.inserted_primary_key[0])

    def user(
        self,
        sender: str,
        text: str,
        ranking: list[tuple[str, float]],
        entities: list[dict[str, Any]] | None = None,
    ) -> int:
        intent = {"name": ranking[0][0], "confidence": ranking[0][1]}
        parse = {
            "intent": intent,
            "entities": entities or [],
            "text": text,
            "message_id": "m",
            "metadata": {},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        }
        data = {"text": text, "parse_data": parse, "input_channel": "rest", "message_id": "m"}
        return self._add(sender, "user", data, intent_name=intent["name"])

    def bot_turn(self, sender: str, action: str = "utter_default") -> None:
        self._add(sender, "action", {"name": action}, action_name=action)
        self._add(sender, "bot", {"text": "Baik."})


@pytest.fixture
def tracker(tmp_path: Path) -> Tracker:
    return Tracker(tmp_path / "rasa_tracker.db")


@pytest.fixture
def store(database_url: str) -> Engine:
    return get_engine(database_url)


def run(tracker: Tracker, store: Engine, **kw: Any) -> Any:
    return collect(tracker.engine, store, 0.6, key=KEY, now=NOW, **kw)


def items(store: Engine) -> list[NluReviewItem]:
    with Session(store) as s:
        return list(s.scalars(select(NluReviewItem).order_by(NluReviewItem.tracker_event_id)))


def test_low_confidence_is_stored_masked_with_alternatives_and_entities(
    tracker: Tracker, store: Engine
) -> None:
    text = "sim saya B 1234 ABC ditahan, hubungi 0812-3456-7890"
    event_id = tracker.user(
        "7001",
        text,
        [
            ("file_complaint", 0.41),
            ("ask_procedure", 0.3),
            ("check_status", 0.1),
            ("ask_cost", 0.05),
            ("greet", 0.01),
        ],
        entities=[
            {"entity": "service", "value": "SIM", "start": 0, "end": 3, "extractor": "DIET"},
            {
                "entity": "complaint_location",
                "value": "0812-3456-7890",
                "start": 37,
                "end": 51,
            },
        ],
    )
    tracker.bot_turn("7001")
    report = run(tracker, store)
    assert (report.read, report.stored, report.last_event_id) == (1, 1, event_id)
    [item] = items(store)
    assert item.text == "sim saya [PLAT] ditahan, hubungi [TELEPON]"
    assert (item.intent, item.confidence, item.reasons) == (
        "file_complaint",
        0.41,
        "low_confidence",
    )
    assert [a["name"] for a in item.alternatives] == ["ask_procedure", "check_status", "ask_cost"]
    assert item.entities == [
        {"entity": "service", "value": "SIM", "start": 0, "end": 3},
        {"entity": "complaint_location", "value": "[TELEPON]", "start": 33, "end": 42},
    ]
    assert item.sender_hash == sender_hash("7001", KEY)
    assert "7001" not in json.dumps([item.text, item.entities, item.sender_hash])


def test_confident_messages_and_button_payloads_are_not_stored(
    tracker: Tracker, store: Engine
) -> None:
    tracker.user("7001", "syarat bikin KTP apa aja", [("ask_requirements", 0.97)])
    tracker.bot_turn("7001")
    last = tracker.user("7001", '/inform{"service": "ktp"}', [("inform", 0.2)])
    report = run(tracker, store)
    assert (report.read, report.stored, report.last_event_id) == (2, 0, last)
    assert items(store) == []
    assert read_cursor(store) == last


def test_fallback_is_stored(tracker: Tracker, store: Engine) -> None:
    tracker.user("7002", "gmn caranya biar cepet", [("nlu_fallback", 0.6), ("ask_procedure", 0.52)])
    run(tracker, store)
    [item] = items(store)
    assert (item.intent, item.reasons) == ("nlu_fallback", "fallback")
    assert item.alternatives[0]["name"] == "ask_procedure"


def test_a_corrected_message_is_flagged(tracker: Tracker, store: Engine) -> None:
    corrected = tracker.user("7003", "mau perpanjang paspor", [("ask_requirements", 0.88)])
    tracker.bot_turn("7003", "action_answer_requirements")
    tracker.user("7003", "bukan itu, maksud saya biayanya", [("deny", 0.9)])
    # Another citizen's messages in between do not matter; a complaint starting with
    # "salah" is not a correction.
    tracker.user("7004", "salah input data di KTP saya", [("file_complaint", 0.95)])
    human_asked = tracker.user("7005", "jam buka kantor imigrasi", [("ask_location_hours", 0.9)])
    tracker.user("7005", "saya mau bicara dengan petugas", [("request_human", 0.95)])
    report = run(tracker, store)
    assert report.corrections == 2
    assert [(i.tracker_event_id, i.reasons) for i in items(store)] == [
        (corrected, "correction"),
        (human_asked, "correction"),
    ]


def test_a_correction_read_in_a_later_run_flags_the_stored_message(
    tracker: Tracker, store: Engine
) -> None:
    first = tracker.user("7006", "urus akta gmn", [("ask_procedure", 0.45)])
    run(tracker, store)
    tracker.user("7006", "salah kak", [("deny", 0.7)])
    report = run(tracker, store)
    assert (report.stored, report.corrections) == (0, 1)
    [item] = items(store)
    assert (item.tracker_event_id, item.reasons) == (first, "correction,low_confidence")


def test_collecting_again_stores_nothing_twice(tracker: Tracker, store: Engine) -> None:
    tracker.user("7007", "ktp ilang gmn", [("ask_procedure", 0.3)])
    tracker.user("7007", "bukan", [("deny", 0.9)])
    first = run(tracker, store)
    assert first.stored == 1
    assert run(tracker, store).read == 0  # the cursor moved
    again = run(tracker, store, since_id=0)  # read everything again
    assert (again.read, again.stored) == (2, 0)
    assert len(items(store)) == 1
    assert items(store)[0].reasons == "correction,low_confidence"


def test_messages_younger_than_the_settle_time_wait(tracker: Tracker, store: Engine) -> None:
    tracker.user("7008", "ktp ilang gmn", [("ask_procedure", 0.3)])
    young = collect(tracker.engine, store, 0.6, key=KEY, now=T0 + 10)
    assert (young.read, young.last_event_id) == (0, 0)
    assert run(tracker, store).stored == 1


def test_no_tracker_table_yet(tmp_path: Path, store: Engine) -> None:
    empty = create_engine(f"sqlite:///{tmp_path / 'none.db'}")
    assert collect(empty, store, 0.6, key=KEY).read == 0


def test_hapusdata_deletes_the_citizens_review_items(
    tracker: Tracker, store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", "the-secret")
    get_settings.cache_clear()
    key = get_settings().secret_key
    tracker.user("7009", "nik saya 3201234567890123 gmn", [("ask_procedure", 0.2)])
    tracker.user("7010", "bikin kk gmn", [("ask_procedure", 0.2)])
    collect(tracker.engine, store, 0.6, key=key, now=NOW)
    assert count_items(store) == 2
    DeletionRepository(store).forget_citizen("7009")
    assert [i.sender_hash for i in items(store)] == [sender_hash("7010", key)]


def test_review_items_expire(tracker: Tracker, store: Engine) -> None:
    tracker.user("7011", "ktp ilang gmn", [("ask_procedure", 0.3)])
    tracker.user("7012", "kk ilang gmn", [("ask_procedure", 0.3)])
    run(tracker, store)
    with Session(store) as s, s.begin():
        old = s.scalars(select(NluReviewItem).order_by(NluReviewItem.id)).first()
        assert old is not None
        old.created_at = utcnow() - timedelta(days=91)
    assert purge_expired(store, timedelta(days=90)) == 1
    assert [i.text for i in items(store)] == ["kk ilang gmn"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bukan itu", True),
        ("Bukan, saya mau tanya biaya", True),
        ("salah kak", True),
        ("maksud saya perpanjang SIM", True),
        ("bukan yang saya maksud", True),
        ("salah input data di KTP saya", False),
        ("bukannya kemarin sudah bayar", False),
        ("syarat bikin KTP", False),
    ],
)
def test_correction_phrases(text: str, expected: bool) -> None:
    message = UserMessage(1, "s", None, text, "deny", 0.9, [], [])
    assert is_correction(message) is expected


async def test_the_console_loop_collects_and_survives_failures(
    tracker: Tracker, store: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio
    import contextlib

    from bot.config import Settings
    from bot.officer.web.app import _nlu_review_loop

    tracker.user("7013", "ktp ilang gmn", [("ask_procedure", 0.3)])
    ok = Settings(rasa_tracker_url=str(tracker.engine.url), nlu_review_poll_s=0.05)
    broken = Settings(rasa_tracker_url="sqlite:////proc/no/such/dir/x.db", nlu_review_poll_s=0.05)
    failing = asyncio.create_task(_nlu_review_loop(store, broken))
    task = asyncio.create_task(_nlu_review_loop(store, ok))
    try:
        for _ in range(100):
            if count_items(store) and "NLU review inbox failed" in caplog.text:
                break
            await asyncio.sleep(0.05)
        assert count_items(store) == 1
        assert "collecting the NLU review inbox failed" in caplog.text
        assert not failing.done()  # a failing tick does not end the loop
    finally:
        for t in (failing, task):
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await t


def test_complaint_texts_never_reach_the_inbox(tracker: Tracker, store: Engine) -> None:
    """The message that opened the complaint form and everything typed while it ran are
    complaint texts (possibly confidential or anonymous): not collected, not even when
    doubtful or corrected. The same citizen's doubtful question after the form is."""
    opening = tracker.user(
        "7100", "petugas kelurahan minta uang 200rb buat surat", [("file_complaint", 0.45)]
    )
    tracker._add("7100", "active_loop", {"name": "complaint_form"})
    inside = tracker.user("7100", "di kantor lurah sukamaju pak", [("inform", 0.3)])
    tracker.user("7100", "bukan itu maksud saya", [("deny", 0.9)])
    tracker._add("7100", "active_loop", {"name": None})
    after = tracker.user("7100", "trus bikin kk brp lama ya", [("ask_duration", 0.4)])

    run(tracker, store)

    stored = [i.tracker_event_id for i in items(store)]
    assert opening not in stored and inside not in stored
    assert stored == [after]
