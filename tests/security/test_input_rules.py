"""The front end's rules for hostile input, without a server: what reaches Rasa as words,
which button data is ours, which updates are readable, and the per-chat token bucket."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot

from bot.telegram.app import readable_update, without_nul
from bot.telegram.conversation import citizen_words
from bot.telegram.rendering import parse_button
from bot.telegram.throttle import ChatThrottle, coalesce, coalescible

BOT = Bot("123:ABC")


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("/ restart", "restart"),
        (" /restart", "restart"),
        ("\u00a0/back", "back"),
        ("/ /session_start", "session_start"),
        ('/ inform{"complaint_privacy": "anonim"}', 'inform{"complaint_privacy": "anonim"}'),
        ("/", "?"),
        ("/ / ", "?"),
        ("halo /restart", "halo /restart"),
        ("  syarat KTP  ", "  syarat KTP  "),
        ("\u200b/restart", "\u200b/restart"),  # Rasa does not strip it: not a command there
    ],
)
def test_citizen_words_never_start_with_a_slash_after_rasas_strip(typed: str, sent: str) -> None:
    assert citizen_words(typed) == sent


@given(st.text())
def test_no_text_reaches_rasa_as_a_command(typed: str) -> None:
    assert not citizen_words(typed).strip().startswith("/")


@pytest.mark.parametrize(
    ("data", "index"),
    [
        ("btn:0", 0),
        ("btn:12", 12),
        ("btn:²", None),
        ("btn:٣", None),
        ("btn:-1", None),
        ("btn:1e3", None),
        ("btn:", None),
        ("consent:yes", None),
        ("", None),
        (None, None),
    ],
)
def test_only_our_button_data_has_an_index(data: str | None, index: int | None) -> None:
    assert parse_button(data) == index


@given(st.text())
def test_parse_button_never_raises(tail: str) -> None:
    parse_button("btn:" + tail)


def _message(**changes: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": 1,
        "date": 1700000000,
        "chat": {"id": 42, "type": "private", "first_name": "A"},
        "from": {"id": 42, "is_bot": False, "first_name": "A"},
        "text": "halo",
    }
    for key, value in changes.items():
        if value is None:
            message.pop(key)
        else:
            message[key] = value
    return {"update_id": 7, "message": message}


@pytest.mark.parametrize(
    "update",
    [
        _message(chat=None),
        _message(date=None),
        _message(**{"from": None}),
        _message(chat={"id": "x", "type": "private"}),
        _message(text=5),
        {"update_id": "7", "message": _message()["message"]},
        {"update_id": 7, "message": []},
        {"update_id": 7, "callback_query": {"id": "1", "from": {"id": 1}, "chat_instance": "1"}},
        "not an update",
    ],
    ids=[
        "no-chat",
        "no-date",
        "no-from",
        "chat-id-text",
        "text-number",
        "id-text",
        "message-list",
        "user-without-name",
        "string",
    ],
)
def test_unreadable_updates_are_recognised(update: Any) -> None:
    assert readable_update(update, BOT) is None


def test_readable_updates_are_read() -> None:
    assert readable_update(_message(), BOT) is not None
    channel_post = {
        "update_id": 8,
        "channel_post": {
            "message_id": 1,
            "date": 1700000000,
            "chat": {"id": -100, "type": "channel", "title": "K"},
            "text": "x",
        },
    }
    assert readable_update(channel_post, BOT) is not None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_allows_a_burst_then_one_per_interval() -> None:
    clock = Clock()
    throttle = ChatThrottle(burst=3, interval_s=2.0, clock=clock)
    for _ in range(3):
        assert throttle.wait_s("a") == 0
        throttle.take("a")
    assert throttle.wait_s("a") == pytest.approx(2.0)
    assert throttle.wait_s("b") == 0  # another chat is not slowed
    clock.now = 1.0
    assert throttle.wait_s("a") == pytest.approx(1.0)
    clock.now = 2.0
    assert throttle.wait_s("a") == 0


def test_one_notice_per_flood() -> None:
    clock = Clock()
    throttle = ChatThrottle(burst=2, interval_s=1.0, clock=clock)
    for _ in range(2):
        throttle.take("a")
    assert throttle.first_wait("a") is True
    clock.now = 1.0
    throttle.take("a")
    assert throttle.first_wait("a") is False  # the same flood
    clock.now = 10.0  # quiet: the bucket is full again
    for _ in range(2):
        throttle.take("a")
    assert throttle.first_wait("a") is True
    throttle.forget_idle()
    clock.now = 20.0
    throttle.forget_idle()
    assert throttle.wait_s("a") == 0


def test_an_interval_of_zero_turns_the_limit_off() -> None:
    throttle = ChatThrottle(burst=1, interval_s=0)
    for _ in range(100):
        assert throttle.wait_s("a") == 0
        throttle.take("a")


def test_texts_are_coalesced_in_order_under_the_first_update() -> None:
    from telegram import Update

    updates = [Update.de_json(_message(text=f"baris {i}") | {"update_id": i}, BOT) for i in (1, 2)]
    assert all(u is not None and coalescible(u) for u in updates)
    merged = coalesce([u for u in updates if u is not None], BOT)
    assert merged.update_id == 1
    assert merged.message is not None and merged.message.text == "baris 1\nbaris 2"
    command = Update.de_json(
        _message(text="/status", entities=[{"type": "bot_command", "offset": 0, "length": 7}]),
        BOT,
    )
    assert command is not None and not coalescible(command)


def test_nul_is_dropped_from_every_text_of_an_update() -> None:
    raw = {"update_id": 1, "message": {"text": "a\x00b", "entities": [{"type": "x\x00"}]}}
    clean = {"update_id": 1, "message": {"text": "ab", "entities": [{"type": "x"}]}}
    assert without_nul(raw) == clean
    assert without_nul("\x00") == "" and without_nul(5) == 5


def test_the_shipped_limit_turns_a_flood_into_a_few_turns_and_spares_a_dialogue() -> None:
    """CHAT_RATE_BURST and CHAT_RATE_INTERVAL_S as shipped, on a simulated clock: 100
    messages in 10 seconds, each turn taking 0.1 s, become at most 30 turns (the waiting
    texts coalesced); a citizen writing every 1.5 s (each answer read first) never waits."""
    from bot.config import Settings

    burst = Settings.model_fields["chat_rate_burst"].default
    interval = Settings.model_fields["chat_rate_interval_s"].default
    clock = Clock()
    throttle = ChatThrottle(burst, interval, clock)
    arrivals = [i * 0.1 for i in range(100)]
    turns, waits, handled = 0, 0, 0
    while handled < len(arrivals):
        clock.now = max(clock.now, arrivals[handled])
        wait = throttle.wait_s("flood")
        if wait > 0:
            waits += 1
            clock.now += wait
            handled = sum(1 for t in arrivals if t <= clock.now)  # all queued so far go along
        else:
            handled += 1
        throttle.take("flood")
        turns += 1
        clock.now += 0.1
    assert turns <= 30 and waits > 0
    for i in range(50):
        clock.now = 1000 + i * 1.5
        assert throttle.wait_s("dialogue") == 0
        throttle.take("dialogue")
