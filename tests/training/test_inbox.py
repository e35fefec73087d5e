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
    CORRECTION_WINDOW_S,
    UserMessage,
    collect,
    count_items,
    is_correction,
    is_repeat,
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


# -- "Tidak membantu" and repeats ------------------------------------------------------------

NOT_HELPFUL = {"title": "Tidak membantu", "payload": "/answer_not_helpful"}


def service(value: str, start: int = 0) -> dict[str, Any]:
    return {"entity": "service", "value": value, "start": start, "end": start + len(value)}


def answer(tracker: Tracker, sender: str, buttons: list[dict[str, str]] | None = None) -> None:
    """A catalogue answer as Rasa stores it: the action, then the bot message with buttons."""
    tracker._add(sender, "action", {"name": "action_answer_service"})
    tracker._add(sender, "bot", {"text": "Persyaratan KTP: ...", "data": {"buttons": buttons}})


def press_not_helpful(tracker: Tracker, sender: str) -> int:
    return tracker.user(sender, "/answer_not_helpful", [("answer_not_helpful", 1.0)])


def test_not_helpful_flags_the_answered_message(tracker: Tracker, store: Engine) -> None:
    asked = tracker.user(
        "7200", "syarat bikin ktp apa aja", [("ask_requirements", 0.97)], [service("ktp", 13)]
    )
    answer(tracker, "7200", [{"title": "Biaya", "payload": "/ask_cost"}, NOT_HELPFUL])
    press_not_helpful(tracker, "7200")
    tracker.bot_turn("7200", "action_answer_not_helpful")
    run(tracker, store)
    [item] = items(store)
    assert (item.tracker_event_id, item.reasons) == (asked, "not_helpful")
    assert (item.text, item.intent, item.confidence) == (
        "syarat bikin ktp apa aja",
        "ask_requirements",
        0.97,
    )
    assert item.entities == [{"entity": "service", "value": "ktp", "start": 13, "end": 16}]


def test_not_helpful_adds_to_a_stored_reason(tracker: Tracker, store: Engine) -> None:
    asked = tracker.user("7201", "ktp ilang gmn", [("ask_procedure", 0.4)])
    answer(tracker, "7201", [NOT_HELPFUL])
    run(tracker, store)
    press_not_helpful(tracker, "7201")
    run(tracker, store)
    [item] = items(store)
    assert (item.tracker_event_id, item.reasons) == (asked, "low_confidence,not_helpful")


def test_not_helpful_is_not_tied_to_a_message_it_cannot_be_about(
    tracker: Tracker, store: Engine
) -> None:
    # The answer was to a button press (no words of the citizen to learn from).
    tracker.user("7202", '/ask_cost{"service": "ktp"}', [("ask_cost", 1.0)])
    answer(tracker, "7202", [NOT_HELPFUL])
    press_not_helpful(tracker, "7202")
    # The citizen wrote again and got an answer without the button, then pressed the old
    # answer's button: the press cannot be tied to the newer message.
    tracker.user("7203", "biaya ktp brp", [("ask_cost", 0.95)])
    answer(tracker, "7203", [NOT_HELPFUL])
    tracker.user("7203", "makasih", [("thank", 0.99)])
    tracker.bot_turn("7203", "utter_you_are_welcome")
    press_not_helpful(tracker, "7203")
    # A press with no message before it at all.
    press_not_helpful(tracker, "7204")
    run(tracker, store)
    assert items(store) == []


def test_not_helpful_never_reaches_a_complaint_text(tracker: Tracker, store: Engine) -> None:
    tracker.user("7205", "petugas minta uang 200rb di kelurahan", [("file_complaint", 0.95)])
    tracker._add("7205", "active_loop", {"name": "complaint_form"})
    answer(tracker, "7205", [NOT_HELPFUL])
    press_not_helpful(tracker, "7205")
    run(tracker, store)
    assert items(store) == []


