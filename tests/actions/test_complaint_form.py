"""The complaint form's validation and questions."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.complaint_form import (
    FORM_SLOTS,
    ActionAskComplaintCategory,
    ActionAskComplaintConfirmed,
    ActionAskComplaintDescription,
    ActionAskComplaintLocation,
    ActionAskComplaintPrivacy,
    ActionStartComplaint,
    ValidateComplaintForm,
    earlier_story,
)
from bot.categories import suggest_category
from bot.store.drafts import DraftRepository
from bot.store.models import Category
from tests.utils.actions import make_tracker, responses, texts

FORM = ValidateComplaintForm()


@pytest.fixture(autouse=True)
def _catalogue(repo: Any) -> None:
    """The form looks up service names in the catalogue of the test database."""


EARLIER = {
    "complaint_description": "Jalan berlubang besar di depan SDN 3 sudah dua bulan.",
    "complaint_location": "Jl. Merdeka 10",
    "complaint_category": "infrastruktur",
    "complaint_privacy": "public",
}
ORDER = [*EARLIER, "complaint_confirmed"]


def turn(
    requested: str, text: str, intent: str = "inform", confidence: float = 1.0, **slots: Any
) -> tuple[dict[str, Any], list[str]]:
    """One message while `requested` is the open question; (slots set, responses)."""
    filled = {slot: EARLIER[slot] for slot in ORDER[: ORDER.index(requested)]}
    filled.update(slots)
    dispatcher = CollectingDispatcher()
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    tracker = Tracker(
        sender_id="citizen-form",
        slots={"requested_slot": requested, **filled},
        latest_message=parse,
        events=[{"event": "user", "text": text, "parse_data": parse}],
        paused=False,
        followup_action=None,
        active_loop={"name": "complaint_form"},
        latest_action_name="action_listen",
    )
    events = FORM.run(dispatcher, tracker, {})
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, responses(
        dispatcher
    )


def validate(slot: str, value: Any, text: str = "", intent: str = "inform", **slots: Any):
    """The value accepted for `slot` (None if not) and what was said, for an answer."""
    values, said = turn(slot, text or str(value), intent, **slots)
    return values.get(slot), said


def test_required_slots_are_asked_in_order(domain: dict[str, Any]) -> None:
    assert domain["forms"]["complaint_form"]["required_slots"] == [
        "complaint_description",
        "complaint_location",
        "complaint_category",
        "complaint_privacy",
        "complaint_confirmed",
    ]


@pytest.mark.parametrize(
    ("value", "accepted", "reply"),
    [
        ("jalan rusak", False, "utter_description_too_short"),
        ("   spasi saja      ", False, "utter_description_too_short"),
        ("x" * 4001, False, "utter_description_too_long"),
        ("Petugasnya membentak warga yang antre", True, None),
        ("y" * 4000, True, None),
    ],
)
def test_description_length_bounds(value: str, accepted: bool, reply: str | None) -> None:
    result, said = validate("complaint_description", value)
    assert (result == value) is accepted
    assert said == ([reply] if reply else [])


def test_description_is_kept_verbatim() -> None:
    text = "  Petugas minta 'uang rokok'\n\nRp50.000 <script>alert(1)</script>  "
    result, _ = validate("complaint_description", text)
    assert result == text


def test_location_needs_some_words() -> None:
    assert validate("complaint_location", "a")[0] is None
    assert validate("complaint_location", " Jl. Merdeka 10 ")[0] == "Jl. Merdeka 10"
    assert validate("complaint_location", "z" * 501)[1] == ["utter_location_too_long"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("petugas kelurahan minta uang 200 ribu buat bikin KK", Category.PUNGLI),
        ("jalan berlubang besar di depan SDN 3 sudah dua bulan", Category.INFRASTRUKTUR),
        ("sampah menumpuk di TPS pasar baunya sampai rumah", Category.KEBERSIHAN),
        ("antrean di puskesmas sangat lama dan dokternya tidak ada", Category.KESEHATAN),
        ("guru kelas anak saya jarang masuk, murid dibiarkan belajar sendiri", Category.PENDIDIKAN),
        # Money taken for what should be free is pungli (it defaults to confidential).
        ("sekolah menarik uang seragam padahal katanya gratis", Category.PUNGLI),
        ("parkir liar di trotoar depan minimarket tiap malam", Category.KETERTIBAN),
        ("angkot ngetem sembarangan bikin macet di terminal", Category.TRANSPORTASI),
        ("e-KTP saya belum jadi sudah tiga bulan di dukcapil", Category.ADMINDUK),
        ("pengajuan izin PBG saya di SIMBG tidak ada kabar", Category.PERIZINAN),
        ("saya ingin menyampaikan keluhan tentang hal lain", Category.LAINNYA),
    ],
)
def test_category_suggestion(text: str, expected: Category) -> None:
    assert suggest_category(text) is expected


def test_category_button_typed_name_and_yes() -> None:
    assert validate("complaint_category", "kebersihan")[0] == "kebersihan"
    assert validate("complaint_category", "Infrastruktur aja")[0] == "infrastruktur"
    story = "Petugas minta uang pelicin 100 ribu untuk KTP"
    accepted, _ = validate("complaint_category", "ya", intent="affirm", complaint_description=story)
    assert accepted == "pungli"
    rejected, said = validate("complaint_category", "kucing oranye")
    assert rejected is None and said == ["utter_category_invalid"]


def test_privacy_choices_and_pungli_default() -> None:
    assert validate("complaint_privacy", "anonim saja")[0] == "anonymous"
    assert validate("complaint_privacy", "rahasia")[0] == "confidential"
    assert validate("complaint_privacy", "biasa")[0] == "public"
    assert validate("complaint_privacy", "confidential")[0] == "confidential"
    yes_pungli = validate("complaint_privacy", "iya", intent="affirm", complaint_category="pungli")[
        0
    ]
    assert yes_pungli == "confidential"
    yes_other = validate(
        "complaint_privacy", "iya", intent="affirm", complaint_category="kebersihan"
    )
    assert yes_other[0] == "public"
    assert validate("complaint_privacy", "terserah kamu")[1] == ["utter_privacy_invalid"]


def test_confirmation() -> None:
    assert validate("complaint_confirmed", True, "ya", intent="affirm")[0] is True
    assert validate("complaint_confirmed", True, "/affirm", intent="affirm")[0] is True
    assert validate("complaint_confirmed", "oke kirim", intent="affirm")[0] is True
    no, said = validate("complaint_confirmed", False, "tidak", intent="deny")
    assert no is None and said == ["utter_summary_what_to_change"]
    unclear, said = validate("complaint_confirmed", "hmm nanti dulu deh", intent="affirm")
    assert unclear is None and said == ["utter_confirm_invalid"]


def test_a_long_first_message_becomes_the_description(domain: dict[str, Any]) -> None:
    story = "Saya mau lapor, jalan di depan rumah saya berlubang besar sudah 3 bulan."
    dispatcher = CollectingDispatcher()
    events = ActionStartComplaint().run(dispatcher, make_tracker(story, "file_complaint"), domain)
    assert {"name": "complaint_description", "value": story} in [
        {"name": e["name"], "value": e["value"]} for e in events if e["event"] == "slot"
    ]
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "complaint_form"}
    # Nothing is said here: the form's first question greets the citizen.
    assert responses(dispatcher) == []


def test_a_short_opener_just_starts_the_form(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionStartComplaint().run(
        dispatcher, make_tracker("mau lapor", "file_complaint"), domain
    )
    assert all(e["value"] is None for e in events if e["event"] == "slot")
    assert responses(dispatcher) == []


def test_a_formal_opening_without_content_is_not_the_story(domain: dict[str, Any]) -> None:
    opening = "Dengan hormat, saya bermaksud menyampaikan pengaduan terkait pelayanan."
    events = ActionStartComplaint().run(
        CollectingDispatcher(), make_tracker(opening, "file_complaint"), domain
    )
    assert all(e["value"] is None for e in events if e["event"] == "slot")


def test_category_question_puts_the_suggestion_first(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"complaint_description": "lampu jalan mati di gang Melati"})
    ActionAskComplaintCategory().run(dispatcher, tracker, domain)
    buttons = dispatcher.messages[0]["buttons"]
    assert len(buttons) == 10
    assert buttons[0]["payload"] == '/inform{"complaint_category": "infrastruktur"}'
    assert "Infrastruktur" in texts(domain, dispatcher)[0]


def test_privacy_question_defaults_pungli_to_confidential(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    ActionAskComplaintPrivacy().run(
        dispatcher, make_tracker(slots={"complaint_category": "pungli"}), domain
    )
    assert responses(dispatcher) == ["utter_ask_complaint_privacy_pungli"]
    assert (
        dispatcher.messages[0]["buttons"][0]["payload"]
        == '/inform{"complaint_privacy": "confidential"}'
    )


def test_summary_shows_everything_before_sending(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    slots = {
        "complaint_description": "Sampah menumpuk di TPS pasar sejak minggu lalu.",
        "complaint_location": "Pasar Baru",
        "complaint_category": "kebersihan",
        "complaint_privacy": "anonymous",
    }
    ActionAskComplaintConfirmed().run(dispatcher, make_tracker(slots=slots), domain)
    (summary,) = texts(domain, dispatcher)
    for part in ("Sampah menumpuk di TPS pasar", "Pasar Baru", "Kebersihan", "Anonim"):
        assert part in summary
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads[0] == "/affirm" and payloads[-1] == "/cancel"
    assert '/inform{"complaint_edit": "complaint_location"}' in payloads


# -- D7 (tester 2026-12-01 b): the summary says what is attached -----------------------------

SUMMARY_SLOTS = {
    "complaint_description": "Lampu jalan di Gang Mawar mati sejak dua minggu, gelap sekali.",
    "complaint_location": "Gang Mawar RT 05 RW 02",
    "complaint_category": "infrastruktur",
    "complaint_privacy": "public",
}


def summary_of(domain: dict[str, Any], sender: str, **slots: Any) -> str:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**SUMMARY_SLOTS, **slots}, sender=sender)
    ActionAskComplaintConfirmed().run(dispatcher, tracker, domain)
    (summary,) = texts(domain, dispatcher)
    return summary


@pytest.mark.parametrize(
    ("kinds", "pin", "line"),
    [
        (["photo", "photo"], True, "Lampiran: 2 foto, 1 titik lokasi"),
        (["photo", "document", "photo"], False, "Lampiran: 2 foto, 1 dokumen"),
        (["document"], True, "Lampiran: 1 dokumen, 1 titik lokasi"),
        ([], True, "Lampiran: 1 titik lokasi"),
        (["photo"], False, "Lampiran: 1 foto"),
    ],
)
def test_summary_counts_the_photos_documents_and_map_pin(
    domain: dict[str, Any], repo: Any, kinds: list[str], pin: bool, line: str
) -> None:
    drafts = DraftRepository(repo.engine)
    for number, kind in enumerate(kinds):
        drafts.add("citizen-d7", kind=kind, path=f"/tmp/d7-{number}")
    drafts.add("someone-else", kind="photo", path="/tmp/other")  # never counted for another
    coordinates = {"complaint_latitude": -6.9147, "complaint_longitude": 107.6098} if pin else {}
    summary = summary_of(domain, "citizen-d7", **coordinates)
    assert line in summary.splitlines()
    assert summary.index("Lokasi:") < summary.index("Lampiran:") < summary.index("Kirim")


def test_summary_without_attachments_says_there_are_none_and_how_to_add_one(
    domain: dict[str, Any], repo: Any
) -> None:
    summary = summary_of(domain, "citizen-d7-none")
    (line,) = [part for part in summary.splitlines() if part.startswith("Lampiran:")]
    assert "belum ada" in line and "foto" in line


# -- the form's first turn (issue 7, section 2) ---------------------------------------------


def user_event(text: str, intent: str) -> dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return {"event": "user", "text": text, "parse_data": parse}


def slot_event(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def action_event(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def first_turn_tracker(text: str, story: str | None = None) -> Any:
    """The tracker Rasa hands the validation when the form starts: the slots
    `action_start_complaint` cleared are the latest events, no question was asked yet."""
    events = [
        user_event(text, "file_complaint"),
        action_event("action_start_complaint"),
        *[slot_event(slot, None) for slot in FORM_SLOTS],
    ]
    if story:
        events.append(slot_event("complaint_description", story))
    tracker = make_tracker(text, "file_complaint", events=events, active_loop="complaint_form")
    tracker.slots.update({slot: None for slot in FORM_SLOTS})
    tracker.slots["complaint_description"] = story
    tracker.slots["requested_slot"] = None
    return tracker


def test_starting_the_form_judges_nothing(domain: dict[str, Any]) -> None:
    # The reproduction: five validation errors before the first question.
    dispatcher = CollectingDispatcher()
    events = FORM.run(dispatcher, first_turn_tracker("saya mau lapor"), domain)
    assert dispatcher.messages == []
    answers = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert all(answers.get(slot) is None for slot in ORDER)
    assert answers.get("requested_slot") == "complaint_description"


def test_a_story_in_the_opening_message_keeps_the_place_it_names(domain: dict[str, Any]) -> None:
    story = "saya mau lapor, lampu jalan di gang Kenanga mati sudah tiga minggu, gelap sekali"
    dispatcher = CollectingDispatcher()
    events = FORM.run(dispatcher, first_turn_tracker(story, story), domain)
    answers = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert answers["complaint_location"] == "gang Kenanga"
    assert answers["requested_slot"] == "complaint_category"
    assert responses(dispatcher) == ["utter_complaint_story_noted"]


def test_a_bare_opening_story_asks_for_the_place(domain: dict[str, Any]) -> None:
    story = "saya mau lapor, petugasnya membentak warga yang sedang antre tadi pagi"
    dispatcher = CollectingDispatcher()
    events = FORM.run(dispatcher, first_turn_tracker(story, story), domain)
    answers = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert answers["requested_slot"] == "complaint_location"
    assert dispatcher.messages == []


def ask(action: Any, events: list[dict[str, Any]], domain: dict[str, Any]) -> list[str]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("x", "inform", events=events, active_loop="complaint_form")
    action.run(dispatcher, tracker, domain)
    return responses(dispatcher)


def test_the_first_question_greets_and_later_ones_do_not(domain: dict[str, Any]) -> None:
    started = [
        user_event("saya mau lapor", "file_complaint"),
        action_event("action_start_complaint"),
    ]
    later = [*started, action_event("complaint_form"), user_event("jalan rusak", "inform")]
    description = ActionAskComplaintDescription()
    assert ask(description, started, domain) == ["utter_complaint_start"]
    assert ask(description, later, domain) == ["utter_ask_complaint_description"]
    location = ActionAskComplaintLocation()
    assert ask(location, started, domain) == ["utter_complaint_start_with_story"]
    assert ask(location, later, domain) == ["utter_ask_complaint_location"]
    # After the message saying what the story told besides (it also says the story was
    # noted), the first question is the plain one: the citizen reads it once.
    noted = [
        *started,
        action_event("complaint_form"),
        {
            "event": "bot",
            "text": "...",
            "metadata": {"utter_action": "utter_complaint_story_noted"},
        },
    ]
    assert ask(location, noted, domain) == ["utter_ask_complaint_location"]
    # The first question is one message that asks for the story (or, after a story, the place).
    assert "ceritakan pengaduan" in domain["responses"]["utter_complaint_start"][0]["text"]
    assert (
        "Di mana lokasinya?" in domain["responses"]["utter_complaint_start_with_story"][0]["text"]
    )


# -- found by a black-box tester (2026-12-01 b) -------------------------------------------------


def user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"text": text}}


def test_pointing_back_takes_the_complaint_story_not_the_request_after_it() -> None:
    story = (
        "mau komplain, kemarin sabtu sy ke samsat jam 10 tp loketnya udh tutup, padahal jam "
        "layanan sampe jam 12. sy udh jauh2 dr kecamatan sebelah"
    )
    events = [
        user("kantor samsat buka sabtu gak? mau bayar pajak motor"),
        user(story),
        user("bisa ngomong sm petugas langsung aja gak?"),
        user("/file_complaint"),
        user("kan udh sy ceritain td min, masa ngetik ulang"),
    ]
    tracker = make_tracker("kan udh sy ceritain td min, masa ngetik ulang", events=events)
    assert earlier_story(tracker) == story


@pytest.mark.parametrize(
    "earlier",
    [
        "lho sy mau komplain bukan nanya jam buka",
        "wah punya sy lama bgt dong. komplain aja lah",
        "mau lapor pungli di kantor satpas polres",
        "bisa tolong hubungkan saya dengan petugas manusia?",
    ],
)
def test_an_opening_or_a_request_is_not_an_earlier_story(earlier: str) -> None:
    events = [user(earlier), user("kan udh sy ceritain td")]
    assert earlier_story(make_tracker("kan udh sy ceritain td", events=events)) is None


@pytest.mark.parametrize(
    "opening",
    [
        "mau lapor pungli di kantor satpas polres",
        "wah punya sy lama bgt dong. komplain aja lah",
        "mau ngadu soal calo di terminal bus kota contoh",
    ],
)
def test_an_opening_that_names_only_the_subject_asks_for_the_story(
    domain: dict[str, Any], opening: str
) -> None:
    events = ActionStartComplaint().run(
        CollectingDispatcher(), make_tracker(opening, "file_complaint"), domain
    )
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["complaint_description"] is None
    assert slots.get("complaint_opening") in (None, opening)


def test_a_protest_opening_is_not_the_story(domain: dict[str, Any]) -> None:
    events = ActionStartComplaint().run(
        CollectingDispatcher(),
        make_tracker("lho sy mau komplain bukan nanya jam buka", "file_complaint"),
        domain,
    )
    assert all(e["value"] is None for e in events if e["event"] == "slot")


def test_the_follow_up_time_asked_informally_inside_the_form(domain: dict[str, Any]) -> None:
    text = "bentar, biasanya laporan gini brp lama ditindaklanjuti?"
    values, said = turn("complaint_location", text, "check_status")
    assert "utter_complaint_timeline" in said
    assert "utter_no_open_tickets" not in said
    assert "complaint_location" not in values


@pytest.mark.parametrize("text", ["status ADU-BDQNXH", "cek status laporan sy dulu dong"])
def test_a_status_question_at_the_category_question_is_answered(
    domain: dict[str, Any], text: str
) -> None:
    values, said = turn("complaint_category", text, "check_status", 0.9)
    assert "utter_category_invalid" not in said
    assert said and "complaint_category" not in values
    assert values.get("requested_slot") == "complaint_category"


def test_more_of_the_story_at_the_category_question_is_added(domain: dict[str, Any]) -> None:
    values, said = turn("complaint_category", "trus petugasnya ngomong kasar", "inform", 0.5)
    assert values["complaint_description"] == f"{EARLIER['complaint_description']}\n" + (
        "trus petugasnya ngomong kasar"
    )
    assert "utter_category_invalid" not in said
    assert values.get("requested_slot") == "complaint_category"


# -- D24 (tester 2026-12-01 b): a question whether the identity is safe opens no form --------


@pytest.mark.parametrize(
    "text",
    [
        "petugasnya bakal tau gak kalo sy yg lapor?",
        "data diri sy aman gak min",
        "identitas sy tetep aman kan min? kan td sy pilih anonim",
    ],
)
def test_a_privacy_question_read_as_a_complaint_is_answered_and_opens_no_form(
    domain: dict[str, Any], text: str
) -> None:
    dispatcher = CollectingDispatcher()
    # a long one is already the story action_start_complaint kept
    story = text if len(text) >= 40 else None
    events = FORM.run(dispatcher, first_turn_tracker(text, story=story), domain)
    said = [str(m.get("text") or "") for m in dispatcher.messages]
    assert len(said) == 1 and "Anonim" in said[0] and "Rahasia" in said[0]
    answers = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert answers.get("complaint_exit") == "left" and answers.get("requested_slot") is None
    assert all(answers.get(slot) is None for slot in ORDER)


def test_a_complaint_about_privacy_being_broken_is_still_a_complaint(
    domain: dict[str, Any],
) -> None:
    story = "petugas kelurahan nyebar data diri sy ke orang lain, sy mau lapor"
    dispatcher = CollectingDispatcher()
    events = FORM.run(dispatcher, first_turn_tracker(story, story=story), domain)
    answers = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert answers.get("complaint_exit") is None


# -- D19: the complaint's service (and so its unit) from a story told before the form ------


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_reporting_a_pungli_story_told_before_keeps_its_service(domain: dict[str, Any]) -> None:
    story = "kemarin bikin skck di polres, petugasnya minta 75rb biar cepet jadi, itu boleh?"
    tracker = make_tracker("lapor", "file_complaint", events=[user(story), user("lapor")])
    slots = _slots(ActionStartComplaint().run(CollectingDispatcher(), tracker, domain))
    assert slots["complaint_description"] == story
    assert slots["complaint_service"] == "skck"


def test_pointing_back_to_the_story_keeps_its_service(domain: dict[str, Any]) -> None:
    story = "td sy perpanjang paspor, petugas loket minta uang tambahan 300rb katanya biar kilat"
    text = "kan udh sy ceritain td"
    events = [user(story), user("/file_complaint"), user(text)]
    dispatcher = CollectingDispatcher()
    parse = {"text": text, "intent": {"name": "inform", "confidence": 1.0}, "entities": []}
    tracker = Tracker(
        sender_id="citizen-form",
        slots={"requested_slot": "complaint_description"},
        latest_message=parse,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "complaint_form"},
        latest_action_name="action_listen",
    )
    slots = _slots(FORM.run(dispatcher, tracker, {}))
    assert slots["complaint_description"] == story
    assert slots["complaint_service"] == "paspor"


def test_a_service_named_in_an_earlier_piece_of_the_story_counts() -> None:
    opening = "disuruh bayar 50rb buat map\nwaktu ngurus kk baru"
    values, _ = turn("complaint_description", "itu aja", complaint_opening=opening)
    assert values["complaint_description"] == opening
    assert values["complaint_service"] == "kk"


# -- N4, N6: a request for a person inside the form is acted on, never stored ---------------

PERSON_REPLIES = {"utter_request_human", "utter_live_waiting"}


@pytest.mark.parametrize(
    ("requested", "text"),
    [
        ("complaint_description", "tolong sambungkan ke petugas"),
        ("complaint_description", "bisa tolong hubungkan saya dengan petugas manusia?"),
        ("complaint_location", "sy mau bicara sama petugas aja"),
        ("complaint_category", "hubungkan ke admin dong"),
    ],
)
def test_a_request_for_a_person_inside_the_form_is_acted_on(
    domain: dict[str, Any], requested: str, text: str
) -> None:
    values, said = turn(requested, text, "nlu_fallback", 0.3)
    assert PERSON_REPLIES & set(said)
    assert requested not in values and "complaint_opening" not in values
    assert values.get("requested_slot") == requested


def test_a_story_about_an_officer_who_cannot_be_reached_is_still_the_story(
    domain: dict[str, Any],
) -> None:
    story = "sy udh 5x telpon petugas kelurahan buat nanya surat domisili tp gak pernah diangkat"
    values, said = turn("complaint_description", story)
    assert values.get("complaint_description") == story
    assert not PERSON_REPLIES & set(said)


def test_the_buttons_offered_with_the_contacts_work_inside_the_form(domain: dict[str, Any]) -> None:
    values, said = turn("complaint_location", "/file_complaint", "file_complaint")
    assert "utter_form_answer_please" not in said
    assert said == ["utter_complaint_already_open"]
    assert values.get("requested_slot") == "complaint_location"
    values, said = turn("complaint_location", "/request_callback", "request_callback")
    assert said == ["utter_callback_noted"]
    assert "complaint_location" not in values
    values, said = turn("complaint_location", "/deny", "deny")
    assert "utter_form_answer_please" not in said
    assert values.get("requested_slot") == "complaint_location"


# -- N8: one question per reply for story pieces ---------------------------------------------


def _bot(response: str, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "event": "bot",
        "text": "",
        "data": {"buttons": buttons or []},
        "metadata": {"utter_action": response},
    }


@pytest.mark.parametrize("said", ["utter_description_go_on", "utter_description_too_short"])
def test_a_short_piece_of_the_story_gets_the_question_once(
    domain: dict[str, Any], said: str
) -> None:
    events = [user("/file_complaint"), _bot("utter_complaint_start"), user("td pagi"), _bot(said)]
    tracker = make_tracker("td pagi", events=events, active_loop="complaint_form")
    dispatcher = CollectingDispatcher()
    ActionAskComplaintDescription().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == []


def _category_asked(description: str) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"complaint_description": description})
    ActionAskComplaintCategory().run(dispatcher, tracker, {})
    return dispatcher.messages


def test_more_story_at_the_category_question_does_not_resend_the_same_suggestion(
    domain: dict[str, Any],
) -> None:
    first = "antri di kantor kecamatan dari pagi sampai siang"
    asked = _category_asked(first)[0]
    more = f"{first}\ntrus pegawainya main hp terus"
    events = [
        _bot("utter_ask_complaint_category", asked["buttons"]),
        user("trus pegawainya main hp terus"),
        _bot("utter_story_added"),
    ]
    slots = {"complaint_description": more}
    tracker = make_tracker("trus pegawainya main hp terus", slots=slots, events=events)
    dispatcher = CollectingDispatcher()
    ActionAskComplaintCategory().run(dispatcher, tracker, domain)
    assert suggest_category(more) == suggest_category(first)
    assert responses(dispatcher) == []
    # A piece that changes the suggestion shows the new one.
    changed = f"{first}\ntrus petugasnya minta uang 50rb biar didahulukan"
    tracker = make_tracker("x", slots={"complaint_description": changed}, events=events)
    dispatcher = CollectingDispatcher()
    ActionAskComplaintCategory().run(dispatcher, tracker, domain)
    assert suggest_category(changed) != suggest_category(first)
    assert responses(dispatcher) == ["utter_ask_complaint_category"]


# -- black-box tester 2026-12-01 (d) ----------------------------------------------------------


@pytest.mark.parametrize("opener", ["bang sy mo komplen nih", "mbak sy mw ngadu nih"])
def test_an_opener_is_neither_story_nor_subject(domain: dict[str, Any], opener: str) -> None:
    """E20: "bang sy mo komplen nih" became the first line of the complaint text."""
    events = ActionStartComplaint().run(
        CollectingDispatcher(), make_tracker(opener, "file_complaint"), domain
    )
    assert all(e["value"] is None for e in events if e["event"] == "slot")


@pytest.mark.parametrize(
    ("category", "wish", "label"),
    [("pungli", "anonymous", "Anonim"), ("kesehatan", "confidential", "Rahasia")],
)
def test_a_privacy_wish_is_preselected_at_the_privacy_question(
    domain: dict[str, Any], category: str, wish: str, label: str
) -> None:
    """E11: "tolong rahasiakan ya" / "anonim aja ya kak" said earlier: marked ✓ there (the
    citizen still confirms), over pungli's default too."""
    dispatcher = CollectingDispatcher()
    slots = {"complaint_category": category, "complaint_privacy_wish": wish}
    ActionAskComplaintPrivacy().run(dispatcher, make_tracker(slots=slots), domain)
    assert responses(dispatcher) == ["utter_ask_complaint_privacy_wish"]
    assert dispatcher.messages[0]["buttons"][0]["title"] == f"{label} ✓"
    assert label in texts(domain, dispatcher)[0]


