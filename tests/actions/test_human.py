"""Asking for a person (actions/human.py) with a real database: within the unit's service
hours a live chat opens with the conversation so far (never a complaint form's, a rating's
or a ticket's lines); outside them, and on a holiday, the honest answer with the choice of
a complaint or a call-back; the call-back button records the request."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from actions.human import ActionRequestCallback, ActionRequestHuman, conversation_before
from actions.service_info import ActionAnswerService
from bot.config import get_settings
from bot.handoff.chats import LiveChats
from bot.handoff.reports import live_report
from bot.store.models import Holiday, LiveChat, LiveChatMessage, OfficerRole
from bot.store.repository import Repository
from tests.utils.actions import entity, make_tracker, responses, texts
from tests.utils.officer import add_officer, viewer

JAKARTA = ZoneInfo("Asia/Jakarta")
TUESDAY_MORNING = datetime(2026, 12, 1, 9, 30, tzinfo=JAKARTA)
SUNDAY_NIGHT = datetime(2026, 12, 6, 22, 0, tzinfo=JAKARTA)
T0 = TUESDAY_MORNING.timestamp()


def events() -> list[dict[str, Any]]:
    """A chat: a service question, a complaint form run, a rating, then the request."""

    def user(text: str, intent: str, at: float) -> dict[str, Any]:
        return {
            "event": "user",
            "text": text,
            "timestamp": at,
            "parse_data": {"intent": {"name": intent}},
        }

    def bot(text: str, at: float) -> dict[str, Any]:
        return {"event": "bot", "text": text, "timestamp": at}

    return [
        user("syarat ktp apa TANYAAWAL", "ask_requirements", T0 - 600),
        bot("Syarat KTP-el: ...", T0 - 599),
        user("mau lapor pungli FORMULIR", "file_complaint", T0 - 500),
        {"event": "active_loop", "name": "complaint_form", "timestamp": T0 - 499},
        bot("Ceritakan pengaduan Anda", T0 - 498),
        user("petugas minta uang RAHASIAFORM", "inform", T0 - 400),
        {"event": "active_loop", "name": None, "timestamp": T0 - 300},
        bot("Laporan ADU-7K3M9P tercatat", T0 - 299),
        user("nilai 1 petugasnya NILAIRAHASIA", "give_feedback", T0 - 200),
        bot("Terima kasih atas penilaian", T0 - 199),
        user("bisa bicara dengan petugas?", "request_human", T0 - 10),
    ]


def test_the_conversation_so_far_leaves_out_complaints_ratings_and_the_request() -> None:
    lines = conversation_before(events(), TUESDAY_MORNING)
    said = " ".join(text for _, _, text in lines)
    assert "TANYAAWAL" in said and "Syarat KTP-el" in said
    for hidden in ("FORMULIR", "RAHASIAFORM", "ADU-7K3M9P", "NILAIRAHASIA", "penilaian", "bicara"):
        assert hidden not in said, hidden
    assert conversation_before(events(), TUESDAY_MORNING.replace(day=3)) == []  # a day later


def _ask(clock: datetime, slots: dict[str, Any] | None = None) -> CollectingDispatcher:
    action = ActionRequestHuman()
    action.clock = lambda: clock
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "bisa bicara dengan petugas?", "request_human", slots=slots, sender="7201", events=events()
    )
    action.run(dispatcher, tracker, {})
    return dispatcher


def test_within_hours_a_live_chat_opens(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher = _ask(TUESDAY_MORNING, {"service": "ktp"})
    assert responses(dispatcher) == [
        "utter_office_contact",
        "utter_helpdesk_contact",
        "utter_live_waiting",
    ]
    assert "Kependudukan" in texts(domain, dispatcher)[-1]
    with Session(repo.engine) as s:
        chat = s.scalar(select(LiveChat))
        assert chat is not None and (chat.state, chat.office_id) == ("waiting", "disdukcapil")
        history = list(s.scalars(select(LiveChatMessage.text)))
    assert any("TANYAAWAL" in h for h in history)
    assert not any("RAHASIAFORM" in h or "NILAIRAHASIA" in h for h in history)


def test_outside_hours_and_on_holidays_the_honest_answer(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher = _ask(SUNDAY_NIGHT, {"service": "ktp"})
    assert responses(dispatcher)[-2:] == ["utter_national_complaint_channel", "utter_request_human"]
    said = texts(domain, dispatcher)[-1]
    assert "di luar jam layanan" in said and "Senin–Jumat 08.00–15.00" in said
    payloads = [b["payload"] for b in domain["responses"]["utter_request_human"][0]["buttons"]]
    assert payloads == ["/file_complaint", "/request_callback", "/deny"]
    with Session(repo.engine, expire_on_commit=False) as s, s.begin():
        s.execute(
            insert(Holiday).values(day=TUESDAY_MORNING.date(), name="Uji", kind="libur_nasional")
        )
    assert responses(_ask(TUESDAY_MORNING))[-1] == "utter_request_human"
    with Session(repo.engine) as s:
        reasons = list(s.scalars(select(LiveChat.end_reason)))
    assert reasons == ["outside_hours", "outside_hours"]


def _max_bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    return deepest


def test_the_outside_hours_answer_has_no_nested_brackets_and_asks_to_choose(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """Hours as the catalogue writes them carry a bracket ('(istirahat 12.00–13.00)'): the
    texts quoting them put them in none. The question under the three buttons asks for a
    choice among them, not a yes/no about a complaint."""
    dispatcher = _ask(SUNDAY_NIGHT, {"service": "ktp"})
    said = texts(domain, dispatcher)
    assert any("(istirahat 12.00–13.00)" in line for line in said)
    for line in said:
        assert _max_bracket_depth(line) <= 1, line
    outside = said[-1]
    assert "Ingin membuat pengaduan sekarang?" not in outside
    assert outside.endswith("Silakan pilih salah satu di bawah ini.")
    buttons = domain["responses"]["utter_request_human"][0]["buttons"]
    assert [b["title"] for b in buttons] == [
        "Buat pengaduan",
        "Minta dihubungi nanti",
        "Tidak, terima kasih",
    ]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("pbb berapa lama prosesnya", "ask_duration", [entity("service", "pbb")])
    ActionAnswerService().run(dispatcher, tracker, domain)
    (gap,) = texts(domain, dispatcher)
    assert "istirahat" in gap and _max_bracket_depth(gap) <= 1, gap


def test_the_call_back_button_records_the_request(repo: Repository) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("/request_callback", "request_callback", sender="7202")
    ActionRequestCallback().run(dispatcher, tracker, {})
    assert responses(dispatcher) == ["utter_callback_noted"]
    with Session(repo.engine) as s:
        assert s.scalar(select(LiveChat.state).where(LiveChat.sender_id == "7202")) == "callback"


def test_a_form_cut_short_by_a_restart_stays_hidden_and_later_chat_shows() -> None:
    """A restart ends the form's run: its messages stay hidden, the questions after show."""
    chat = [
        *events()[:6],
        {"event": "restart", "timestamp": T0 - 350},
        {
            "event": "user",
            "text": "jam buka kantor SETELAHULANG",
            "timestamp": T0 - 100,
            "parse_data": {"intent": {"name": "ask_location_hours"}},
        },
        {"event": "user", "text": "bisa bicara dengan petugas?", "timestamp": T0 - 10},
    ]
    said = " ".join(text for _, _, text in conversation_before(chat, TUESDAY_MORNING))
    assert "SETELAHULANG" in said
    assert "RAHASIAFORM" not in said and "FORMULIR" not in said