def test_a_question_asked_again_in_other_words_is_a_repeat(tracker: Tracker, store: Engine) -> None:
    same_intent = tracker.user(
        "7210", "syarat bikin ktp apa", [("ask_requirements", 0.9)], [service("ktp", 13)]
    )
    answer(tracker, "7210")
    tracker.user(
        "7210",
        "persyaratan buat ktp apa aja ya kak",
        [("ask_requirements", 0.93)],
        [service("ktp", 17)],
    )
    answer(tracker, "7210")
    typo = tracker.user("7211", "jam buka samsat", [("ask_location_hours", 0.8)])
    answer(tracker, "7211")
    # Read as another intent, but the same words in another order.
    tracker.user("7211", "samsat buka jam brp", [("ask_duration", 0.7)])
    answer(tracker, "7211")
    run(tracker, store)
    assert [(i.tracker_event_id, i.reasons) for i in items(store)] == [
        (same_intent, "repeat"),
        (typo, "repeat"),
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Another aspect of the same service is a follow-up, not a repeat.
        (("syaratnya?", "ask_requirements", []), ("biayanya?", "ask_cost", [])),
        (
            ("syarat ktp apa", "ask_requirements", ["ktp"]),
            ("biaya ktp berapa", "ask_cost", ["ktp"]),
        ),
        # Another service.
        (
            ("syarat ktp apa", "ask_requirements", ["ktp"]),
            ("syarat kk apa", "ask_requirements", ["kk"]),
        ),
        # The same text again is not "in other words".
        (
            ("syarat ktp apa", "ask_requirements", ["ktp"]),
            ("Syarat KTP apa?", "ask_requirements", ["ktp"]),
        ),
        # The service named only after the assistant asked which one.
        (("syaratnya apa", "ask_requirements", []), ("ktp", "inform", ["ktp"])),
        # Same question, no service named: too little to tell a repeat from a follow-up.
        (
            ("syaratnya apa", "ask_requirements", []),
            ("apa aja syaratnya kak", "ask_requirements", []),
        ),
    ],
)
def test_follow_ups_are_not_repeats(
    tracker: Tracker, store: Engine, first: Any, second: Any
) -> None:
    for text, intent, services in (first, second):
        tracker.user("7212", text, [(intent, 0.95)], [service(s) for s in services])
        answer(tracker, "7212")
    run(tracker, store)
    assert items(store) == []


def test_a_repeat_needs_an_answer_between_and_the_window(tracker: Tracker, store: Engine) -> None:
    # Two messages in a row with no answer between them (sent before the reply came).
    tracker.user("7213", "syarat ktp apa", [("ask_requirements", 0.95)], [service("ktp")])
    tracker.user("7213", "syarat2 bikin ktp apa", [("ask_requirements", 0.95)], [service("ktp")])
    answer(tracker, "7213")
    # The same question again an hour later is a new question.
    tracker.user("7214", "syarat ktp apa", [("ask_requirements", 0.95)], [service("ktp")])
    answer(tracker, "7214")
    tracker.clock += CORRECTION_WINDOW_S + 1
    tracker.user("7214", "persyaratan ktp apa aja", [("ask_requirements", 0.95)], [service("ktp")])
    answer(tracker, "7214")
    run(tracker, store)
    assert items(store) == []


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("syrat ktp apa", "syarat ktp apa", True),
        ("berapa lama bikin paspor", "lama bikin paspor berapa hari", True),
        ("syarat ktp", "biaya ktp", False),
        ("syarat ktp", "syarat ktp", False),
    ],
)
def test_repeat_wording(before: str, after: str, expected: bool) -> None:
    a = UserMessage(1, "s", None, before, "ask_requirements", 0.9, [], [])
    b = UserMessage(2, "s", None, after, "ask_duration", 0.9, [], [])
    assert is_repeat(a, b) is expected


# -- E22: corrections in citizens' words, complaints opened by mistake, asked again ----------


@pytest.mark.parametrize(
    "text",
    [
        # The tester's words.
        "lah sy ga mau lapor, cuma nanya",
        "bukan mau lapor baru, mau nanya status laporan yg kmrn",
        "bukan itu maksud sy",
        "lho kok gitu",
        # Other ways citizens say the assistant misread them.
        "eh bukan, maksudku biayanya",
        "bkn gitu min",
        "maksud aku paspor",
        "sy ga nanya itu kak",
        "jawabannya ga nyambung",
        "kok malah nanya lokasi",
        "loh sy gak mau ngadu",
        "bukan komplain kak, nanya doang",
        "kayaknya salah paham deh",
    ],
)
def test_protests_are_corrections(text: str) -> None:
    assert is_correction(UserMessage(1, "s", None, text, "deny", 0.9, [], []))


@pytest.mark.parametrize(
    "text",
    [
        "bukan main lamanya pelayanan di sini",
        "loh kok lama banget laporan saya",
        "petugasnya salah ketik nama sy",
        "cuma mau bilang petugasnya galak",
        "min laporan sy gmn",
    ],
)
def test_complaints_and_remarks_are_not_corrections(text: str) -> None:
    assert not is_correction(UserMessage(1, "s", None, text, "deny", 0.9, [], []))


