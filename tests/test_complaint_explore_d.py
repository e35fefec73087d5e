"""bot.complaint_turns: the form's defects found by the black-box tester of 2026-12-01 (d),
/work/notes/explore-2026-12-01d.md, each in the tester's words and other wordings."""

from __future__ import annotations

from typing import Any

import pytest

from bot.complaint_turns import (
    CATEGORY,
    CONFIRMED,
    DESCRIPTION,
    LOCATION,
    OPENING,
    PRIVACY,
    Message,
    only_announces,
    read,
)

STORY = "bikin sim a di satpas lelet bgt, udh 2 minggu blm jadi, katanya blangko abis mulu"


def at(filled: dict[str, Any], text: str, intent: str = "inform", **kw: Any) -> Any:
    return read(Message(text, intent, 0.95, **kw), dict(filled), cancel_pending=False)


# -- E20: words that only announce a complaint are not part of the story -------------------


@pytest.mark.parametrize(
    "opener",
    [
        "bang sy mo komplen nih",
        "mas aku mau komplain dong",
        "mbak sy mw ngadu nih",
        "om mo lapor",
        "kak pengen komplen",
        "gan mau complain nih",
    ],
)
def test_an_opener_only_announces(opener: str) -> None:
    assert only_announces(opener)


def test_an_opener_kept_before_the_story_is_not_put_in_it() -> None:
    told = at({OPENING: "bang sy mo komplen nih"}, STORY)
    assert told.values[DESCRIPTION] == STORY


# -- E2: at the location question, a time or more of the story is not a place ------------

PUNGLI = "pak sy mau lapor ada calo di satpas, minta 500rb biar sim sy cepet jadi ga usah tes"


@pytest.mark.parametrize(
    ("story", "piece"),
    [
        (PUNGLI, "dia ngaku orang dalem"),
        ("lampu jalan mati", "udh seminggu"),
        ("lampu jalan mati", "gelap bgt jd rawan begal"),
        ("lampu jalan mati", "sejak 2 minggu lalu"),
        ("lampu jalan mati", "udah sebulanan"),
        (PUNGLI, "orangnya maksa trs"),
        ("sampah numpuk ga diangkut", "baunya sampe kemana2"),
        (PUNGLI, "katanya udh biasa gitu"),
    ],
)
def test_a_time_or_a_story_piece_is_added_to_the_story(story: str, piece: str) -> None:
    outcome = at({DESCRIPTION: story}, piece)
    assert LOCATION not in outcome.values
    assert outcome.values[DESCRIPTION] == f"{story}\n{piece}"
    assert outcome.ask == LOCATION


@pytest.mark.parametrize(
    "place",
    [
        "cibeber",
        "kelurahan sukamaju",
        "pasar baru",
        "Jl. Kenanga depan masjid al ikhlas",
        "di satpas polres, jl bhayangkara",
        "parkiran rsud",
        "depan rumah pak rt",
        "Sukamaju",
    ],
)
def test_a_place_is_still_the_location(place: str) -> None:
    outcome = at({DESCRIPTION: PUNGLI}, place)
    assert outcome.values.get(LOCATION)
    assert DESCRIPTION not in outcome.values


def test_a_story_piece_at_the_category_question_is_added() -> None:
    filled = {DESCRIPTION: "lampu jalan mati", LOCATION: "jl kenanga"}
    outcome = at(filled, "gelap bgt jd rawan begal", "file_complaint")
    assert outcome.values[DESCRIPTION] == "lampu jalan mati\ngelap bgt jd rawan begal"
    assert outcome.ask == CATEGORY


# -- E4: adding to the story at the summary -------------------------------------------------

