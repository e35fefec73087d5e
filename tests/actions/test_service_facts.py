"""Catalogue answers name their source and the date it was checked; a rule each region sets
is said as such, for the office it applies to; moving within one kabupaten/kota is not sent
to the SKPWNI (issue 11)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from actions.service_info import ASPECT_BY_INTENT, ActionAnswerService
from bot.store.catalogue import CANONICAL_SERVICE_IDS, Catalogue, import_catalogue
from bot.store.models import ServiceFact
from bot.store.repository import Repository
from bot.texts import format_date
from tests.utils import ROOT
from tests.utils.actions import ask, entity, make_tracker, responses, texts

REGIONAL = "Ketentuan ini tergantung daerah; di "


def test_an_answer_ends_with_its_source_and_date(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _ = ask(domain, "biaya paspor berapa", "ask_cost", "paspor")
    (answer,) = texts(domain, dispatcher)
    assert "Rp950.000" in answer
    assert answer.endswith(
        "\nSumber: PP No. 45 Tahun 2024 (berlaku 17 Desember 2024) · diperiksa 20 Nov 2026"
    )
    assert REGIONAL not in answer  # a national tariff


def test_a_regional_answer_names_the_office_it_applies_to(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _ = ask(domain, "biaya pbb gimana", "ask_cost", "pbb")
    (answer,) = texts(domain, dispatcher)
    office = "Badan Pendapatan Daerah (Bapenda) Kota Contoh"
    assert f"{REGIONAL}{office}: Sesuai tagihan di SPPT PBB." in answer
    assert "\nSumber: UU No. 1 Tahun 2022 (HKPD); Perda Pajak Daerah Kota Contoh" in answer

    dispatcher, _ = ask(domain, "syarat sktm", "ask_requirements", "sktm")
    (answer,) = texts(domain, dispatcher)
    kelurahan = "Kantor Kelurahan di Kota Contoh (sesuai alamat tempat tinggal)"
    assert f"{REGIONAL}{kelurahan}:\n1. Surat pengantar dari RT/RW" in answer


@pytest.mark.parametrize("service_id", CANONICAL_SERVICE_IDS)
def test_every_answer_carries_its_source_and_regional_note(
    repo: Repository, domain: dict[str, Any], service_id: str
) -> None:
    service = repo.get_service(service_id)
    assert service is not None
    for intent, aspect in ASPECT_BY_INTENT.items():
        dispatcher, _ = ask(domain, f"tanya {service_id}", intent, service_id)
        (answer,) = texts(domain, dispatcher)
        if responses(dispatcher) == ["utter_service_unavailable"]:
            assert "Sumber:" not in answer  # nothing said, nothing to source
            continue
        fact = service.facts[aspect]
        assert fact.source and fact.checked
        line = f"Sumber: {fact.source} · diperiksa {format_date(fact.checked, short=True)}"
        assert answer.endswith("\n" + line), (service_id, aspect)
        if aspect != "location_hours":  # that answer is the office itself
            assert (f"{REGIONAL}{service.office_name}:" in answer) == fact.regional, aspect


@pytest.mark.parametrize(
    ("text", "intent", "service_id", "regulation"),
    [
        ("biaya paspor berapa", "ask_cost", "paspor", "PP No. 45 Tahun 2024"),
        ("biaya sim berapa", "ask_cost", "sim", "PP No. 76 Tahun 2020"),
        ("bikin ktp berapa lama", "ask_duration", "ktp", "Standar Pelayanan Disdukcapil"),
        ("batas waktu akta kematian kapan", "ask_duration", "akta_kematian", "Pasal 44"),
    ],
)
def test_an_answer_names_its_regulation_once(
    repo: Repository,
    domain: dict[str, Any],
    text: str,
    intent: str,
    service_id: str,
    regulation: str,
) -> None:
    """With a source recorded, the source line is the one citation: no 'Dasar hukum' line
    saying the same regulation again."""
    dispatcher, _ = ask(domain, text, intent, service_id)
    (answer,) = texts(domain, dispatcher)
    assert answer.count(regulation) == 1, answer
    assert "Dasar" not in answer and "\nSumber: " in answer


@pytest.mark.usefixtures("restore_catalogue")
def test_without_a_source_the_legal_basis_is_said(repo: Repository, domain: dict[str, Any]) -> None:
    with Session(repo.engine) as s, s.begin():
        s.execute(
            delete(ServiceFact).where(
                ServiceFact.service_id == "paspor", ServiceFact.aspect == "cost"
            )
        )
    dispatcher, _ = ask(domain, "biaya paspor berapa", "ask_cost", "paspor")
    (answer,) = texts(domain, dispatcher)
    assert "\nDasar hukum: PP No. 45 Tahun 2024 tentang Jenis dan Tarif" in answer
    assert "Sumber:" not in answer


def test_the_kk_procedure_is_national(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _ = ask(domain, "prosedur bikin kk gimana", "ask_procedure", "kk")
    (answer,) = texts(domain, dispatcher)
    assert answer.startswith("Prosedur Kartu Keluarga (KK):\n1. ") and REGIONAL not in answer


def test_a_deadline_answer_carries_its_source(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _ = ask(domain, "batas waktu akta kematian kapan", "ask_duration", "akta_kematian")
    assert responses(dispatcher) == ["utter_service_deadline_no_basis"]  # sourced
    (answer,) = texts(domain, dispatcher)
    assert "30 hari" in answer and "\nSumber: UU No. 23 Tahun 2006 Pasal 44 ayat (1)" in answer


@pytest.fixture
def restore_catalogue(repo: Repository) -> Iterator[None]:
    """The catalogue is shared by the run: put the shipped one back."""
    yield
    import_catalogue(repo.engine, Catalogue.from_file(ROOT / "data" / "services.yml"))


@pytest.mark.usefixtures("restore_catalogue")
def test_an_edited_source_is_answered_at_once_and_a_missing_one_is_not_invented(
    repo: Repository, domain: dict[str, Any]
) -> None:
    where = (ServiceFact.service_id == "skck", ServiceFact.aspect == "requirements")
    with Session(repo.engine) as s, s.begin():
        s.execute(update(ServiceFact).where(*where).values(source="Laman SKCK Polri (uji)"))
    dispatcher, _ = ask(domain, "syarat skck", "ask_requirements", "skck")
    (answer,) = texts(domain, dispatcher)
    assert "JKN/BPJS Kesehatan" in answer
    assert "\nSumber: Laman SKCK Polri (uji) · diperiksa 20 Nov 2026" in answer

    with Session(repo.engine) as s, s.begin():
        s.execute(delete(ServiceFact).where(*where))
    dispatcher, _ = ask(domain, "syarat skck", "ask_requirements", "skck")
    (answer,) = texts(domain, dispatcher)
    assert "Sumber:" not in answer and "{fact_source}" not in answer
    assert answer.endswith("(kartu JKN atau tampilan aplikasi Mobile JKN)")


# -- moving house: SKPWNI only between kabupaten/kota ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "mau pindah alamat tapi masih satu kota, syaratnya apa?",
        "syarat pindah alamat antar kecamatan",
        "pindah alamat ke kelurahan lain masih di kabupaten yang sama gimana",
    ],
)
def test_moving_within_the_same_kabupaten_or_kota_is_not_sent_to_the_skpwni(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    dispatcher, events = ask(domain, text, "ask_requirements", "pindah alamat")
    assert responses(dispatcher) == ["utter_move_within_region", "utter_service_requirements"]
    note, answer = texts(domain, dispatcher)
    assert "tidak memerlukan Surat Keterangan Pindah (SKPWNI)" in note
    assert answer.startswith("Persyaratan Kartu Keluarga (KK):")
    assert {"event": "slot", "name": "service", "value": "kk"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def test_a_bare_pindah_alamat_asks_which_move_it_is(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _ = ask(domain, "syarat pindah alamat apa aja", "ask_requirements", "pindah alamat")
    assert responses(dispatcher) == ["utter_ask_move_scope"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads == [
        '/ask_requirements{"service": "surat_pindah"}',
        '/ask_requirements{"service": "pindah dalam kabupaten/kota yang sama"}',
    ]


@pytest.mark.parametrize("intent", ["ask_requirements", "ask_procedure"])
def test_choosing_within_the_same_kabupaten_or_kota_says_no_skpwni_is_needed(
    repo: Repository, domain: dict[str, Any], intent: str
) -> None:
    """The button 'Dalam kabupaten/kota yang sama' after a bare 'pindah alamat': its
    payload, parsed as Rasa parses a payload, gets the note before the KK's answer."""
    dispatcher, _ = ask(domain, "pindah alamat gimana", intent, "pindah alamat")
    (_, within) = dispatcher.messages[0]["buttons"]
    assert within["title"] == "Dalam kabupaten/kota yang sama"
    payload = within["payload"]
    name, _, raw = payload[1:].partition("{")
    entities = [entity(k, v) for k, v in json.loads("{" + raw).items()]
    dispatcher = CollectingDispatcher()
    events = ActionAnswerService().run(dispatcher, make_tracker(payload, name, entities), domain)
    note, answer = texts(domain, dispatcher)[:2]
    assert responses(dispatcher)[0] == "utter_move_within_region"
    assert "tidak memerlukan Surat Keterangan Pindah (SKPWNI)" in note
    assert answer.startswith(("Persyaratan Kartu Keluarga (KK):", "Prosedur Kartu Keluarga (KK):"))
    assert {"event": "slot", "name": "service", "value": "kk"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [("prosedur pindah alamat ke luar kota", "pindah alamat"), ("syarat skpwni", "skpwni")],
)
def test_moving_to_another_kabupaten_or_kota_gets_the_skpwni(
    repo: Repository, domain: dict[str, Any], text: str, found: str
) -> None:
    dispatcher, events = ask(domain, text, "ask_procedure", found)
    assert responses(dispatcher) == ["utter_service_procedure_online"]
    assert texts(domain, dispatcher)[0].startswith("Prosedur Surat Keterangan Pindah (SKPWNI):")
    assert events[0]["value"] == "surat_pindah"