def test_a_protest_after_a_confident_wrong_answer_flags_it(tracker: Tracker, store: Engine) -> None:
    wrong = tracker.user("7300", "bot km udh mkn blm", [("affirm", 0.93)])
    tracker.bot_turn("7300")
    tracker.user("7300", "lho kok gitu", [("deny", 0.8)])
    asked = tracker.user("7301", "syarat akta lahir anak", [("ask_requirements", 0.97)])
    tracker.bot_turn("7301")
    tracker.user("7301", "sy ga nanya itu kak, maksudnya biayanya", [("ask_cost", 0.9)])
    run(tracker, store)
    assert [(i.tracker_event_id, i.reasons) for i in items(store)] == [
        (wrong, "correction"),
        (asked, "correction"),
    ]


def open_form(tracker: Tracker, sender: str) -> None:
    tracker._add(sender, "action", {"name": "complaint_form"}, action_name="complaint_form")
    tracker._add(sender, "active_loop", {"name": "complaint_form"})
    tracker._add(sender, "bot", {"text": "Baik, cerita Anda sudah saya catat. Di mana lokasinya?"})


def end_form(tracker: Tracker, sender: str, ticket: str | None = None) -> None:
    tracker._add(sender, "active_loop", {"name": None})
    if ticket:
        tracker._add(sender, "slot", {"name": "last_ticket_id", "value": ticket})
    tracker._add(sender, "bot", {"text": "Baik."})


def test_a_question_taken_for_a_complaint_is_collected_once_the_form_ends_without_a_ticket(
    tracker: Tracker, store: Engine
) -> None:
    """Joko and Udin: the form opened on a question; inside it the citizen says it was no
    complaint, then cancels. The opening message (masked) lands in the inbox with its
    prediction; what was typed in the form does not."""
    opener = tracker.user(
        "7310",
        "mo perpanjang sim c yg udh mati 2 bln bs gk, wa 0812-3456-7890",
        [("file_complaint", 0.91), ("ask_procedure", 0.05)],
    )
    open_form(tracker, "7310")
    inside = tracker.user("7310", "kalo sim a?", [("inform", 0.4)])
    tracker.bot_turn("7310")
    tracker.user("7310", "lah sy ga mau lapor, cuma nanya", [("cancel", 0.88)])
    tracker.bot_turn("7310")
    tracker.user("7310", "/affirm", [("affirm", 1.0)])
    end_form(tracker, "7310")

    status = tracker.user("7311", "laporan jalan sy kmrn gmn kbrnya min", [("file_complaint", 0.9)])
    open_form(tracker, "7311")
    tracker.user(
        "7311", "bukan mau lapor baru, mau nanya status laporan yg kmrn", [("inform", 0.7)]
    )
    tracker.bot_turn("7311")
    # Still running at the first collection: judged when the form ends.
    report = run(tracker, store)
    assert [i.tracker_event_id for i in items(store)] == [opener]
    tracker.user("7311", "batal", [("cancel", 0.99)])
    end_form(tracker, "7311")
    run(tracker, store)

    got = {i.tracker_event_id: i for i in items(store)}
    assert set(got) == {opener, status}
    assert inside not in got
    first = got[opener]
    assert (first.intent, first.confidence, first.reasons) == ("file_complaint", 0.91, "correction")
    assert "0812" not in first.text and "[TELEPON]" in first.text
    assert first.alternatives[0]["name"] == "ask_procedure"
    assert report.corrections == 1


def test_a_complaint_filed_or_given_up_never_reaches_the_inbox(
    tracker: Tracker, store: Engine
) -> None:
    # Filed after all, though the citizen said "cuma nanya" on the way.
    tracker.user("7320", "petugas kelurahan minta uang 200rb", [("file_complaint", 0.95)])
    open_form(tracker, "7320")
    tracker.user("7320", "sy cuma mau nanya kok", [("inform", 0.5)])
    tracker.user("7320", "eh yaudah lanjut aja, kirim", [("affirm", 0.9)])
    end_form(tracker, "7320", ticket="ADU-ABC123")
    # A citizen who changed their mind: the complaint was meant.
    tracker.user("7321", "dokter puskesmas cibeber judes bgt", [("file_complaint", 0.95)])
    open_form(tracker, "7321")
    tracker.user("7321", "sy ga mau lapor deh, takut", [("cancel", 0.9)])
    end_form(tracker, "7321")
    # A plain answer to an officer's question, taken for a new complaint.
    tracker.user("7322", "biasanya pagi2 jam 8an di parkiran", [("file_complaint", 0.9)])
    open_form(tracker, "7322")
    tracker.user("7322", "lho bukan, itu jawaban buat pertanyaan petugas td", [("deny", 0.9)])
    end_form(tracker, "7322")
    # The same, answered as a service question outside any form.
    tracker.user(
        "7323", "sy dtg jam 9an pak, mau ganti KK krn nambah anak", [("ask_location_hours", 0.9)]
    )
    tracker.bot_turn("7323")
    tracker.user("7323", "lho bukan, itu jawaban buat pertanyaan petugas td", [("deny", 0.9)])
    run(tracker, store)
    assert items(store) == []