def test_a_privacy_wish_at_the_category_question_is_noted(domain: dict[str, Any]) -> None:
    """E11: "anonim aja ya kak, takut" at the category question got "kategori itu tidak
    saya kenali"."""
    values, said = turn("complaint_category", "anonim aja ya kak, takut")
    assert values["complaint_privacy_wish"] == "anonymous"
    assert values.get("complaint_category") is None
    assert said == ["utter_privacy_wish_noted"]
    assert values["requested_slot"] == "complaint_category"


def test_yes_at_the_privacy_question_takes_the_wish() -> None:
    values, _ = turn(
        "complaint_privacy",
        "iya",
        "affirm",
        complaint_category="pungli",
        complaint_privacy_wish="anonymous",
    )
    assert values["complaint_privacy"] == "anonymous"


def test_a_question_while_cancel_is_pending_is_answered_then_asked_again(
    domain: dict[str, Any],
) -> None:
    """E5: "jadi sim c mati 2 bulan msh bs diperpanjang ga?" was ignored."""
    values, said = turn(
        "complaint_location",
        "jadi sim c mati 2 bulan msh bs diperpanjang ga?",
        "ask_requirements",
        complaint_cancel_pending=True,
    )
    assert said[-1] == "utter_confirm_cancel" and len(said) >= 2
    assert values["complaint_cancel_pending"] is True
    assert values.get("complaint_exit") is None


