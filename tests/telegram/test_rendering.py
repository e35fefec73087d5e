"""Unit tests of turning Rasa replies into Telegram messages."""

from __future__ import annotations

from bot.telegram import rendering
from bot.texts import text


def test_buttons_stay_with_their_text() -> None:
    replies = [
        {"text": "Baik, saya bantu."},
        {"text": "Pilih kategori:", "buttons": [{"title": "Pungli", "payload": "/inform"}]},
        {"text": "Catatan penutup"},
    ]
    messages = rendering.from_rasa(replies)
    assert [m.text for m in messages] == ["Baik, saya bantu.\n\nPilih kategori:", "Catatan penutup"]
    assert messages[0].buttons == [("Pungli", "/inform")]
    assert messages[1].buttons == []


def test_rasa_paragraph_split_is_joined_again() -> None:
    replies = [{"text": "Tiket ADU-7K3M9P diterima."}, {"text": "Simpan nomor tiket Anda."}]
    (message,) = rendering.from_rasa(replies)
    assert message.text == "Tiket ADU-7K3M9P diterima.\n\nSimpan nomor tiket Anda."


def test_empty_replies_give_no_messages() -> None:
    assert rendering.from_rasa([]) == []
    assert rendering.from_rasa([{"text": "  "}]) == []


def test_buttons_without_text_get_a_placeholder() -> None:
    (message,) = rendering.from_rasa([{"buttons": [{"title": "Ya", "payload": "/affirm"}]}])
    assert message.text == "…" and message.buttons == [("Ya", "/affirm")]


def test_html_is_escaped() -> None:
    assert rendering.escape("<script>alert('x')</script> & co") == (
        "&lt;script&gt;alert('x')&lt;/script&gt; &amp; co"
    )


def test_split_respects_the_limit_and_loses_nothing() -> None:
    paragraph = "Kalimat pengaduan yang cukup panjang. " * 40
    long_text = "\n\n".join([paragraph] * 6)
    chunks = rendering.split(long_text, 4096)
    assert len(chunks) > 1
    assert all(len(c) <= 4096 for c in chunks)
    assert "".join(c.replace("\n", "").replace(" ", "") for c in chunks) == long_text.replace(
        "\n", ""
    ).replace(" ", "")


def test_split_of_a_single_unbroken_word() -> None:
    chunks = rendering.split("x" * 9000, 4096)
    assert [len(c) for c in chunks] == [4096, 4096, 808]


def test_split_short_text_is_untouched() -> None:
    assert rendering.split("halo") == ["halo"]
    assert rendering.split("") == [""]


def test_html_chunks_split_before_escaping() -> None:
    chunks = rendering.html_chunks("<" * 5000, 4096)
    assert [c.count("&lt;") for c in chunks] == [4096, 904]


def test_keyboard_carries_indexes_not_payloads() -> None:
    markup = rendering.keyboard(["Persyaratan", "Biaya", "Lama proses"])
    rows = markup.inline_keyboard
    assert [len(r) for r in rows] == [2, 1]
    assert [b.callback_data for r in rows for b in r] == ["btn:0", "btn:1", "btn:2"]
    assert all(len(str(b.callback_data).encode()) <= 64 for r in rows for b in r)


def test_long_button_titles_are_shortened() -> None:
    markup = rendering.keyboard(["x" * 200])
    assert len(markup.inline_keyboard[0][0].text) == rendering.MAX_BUTTON_TITLE


def test_parse_button() -> None:
    assert rendering.parse_button("btn:3") == 3
    assert rendering.parse_button("btn:") is None
    assert rendering.parse_button("btn:x") is None
    assert rendering.parse_button("consent:yes") is None
    assert rendering.parse_button(None) is None


def test_texts_render_placeholders() -> None:
    assert "@layanan_bot" in text("group_only_private", username="layanan_bot")
    assert "10 MB" in text("attachment_too_big", limit_mb=10)
