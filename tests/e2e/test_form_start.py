"""Starting a complaint: the first reply is the form's first question and nothing else.

End to end through Rasa's REST channel with a real Rasa server, our action server and a
real SQLite file. Every entry point into the complaint form is tried; none may send a
validation error (issue 7, section 2: five of them used to arrive before the question).
"""

from __future__ import annotations

import pytest

from devtools.devstack import Servers
from tests.utils.chat import Chat
from tests.utils.domain import (
    ERROR_TEXTS,
    FIRST_QUESTION,
    FIRST_QUESTION_AFTER_STORY,
    assert_only_the_first_question,
    fixed_part,
    response_text,
)

pytestmark = pytest.mark.rasa


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
def test_free_text_opener(stack: Servers, opener: str) -> None:
    chat = Chat(stack.rasa_url, f"start-text-{opener}")
    assert_only_the_first_question(chat.texts(opener))


def test_menu_button_buat_pengaduan(stack: Servers) -> None:
    # The "Buat pengaduan" button of the menu (and Telegram's /lapor) sends this payload.
    menu = Chat(stack.rasa_url, "start-button").say("halo")
    payload = next(
        b["payload"] for m in menu for b in m.get("buttons", []) if b["title"] == "Buat pengaduan"
    )
    assert_only_the_first_question(Chat(stack.rasa_url, "start-button").texts(payload))


def test_mau_lapor_after_a_service_question(stack: Servers) -> None:
    chat = Chat(stack.rasa_url, "start-after-question")
    assert any("Biaya" in t for t in chat.texts("biaya SIM C berapa?"))
    assert_only_the_first_question(chat.texts("mau lapor"))


def test_mau_lapor_after_a_fallback(stack: Servers) -> None:
    chat = Chat(stack.rasa_url, "start-after-fallback")
    assert chat.texts("asdkjh qwe zxcmnb") == [response_text("utter_default")]
    assert_only_the_first_question(chat.texts("saya mau lapor"))


def test_menu_button_after_two_fallbacks(stack: Servers) -> None:
    chat = Chat(stack.rasa_url, "start-after-two-fallbacks")
    chat.say("asdkjh qwe zxcmnb")
    menu = chat.say("qqq wwww eeee rrrr")
    assert menu[0]["text"] == response_text("utter_fallback_menu")
    payload = next(b["payload"] for b in menu[0]["buttons"] if b["title"] == "Buat pengaduan")
    assert_only_the_first_question(chat.texts(payload))


def test_an_opener_with_the_whole_story_asks_for_the_location(stack: Servers) -> None:
    chat = Chat(stack.rasa_url, "start-with-story")
    story = (
        "saya mau lapor, lampu penerangan jalan depan rumah mati sudah tiga minggu "
        "dan malam hari gelap sekali"
    )
    assert_only_the_first_question(chat.texts(story), FIRST_QUESTION_AFTER_STORY)


def test_an_opener_that_names_the_place_says_so_and_asks_what_is_missing(stack: Servers) -> None:
    chat = Chat(stack.rasa_url, "start-with-place")
    story = (
        "saya mau lapor, lampu penerangan jalan di gang Kenanga mati sudah tiga minggu "
        "dan malam hari gelap sekali"
    )
    noted, question = chat.texts(story)
    assert "gang Kenanga" in noted and "sudah saya catat" in noted
    assert question.startswith(fixed_part("utter_ask_complaint_category"))
    for text in (noted, question):
        assert not any(error and error in text for error in ERROR_TEXTS)


def test_a_second_complaint_starts_as_cleanly_as_the_first(stack: Servers) -> None:
    chat = Chat(stack.rasa_url, "start-twice")
    assert_only_the_first_question(chat.texts("saya mau lapor"))
    # /batal on Telegram and the cancel buttons send this payload.
    assert "dibatalkan" in "\n".join(chat.texts("/cancel"))
    assert_only_the_first_question(chat.texts("saya mau lapor"))


def test_only_the_answer_to_the_question_asked_is_judged(stack: Servers) -> None:
    # A too-short story gets exactly one message: the error about the story, which asks for
    # more itself (not the question again in the same reply: second black-box round, N8).
    chat = Chat(stack.rasa_url, "start-then-short")
    assert_only_the_first_question(chat.texts("saya mau lapor"))
    replies = chat.texts("jalan rusak")
    assert len(replies) == 1, replies
    assert replies[0].startswith(fixed_part("utter_description_too_short"))
    # A story long enough moves on to the location, again without any error.
    replies = chat.texts(
        "Jalan di depan sekolah berlubang besar sudah dua bulan, motor sering jatuh"
    )
    assert replies == [response_text("utter_ask_complaint_location")]