def test_a_follow_up_service_question_in_the_form_is_answered(domain: dict[str, Any]) -> None:
    """E1: "kalo sim a?" after "biaya?" at the location question got "Maksudnya tempat
    kejadian..."."""
    dispatcher = CollectingDispatcher()
    text = "kalo sim a?"
    parse = {
        "text": text,
        "intent": {"name": "inform", "confidence": 0.98},
        "entities": [{"entity": "service", "value": "sim"}],
    }
    tracker = Tracker(
        sender_id="citizen-form",
        slots={
            "requested_slot": "complaint_location",
            "complaint_description": "mo perpanjang sim c yg udh mati 2 bln bs gk",
            "service": "sim",
            "service_aspect": "cost",
        },
        latest_message=parse,
        events=[{"event": "user", "text": text, "parse_data": parse}],
        paused=False,
        followup_action=None,
        active_loop={"name": "complaint_form"},
        latest_action_name="action_listen",
    )
    events = FORM.run(dispatcher, tracker, domain)
    said = texts(domain, dispatcher)
    assert "utter_form_explain_complaint_location" not in responses(dispatcher)
    assert any("Rp" in line for line in said), said
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots.get("complaint_location") is None
    assert slots["requested_slot"] == "complaint_location"


def test_after_ubah_isi_an_addition_joins_the_story_told_before() -> None:
    """E4: "Ubah isi", then "tambahan: ..." replaced the whole story."""
    story = EARLIER["complaint_description"]
    text = "tambahan: petugasnya cewe pake kerudung coklat, kejadiannya senin kmrn"
    parse = {"text": text, "intent": {"name": "inform", "confidence": 1.0}, "entities": []}
    events = [
        {"event": "user", "text": "mau lapor jalan rusak"},
        {"event": "active_loop", "name": "complaint_form"},
        {"event": "slot", "name": "complaint_description", "value": story},
        {"event": "user", "text": '/inform{"complaint_edit": "complaint_description"}'},
        {"event": "slot", "name": "complaint_description", "value": None},
        {"event": "user", "text": text, "parse_data": parse},
    ]
    slots = {k: v for k, v in EARLIER.items() if k != "complaint_description"}
    tracker = Tracker(
        sender_id="citizen-form",
        slots={"requested_slot": "complaint_description", **slots},
        latest_message=parse,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "complaint_form"},
        latest_action_name="action_listen",
    )
    result = FORM.run(CollectingDispatcher(), tracker, {})
    values = {e["name"]: e["value"] for e in result if e.get("event") == "slot"}
    assert values["complaint_description"] == (
        f"{story}\npetugasnya cewe pake kerudung coklat, kejadiannya senin kmrn"
    )


def test_the_location_is_asked_again_briefly_after_a_story_piece(domain: dict[str, Any]) -> None:
    """E2: "udh seminggu" at the location question: added to the story, asked again briefly."""
    values, said = turn(
        "complaint_location", "udh seminggu", complaint_description="lampu jalan mati"
    )
    assert values["complaint_description"] == "lampu jalan mati\nudh seminggu"
    assert values.get("complaint_location") is None
    assert said == ["utter_story_added"]


def test_the_brief_location_question_follows_a_story_piece(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    events = [
        {"event": "user", "text": "udh seminggu"},
        {"event": "bot", "text": "Baik", "metadata": {"utter_action": "utter_story_added"}},
    ]
    tracker = make_tracker("udh seminggu", events=events)
    ActionAskComplaintLocation().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_ask_complaint_location_again"]
