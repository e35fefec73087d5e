"""bot.ratings: a 1..5 score read from what a citizen writes, and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.ratings import (
    NUMBER_WORDS,
    ScoreReading,
    is_follow_up,
    is_rating_request,
    looks_like_comment,
    read_score,
)

WORDS_FOR = {
    1: ["satu", "siji", "hiji", "one"],
    2: ["dua", "loro", "two"],
    3: ["tiga", "telu", "tilu", "three"],
    4: ["empat", "papat", "opat", "four"],
    5: ["lima", "limo", "five"],
}
# Text around a score that holds no number and no star of its own.
PLAIN = st.text(alphabet="abcdeghkmopstuwy ", max_size=40)  # no "r", "n": no rating word


# -- any text ------------------------------------------------------------------------------


@given(st.text(), st.booleans())
@example("⭐" * 500, True)
@example("9" * 5000, True)
@example("nilai " + "9" * 400, False)
@example("4,5/5", True)
@example("\x00\ufe0f⭐\ufe0f", True)
def test_any_text_is_read_without_crashing_and_only_1_to_5_is_a_score(
    text: str, expecting: bool
) -> None:
    reading = read_score(text, expecting=expecting)
    assert isinstance(reading, ScoreReading)
    assert reading.score is None or reading.score in {1, 2, 3, 4, 5}
    # A score and a rejection never come together.
    assert reading.score is None or reading.rejected is None
    is_rating_request(text)
    looks_like_comment(text)


@given(st.integers(min_value=1, max_value=5), st.booleans())
def test_a_bare_digit_counts_only_when_a_rating_was_asked_for(score: int, expecting: bool) -> None:
    reading = read_score(f"{score}", expecting=expecting)
    if expecting:
        assert reading.score == score
    else:
        assert reading.score is None
        assert reading.unsure == str(score)  # the action may ask whether it is a rating


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=6)))
def test_numbers_outside_1_to_5_are_rejected_never_clamped(number: int) -> None:
    for text in (f"nilai {number}", f"{number} bintang", f"rating: {number}"):
        reading = read_score(text)
        assert reading.score is None, text
        assert reading.rejected is not None, text
    bare = read_score(f"{number}", expecting=True)
    assert bare.score is None
    assert bare.rejected == str(number)


@pytest.mark.parametrize("text", ["10", "0", "nilai 10", "10/10", "skor 80 dari 100", "6 bintang"])
def test_ten_and_zero_are_rejected(text: str) -> None:
    reading = read_score(text, expecting=True)
    assert reading.score is None
    assert reading.rejected


@pytest.mark.parametrize("text", ["4,5", "nilai 4.5", "3,5 bintang"])
def test_a_fraction_is_rejected_not_rounded(text: str) -> None:
    reading = read_score(text, expecting=True)
    assert reading.score is None
    assert reading.rejected


# -- the ways a score is written --------------------------------------------------------------


@given(st.sampled_from([1, 2, 3, 4, 5]), PLAIN, PLAIN)
def test_explicit_scores_are_found_anywhere_without_context(
    score: int, before: str, after: str
) -> None:
    for word in [str(score), *WORDS_FOR[score]]:
        for phrase in (f"nilai {word}", f"{word} bintang", f"bintang {word}", f"rating: {word}"):
            text = f"{before}, {phrase}, {after}"
            assert read_score(text).score == score, text
    assert read_score(f"{before}, {'⭐' * score}, {after}").score == score
    assert read_score(f"{before} {score}/5 {after}").score == score
    assert read_score(f"{before} {score} dari 5 {after}").score == score


@pytest.mark.parametrize("score", [1, 2, 3, 4, 5])
def test_number_words_in_three_languages_after_the_stars(score: int) -> None:
    for word in WORDS_FOR[score]:
        assert read_score(word, expecting=True).score == score, word
        assert read_score(word.capitalize() + "!", expecting=True).score == score, word
        assert NUMBER_WORDS[word] == score


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("5", 5),
        ("4 aja", 4),
        ("yg 3 deh kak", 3),
        ("lima, mantap pelayanannya cepet", 5),
        ("pelayanannya cepet, 4", 4),
        ("2. antrenya kelamaan", 2),
        ("5 mantap", 5),
        ("papat wae mas", 4),
        ("⭐⭐⭐⭐", 4),
        ("★★★☆☆", 3),
        ("🌟🌟", 2),
        ("⭐️⭐️⭐️⭐️⭐️", 5),
        ("4 bintang deh", 4),
        ("bintang tilu", 3),
        ("saya nilai 2 untuk kompetensi petugas", 2),
        ("rate 2/5, antre 4 jam", 2),
        ("5 stars, very efficient", 5),
    ],
)
def test_scores_after_the_stars(text: str, score: int) -> None:
    assert read_score(text, expecting=True).score == score


@pytest.mark.parametrize(
    "text",
    [
        "antre 3 jam baru dipanggil",
        "satu lagi, toiletnya kotor",
        "loketnya cuma 2 yang buka",
        "5 menit langsung jadi",
        "dua-duanya ramah",
        "jam 8 udah buka",
        "RT 03/RW 05",
        "tgl 3/5 antrenya lama",
        "12/5",
        "sejak 2/5 belum jadi",
    ],
)
def test_numbers_that_are_not_scores_even_after_the_stars(text: str) -> None:
    reading = read_score(text, expecting=True)
    assert reading.score is None
    assert reading.rejected is None


@pytest.mark.parametrize("text", ["5", "lima", "3 aja", "papat"])
def test_a_lone_number_without_context_is_only_unsure(text: str) -> None:
    reading = read_score(text)
    assert reading.score is None and reading.rejected is None
    assert reading.unsure


# -- what comes with the score ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "has_comment"),
    [
        ("5", False),
        ("nilai 4 ya kak", False),
        ("4 bintang deh", False),
        ("⭐⭐⭐", False),
        ("lima, mantap pelayanannya cepet", True),
        ("nilai 2, petugasnya lambat sekali", True),
        ("nilai 10, mantap pelayanannya", True),
    ],
)
def test_a_comment_is_what_is_left_besides_the_score(text: str, has_comment: bool) -> None:
    assert read_score(text, expecting=True).has_comment is has_comment


# -- asking to rate, and comments -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "saya mau kasih penilaian untuk layanan ini",
        "sy mau nilai pelayanannya",
        "boleh kasih penilaian?",
        "mau isi survei kepuasan",
        "mau kasih rating dong",
        "Saya ingin memberikan penilaian atas pelayanan yang saya terima hari ini.",
        "gimana caranya kasih bintang?",
        "mau menilai",
        "kasih rating",
        "",
    ],
)
def test_requests_to_rate(text: str) -> None:
    assert is_rating_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "nilai 4, petugasnya ramah",
        "mau kasih masukan, loketnya kurang banyak",
        "saran: antrean ditambah loketnya",
        "pengen kasih feedback soal aplikasinya, menunya ribet",
        "bagus",
        "Dengan hormat, saya ingin menyampaikan saran agar disediakan jalur khusus lansia "
        "dan difabel pada loket pelayanan.",
    ],
)
def test_not_requests_to_rate(text: str) -> None:
    assert not is_rating_request(text)


@pytest.mark.parametrize(
    ("text", "comment"),
    [
        ("tapi antreannya lama", True),
        ("petugasnya ramah sekali", True),
        ("toilet di lantai dua kotor banget", True),
        ("mantap", True),
        ("hah?", False),
        ("apa maksudnya", False),
        ("KTP", False),
        ("ok", False),
        ("", False),
    ],
)
def test_what_looks_like_a_comment(text: str, comment: bool) -> None:
    assert looks_like_comment(text) is comment


@pytest.mark.parametrize(
    ("text", "follow_up"),
    [
        ("tapi antrenya agak lama ya", True),
        ("cuma ruang tunggunya panas", True),
        ("oh iya, tukang parkirnya galak", True),
        ("tambahan: toiletnya kotor", True),
        ("tp sayang loketnya cuma satu", True),
        ("tapi saya mau lapor petugas yang minta uang", False),
        ("saya mau lapor jalan berlubang di depan sekolah", False),
        ("antrenya lama", False),
        ("", False),
    ],
)
def test_a_follow_up_continues_what_was_said(text: str, follow_up: bool) -> None:
    assert is_follow_up(text) is follow_up


@pytest.mark.parametrize(
    "text", ["aku arep menehi nilai", "kula badhe paring penilaian", "abdi hoyong masihan rating"]
)
def test_requests_to_rate_in_javanese_and_sundanese(text: str) -> None:
    assert is_rating_request(text)


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("eh salah pencet, harusnya 4", 4),
        ("ralat, 3 aja", 3),
        ("maksudnya 5", 5),
        ("eh salah, harusnya bintang 4", 4),
    ],
)
def test_a_correction_names_the_score_meant(text: str, score: int) -> None:
    reading = read_score(text, expecting=True)
    assert (reading.score, reading.correction) == (score, True)
    # Without a rating just given or asked for, a lone corrected number is not a score.
    if "bintang" not in text:
        assert read_score(text).score is None


def test_a_score_is_not_a_correction() -> None:
    assert read_score("4 bintang deh").correction is False
    assert read_score("telu wae, soale antrine suwe banget", expecting=True).score == 3
