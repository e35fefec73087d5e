"""action_answer_service: every answer comes from the catalogue row in SQL."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update
from sqlalchemy.orm import Session

from actions.service_info import ASPECT_BY_INTENT, ActionAnswerService, asked_aspect
from bot.store.catalogue import CANONICAL_SERVICE_IDS
from bot.store.models import Service
from bot.store.repository import Repository, ServiceView
from bot.texts import ASPECT_BUTTON_LABELS, ASPECT_LABELS
from tests.utils.actions import ask, entity, make_tracker, responses, texts


def expected_facts(service: ServiceView, aspect: str) -> list[str]:
    """The catalogue values an answer about `aspect` must contain; [] marks a catalogue gap.
    The legal basis is said only when the fact records no source (else the source line names
    the regulation, tests/actions/test_service_facts.py)."""

    def basis(value: str | None, fact: str) -> str | None:
        recorded = service.facts.get(fact)
        return None if recorded and recorded.source else value

    main: dict[str, Any] = {
        "requirements": service.requirements,
        "cost": service.cost,
        "duration": service.duration,
        "procedure": service.procedure,
        "location_hours": service.office_address,
    }
    optional: dict[str, list[str | None]] = {
        "requirements": [],
        "cost": [basis(service.cost_basis, "cost")],
        "duration": [basis(service.duration_basis, "duration")],
        "procedure": [service.online_channel],
        "location_hours": [service.office_name, service.office_hours],
    }
    value = main[aspect]
    if not value:
        return []
    facts = list(value) if isinstance(value, tuple) else [value]
    return facts + [f for f in optional[aspect] if f]


@pytest.mark.parametrize("service_id", CANONICAL_SERVICE_IDS)
def test_every_service_and_aspect_is_answered_from_its_catalogue_row(
    repo: Repository, domain: dict[str, Any], service_id: str
) -> None:
    service = repo.get_service(service_id)
    assert service is not None
    for intent, aspect in ASPECT_BY_INTENT.items():
        dispatcher, events = ask(domain, f"tanya {service_id}", intent, service_id)
        (answer,) = texts(domain, dispatcher)
        assert service.name in answer
        facts = expected_facts(service, aspect)
        if facts:
            for fact in facts:
                assert fact in answer, (service_id, aspect, fact)
            assert "belum tersedia" not in answer
        else:
            # A gap in the catalogue: an honest answer with the office's contact.
            assert "belum tersedia" in answer, (service_id, aspect)
            assert service.office_name in answer
            assert (service.office_phone or "-") in answer
        assert {"event": "slot", "name": "service", "value": service_id} in [
            {k: e.get(k) for k in ("event", "name", "value")} for e in events
        ]


def test_catalogue_gap_for_pbb_duration_is_honest(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _ = ask(domain, "pbb berapa lama prosesnya", "ask_duration", "pbb")
    assert responses(dispatcher) == ["utter_service_unavailable"]


def test_answer_follows_a_catalogue_edit(repo: Repository, domain: dict[str, Any]) -> None:
    original = repo.get_service("skck")
    assert original is not None
    with Session(repo.engine) as s, s.begin():
        s.execute(update(Service).where(Service.id == "skck").values(cost="Rp31.000 (uji edit)"))
    try:
        dispatcher, _ = ask(domain, "biaya skck", "ask_cost", "skck")
        assert "Rp31.000 (uji edit)" in texts(domain, dispatcher)[0]
    finally:
        with Session(repo.engine) as s, s.begin():
            s.execute(update(Service).where(Service.id == "skck").values(cost=original.cost))


def test_entity_surface_form_is_normalised(repo: Repository, domain: dict[str, Any]) -> None:
    # Rasa's synonym mapper leaves unknown casing alone ("KTP"); aliases still resolve it.
    dispatcher, events = ask(domain, "syarat e-KTP", "ask_requirements", "E-KTP")
    assert responses(dispatcher) == ["utter_service_requirements"]
    assert events[0]["value"] == "ktp"


def test_follow_up_reuses_the_service_slot(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _events = ask(domain, "kalau biayanya?", "ask_cost", None, service="paspor")
    assert responses(dispatcher) == ["utter_service_cost_no_basis"]  # sourced
    assert "Paspor" in texts(domain, dispatcher)[0] or "paspor" in texts(domain, dispatcher)[0]


def test_service_in_text_wins_over_the_slot(repo: Repository, domain: dict[str, Any]) -> None:
    # The NLU missed the entity, but the text names SKCK: do not answer the old service.
    _dispatcher, events = ask(domain, "kalau skck biayanya?", "ask_cost", None, service="paspor")
    assert events[0]["value"] == "skck"


def test_no_service_asks_which_with_buttons(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, events = ask(domain, "syaratnya apa aja?", "ask_requirements")
    assert responses(dispatcher) == ["utter_ask_which_service"]
    buttons = dispatcher.messages[0]["buttons"]
    assert len(buttons) == 6
    assert buttons[0]["payload"] == '/ask_requirements{"service": "ktp"}'
    assert {"event": "slot", "name": "service_aspect", "value": "requirements"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def test_misspelled_service_gets_closest_suggestions(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _ = ask(domain, "berapa biaya pasprot?", "ask_cost")
    assert responses(dispatcher) == ["utter_service_suggestions"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads[0] == '/ask_cost{"service": "paspor"}'


def test_unknown_entity_value_gets_suggestions(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, events = ask(domain, "syarat akte kelairan", "ask_requirements", "akte kelairan")
    assert responses(dispatcher) == ["utter_service_suggestions"]
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert '/ask_requirements{"service": "akta_kelahiran"}' in payloads
    assert events[0] == {"event": "slot", "name": "service", "value": None, "timestamp": None}


def test_unmatchable_service_offers_popular_ones(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _ = ask(domain, "syarat lisensi pilot", "ask_requirements", "lisensi pilot")
    assert responses(dispatcher) == ["utter_service_not_found"]
    assert dispatcher.messages[0]["buttons"]


def test_answers_offer_the_other_aspects(repo: Repository, domain: dict[str, Any]) -> None:
    dispatcher, _ = ask(domain, "biaya sim", "ask_cost", "sim")
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert len(payloads) == 5  # the four other aspects, then "Tidak membantu"
    assert payloads[-1] == "/answer_not_helpful"
    assert '/ask_cost{"service": "sim"}' not in payloads


def test_every_aspect_has_a_label_and_a_button_label() -> None:
    assert set(ASPECT_LABELS) == set(ASPECT_BUTTON_LABELS) == set(ASPECT_BY_INTENT.values())


def test_the_other_aspects_are_offered_in_a_fixed_order(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _ = ask(domain, "lokasi kantor paspor", "ask_location_hours", "paspor")
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["Persyaratan", "Biaya", "Lama proses", "Prosedur", "Tidak membantu"]


@pytest.mark.parametrize("slot", [None, "harga", "service"])
def test_an_aspect_neither_asked_nor_known_is_the_requirements(slot: str | None) -> None:
    tracker = make_tracker("ktp", "inform", slots={"service_aspect": slot})
    assert asked_aspect(tracker) == "requirements"


def test_answered_questions_are_counted(repo: Repository, domain: dict[str, Any]) -> None:
    for _ in range(2):
        ask(domain, "biaya nib", "ask_cost", "nib")
    assert repo.most_asked_services(limit=1)[0][0] == "nib"


def test_database_failure_apologises_instead_of_crashing(
    domain: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from bot.config import get_settings

    # A database file inside a path that cannot exist: every query fails.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}")  # a directory: cannot open
    get_settings.cache_clear()
    try:
        dispatcher, events = ask(domain, "syarat ktp", "ask_requirements", "ktp")
    finally:
        get_settings.cache_clear()
    assert responses(dispatcher) == ["utter_technical_error"]
    assert events == []


def test_stray_form_answer_outside_the_form_is_not_a_question(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, events = ask(domain, "Jl. Merdeka No. 10", "inform", None, service="ktp")
    assert responses(dispatcher) == ["utter_default"]
    assert events == []


def test_bare_service_name_continues_the_last_question(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _ = ask(domain, "kalau yang paspor?", "inform", "paspor", service_aspect="cost")
    assert responses(dispatcher) == ["utter_service_cost_no_basis"]  # sourced


# -- follow-ups, several services, services handled elsewhere (issue 8, classes 6 and 11) ----


def test_two_services_in_one_message_are_both_answered(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "biaya SIM A sama SKCK brp",
        "ask_cost",
        [entity("service", "sim"), entity("service", "skck")],
    )
    ActionAnswerService().run(dispatcher, tracker, domain)
    said = "\n".join(texts(domain, dispatcher))
    for sid in ("sim", "skck"):
        service = repo.get_service(sid)
        assert service is not None and service.cost
        assert service.cost in said, sid


def test_an_aspect_follow_up_keeps_the_previous_service(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, events = ask(
        domain, "yg elektronik lama jadinya brp hari", "ask_duration", service="paspor"
    )
    paspor = repo.get_service("paspor")
    assert paspor is not None and paspor.duration
    assert paspor.duration in "\n".join(texts(domain, dispatcher))
    assert {"event": "slot", "name": "service", "value": "paspor"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def test_a_clear_misspelling_of_another_service_beats_the_previous_one(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _ = ask(domain, "biaya pasprot brp", "ask_cost", service="ktp")
    assert responses(dispatcher) == ["utter_service_suggestions"]
    titles = [b["title"].lower() for b in dispatcher.messages[0]["buttons"]]
    assert any("paspor" in t for t in titles)


@pytest.mark.parametrize(
    ("text", "intent", "where"),
    [
        ("syarat bikin sertifikat tanah apa aja", "ask_requirements", "ATR/BPN"),
        ("daftar buku nikah dimana ya", "ask_location_hours", "KUA"),
        ("cara klaim jht bpjs ketenagakerjaan gimana", "ask_procedure", "JMO"),
        ("syarat izin keramaian buat hajatan apa aja", "ask_requirements", "Polsek"),
    ],
)
def test_a_service_handled_elsewhere_is_named_honestly(
    repo: Repository, domain: dict[str, Any], text: str, intent: str, where: str
) -> None:
    found = "bpjs" if "bpjs" in text else None
    dispatcher, events = ask(domain, text, intent, found, service="ktp")
    assert responses(dispatcher) == ["utter_service_not_served"]
    said = texts(domain, dispatcher)[0]
    assert where in said and "belum tersedia" in said and "Sumber" in said
    assert {"event": "slot", "name": "service", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def test_fallback_naming_a_service_answers_it_with_the_previous_aspect(
    repo: Repository, domain: dict[str, Any]
) -> None:
    from actions.fallback import ActionHandleFallback

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "kalau SIM?",
        "nlu_fallback",
        [entity("service", "sim")],
        slots={"service": "ktp", "service_aspect": "cost"},
    )
    ActionHandleFallback().run(dispatcher, tracker, domain)
    sim = repo.get_service("sim")
    assert sim is not None and sim.cost
    assert sim.cost in "\n".join(texts(domain, dispatcher))


def test_fallback_without_a_service_still_asks_to_rephrase(
    repo: Repository, domain: dict[str, Any]
) -> None:
    from actions.fallback import ActionHandleFallback

    dispatcher = CollectingDispatcher()
    tracker = make_tracker("qwerty zzz", "nlu_fallback", slots={"service": "ktp"})
    ActionHandleFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_default"]


def test_asking_for_a_person_gets_real_contacts(repo: Repository, domain: dict[str, Any]) -> None:
    from datetime import datetime, timezone

    from actions.human import ActionRequestHuman

    dispatcher = CollectingDispatcher()
    action = ActionRequestHuman()  # on a Sunday night: outside every unit's hours
    action.clock = lambda: datetime(2026, 12, 6, 15, 0, tzinfo=timezone.utc)
    action.run(
        dispatcher,
        make_tracker("nomor WA nya berapa", "request_human", slots={"service": "sim"}),
        domain,
    )
    assert responses(dispatcher) == [
        "utter_office_contact",
        "utter_helpdesk_contact",
        "utter_national_complaint_channel",
        "utter_request_human",
    ]
    sim = repo.get_service("sim")
    assert sim is not None and sim.office_phone
    said = "\n".join(texts(domain, dispatcher))
    assert sim.office_phone in said and "lapor.go.id" in said


def test_a_question_read_as_no_is_answered_as_a_question(
    repo: Repository, domain: dict[str, Any]
) -> None:
    from actions.yes_no import ActionYesNo

    dispatcher = CollectingDispatcher()
    tracker = make_tracker("bisa online gk?", "deny", slots={"service": "ktp"})
    tracker.latest_message["intent_ranking"] = [
        {"name": "deny", "confidence": 0.86},
        {"name": "ask_procedure", "confidence": 0.07},
    ]
    ActionYesNo().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0].startswith("utter_service_procedure")
    ktp = repo.get_service("ktp")
    assert ktp is not None and ktp.procedure
    assert ktp.procedure[0] in "\n".join(texts(domain, dispatcher))


@pytest.mark.parametrize("text", ["ya", "nggak", "oke"])
def test_a_plain_yes_or_no_is_acknowledged(domain: dict[str, Any], text: str) -> None:
    from actions.yes_no import ActionYesNo

    dispatcher = CollectingDispatcher()
    ActionYesNo().run(dispatcher, make_tracker(text, "affirm"), domain)
    assert responses(dispatcher) == ["utter_ok"]


def test_a_misspelt_service_alone_is_offered_not_misunderstood(
    repo: Repository, domain: dict[str, Any]
) -> None:
    from actions.fallback import ActionHandleFallback

    dispatcher = CollectingDispatcher()
    tracker = make_tracker("paspot", "nlu_fallback", slots={"service": "ktp"})
    ActionHandleFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_service_suggestions"]
    assert "paspor" in dispatcher.messages[0]["buttons"][0]["payload"]


@pytest.mark.parametrize(
    ("text", "service_id", "days"),
    [
        ("batas waktu ngurus akta kematiannya sampai kapan ya?", "akta_kematian", "30 hari"),
        ("lahirnya 7 minggu lalu, akta lahir masih boleh ga? batasnya brp hari", None, "60 hari"),
    ],
)
def test_a_deadline_question_gets_the_legal_deadline_not_the_processing_time(
    repo: Repository, domain: dict[str, Any], text: str, service_id: str | None, days: str
) -> None:
    found = [entity("service", "akta_kelahiran")] if service_id is None else []
    dispatcher = CollectingDispatcher()
    ActionAnswerService().run(dispatcher, make_tracker(text, "ask_duration", found), domain)
    assert responses(dispatcher) == ["utter_service_deadline_no_basis"]  # sourced
    said = texts(domain, dispatcher)[0]
    assert days in said and "Sumber: UU No. 23 Tahun 2006" in said


def test_asking_for_a_person_without_a_service_still_gets_a_phone_number(
    repo: Repository, domain: dict[str, Any]
) -> None:
    import re

    from actions.human import ActionRequestHuman

    dispatcher = CollectingDispatcher()
    ActionRequestHuman().run(
        dispatcher, make_tracker("ada nomor WA admin?", "request_human"), domain
    )
    said = "\n".join(texts(domain, dispatcher))
    assert "utter_helpdesk_contact" in responses(dispatcher)
    assert re.search(r"\(0\d{2,3}\)\s?\d{3}", said) and "WhatsApp 08" in said


def test_a_complaint_read_as_a_stray_answer_opens_the_form(
    repo: Repository, domain: dict[str, Any]
) -> None:
    story = "Lampu PJU di Gang Mawar RT 03 mati semua sejak seminggu lalu, gelap dan rawan"
    dispatcher, events = ask(domain, story, "inform")
    assert dispatcher.messages == []
    assert events == [{"event": "followup", "timestamp": None, "name": "action_start_complaint"}]