FULL = {DESCRIPTION: STORY, LOCATION: "satpas polres", CATEGORY: "lainnya", PRIVACY: "public"}


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        (
            "eh tambahin, petugasnya cewe pake kerudung coklat, kejadiannya senin kmrn",
            "petugasnya cewe pake kerudung coklat, kejadiannya senin kmrn",
        ),
        (
            "isinya jg tambahin: udh seminggu mati, gelap bgt jd rawan begal",
            "udh seminggu mati, gelap bgt jd rawan begal",
        ),
        ("tambahan: petugasnya cewe pake kerudung", "petugasnya cewe pake kerudung"),
        ("ditambahin ya min, loketnya tutup jam 12", "loketnya tutup jam 12"),
        ("satu lagi, petugasnya minta uang rokok", "petugasnya minta uang rokok"),
        ("oh iya, petugasnya cewe pake kerudung coklat", "petugasnya cewe pake kerudung coklat"),
        ("tambah lagi ya kak: antriannya ga jelas", "antriannya ga jelas"),
        ("mau nambahin, nomor antrian sy 45", "nomor antrian sy 45"),
    ],
)
def test_an_addition_at_the_summary_goes_to_the_story(text: str, piece: str) -> None:
    outcome = at(FULL, text, "inform")
    assert outcome.values[DESCRIPTION] == f"{STORY}\n{piece}"
    assert outcome.ask == CONFIRMED and not outcome.values.get(CONFIRMED)


def test_an_addition_to_come_is_asked_for_then_added() -> None:
    outcome = at(FULL, "tambahin isinya dong", "inform")
    assert outcome.values == {DESCRIPTION: None, CONFIRMED: None}
    assert outcome.ask == DESCRIPTION and outcome.say[0][0] == "utter_story_addition_ask"
    filled = {**FULL, DESCRIPTION: None, "earlier_story": STORY, "adding": True}
    told = at(filled, "petugasnya cewe pake kerudung coklat")
    assert told.values[DESCRIPTION] == f"{STORY}\npetugasnya cewe pake kerudung coklat"


@pytest.mark.parametrize(
    "text",
    [
        "tambahan: petugasnya cewe pake kerudung coklat, kejadiannya senin kmrn",
        "tambahin, petugasnya cewe pake kerudung coklat, kejadiannya senin kmrn",
    ],
)
def test_after_ubah_isi_an_addition_is_added_not_replacing(text: str) -> None:
    filled = {**FULL, DESCRIPTION: None, "earlier_story": STORY}
    told = at(filled, text)
    assert told.values[DESCRIPTION].startswith(STORY + "\n")
    assert "kerudung coklat" in told.values[DESCRIPTION]


def test_after_ubah_isi_a_new_story_replaces_it() -> None:
    filled = {**FULL, DESCRIPTION: None, "earlier_story": STORY}
    new = "petugas loket 3 membentak saya waktu nanya syarat perpanjang sim"
    assert at(filled, new).values[DESCRIPTION] == new


@pytest.mark.parametrize("text", ["ya kirim", "oke kirim", "iya"])
def test_a_yes_at_the_summary_still_sends(text: str) -> None:
    assert at(FULL, text, "affirm").values == {CONFIRMED: True}


def test_a_location_addition_at_the_summary_completes_the_place() -> None:
    outcome = at(FULL, "lokasinya tambahin: loket 3 lantai 2")
    assert outcome.values[LOCATION] == "satpas polres, loket 3 lantai 2"


# -- E11: a privacy wish said in words anywhere in the form -----------------------------------


@pytest.mark.parametrize(
    ("slot", "text", "wish"),
    [
        (
            LOCATION,
            "tolong rahasiakan ya, sy takut nanti ibu sy dipersulit kalo berobat lg",
            "confidential",
        ),
        (CATEGORY, "anonim aja ya kak, takut", "anonymous"),
        (LOCATION, "jgn sebut nama sy ya min", "anonymous"),
        (CATEGORY, "tanpa nama aja", "anonymous"),
        (LOCATION, "tolong dirahasiakan ya", "confidential"),
        (DESCRIPTION, "sy mau lapor tp tolong rahasiakan ya, takut", "confidential"),
        (LOCATION, "nama sy jangan ditulis ya, takut diincar", "anonymous"),
        # F9 (re-check round e): the reason is pity, not fear; it was stored as the place
        (
            LOCATION,
            "tp nama sy jgn sampe ketauan pihak sekolah ya pak, kasian anak sy",
            "anonymous",
        ),
        (LOCATION, "tolong dirahasiakan ya kak, kasihan keluarga sy", "confidential"),
    ],
)
def test_a_privacy_wish_is_noted_not_told(slot: str, text: str, wish: str) -> None:
    filled: dict[str, Any] = {DESCRIPTION: PUNGLI}
    if slot == CATEGORY:
        filled[LOCATION] = "satpas polres"
    if slot == DESCRIPTION:
        filled = {}
    outcome = at(filled, text)
    assert outcome.values == {"complaint_privacy_wish": wish}
    assert outcome.say == [("utter_privacy_wish_noted", {})]
    assert outcome.ask == slot


