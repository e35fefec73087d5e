"""bot.complaint_turns: what one message inside the complaint form is (issue 8).

Each test is a class of what real citizens did to the form: a non-answer taken as an
answer, several answers in one message, corrections, a send without a clear yes,
stopping, small talk.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.complaint_turns import (
    CATEGORY,
    CONFIRMED,
    DESCRIPTION,
    LOCATION,
    OPENING,
    ORDER,
    PRIVACY,
    Message,
    asks_complaint_timeline,
    only_announces,
    only_subject,
    opening,
    read,
    refers_back,
)
from bot.phrases import is_clear_yes

STORY = "Jalan berlubang besar sudah sebulan, motor sering jatuh malam hari."
UP_TO = {
    DESCRIPTION: {},
    LOCATION: {DESCRIPTION: STORY},
    CATEGORY: {DESCRIPTION: STORY, LOCATION: "Jl. Kenari 5"},
    PRIVACY: {DESCRIPTION: STORY, LOCATION: "Jl. Kenari 5", CATEGORY: "infrastruktur"},
    CONFIRMED: {
        DESCRIPTION: STORY,
        LOCATION: "Jl. Kenari 5",
        CATEGORY: "infrastruktur",
        PRIVACY: "public",
    },
}


def at(slot: str, text: str, intent: str = "inform", confidence: float = 0.95) -> Any:
    return read(Message(text, intent, confidence), dict(UP_TO[slot]), cancel_pending=False)


# -- 1: only an answer to the question asked is an answer -------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("halo?", "greet"),
        ("/deny", "deny"),
        ("maksudnya lokasi apa ya?", "nlu_fallback"),
        ("hah?", "nlu_fallback"),
        ("ok", "affirm"),
        ("/greet", "greet"),
    ],
)
def test_a_non_answer_is_not_the_location(text: str, intent: str) -> None:
    outcome = at(LOCATION, text, intent)
    assert LOCATION not in outcome.values and outcome.end is None
    assert outcome.ask == LOCATION and (outcome.say or outcome.answer_question)


def test_a_question_in_the_form_is_answered_then_the_question_comes_again() -> None:
    outcome = at(LOCATION, "eh syarat bikin KTP apa aja ya?", "ask_requirements")
    assert outcome.answer_question and outcome.ask == LOCATION and not outcome.values


def test_a_long_story_is_a_story_whatever_the_classifier_says() -> None:
    story = "ngurus KTP sudah 3 bulan belum jadi, tiap ke kantor disuruh balik minggu depan"
    outcome = at(DESCRIPTION, story, "ask_duration")
    assert outcome.values[DESCRIPTION] == story


# -- 2: several answers in one message ---------------------------------------------------------


def test_a_story_with_place_category_and_privacy_fills_them_all() -> None:
    story = (
        "Ada PKL nutup trotoar di depan Pasar Minggu tiap sore sampai orang jalan di aspal, "
        "kategorinya ketertiban ya, anonim aja"
    )
    outcome = at(DESCRIPTION, story)
    assert outcome.values[DESCRIPTION] == story
    assert outcome.values[LOCATION].lower().startswith("depan pasar minggu")
    assert outcome.values[CATEGORY] == "ketertiban"
    assert outcome.values[PRIVACY] == "anonymous"
    assert set(outcome.noted) == {LOCATION, CATEGORY, PRIVACY}


def test_a_location_answer_may_carry_the_privacy_wish() -> None:
    outcome = at(LOCATION, "Gg. Mawar 3 RT 01, identitas saya tolong disembunyikan")
    assert outcome.values[PRIVACY] == "anonymous"
    assert "Mawar" in outcome.values[LOCATION]


# -- 3: corrections at the summary -------------------------------------------------------------


def test_a_location_correction_in_words_changes_it_and_shows_the_summary_again() -> None:
    outcome = at(CONFIRMED, "lokasinya salah, harusnya Jl. Melati 4", "file_complaint")
    assert outcome.values == {LOCATION: "Jl. Melati 4", CONFIRMED: None}


def test_edit_without_a_value_asks_that_question_again() -> None:
    outcome = at(CONFIRMED, "edit lokasi", "nlu_fallback", 0.4)
    assert outcome.values == {LOCATION: None, CONFIRMED: None} and outcome.ask == LOCATION


def test_the_edit_button_asks_that_question_again() -> None:
    outcome = at(CONFIRMED, '/inform{"complaint_edit": "complaint_category"}', "inform")
    assert outcome.values == {CATEGORY: None, CONFIRMED: None} and outcome.ask == CATEGORY


def test_changing_the_category_in_words() -> None:
    outcome = at(CONFIRMED, "ganti kategori jadi ketertiban", "inform")
    assert outcome.values == {CATEGORY: "ketertiban", CONFIRMED: None}


# -- 4: only a clear yes sends ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "oh iya, sebelum dikirim mau nanya dulu",
        "udah bener sih, tapi nanti dulu",
        "makasih ya",
        "iya tapi lokasinya kurang lengkap",
        "bentar",
    ],
)
def test_anything_but_a_clear_yes_does_not_send(text: str) -> None:
    assert at(CONFIRMED, text, "affirm").values.get(CONFIRMED) is not True


@pytest.mark.parametrize(("text", "intent"), [("ya", "affirm"), ("/affirm", "affirm")])
def test_a_clear_yes_sends(text: str, intent: str) -> None:
    assert at(CONFIRMED, text, intent).values == {CONFIRMED: True}


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(ORDER),
    st.text(max_size=120),
    st.sampled_from(["affirm", "deny", "inform", "greet", "cancel", "nlu_fallback", "thank"]),
    st.floats(min_value=0, max_value=1),
    st.booleans(),
)
def test_nothing_is_sent_without_a_yes_and_nothing_crashes(
    slot: str, text: str, intent: str, confidence: float, pending: bool
) -> None:
    outcome = read(Message(text, intent, confidence), dict(UP_TO[slot]), pending)
    if outcome.values.get(CONFIRMED) is True:
        assert slot == CONFIRMED and (is_clear_yes(text) or text.strip().startswith("/affirm"))


# -- 9: stopping ----------------------------------------------------------------------------


def test_cancel_asks_first_and_can_be_undone() -> None:
    asked = at(LOCATION, "batal", "cancel")
    assert asked.cancel_pending is True and asked.end is None
    filled = dict(UP_TO[LOCATION])
    undo = read(Message("eh jgn dibatalin, kepencet", "deny", 0.9), filled, cancel_pending=True)
    assert undo.cancel_pending is False and undo.end is None and undo.ask == LOCATION
    done = read(Message("ya", "affirm", 0.9), filled, cancel_pending=True)
    assert done.end == "cancelled"


def test_batal_is_never_a_location() -> None:
    assert LOCATION not in at(LOCATION, "batal", "nlu_fallback", 0.3).values


@pytest.mark.parametrize(("text", "intent"), [("oke mksh ya", "thank"), ("dadah", "goodbye")])
def test_leaving_before_telling_anything_takes_one_message(text: str, intent: str) -> None:
    assert at(DESCRIPTION, text, intent).end == "left"


def test_an_opening_that_says_no_complaint_opens_nothing() -> None:
    assert opening(Message("sy gk mau lapor apa2, udahan", "file_complaint", 0.8), None).end == (
        "left"
    )


def test_batal_again_while_asked_confirms_the_cancel() -> None:
    filled = dict(UP_TO[LOCATION])
    assert read(Message("batal", "deny", 0.7), filled, cancel_pending=True).end == "cancelled"
    kept = read(Message("jangan dibatalin", "deny", 0.9), filled, cancel_pending=True)
    assert kept.end is None


def test_a_word_with_another_meaning_in_a_story_is_not_a_privacy_choice() -> None:
    story = "galian kabel ditinggal terbuka tanpa rambu, seperti biasa tidak ada petugas"
    assert PRIVACY not in at(DESCRIPTION, story).values


def test_a_story_asking_for_confidentiality_is_taken() -> None:
    story = (
        "petugas Kelurahan Sukamaju meminta Rp50.000 untuk surat. Mohon laporan ini dirahasiakan."
    )
    values = at(DESCRIPTION, story).values
    assert values[PRIVACY] == "confidential" and values[LOCATION] == "Kelurahan Sukamaju"


def test_a_category_correction_without_jadi() -> None:
    outcome = at(CONFIRMED, "eh kategorinya kebersihan aja deh, bukan infrastruktur")
    assert outcome.values == {CATEGORY: "kebersihan", CONFIRMED: None}


def test_slang_and_stretched_yes_send() -> None:
    for text in ("yoi kirim aja", "iyaaa kirim", "sipp"):
        assert at(CONFIRMED, text, "affirm").values == {CONFIRMED: True}, text


def test_the_place_stops_before_a_stated_category() -> None:
    outcome = at(LOCATION, "Dusun Krajan RT 01, Desa Sidomulyo. Kategorine infrastruktur, anonim")
    assert outcome.values[LOCATION] == "Dusun Krajan RT 01, Desa Sidomulyo"
    assert outcome.values[CATEGORY] == "infrastruktur" and outcome.values[PRIVACY] == "anonymous"


def test_yes_batal_while_asked_cancels() -> None:
    filled = dict(UP_TO[LOCATION])
    assert read(Message("iya, batal", "affirm", 0.8), filled, cancel_pending=True).end == (
        "cancelled"
    )


def test_batal_before_anything_is_written_cancels_at_once() -> None:
    assert at(DESCRIPTION, "batal", "cancel").end == "cancelled"


def test_a_lowercase_village_office_is_a_place() -> None:
    story = "ada pungli di kantor kelurahan sukamaju tiap ngurus surat pengantar"
    assert at(DESCRIPTION, story).values[LOCATION] == "kantor kelurahan sukamaju"


def test_the_place_stops_before_a_privacy_sentence() -> None:
    text = "di halte Malioboro 1 arah ke selatan. tolong nama saya jangan dicantumkan ya"
    values = at(LOCATION, text).values
    assert values == {LOCATION: "di halte Malioboro 1 arah ke selatan", PRIVACY: "anonymous"}


def test_a_place_read_as_cancel_by_the_classifier_is_still_the_place() -> None:
    values = at(LOCATION, "Terminal Purabaya (Bungurasih), Sidoarjo", "cancel").values
    assert values[LOCATION] == "Terminal Purabaya (Bungurasih), Sidoarjo"


def test_a_question_opening_is_not_a_complaint() -> None:
    from bot.complaint_turns import asks_instead_of_complaining

    assert asks_instead_of_complaining("cara bikin sertipikat tanah gimana ya pak?")
    assert not asks_instead_of_complaining("mau lapor, kenapa jalan rusak dibiarkan?")


def test_kirimlah_is_a_yes() -> None:
    assert at(CONFIRMED, "ya kirimlah", "affirm").values == {CONFIRMED: True}


def test_a_referral_name_with_nya_is_found() -> None:
    from bot.service_match import find_referral

    found = find_referral("izin keramaiannya ngurus ke mana ya")
    assert found is not None and found.referral.id == "izin_keramaian"


def test_a_short_no_thanks_anywhere_in_the_message_leaves_the_empty_form() -> None:
    assert at(DESCRIPTION, "eh gak jadi deh, udahan aja", "cancel", 0.5).end == "cancelled"


def test_a_number_word_before_desa_is_not_a_village_name() -> None:
    from bot.complaint_turns import place_in

    assert place_in("Jembatan gantung penghubung dua desa talinya sudah putus") is None


# -- an opening that names only the subject ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "saya mau lapor pungli di kantor kecamatan",
        "Selamat pagi, saya ingin melaporkan pelayanan buruk di Disdukcapil",
        "Saya mau mengadukan pungutan liar di kantor kelurahan Sukamaju",
        "saya mau lapor di Jl. Sudirman No 5",
        "I would like to file a complaint about the bus terminal",
    ],
)
def test_an_opening_that_only_names_the_subject_is_not_the_story(text: str) -> None:
    assert only_subject(text)


@pytest.mark.parametrize(
    "text",
    [
        "Lampu PJU di Gang Mawar mati semua sejak seminggu",
        "Petugas kelurahan minta uang 50 ribu untuk surat pindah",
        "sampah numpuk di depan rumah saya udah 2 minggu ga diangkut",
        STORY,
    ],
)
def test_an_opening_that_tells_what_happened_is_the_story(text: str) -> None:
    assert not only_subject(text)


def test_the_subject_keeps_what_it_named_and_the_story_follows_it() -> None:
    subject = "Saya mau mengadukan pungutan liar di kantor kelurahan Sukamaju"
    opened = opening(Message(subject, "file_complaint", 0.9), None, subject)
    assert opened.values == {LOCATION: "kantor kelurahan Sukamaju", CATEGORY: "pungli"}
    filled = {OPENING: subject, **opened.values}
    story = "petugas loket minta 50 ribu biar surat pindah cepat jadi, kemarin pagi"
    told = read(Message(story, "inform", 0.9), filled, cancel_pending=False)
    assert told.values[DESCRIPTION] == f"{subject}\n{story}"
    assert told.values[OPENING] is None
    assert LOCATION not in told.values  # the place named first stays


def test_nothing_more_to_tell_after_the_subject_keeps_the_subject() -> None:
    subject = "saya mau lapor pungli di kantor kecamatan"
    told = read(Message("itu aja", "affirm", 0.9), {OPENING: subject}, cancel_pending=False)
    assert told.values == {DESCRIPTION: subject, OPENING: None}


def test_a_short_answer_after_the_subject_is_still_too_short() -> None:
    subject = "saya mau lapor pungli di kantor kecamatan"
    told = read(Message("iya pak", "affirm", 0.9), {OPENING: subject}, cancel_pending=False)
    assert DESCRIPTION not in told.values


# -- found by a black-box tester (2026-12-01) -------------------------------------------------


def test_batal_anywhere_at_the_category_question_asks_to_cancel() -> None:
    told = at(CATEGORY, "ya udah lah batal aja, nanti aja lapornya", "cancel", 0.6)
    assert told.cancel_pending is True
    assert CATEGORY not in told.values


def test_a_story_too_short_is_kept_and_the_rest_joins_it() -> None:
    short = read(Message("jalan rusak", "inform", 0.9), {}, cancel_pending=False)
    assert DESCRIPTION not in short.values
    assert short.values == {OPENING: "jalan rusak"}
    rest = "yg di jl. melati itu lho, depan sd"
    told = read(Message(rest, "inform", 0.9), dict(short.values), cancel_pending=False)
    assert told.values[DESCRIPTION] == f"jalan rusak\n{rest}"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("ya itu td, TPS pasar kliwon, kel. sukamaju", "TPS pasar kliwon, kel. sukamaju"),
        ("kan udh td, jl melati depan SD 2", "jl melati depan SD 2"),
        ("Jl. Kenari 5", "Jl. Kenari 5"),
    ],
)
def test_words_pointing_back_are_not_part_of_the_place(text: str, place: str) -> None:
    assert at(LOCATION, text).values[LOCATION] == place


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("kan udh sy ceritain td min", True),
        ("seperti yang saya tulis di atas", True),
        ("sudah saya jelaskan sebelumnya", True),
        ("petugas bilang tadi pagi loketnya tutup, padahal masih jam 10", False),
    ],
)
def test_a_reference_to_a_story_told_before(text: str, back: bool) -> None:
    assert refers_back(text) is back


# -- found by a black-box tester (2026-12-01 b): the story kept whole ---------------------------


@pytest.mark.parametrize(
    "text",
    [
        "mau lapor pungli di kantor satpas polres",
        "wah punya sy lama bgt dong. komplain aja lah",
        "lapor min, ada pungli di kelurahan",
        "mau ngadu soal calo di terminal bus kota",
        "pengen komplain pelayanan di puskesmas kecamatan",
        "saya mau laporkan oknum petugas di kantor samsat jl pemuda",
    ],
)
def test_more_openings_that_only_name_the_subject(text: str) -> None:
    assert only_subject(text)


@pytest.mark.parametrize(
    "text",
    [
        "mau lapor pungli di kantor samsat, petugasnya minta 50rb buat map",
        "td pagi sy dibentak petugas loket pas ngurus KTP",
        "antrean di samsat kemarin sampe 4 jam, petugasnya malah main hp",
    ],
)
def test_openings_that_tell_an_event_are_stories(text: str) -> None:
    assert not only_subject(text)


@pytest.mark.parametrize(
    "text",
    [
        "lho sy mau komplain bukan nanya jam buka",
        "saya mau lapor, bukan mau tanya",
        "aduh min, sy mau ngadu aja deh bukan nanya",
    ],
)
def test_a_protest_that_one_wants_to_complain_is_only_an_announcement(text: str) -> None:
    assert only_announces(text)


@pytest.mark.parametrize(
    "piece", ["jd td siang", "lapor min, ada pungli di kelurahan", "terus gitu deh"]
)
def test_a_thin_piece_after_the_subject_asks_for_the_rest(piece: str) -> None:
    subject = "mau lapor petugas kasar di kelurahan"
    told = read(Message(piece, "inform", 0.9), {OPENING: subject}, cancel_pending=False)
    assert DESCRIPTION not in told.values
    assert told.values[OPENING] == f"{subject}\n{piece}"
    assert told.ask == DESCRIPTION and told.say


@pytest.mark.parametrize(
    "story",
    [
        "lho kok lokasi, critanya blm sy tulis. jd gini, pas perpanjang SIM C sy dimintain "
        "300rb sm org yg ngaku orang dalem, katanya biar gak usah antri tes. padahal resminya "
        "kan cm 75rb",
        "eh td salah, bukan kelurahan tp samsat. jadi tgl 25 nov sy bayar pajak motor di samsat, "
        'disuruh bayar 50rb lagi buat "uang map" tanpa kwitansi',
        "sy wawancara tgl 10 november di kantor imigrasi kota contoh, udh bayar 650rb e-paspor, "
        "janjinya 4 hari kerja tp sampe skrg blm jadi",
        "jadi kemarin pas sy ngurus KTP petugasnya minta uang 100rb katanya biar cepet",
        "trus petugasnya marah2 ke sy",
        "mau minta surat domisili",
        "blg sy bego gak bisa baca pengumuman",
    ],
)
def test_a_story_at_the_location_question_joins_the_story(story: str) -> None:
    told = at(LOCATION, story)
    assert told.values[DESCRIPTION] == f"{STORY}\n{story}"
    assert LOCATION not in told.values or told.values[LOCATION] not in (story, None)
    assert told.values.get(LOCATION) is None or len(told.values[LOCATION]) < 40


def test_a_story_piece_that_names_a_place_gives_the_location_too() -> None:
    told = at(LOCATION, "sy ke kelurahan sukamaju")
    assert told.values[DESCRIPTION] == f"{STORY}\nsy ke kelurahan sukamaju"
    assert told.values[LOCATION] == "kelurahan sukamaju"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        (
            "oh ok. lokasinya di kantor disdukcapil jl merdeka no 10, di loket 3",
            "kantor disdukcapil jl merdeka no 10, di loket 3",
        ),
        ("lokasinya kan udh sy sebut td, kantor kelurahan sukamaju", "kantor kelurahan sukamaju"),
        ("iya tapi lokasinya ganti jl melati no 4 ya, bukan depan masjid", "jl melati no 4"),
        ("alamatnya di Jl. Kenari 5 ya min", "Jl. Kenari 5"),
        ("tempat kejadiannya pasar baru lantai 2", "pasar baru lantai 2"),
        ("Jl. Cempaka No. 30, depan apotek Sehat", "Jl. Cempaka No. 30, depan apotek Sehat"),
        ("di loket 2 samsat jl pemuda", "di loket 2 samsat jl pemuda"),
        ("depan rumah no 12, udah 2 minggu gelap", "depan rumah no 12, udah 2 minggu gelap"),
    ],
)
def test_the_location_keeps_the_place_without_the_chatter(text: str, place: str) -> None:
    told = at(LOCATION, text)
    assert told.values[LOCATION] == place
    assert DESCRIPTION not in told.values


@pytest.mark.parametrize(
    "text", ["kan udh sy ceritain td", "lho sy mau komplain bukan nanya jam buka"]
)
def test_words_about_the_story_are_not_a_location(text: str) -> None:
    told = at(LOCATION, text)
    assert LOCATION not in told.values and DESCRIPTION not in told.values
    assert told.ask == LOCATION and told.say


@pytest.mark.parametrize(
    "piece",
    [
        "mau minta surat domisili",
        "trus petugasnya ngomong kasar",
        "blg sy bego gak bisa baca pengumuman",
        "oiya td petugasnya jg minta uang 20rb",
    ],
)
@pytest.mark.parametrize("slot", [CATEGORY, PRIVACY])
def test_more_of_the_story_at_a_button_question_joins_the_story(piece: str, slot: str) -> None:
    told = at(slot, piece)
    assert told.values == {DESCRIPTION: f"{STORY}\n{piece}"}
    assert told.ask == slot and told.say


def test_an_unknown_word_at_the_category_question_is_still_refused() -> None:
    told = at(CATEGORY, "xyz")
    assert told.values == {} and told.say == [("utter_category_invalid", {})]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("status ADU-BDQNXH", "inform"),
        ("cek status laporan sy dulu dong", "check_status"),
        ("cek status laporan sy dulu dong", "nlu_fallback"),
        ("adu-khr2n9 gmn kabarnya", "inform"),
    ],
)
@pytest.mark.parametrize("slot", [LOCATION, CATEGORY, PRIVACY, CONFIRMED])
def test_a_status_question_inside_the_form_is_answered(text: str, intent: str, slot: str) -> None:
    told = at(slot, text, intent)
    assert told.answer_question and told.ask == slot and not told.values


@pytest.mark.parametrize(
    ("text", "timeline"),
    [
        ("bentar, biasanya laporan gini brp lama ditindaklanjuti?", True),
        ("kira2 kapan ya laporan ini diproses?", True),
        ("brp hari biasanya sampe ditanggapi?", True),
        ("biasanya berapa lama ditindaklanjuti?", True),
        ("brp lama bikin paspor?", False),
        ("status ADU-ABC123", False),
    ],
)
def test_a_question_about_the_follow_up_time(text: str, timeline: bool) -> None:
    assert asks_complaint_timeline(text) is timeline
    if timeline:
        assert at(LOCATION, text, "check_status").answer_question


C7_STORY = (
    "sy wawancara tgl 10 november di kantor imigrasi kota contoh, udh bayar 650rb e-paspor, "
    "janjinya 4 hari kerja tp sampe skrg blm jadi"
)
SWAPPED = {
    DESCRIPTION: "wah punya sy lama bgt dong. komplain aja lah",
    LOCATION: C7_STORY,
    CATEGORY: "lainnya",
    PRIVACY: "public",
}


def test_a_swap_in_words_at_the_summary_puts_the_story_back() -> None:
    text = (
        "lho kebalik min, yg di lokasi itu harusnya isi laporannya. "
        "lokasinya kantor imigrasi kelas I kota contoh"
    )
    told = read(Message(text, "inform", 0.9), dict(SWAPPED), cancel_pending=False)
    assert C7_STORY in told.values[DESCRIPTION]
    assert told.values[LOCATION] == "kantor imigrasi kelas I kota contoh"
    assert told.values[CONFIRMED] is None


def test_a_swap_without_the_new_place_asks_for_the_place() -> None:
    told = read(Message("isi sama lokasinya ketuker min", "inform", 0.9), dict(SWAPPED), False)
    assert C7_STORY in told.values[DESCRIPTION]
    assert told.values[LOCATION] is None and told.ask == LOCATION


def test_a_swap_when_nothing_is_swapped_keeps_the_story() -> None:
    text = "lho kebalik min, yg di lokasi itu harusnya isi laporannya"
    told = at(CONFIRMED, text)
    assert told.values.get(DESCRIPTION, STORY) == STORY
    assert told.values.get(LOCATION, "Jl. Kenari 5") == "Jl. Kenari 5"
    assert told.ask in (CONFIRMED, DESCRIPTION, LOCATION) and told.say


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("iya tapi lokasinya ganti jl melati no 4 ya", "jl melati no 4"),
        ("alamatnya diganti jadi Jl. Kenari 7 ya min", "Jl. Kenari 7"),
        ("lokasinya salah, harusnya Jl. Melati 4", "Jl. Melati 4"),
    ],
)
def test_a_new_place_in_words_at_the_summary_is_taken(text: str, place: str) -> None:
    told = at(CONFIRMED, text)
    assert told.values[LOCATION] == place


@pytest.mark.parametrize("text", ["isinya salah, harusnya yg tadi", "ceritanya ganti jadi itu"])
def test_a_fragment_never_replaces_the_story(text: str) -> None:
    told = at(CONFIRMED, text)
    assert told.values.get(DESCRIPTION) in (None, STORY)
    assert CONFIRMED not in told.values or told.values[CONFIRMED] is None


@pytest.mark.parametrize(
    ("text", "response"),
    [
        (
            "iya tapi nanti nama sy gak ketauan petugas loketnya kan?",
            "utter_summary_privacy_answer",
        ),
        ("identitas sy aman kan min?", "utter_summary_privacy_answer"),
        ("petugasnya bakal tau gak kalo sy yg lapor?", "utter_summary_privacy_answer"),
        ("kalo udh dikirim nanti bisa diedit gak min?", "utter_summary_edit_answer"),
        ("nanti kalo ada yg salah bisa diubah gak setelah terkirim?", "utter_summary_edit_answer"),
    ],
)
@pytest.mark.parametrize(("intent", "confidence"), [("ask_help", 0.5), ("thank", 0.9)])
def test_a_question_about_privacy_or_editing_at_the_summary_is_answered(
    text: str, response: str, intent: str, confidence: float
) -> None:
    told = at(CONFIRMED, text, intent, confidence)
    assert [name for name, _ in told.say] == [response]
    assert told.ask == CONFIRMED and not told.values


# -- D10 (tester 2026-12-01 b): a place named inside the story, lower case too ---------------


@pytest.mark.parametrize(
    ("story", "place"),
    [
        # the tester's sentences
        (
            "jd td siang sy ke kantor kelurahan sukamaju mau minta surat domisili, trus "
            "petugasnya ngomong kasar",
            "kantor kelurahan sukamaju",
        ),
        (
            "lampu jalan di gang mawar RT 05 RW 02 udh mati 2 minggu, gelap bgt kalo malem",
            "gang mawar RT 05 RW 02",
        ),
        (
            "saluran air di jl melati depan masjid al ikhlas mampet, kalo ujan banjir",
            "jl melati depan masjid al ikhlas",
        ),
        (
            "kemarin sy perpanjang stnk di samsat jl pemuda, disuruh bayar 50rb tanpa kwitansi",
            "samsat jl pemuda",
        ),
        # other wordings
        ("sampah numpuk di gg kenanga udh seminggu gak diangkut", "gg kenanga"),
        (
            "tadi pagi saya ngurus KK di kantor kecamatan cibeunying, petugasnya minta uang rokok",
            "kantor kecamatan cibeunying",
        ),
        ("drainase di jalan cempaka putih mampet terus tiap hujan deras", "jalan cempaka putih"),
        (
            "pas sy dateng ke puskesmas jl kartini no 3 petugasnya gak ada sampe jam 10",
            "puskesmas jl kartini no 3",
        ),
        (
            "sy antri di dukcapil jln merdeka dari subuh tp blangkonya habis terus",
            "dukcapil jln merdeka",
        ),
        (
            "pelayanan di kantor imigrasi lama bgt, sy nunggu 5 jam gak dipanggil2",
            "kantor imigrasi",
        ),
        ("lampu pju di rt 03 rw 07 mati semua sejak seminggu", "rt 03 rw 07"),
        (
            "kemarin saya datang ke kelurahan sukajadi buat bikin surat pengantar tp ditolak",
            "kelurahan sukajadi",
        ),
        (
            "jembatan di desa sukaresmi ambrol sejak banjir kemarin, warga susah lewat",
            "desa sukaresmi",
        ),
    ],
)
def test_a_place_named_inside_the_story_is_the_location(story: str, place: str) -> None:
    told = at(DESCRIPTION, story)
    assert told.values[DESCRIPTION] == story
    assert told.values[LOCATION] == place and LOCATION in told.noted
    # the same story as the opening message of the form
    assert opening(Message(story), story).values[LOCATION] == place


@pytest.mark.parametrize(
    "story",
    [
        "petugas di sana kasar banget waktu sy ngurus ktp kemarin",
        "di kantor petugasnya minta uang 50rb buat percepat",
        "sy ke kantor td pagi, disuruh balik besok terus sampe 3 kali",
        "jalan rusak parah di daerah sy, udh sebulan gak diperbaiki",
        "sy jalan kaki ke kantor kelurahan tp kantornya tutup padahal jam kerja",
        "di jalan petugasnya nyetop motor sy, minta uang damai 100rb",
        "lampu jalan mati semua, gelap banget kalo malem, rawan begal",
        "sy udh bolak balik ke kantor desa tp kepala desanya gak pernah ada",
        "di gang sempit itu sampah numpuk terus gak pernah diangkut",
    ],
)
def test_a_vague_place_in_the_story_is_not_the_location(story: str) -> None:
    told = at(DESCRIPTION, story)
    assert told.values[DESCRIPTION] == story
    assert LOCATION not in told.values


# -- D27 (tester 2026-12-01 b): "which location?" is a question about the question -----------


@pytest.mark.parametrize(
    "text",
    [
        "maksudnya lokasi apa? alamat kantornya ato rumah sy?",
        "alamat rumah saya atau alamat kejadiannya?",
        "lokasi yg mana ya min?",
        "lokasinya maksudnya gimana?",
        "perlu alamat rumah sy jg gak?",
        "alamat domisili sy ya?",
        "tempat tinggal saya apa tempat kejadian?",
    ],
)
@pytest.mark.parametrize("intent", ["ask_location_hours", "ask_help", "ask_requirements"])
def test_a_question_about_what_the_location_means_is_explained(text: str, intent: str) -> None:
    told = at(LOCATION, text, intent)
    assert told.say == [("utter_form_explain_complaint_location", {})]
    assert told.ask == LOCATION and not told.values and not told.answer_question


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        (DESCRIPTION, "maksudnya sy harus cerita apa aja?"),
        (CATEGORY, "maksudnya kategori apa ya?"),
        (PRIVACY, "maksudnya rahasia sama anonim itu gimana?"),
    ],
)
def test_asking_what_a_question_means_explains_it(slot: str, text: str) -> None:
    told = at(slot, text, "ask_help")
    assert told.say == [(f"utter_form_explain_{slot}", {})]
    assert told.ask == slot and not told.values


@pytest.mark.parametrize(
    "text", ["alamat samsat dimana ya?", "jam buka kantor imigrasi jam brp ya?"]
)
def test_a_question_about_an_office_at_the_location_question_is_still_answered(text: str) -> None:
    told = at(LOCATION, text, "ask_location_hours")
    assert told.answer_question and told.ask == LOCATION and not told.values


# -- N3: a question about how long complaints take, asked at the story question -----------


@pytest.mark.parametrize(
    "text",
    [
        "kira2 berapa lama ya laporan kayak gini biasanya diproses min?",
        "sebelum sy cerita, biasanya brp lama laporannya ditanggapi petugas?",
    ],
)
def test_a_timeline_question_at_the_story_question_is_answered_not_stored(text: str) -> None:
    outcome = at(DESCRIPTION, text, "ask_duration")
    assert outcome.answer_question and outcome.ask == DESCRIPTION
    assert DESCRIPTION not in outcome.values and OPENING not in outcome.values


def test_a_story_that_ends_asking_when_it_is_done_is_still_the_story() -> None:
    story = "sy sudah 3 bulan nunggu ktp gak jadi2, kapan sih selesainya?"
    outcome = at(DESCRIPTION, story, "ask_duration")
    assert outcome.values.get(DESCRIPTION) == story


# -- N5: location corrections at the summary in other wordings ----------------------------


@pytest.mark.parametrize(
    ("text", "place"),
    [
        (
            "tempatnya kurang jelas, puskesmas sukamaju jl kenanga 5",
            "puskesmas sukamaju jl kenanga 5",
        ),
        ("alamat yg benar: jl kenari no 7 rt 02", "jl kenari no 7 rt 02"),
        (
            "oh lokasinya belum lengkap kak, pasar induk blok B lantai 2",
            "pasar induk blok B lantai 2",
        ),
    ],
)
def test_a_location_correction_in_other_words_at_the_summary(text: str, place: str) -> None:
    outcome = at(CONFIRMED, text, "inform")
    assert outcome.values.get(LOCATION) == place
    assert DESCRIPTION not in outcome.values
