"""A lost or damaged document is answered with the catalogue's lines for that case: "kk saya
hilang gimana" gets the police loss report, not the old KK; "paspor hilang berapa" leads with
the Rp1.000.000 replacement fee. Intents and entities are given as the served model parses
these messages (ask_procedure / ask_cost with the service entity, or nlu_fallback)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionHandleFallback
from actions.service_info import case_requirements, situation_of
from bot.store.catalogue import CANONICAL_SERVICE_IDS
from bot.store.repository import Repository
from tests.utils.actions import ask, entity, make_tracker, responses, texts

POLICE_REPORT = "surat keterangan kehilangan dari kepolisian"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kk saya hilang gimana", "hilang"),
        ("KTP saya ilang waktu mudik", "hilang"),
        ("kehilangan paspor di bandara", "hilang"),
        ("dompet dicopet, ktp ikut hilang", "hilang"),
        ("paspor saya rusak kena air", "rusak"),
        ("kk sobek gimana", "rusak"),
        ("syarat bikin kk", None),
        ("berapa biaya paspor", None),
    ],
)
def test_the_situation_is_read_from_the_message(text: str, expected: str | None) -> None:
    assert situation_of(text) == expected


def test_a_lost_kk_gets_the_police_report_not_the_old_kk(
    repo: Repository, domain: dict[str, Any]
) -> None:
    # The served model: ask_procedure 0.94 with service "kk".
    dispatcher, events = ask(domain, "kk saya hilang gimana", "ask_procedure", "kk")
    assert responses(dispatcher)[:2] == [
        "utter_service_case_requirements",
        "utter_service_procedure_online",
    ]
    lost, procedure = texts(domain, dispatcher)[:2]
    assert lost.startswith("Persyaratan Kartu Keluarga (KK), penggantian karena hilang:")
    assert POLICE_REPORT in lost.lower()
    assert "KTP-el anggota keluarga" in lost  # a line for every case stays
    assert "KK lama" not in lost.replace("KK lama tidak diperlukan", "")
    for other_case in ("menikah", "SKPWNI", "akta kelahiran"):
        assert other_case not in lost
    assert "\nSumber: Perpres No. 96 Tahun 2018" in lost
    assert procedure.startswith("Prosedur Kartu Keluarga (KK):")
    assert {"event": "slot", "name": "service", "value": "kk"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def test_a_damaged_kk_needs_the_damaged_kk(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _ = ask(domain, "syarat ganti kk yang rusak", "ask_requirements", "kk")
    assert responses(dispatcher)[0] == "utter_service_case_requirements"
    damaged = texts(domain, dispatcher)[0]
    assert damaged.startswith("Persyaratan Kartu Keluarga (KK), penggantian karena rusak:")
    assert "KK lama" in damaged and POLICE_REPORT not in damaged.lower()


def test_a_lost_passport_leads_with_its_fee_and_its_requirements(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _ = ask(domain, "paspor hilang biayanya berapa", "ask_cost", "paspor")
    assert responses(dispatcher)[0] == "utter_service_case_cost"
    cost = texts(domain, dispatcher)[0]
    assert cost.startswith(
        "Biaya Paspor RI (biasa dan elektronik), penggantian karena hilang: Penggantian "
        "paspor yang hilang dikenai Rp1.000.000"
    )
    assert "Rp650.000" in cost  # the new passport's fee still applies ("di luar biaya ...")

    dispatcher, _ = ask(domain, "paspor saya hilang syaratnya apa", "ask_requirements", "paspor")
    lost = texts(domain, dispatcher)[0]
    assert POLICE_REPORT in lost.lower() and "wawancara" in lost
    assert "permohonan baru" not in lost and "paspor yang rusak" not in lost


def test_the_case_of_a_bare_message_the_model_is_unsure_of(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """'kk saya hilang' alone: nlu_fallback 0.45 with service "kk" (the served model)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("kk saya hilang", "nlu_fallback", [entity("service", "kk")])
    ActionHandleFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_service_case_requirements"
    assert POLICE_REPORT in texts(domain, dispatcher)[0].lower()


def test_a_service_without_lines_for_the_case_says_so(
    repo: Repository, domain: dict[str, Any]
) -> None:
    """SIM hilang: the catalogue has no lines for it; the general ones, said honestly."""
    dispatcher, _ = ask(domain, "sim hilang syaratnya apa", "ask_requirements", "sim")
    assert responses(dispatcher)[:2] == [
        "utter_service_case_unlisted",
        "utter_service_requirements",
    ]
    note = texts(domain, dispatcher)[0]
    assert "penggantian Surat Izin Mengemudi (SIM A dan SIM C) karena hilang" in note
    assert "Satpas Polres Kota Contoh" in note


def test_without_a_case_the_full_list_is_answered(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _ = ask(domain, "syarat kk apa", "ask_requirements", "kk")
    assert responses(dispatcher)[0] == "utter_service_requirements"
    assert POLICE_REPORT in texts(domain, dispatcher)[0].lower()
    assert "KK lama" in texts(domain, dispatcher)[0]


@pytest.mark.parametrize("service_id", CANONICAL_SERVICE_IDS)
def test_a_case_answer_never_mixes_in_another_cases_lines(
    repo: Repository, service_id: str
) -> None:
    """For every service the catalogue lists a case for, the case's answer keeps its own
    and the general lines only."""
    service = repo.get_service(service_id)
    assert service is not None
    for case, other in (("hilang", "rusak"), ("rusak", "hilang")):
        lines = case_requirements(service.requirements or (), case)
        if not lines:
            continue
        assert any(case in line.lower() for line in lines), (service_id, case)
        for line in lines:
            if line.lower().startswith("untuk "):
                assert case in line.lower(), (service_id, line)
        assert not any(other in line.lower() and case not in line.lower() for line in lines), (
            service_id
        )
