"""The complaint form's validation and questions."""

from __future__ import annotations

from typing import Any

import pytest
from action_helpers import make_tracker, responses, texts
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
)
from bot.categories import suggest_category
from bot.store.models import Category

FORM = ValidateComplaintForm()


def validate(slot: str, value: Any, text: str = "", intent: str = "inform", **slots: Any):
    """Validate `value` as the answer to the question asked for `slot`."""
    dispatcher = CollectingDispatcher()
    slots = {"requested_slot": slot, **slots}
    tracker = make_tracker(text or str(value), intent, slots=slots, active_loop="complaint_form")
    result = getattr(FORM, f"validate_{slot}")(value, dispatcher, tracker, {})
    return result[slot], responses(dispatcher)


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
        ("Jalan berlubang di depan pasar", True, None),
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
    assert validate("complaint_confirmed", True, "ya")[0] is True
    assert validate("complaint_confirmed", False, "tidak")[0] is False
    assert validate("complaint_confirmed", "oke kirim")[0] is True
    unclear, said = validate("complaint_confirmed", "hmm nanti dulu deh")
    assert unclear is None and said == ["utter_confirm_invalid"]


def test_a_long_first_message_becomes_the_description(domain: dict[str, Any]) -> None:
    story = "Saya mau lapor, jalan di depan rumah saya berlubang besar sudah 3 bulan."
    dispatcher = CollectingDispatcher()
    events = ActionStartComplaint().run(dispatcher, make_tracker(story, "file_complaint"), domain)
    assert {"name": "complaint_description", "value": story} in [
        {"name": e["name"], "value": e["value"]} for e in events
    ]
    # Nothing is said here: the form's first question greets the citizen.
    assert responses(dispatcher) == []


def test_a_short_opener_just_starts_the_form(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionStartComplaint().run(
        dispatcher, make_tracker("mau lapor", "file_complaint"), domain
    )
    assert all(e["value"] is None for e in events)
    assert responses(dispatcher) == []


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
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/cancel"]


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


async def test_starting_the_form_judges_nothing(domain: dict[str, Any]) -> None:
    # The reproduction: five validation errors before the first question.
    dispatcher = CollectingDispatcher()
    events = await FORM.run(dispatcher, first_turn_tracker("saya mau lapor"), domain)
    assert dispatcher.messages == []
    assert all(e.get("value") is None for e in events if e.get("event") == "slot")


async def test_a_story_in_the_opening_message_is_kept_silently(domain: dict[str, Any]) -> None:
    story = "saya mau lapor, lampu jalan di gang Kenanga mati sudah tiga minggu, gelap sekali"
    dispatcher = CollectingDispatcher()
    events = await FORM.run(dispatcher, first_turn_tracker(story, story), domain)
    assert dispatcher.messages == []
    assert {
        "event": "slot",
        "timestamp": None,
        "name": "complaint_description",
        "value": story,
    } in events


@pytest.mark.parametrize(
    ("slot", "value"),
    [
        ("complaint_description", "halo"),
        ("complaint_location", "x"),
        ("complaint_category", "kucing oranye"),
        ("complaint_privacy", "terserah"),
        ("complaint_confirmed", "hmm"),
    ],
)
def test_a_slot_that_was_not_asked_is_judged_silently(slot: str, value: str) -> None:
    # Another question is open: a bad value for this slot is dropped without a word
    # (the form asks for it when its turn comes).
    other = "complaint_location" if slot != "complaint_location" else "complaint_description"
    result, said = validate(slot, value, requested_slot=other)
    assert result is None and said == []
    # The same value as the answer to its own question gets the polite error.
    result, said = validate(slot, value)
    assert result is None and len(said) == 1


@pytest.mark.parametrize("slot", [s for s in FORM_SLOTS if not s.endswith("itude")])
def test_an_empty_value_is_not_an_answer(slot: str) -> None:
    validator = getattr(FORM, f"validate_{slot}", None)
    if validator is None:
        pytest.skip(f"{slot} has no validator")
    result, said = validate(slot, None)
    assert result is None and said == []


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
    # The first question is one message that asks for the story (or, after a story, the place).
    assert "ceritakan pengaduan" in domain["responses"]["utter_complaint_start"][0]["text"]
    assert (
        "Di mana lokasinya?" in domain["responses"]["utter_complaint_start_with_story"][0]["text"]
    )