def test_a_pinned_service_clock_never_makes_a_negative_wait(
    repo: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TEST_FIXED_NOW decides only whether the unit is open: the request is stored at the
    present, the clock the officer's take uses too, so the wait is what really passed."""
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("TEST_FIXED_NOW", "2026-12-01T09:30:00+07:00")  # a Tuesday, open
    get_settings.cache_clear()
    try:
        before = datetime.now(timezone.utc)
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(
            "bisa bicara dengan petugas?", "request_human", slots={"service": "ktp"}, sender="7203"
        )
        ActionRequestHuman().run(dispatcher, tracker, {})
        assert responses(dispatcher)[-1] == "utter_live_waiting"  # the pinned clock: open
        with Session(repo.engine) as s:
            chat = s.scalars(select(LiveChat).where(LiveChat.sender_id == "7203")).one()
        requested = chat.requested_at.replace(tzinfo=timezone.utc)
        assert before - timedelta(seconds=1) <= requested <= datetime.now(timezone.utc)
        officer = viewer(
            repo.engine, add_officer(repo.engine, "budi", OfficerRole.OFFICER, ["disdukcapil"])
        )
        LiveChats(repo.engine).take(officer, chat.id)
        today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
        total = live_report(repo.engine, today - timedelta(days=1), today, "Asia/Jakarta")[1]
        assert total.handled == 1
        assert total.wait_median_s is not None and 0 <= total.wait_median_s < 60
    finally:
        get_settings.cache_clear()
