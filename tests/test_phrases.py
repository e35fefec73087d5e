"""bot.phrases: questions are never answers, and only a clear yes is a yes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.phrases import (
    HESITATION_WORDS,
    YES_WORDS,
    asks_about_own_report,
    asks_the_citizen,
    asks_yes_no,
    is_clear_yes,
    looks_like_question,
    says_answered_officer,
)


@pytest.mark.parametrize(
    "text",
    ["ya", "iya kirim", "ok lanjut", "nggih leres", "ya, sudah benar", "sip, udah pas", "Yes"],
)
def test_clear_yes(text: str) -> None:
    assert is_clear_yes(text)


@pytest.mark.parametrize(
    "text",
    [
        "oh iya, sebelum dikirim mau nanya dulu",
        "iya tapi lokasinya salah",
        "ok kalo perpanjang sim c online bisa?",
        "ya bentar",
        "iya, kategori diganti ya",
        "oke. eh alamatnya kurang lengkap",
        "",
        "   ",
        "5",
    ],
)
def test_not_a_clear_yes(text: str) -> None:
    assert not is_clear_yes(text)


@pytest.mark.parametrize(
    "text", ["bisa online gk?", "trus bayarnya dmn ya", "kalau SIM C berapa", "piye carane"]
)
def test_questions(text: str) -> None:
    assert looks_like_question(text)


yes_phrase = st.lists(st.sampled_from(sorted(YES_WORDS)), min_size=1, max_size=4).map(" ".join)


@given(yes_phrase, st.text(max_size=40))
def test_a_question_mark_is_never_a_yes(phrase: str, extra: str) -> None:
    assert not is_clear_yes(f"{phrase} {extra}?")


@given(yes_phrase, st.sampled_from(sorted(HESITATION_WORDS)))
def test_a_hesitation_undoes_a_yes(phrase: str, word: str) -> None:
    assert not is_clear_yes(f"{phrase} {word}")


@given(st.text(max_size=200))
def test_never_crashes(text: str) -> None:
    is_clear_yes(text)
    looks_like_question(text)


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("min laporan sy yg pungli kemaren gmn ya", True),
        ("aduan aku udah diproses blm", True),
        ("tiketnya udah sampe mana min", True),
        ("syarat bikin ktp apa aja", False),
        ("gimana cara lapor pungli", False),
        # Black-box tester D14/D15: the report named by what the citizen did.
        ("trus yg kmrn sy laporin jg gmn ya", True),
        ("aduan sy yg kemaren udh smp mana ya?", True),
        ("yang saya laporkan minggu lalu sudah ditindaklanjuti belum?", True),
        ("yg aku aduin kemarin gmn kabarnya", True),
        ("sy mau lapor gmn caranya", False),
        ("gmn cara ngelaporin pungli", False),
        # "-nya" on any word ("biasanya", "caranya") is not "mine" (second round, D5).
        ("bentar, biasanya laporan gini brp lama ditindaklanjuti?", False),
        ("caranya bikin pengaduan gimana", False),
        ("laporanku udah sampai mana", True),
        ("aduannya udah diproses blm min", True),
    ],
)
def test_a_question_about_ones_own_report(text: str, asks: bool) -> None:
    assert asks_about_own_report(text) is asks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bikin NIB buat usaha kue rumahan bayar gak sih", True),
        ("skck bisa diwakilin ga kak", True),
        ("perpanjang sim harus tes lagi nggak", True),
        ("brp biayanya", True),
        ("sy ga jadi", False),
        ("pokoknya saya gak", False),
        ("makasih ya", False),
    ],
)
def test_asks_yes_no(text: str, expected: bool) -> None:
    assert asks_yes_no(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lho sy td jawab pertanyaan petugas", True),  # E10, the tester's words
        ("lho bukan, itu jawaban buat pertanyaan petugas td", True),
        ("tadi itu balasan sy buat petugasnya", True),
        ("yg barusan itu jawaban utk petugas ya min", True),
        ("mau jawab pertanyaan petugas gmn caranya", False),  # not yet answered
        ("petugasnya td jawab apa ya", False),
        ("sy dtg jam 9an pak, mau ganti KK krn nambah anak", False),
    ],
)
def test_says_the_previous_message_answered_the_officer(text: str, expected: bool) -> None:
    assert says_answered_officer(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jam berapa kejadiannya?", True),
        ("Apakah petugasnya sudah menghubungi Anda", True),
        ("Mohon kirimkan foto lokasinya.", True),
        ("Silakan jelaskan kronologinya agar kami bisa menindaklanjuti.", True),
        ("Laporan Anda sudah kami teruskan ke Disdukcapil.", False),
        ("Terima kasih, petugas kami akan segera ke lokasi.", False),
    ],
)
def test_asks_the_citizen(text: str, expected: bool) -> None:
    """An officer's reply that waits for the citizen's answer (bot/telegram/answers.py)."""
    assert asks_the_citizen(text) is expected