def test_a_story_piece_with_a_wish_keeps_the_piece_and_notes_the_wish() -> None:
    outcome = at({DESCRIPTION: PUNGLI}, "dia ngaku orang dalem, tolong rahasiakan ya")
    assert outcome.values[DESCRIPTION] == f"{PUNGLI}\ndia ngaku orang dalem"
    assert outcome.values["complaint_privacy_wish"] == "confidential"


def test_an_open_secret_is_no_wish() -> None:
    outcome = at({DESCRIPTION: PUNGLI}, "udh jadi rahasia umum disitu")
    assert "complaint_privacy_wish" not in outcome.values


# -- E5: a question while "batalkan?" is open is answered ---------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("jadi sim c mati 2 bulan msh bs diperpanjang ga?", "ask_requirements"),
        ("biaya bikin sim brp?", "ask_cost"),
        ("kalo laporan biasanya brp lama diproses?", "ask_duration"),
    ],
)
def test_a_question_while_cancel_is_pending_is_answered(text: str, intent: str) -> None:
    outcome = read(Message(text, intent, 0.99), {DESCRIPTION: PUNGLI}, cancel_pending=True)
    assert outcome.answer_question and outcome.cancel_pending is True and outcome.end is None


# -- E1: a short question about a service inside the form is answered ----------------------


@pytest.mark.parametrize("text", ["kalo sim a?", "klo paspor?", "kalau kk gimana?"])
def test_a_service_question_at_the_location_is_answered(text: str) -> None:
    outcome = at({DESCRIPTION: PUNGLI}, text, names_service=True)
    assert outcome.answer_question and outcome.ask == LOCATION and not outcome.values


def test_a_place_with_a_service_office_is_still_the_location() -> None:
    outcome = at({DESCRIPTION: PUNGLI}, "di kantor samsat jl pemuda", names_service=True)
    assert outcome.values.get(LOCATION)


@pytest.mark.parametrize(
    "text", ["petugas minta 200rb tolong rahasiakan", "tadi sy dimintai uang, rahasiakan ya"]
)
def test_a_wish_told_with_what_happened_keeps_what_happened(text: str) -> None:
    outcome = at({DESCRIPTION: PUNGLI}, text)
    assert "rahasiakan" not in str(outcome.values.get(DESCRIPTION, "")) or (
        outcome.values[DESCRIPTION].count("\n") == 1
    )
    assert outcome.values.get(DESCRIPTION, "").startswith(PUNGLI + "\n")


def test_sy_di_a_village_is_a_place() -> None:
    assert at({DESCRIPTION: PUNGLI}, "sy di cibeber").values.get(LOCATION)


# -- more wordings citizens use --------------------------------------------------------------


@pytest.mark.parametrize("piece", ["blm diperbaiki", "sering kecelakaan", "udh 3 hari"])
def test_more_story_pieces_are_not_the_location(piece: str) -> None:
    outcome = at({DESCRIPTION: "jalan berlubang gede"}, piece)
    assert LOCATION not in outcome.values and piece in outcome.values[DESCRIPTION]


@pytest.mark.parametrize(
    "text",
    [
        "tambahin lg: orangnya pake jaket item",
        "td lupa, orangnya pake jaket item",
        "ada yg ketinggalan: orangnya pake jaket item",
    ],
)
def test_more_ways_to_add_at_the_summary(text: str) -> None:
    outcome = at(FULL, text)
    assert outcome.values[DESCRIPTION] == f"{STORY}\norangnya pake jaket item"


@pytest.mark.parametrize(
    "text", ["namaku jgn disebut", "tolong jgn kasih tau nama sy ke petugasnya"]
)
def test_more_ways_to_ask_for_no_name(text: str) -> None:
    outcome = at({DESCRIPTION: PUNGLI}, text)
    assert outcome.values == {"complaint_privacy_wish": "anonymous"}
