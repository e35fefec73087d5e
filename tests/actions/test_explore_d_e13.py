"""E13 (black-box tester 2026-12-01 d): life events named in words lead to their service
("bpk sy meninggal kmrn, ngurus surat2nya gmn ya": the death certificate, what to bring and
how), not to a menu without it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.service_match import life_event
from bot.store.repository import Repository
from tests.utils.actions import responses
from tests.utils.explore_d import START, answer, followups, run_fallback, said


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("bpk sy meninggal kmrn, ngurus surat2nya gmn ya", "akta_kematian"),
        ("ibu saya wafat minggu lalu, apa yang harus diurus", "akta_kematian"),
        ("almarhum kakek blm ada aktanya, ngurusnya dmn", "akta_kematian"),
        ("suami sy baru meninggal, surat apa aja yg perlu dibikin", "akta_kematian"),
        ("anak sy baru lahir kmrn, suratnya apa aja yg hrs dibikin", "akta_kelahiran"),
        ("istri sy baru melahirkan, ngurus surat lahirnya gmn", "akta_kelahiran"),
        ("baru nikah bulan lalu, trs ngurus apa aja ya", "kk"),
        ("sy udah menikah, data di kk mau diubah gmn", "kk"),
        ("sy pindah rumah ke kota lain, surat2nya gmn", "surat_pindah"),
    ],
)
def test_life_events_name_their_service(text: str, service: str) -> None:
    found = life_event(text)
    assert found is not None and found[0] == service


@pytest.mark.parametrize(
    "text",
    [
        "syarat nikah apa aja",  # a wedding: the KUA (a referral), not the KK
        "mau nikah ngurus suratnya dmn",
        "tempat lahir di ktp salah",  # a field of a document, no birth
        "jalan rusak parah",
    ],
)
def test_no_life_event(text: str) -> None:
    assert life_event(text) is None


def test_a_death_gets_the_death_certificate(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, events = answer(
        domain, "bpk sy meninggal kmrn, ngurus surat2nya gmn ya", "ask_requirements"
    )
    reply = said(domain, dispatcher)
    assert "akta kematian" in reply
    assert "surat keterangan kematian" in reply  # what to bring
    assert "30 hari" in reply  # the procedure, with the deadline in its first step
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["service"] == "akta_kematian"


def test_a_death_in_a_message_the_classifier_missed(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, events = run_fallback(domain, "ibu saya wafat minggu lalu, apa yang harus diurus")
    assert START not in followups(events)
    assert "akta kematian" in said(domain, dispatcher)


def test_after_a_wedding_the_kk(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _events = answer(
        domain, "baru nikah bulan lalu, trs ngurus apa aja ya", "ask_requirements"
    )
    reply = said(domain, dispatcher)
    assert "kartu keluarga" in reply and "kua" not in reply


def test_a_wedding_still_goes_to_the_kua(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _events = answer(domain, "syarat nikah apa aja", "ask_requirements")
    assert responses(dispatcher) == ["utter_service_not_served"]