def which_service(tracker: Tracker, sender: str, action: str = "utter_ask_which_service") -> None:
    tracker._add(sender, "action", {"name": "action_answer_service"})
    tracker._add(
        sender,
        "bot",
        {
            "text": "Layanan apa yang ingin Anda tanyakan persyaratannya?",
            "data": {"buttons": [{"title": "KTP", "payload": "/inform"}]},
            "metadata": {"utter_action": action},
        },
    )


def test_a_question_asked_again_after_which_service_is_a_repeat(
    tracker: Tracker, store: Engine
) -> None:
    # Tuti: the assistant could not place either wording.
    death = tracker.user(
        "7330", "bpk sy meninggal kmrn, ngurus surat2nya gmn ya", [("ask_procedure", 0.9)]
    )
    which_service(tracker, "7330")
    tracker.user("7330", "syaratnya apa aja", [("ask_requirements", 0.95)])
    which_service(tracker, "7330")
    # Wati: a slang name the model did not know, then the service named.
    slang = tracker.user(
        "7331", "mau bikin buku ijo buat umroh, apa aja yg dibawa", [("ask_requirements", 0.92)]
    )
    which_service(tracker, "7331")
    tracker.user("7331", "bikin pasport brp duit sih", [("ask_cost", 0.95)], [service("paspor", 6)])
    answer(tracker, "7331")
    # Choosing the service by typing its name is answering, not asking again.
    tracker.user("7332", "syaratnya apa", [("ask_requirements", 0.95)])
    which_service(tracker, "7332")
    tracker.user("7332", "ktp", [("inform", 0.95)], [service("ktp")])
    answer(tracker, "7332")
    run(tracker, store)
    assert [(i.tracker_event_id, i.reasons) for i in items(store)] == [
        (death, "repeat"),
        (slang, "repeat"),
    ]


def test_a_confident_message_the_assistant_did_not_understand_ended_in_fallback(
    tracker: Tracker, store: Engine
) -> None:
    def reply(sender: str, response: str) -> None:
        tracker._add(sender, "action", {"name": "action_default_fallback"})
        tracker._add(sender, "bot", {"text": "Maaf, ...", "metadata": {"utter_action": response}})

    misread = tracker.user("7340", "hrs lapor brp hari sih maksimal?", [("ask_duration", 0.91)])
    reply("7340", "utter_default")
    menu = tracker.user("7341", "gmn dong ini jd nya", [("ask_procedure", 0.88)])
    reply("7341", "utter_fallback_menu")
    # A plain answer to an officer's question (the hint to send it to the ticket): no.
    tracker.user("7342", "sy dtg jam 9an pak", [("inform", 0.9)])
    reply("7342", "utter_default_answer_hint")
    # Understood and answered: no.
    tracker.user("7343", "syarat ktp apa", [("ask_requirements", 0.95)])
    answer(tracker, "7343")
    run(tracker, store)
    assert [(i.tracker_event_id, i.reasons) for i in items(store)] == [
        (misread, "fallback"),
        (menu, "fallback"),
    ]


def test_an_answer_to_an_officer_never_stays_in_the_inbox(tracker: Tracker, store: Engine) -> None:
    """A plain answer on a ticket (possibly a confidential one) is the ticket's text: not
    collected when the assistant offered to send it to the ticket, and removed when it was
    sent there afterwards ("Kirim sebagai jawaban", or "sy td jawab pertanyaan petugas")."""
    hinted = tracker.user("7350", "biasanya pagi2 jam 8an di parkiran", [("inform", 0.3)])
    tracker._add(
        "7350",
        "bot",
        {"text": "Maaf, ...", "metadata": {"utter_action": "utter_default_answer_hint"}},
    )
    sent = tracker.user("7351", "sy dtg jam 9an, mau ganti KK", [("ask_location_hours", 0.4)])
    tracker.bot_turn("7351")
    run(tracker, store)
    assert [i.tracker_event_id for i in items(store)] == [sent]  # doubtful, so far
    tracker.user("7351", '/answer_officer{"ticket_id": "ADU-ABC123"}', [("answer_officer", 1.0)])
    run(tracker, store)
    assert items(store) == []
    assert hinted not in [i.tracker_event_id for i in items(store)]
