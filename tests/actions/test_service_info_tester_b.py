"""Service answers after the black-box tester of 2026-12-01 (b): every aspect asked is
answered, a day asked about is said open or closed, a pungli question gets the fee and not
an unasked duration, an explicit complaint opens the form, marriage is referred."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.store.models import Citizen, utcnow
from bot.store.repository import Repository
from tests.utils.actions import ask, responses, texts

START = {"event": "followup", "timestamp": None, "name": "action_start_complaint"}


def consent(repo: Repository, sender: str = "citizen-1") -> None:
    """The citizen agreed to the privacy notice: the survey may be offered."""
    from sqlalchemy.orm import Session

    with Session(repo.engine) as s, s.begin():
        s.add(Citizen(sender_id=sender, consent_at=utcnow()))


def said(domain: dict[str, Any], dispatcher: CollectingDispatcher) -> str:
    return "\n".join(texts(domain, dispatcher))


@pytest.mark.parametrize(
    ("text", "intent", "service", "wanted"),
    [
        (
            "kia syaratnya apa aja, trus bayar brp?",
            "ask_cost",
            "kia",
            ["utter_service_requirements", "utter_service_cost_no_basis"],
        ),
        (
            "min mau nanya, bikin ktp baru syaratnya apa aja ya? trus bayar brp?",
            "ask_requirements",
            "ktp",
            ["utter_service_requirements", "utter_service_cost_no_basis"],
        ),
        (
            "kk sy ilang kebawa banjir, gmn ngurusnya ya? hrs ke mana?",
            "ask_procedure",
            "kk",
            ["utter_service_location"],
        ),
        (
            "anak sy mau buka warung, bikin NIB bisa online gak? brp lama jadinya?",
            "ask_duration",
            "nib",
            ["utter_service_procedure_online", "utter_service_duration_no_basis"],
        ),
    ],
)
def test_every_aspect_asked_is_answered(
    repo: Repository,
    domain: dict[str, Any],
    text: str,
    intent: str,
    service: str,
    wanted: list[str],
) -> None:
    """D1: the aspect asked in informal words ("bayar brp", "hrs ke mana", "bisa online
    gak") is answered besides the one the classifier chose."""
    dispatcher, _ = ask(domain, text, intent, service)
    got = responses(dispatcher)
    for response in wanted:
        assert response in got, (text, got)


def test_a_deadline_question_also_gets_the_requirements_asked(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """D1 (Javanese): "syarate napa mawon nggih? batas waktunya kapan?" got only the
    deadline."""
    text = (
        "sugeng enjing. bapak kula seda minggu wingi, ngurus akta kematian syarate napa "
        "mawon nggih? batas waktunya kapan?"
    )
    dispatcher, _ = ask(domain, text, "ask_duration", "akta_kematian")
    got = responses(dispatcher)
    assert "utter_service_requirements" in got
    assert any(r.startswith("utter_service_deadline") for r in got)
    assert "30 hari" in said(domain, dispatcher)
    assert "utter_service_duration" not in got and "utter_service_duration_no_basis" not in got


def test_aspects_are_answered_in_the_order_asked(repo: Repository, domain: dict[str, Any]) -> None:
    """D2: "jadinya brp hari? sm kantornya dmn" answered the office first."""
    dispatcher, _ = ask(
        domain, "trus jadinya brp hari? sm kantornya dmn", "ask_location_hours", service="ktp"
    )
    got = [r for r in responses(dispatcher) if r.startswith("utter_service_")]
    assert got == ["utter_service_duration_no_basis", "utter_service_location"]


@pytest.mark.parametrize(
    ("text", "service", "expected"),
    [
        ("trus jadinya brp hari? sm kantornya dmn, sabtu buka gk", "ktp", "Sabtu tutup"),
        ("kantor samsat buka sabtu gak? mau bayar pajak motor", "stnk", "Sabtu buka"),
        ("satpas minggu buka ga?", "sim", "Minggu tutup"),
        ("kalo hari sabtu bisa ngurus skck?", "skck", "Sabtu"),
    ],
)
def test_a_day_asked_about_is_said_open_or_closed(
    repo: Repository, domain: dict[str, Any], text: str, service: str, expected: str
) -> None:
    """D2: "sabtu buka gk" is answered in so many words, from the catalogue's hours."""
    dispatcher, _ = ask(domain, text, "ask_location_hours", service)
    got = responses(dispatcher)
    day_line = next(i for i, r in enumerate(got) if r.startswith("utter_office_day"))
    assert got[day_line + 1] == "utter_service_location"  # the day first, then the office
    assert expected in texts(domain, dispatcher)[day_line]


def test_saturday_hours_are_named(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _ = ask(domain, "samsat sabtu buka?", "ask_location_hours", "stnk")
    assert "08.00–12.00" in texts(domain, dispatcher)[0]


def test_no_day_line_without_a_day(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _ = ask(domain, "kantor samsat di mana?", "ask_location_hours", "stnk")
    assert not any(r.startswith("utter_office_day") for r in responses(dispatcher))


@pytest.mark.parametrize(
    ("text", "intent", "service"),
    [
        (
            "pak kmrn sy ngurus akta kelahiran anak di dukcapil, trus sama petugasnya dimintai "
            "uang 150rb katanya biar cepet jadi. emang boleh gitu ya?",
            "ask_duration",
            "akta_kelahiran",
        ),
        (
            "td di satpas dimintai uang 500rb sm petugas biar lulus ujian praktek sim c, "
            "boleh gitu?",
            "ask_duration",
            "sim",
        ),
    ],
)
def test_a_pungli_question_gets_the_fee_not_an_unasked_duration(
    repo: Repository, domain: dict[str, Any], text: str, intent: str, service: str
) -> None:
    """D4: "biar cepet jadi" / "biar lulus" is no question about the duration."""
    consent(repo)
    dispatcher, _ = ask(domain, text, intent, service)
    got = responses(dispatcher)
    assert "utter_service_duration" not in got and "utter_service_duration_no_basis" not in got
    assert got[0].startswith("utter_service_cost")
    assert "utter_pungli_offer" in got
    assert "utter_skm_offer" not in got


def test_a_pungli_question_that_asks_the_duration_gets_it(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _ = ask(
        domain,
        "brp lama bikin skck? td dimintai uang 100rb sm petugas biar cepet, boleh gitu?",
        "ask_duration",
        "skck",
    )
    got = responses(dispatcher)
    assert "utter_service_duration_no_basis" in got or "utter_service_duration" in got
    assert "utter_pungli_offer" in got


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        (
            "mau komplain, kemarin sabtu sy ke samsat jam 10 tp loketnya udh tutup, padahal "
            "jam layanan sampe jam 12. sy udh jauh2 dr kecamatan sebelah",
            "ask_location_hours",
        ),
        (
            "pengen ngadu, td pagi sy ngurus sim di satpas disuruh nunggu 4 jam trus "
            "petugasnya pergi gitu aja",
            "ask_duration",
        ),
        (
            "sy mau lapor, kemarin di kantor kelurahan petugasnya bentak2 sy pas ngurus sktm",
            "ask_requirements",
        ),
        ("mau protes, skck sy udh 2 minggu blm jadi padahal katanya 1 hari", "ask_duration"),
    ],
)
def test_an_explicit_complaint_opens_the_form(
    repo: Repository, domain: dict[str, Any], text: str, intent: str
) -> None:
    """D34: "mau komplain, ..." with a story was answered with Samsat's hours and a survey
    offer; it opens the complaint form with the story instead."""
    dispatcher, events = ask(domain, text, intent)
    assert dispatcher.messages == []
    assert START in events


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("mau lapor kematian bapak sy, syaratnya apa aja?", "ask_requirements"),
        ("mau lapor spt pajak tahunan caranya gimana", "ask_procedure"),
        ("kalau mau komplain soal ktp ke mana ya?", "ask_location_hours"),
        ("syarat bikin ktp apa aja", "ask_requirements"),
    ],
)
def test_a_question_is_not_taken_for_a_complaint(
    repo: Repository, domain: dict[str, Any], text: str, intent: str
) -> None:
    _dispatcher, events = ask(domain, text, intent)
    assert START not in events


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("oiya kalo mau nikah ngurus suratnya dmn ya?", "ask_location_hours"),
        ("syarat nikah apa aja min", "ask_requirements"),
        ("mau menikah bulan depan, daftarnya gimana?", "ask_procedure"),
        ("biaya nikah di kua brp", "ask_cost"),
    ],
)
def test_marriage_is_referred(
    repo: Repository, domain: dict[str, Any], text: str, intent: str
) -> None:
    """D16: marriage questions got "Layanan apa yang ingin Anda tanyakan ...-nya?"."""
    dispatcher, _ = ask(domain, text, intent)
    assert responses(dispatcher) == ["utter_service_not_served"]
    assert "KUA" in said(domain, dispatcher)


