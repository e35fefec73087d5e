"""Starting a complaint: the first reply is the form's first question and nothing else.

End to end through Rasa's REST channel with a real Rasa server, our action server and a
real SQLite file. Every entry point into the complaint form is tried; none may send a
validation error (issue 7, section 2: five of them used to arrive before the question).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

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

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
VALIDATION_ERRORS = (
    "utter_description_too_short",
    "utter_description_too_long",
    "utter_location_too_short",
    "utter_location_too_long",
    "utter_category_invalid",
    "utter_privacy_invalid",
    "utter_confirm_invalid",
)


def response_text(name: str) -> str:
    """The text of a response in domain.yml."""
    return str(DOMAIN["responses"][name][0]["text"])


def fixed_part(name: str) -> str:
    """The part of a response's text before its first {placeholder}."""
    return re.split(r"\{\w+\}", response_text(name))[0]


# What the citizen must see first: the first question, and only that.
FIRST_QUESTION = response_text("utter_complaint_start")
FIRST_QUESTION_AFTER_STORY = response_text("utter_complaint_start_with_story")
ERROR_TEXTS = [fixed_part(name) for name in VALIDATION_ERRORS]


def assert_only_the_first_question(texts: list[str], expected: str) -> None:
    """`texts` is exactly the first question; no validation error anywhere."""
    for text in texts:
        for error in ERROR_TEXTS:
            assert error not in text, f"validation error {error!r} in the first reply: {texts}"
    assert texts == [expected]


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

    def texts(self, message: str) -> list[str]:
        return [m.get("text", "") for m in self.say(message)]


@pytest.fixture(scope="module")
def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Action server + Rasa server on free ports, sharing a fresh SQLite database."""
    ensure_model()
    folder = tmp_path_factory.mktemp("form-start")
    database_url = f"sqlite:///{folder / 'e2e.db'}"
    action_port, rasa_port = free_port(), free_port()
    actions = start_action_server(action_port, database_url, folder / "actions.log")
    rasa = start_rasa_server(rasa_port, action_port, folder / "rasa.log")
    try:
        wait_http(f"http://127.0.0.1:{action_port}/health", 60, actions)
        wait_http(f"http://127.0.0.1:{rasa_port}/status", 180, rasa)
        yield f"http://127.0.0.1:{rasa_port}"
    except Exception:
        for log in ("actions.log", "rasa.log"):
            print(f"--- {log}\n" + (folder / log).read_text(errors="replace")[-4000:])
        raise
    finally:
        stop(rasa)
        stop(actions)


def test_the_first_question_asks_for_the_story() -> None:
    # The guard of the other tests: the expected first message really is a question.
    assert "ceritakan pengaduan" in FIRST_QUESTION
    assert "Di mana lokasinya?" in FIRST_QUESTION_AFTER_STORY


@pytest.mark.parametrize(
    "opener",
    [
        "saya mau lapor",
        "pak saya mau ngadu",
        "saya ingin menyampaikan pengaduan",
        "mau komplain",
    ],
)
def test_free_text_opener(rasa_url: str, opener: str) -> None:
    chat = Chat(rasa_url, f"start-text-{opener}")
    assert_only_the_first_question(chat.texts(opener), FIRST_QUESTION)


def test_menu_button_buat_pengaduan(rasa_url: str) -> None:
    # The "Buat pengaduan" button of the menu (and Telegram's /lapor) sends this payload.
    menu = Chat(rasa_url, "start-button").say("halo")
    payload = next(
        b["payload"] for m in menu for b in m.get("buttons", []) if b["title"] == "Buat pengaduan"
    )
    assert_only_the_first_question(Chat(rasa_url, "start-button").texts(payload), FIRST_QUESTION)


def test_mau_lapor_after_a_service_question(rasa_url: str) -> None:
    chat = Chat(rasa_url, "start-after-question")
    assert any("Biaya" in t for t in chat.texts("biaya SIM C berapa?"))
    assert_only_the_first_question(chat.texts("mau lapor"), FIRST_QUESTION)


def test_mau_lapor_after_a_fallback(rasa_url: str) -> None:
    chat = Chat(rasa_url, "start-after-fallback")
    assert chat.texts("asdkjh qwe zxcmnb") == [response_text("utter_default")]
    assert_only_the_first_question(chat.texts("saya mau lapor"), FIRST_QUESTION)


def test_menu_button_after_two_fallbacks(rasa_url: str) -> None:
    chat = Chat(rasa_url, "start-after-two-fallbacks")
    chat.say("asdkjh qwe zxcmnb")
    menu = chat.say("qqq wwww eeee rrrr")
    assert menu[0]["text"] == response_text("utter_fallback_menu")
    payload = next(b["payload"] for b in menu[0]["buttons"] if b["title"] == "Buat pengaduan")
    assert_only_the_first_question(chat.texts(payload), FIRST_QUESTION)


def test_an_opener_with_the_whole_story_asks_for_the_location(rasa_url: str) -> None:
    chat = Chat(rasa_url, "start-with-story")
    story = (
        "saya mau lapor, lampu penerangan jalan depan rumah mati sudah tiga minggu "
        "dan malam hari gelap sekali"
    )
    assert_only_the_first_question(chat.texts(story), FIRST_QUESTION_AFTER_STORY)


def test_an_opener_that_names_the_place_says_so_and_asks_what_is_missing(rasa_url: str) -> None:
    chat = Chat(rasa_url, "start-with-place")
    story = (
        "saya mau lapor, lampu penerangan jalan di gang Kenanga mati sudah tiga minggu "
        "dan malam hari gelap sekali"
    )
    noted, question = chat.texts(story)
    assert "gang Kenanga" in noted and "sudah saya catat" in noted
    assert question.startswith(fixed_part("utter_ask_complaint_category"))
    for text in (noted, question):
        assert not any(error and error in text for error in ERROR_TEXTS)


def test_a_second_complaint_starts_as_cleanly_as_the_first(rasa_url: str) -> None:
    chat = Chat(rasa_url, "start-twice")
    assert_only_the_first_question(chat.texts("saya mau lapor"), FIRST_QUESTION)
    # /batal on Telegram and the cancel buttons send this payload.
    assert "dibatalkan" in "\n".join(chat.texts("/cancel"))
    assert_only_the_first_question(chat.texts("saya mau lapor"), FIRST_QUESTION)


def test_only_the_answer_to_the_question_asked_is_judged(rasa_url: str) -> None:
    # A too-short story gets exactly one error (about the story) and the question again.
    chat = Chat(rasa_url, "start-then-short")
    assert_only_the_first_question(chat.texts("saya mau lapor"), FIRST_QUESTION)
    replies = chat.texts("jalan rusak")
    assert len(replies) == 2, replies
    assert replies[0].startswith(fixed_part("utter_description_too_short"))
    assert replies[1] == response_text("utter_ask_complaint_description")
    # A story long enough moves on to the location, again without any error.
    replies = chat.texts(
        "Jalan di depan sekolah berlubang besar sudah dua bulan, motor sering jatuh"
    )
    assert replies == [response_text("utter_ask_complaint_location")]