def test_a_catalogue_service_named_with_marriage_is_answered(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _ = ask(domain, "abis nikah bikin kk baru syaratnya apa", "ask_requirements", "kk")
    assert responses(dispatcher)[0] == "utter_service_requirements"


def test_which_service_question_is_good_indonesian(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """D17: "persyaratan-nya", "lokasi dan jam layanan-nya"."""
    for intent, word in (
        ("ask_requirements", "persyaratannya?"),
        ("ask_location_hours", "lokasi dan jam layanannya?"),
    ):
        dispatcher, _ = ask(domain, "mau nanya dong", intent)
        text = said(domain, dispatcher)
        assert word in text and "-nya" not in text


def test_the_menu_asks_the_service_without_assuming_an_aspect(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """D33: the menu's "Tanya layanan" asked "persyaratan-nya" and typing "pbb" then gave
    PBB's requirements nobody asked for."""
    menu = [b for b in domain["responses"]["utter_greet"][0]["buttons"]]
    payload = next(b["payload"] for b in menu if b["title"] == "Tanya layanan")
    intent = payload.lstrip("/").split("{")[0]
    dispatcher, events = ask(domain, payload, intent)
    text = said(domain, dispatcher)
    assert "persyaratan" not in text.lower().split("?")[0]
    aspect = next(e["value"] for e in events if e.get("name") == "service_aspect")
    dispatcher, _ = ask(domain, "pbb", "inform", "pbb", service_aspect=aspect)
    assert "utter_service_requirements" not in responses(dispatcher)
    assert responses(dispatcher) == ["utter_service_overview"]
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert "Persyaratan" in titles and "Biaya" in titles


@pytest.mark.parametrize("intent", ["ask_requirements", "ask_duration", "inform"])
def test_a_deadline_and_the_requirements_whatever_the_intent(
    repo: Repository, domain: dict[str, Any], intent: str
) -> None:
    """D1 (Javanese), as the NLU may read it: the deadline and the requirements."""
    text = "ngurus akta kematian syarate napa mawon nggih? batas waktunya kapan?"
    dispatcher, _ = ask(domain, text, intent, "akta_kematian")
    got = responses(dispatcher)
    assert got.count("utter_service_requirements") == 1
    assert any(r.startswith("utter_service_deadline") for r in got)


def test_a_deadline_question_about_a_service_without_one_answers_once(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _ = ask(
        domain, "syarat ktp apa aja? ada batas waktunya gak?", "ask_requirements", "ktp"
    )
    assert responses(dispatcher).count("utter_service_requirements") == 1


def test_no_survey_offer_to_a_question_about_complaining(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """D34: "Never offer the satisfaction survey to a message that is a complaint"."""
    consent(repo)
    dispatcher, _ = ask(
        domain, "kalau mau komplain soal samsat ke mana ya?", "ask_location_hours", "stnk"
    )
    got = responses(dispatcher)
    assert "utter_service_location" in got and "utter_skm_offer" not in got
    plain, _ = ask(domain, "samsat di mana ya?", "ask_location_hours", "stnk", service=None)
    assert "utter_skm_offer" in responses(plain)  # the offer itself still works
