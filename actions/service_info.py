"""Answers service questions (requirements, cost, duration, procedure, office and hours)."""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer_feedback import offer_not_helpful
from actions.common import (
    Events,
    SafeAction,
    latest_entities,
    latest_intent,
    latest_text,
    say_complaint_timeline,
)
from actions.privacy_answer import answer_privacy_question
from actions.skm_offer import offer_after_answer
from actions.ticket_status import status_or_not_understood
from bot.category_rules import category_scores, mentions_pungli
from bot.complaint_turns import button_values, looks_like_a_complaint, story_signals
from bot.handoff.hours import parse_hours
from bot.phrases import (
    asks_who_handles,
    asks_yes_no,
    looks_like_question,
    says_wants_to_complain,
)
from bot.service_match import (
    DAY_NAMES,
    MAX_ASPECTS,
    MOVE_SERVICE,
    MOVE_WITHIN_SERVICE,
    asked_aspects,
    asked_day,
    asks_where_done,
    find_all_exact,
    find_referral,
    life_event,
    move_route,
    named_office,
    near_miss_scores,
    near_misses,
    other_aspects,
    suggest,
)
from bot.store.repository import ServiceView, get_repository
from bot.texts import (
    ASPECT_BUTTON_LABELS,
    ASPECT_LABELS,
    BUTTON_MOVE_BETWEEN,
    BUTTON_MOVE_WITHIN,
    BUTTON_REPORT_PUNGLI,
    BUTTON_TALK_TO_OFFICER,
    fact_source,
    regional_fact,
)

ASPECT_BY_INTENT = {
    "ask_requirements": "requirements",
    "ask_cost": "cost",
    "ask_duration": "duration",
    "ask_procedure": "procedure",
    "ask_location_hours": "location_hours",
}
INTENT_BY_ASPECT = {aspect: intent for intent, aspect in ASPECT_BY_INTENT.items()}
# The menu's "Tanya layanan" asks about a service without an aspect: which service, then what
# about it (its own intent, sent only by that button and the overview's service buttons).
OVERVIEW = "overview"
OVERVIEW_INTENT = "ask_service"
# The service value of the button "Dalam kabupaten/kota yang sama" (after a bare "pindah
# alamat"): a move within one kabupaten/kota, answered as typed text saying so would be (the
# note that no SKPWNI is needed, then the KK's answer).
MOVE_WITHIN_CHOICE = "pindah dalam kabupaten/kota yang sama"


def resolve(value: str, aliases: dict[str, str]) -> str | None:
    """The catalogue id for an entity value (a canonical id or any known alias)."""
    lowered = value.strip().lower()
    if lowered in aliases.values():
        return lowered
    return aliases.get(lowered)


def numbered(items: tuple[str, ...]) -> str:
    """'1. a\\n2. b' for a list of catalogue lines."""
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, start=1))


def intent_of(aspect: str) -> str:
    """The intent that asks `aspect` (the overview's for OVERVIEW)."""
    return OVERVIEW_INTENT if aspect == OVERVIEW else INTENT_BY_ASPECT[aspect]


def payload(aspect: str, service_id: str) -> str:
    """A button payload that asks `aspect` of `service_id` directly (no NLU involved)."""
    return f"/{intent_of(aspect)}" + json.dumps({"service": service_id})


def other_aspect_buttons(aspect: str, service_id: str) -> list[dict[str, str]]:
    """Buttons for the other four aspects of the same service."""
    return [
        {"title": ASPECT_BUTTON_LABELS[other], "payload": payload(other, service_id)}
        for other in INTENT_BY_ASPECT
        if other != aspect
    ]


def source_line(service: ServiceView, aspect: str) -> str:
    """The end of an answer about `aspect`: a line with its source and the date it was
    checked, or "" when the catalogue records none."""
    fact = service.facts.get(aspect)
    line = fact_source(fact.source, fact.checked) if fact else ""
    return f"\n{line}" if line else ""


def sourced(service: ServiceView, aspect: str) -> bool:
    """True when the catalogue records where `aspect` comes from: the answer's source line
    then names the regulation, and its legal basis is not said a second time."""
    fact = service.facts.get(aspect)
    return bool(fact and fact.source)


def as_fact(service: ServiceView, aspect: str, value: str) -> str:
    """`value` as the answer says it: a rule each region sets names the office it is for."""
    fact = service.facts.get(aspect)
    return regional_fact(service.office_name, value) if fact and fact.regional else value


# -- a lost or damaged document --------------------------------------------------------------
#
# "kk saya hilang gimana" asks what replacing a lost KK takes. The catalogue writes the lines
# that hold only in some situations with "untuk"/"bila" ("Untuk penggantian karena hilang,
# bawa surat keterangan kehilangan dari kepolisian", "KK lama (untuk perubahan data ...)");
# an answer about a case gives the general lines and those naming that case, a cost answer
# leads with the sentences naming it.

SITUATIONS = ("hilang", "rusak")
# What citizens write for each situation.
_SITUATION_RE = {
    "hilang": re.compile(
        r"\b(?:hilang|ilang|kehilangan|raib|lenyap|dicuri|kecurian|dicopet|kecopetan|"
        r"dijambret|kejambret)(?:nya)?\b",
        re.IGNORECASE,
    ),
    "rusak": re.compile(
        r"\b(?:rusak|sobek|robek|patah|retak|luntur|pudar|terbakar|kebakar|hancur|basah|"
        r"mengelupas|terkelupas|ngelupas)(?:nya)?\b",
        re.IGNORECASE,
    ),
}
# How the catalogue names each situation in a line or a sentence.
_CATALOGUE_SITUATION_RE = {
    "hilang": re.compile(r"\b(?:hilang|kehilangan)\b", re.IGNORECASE),
    "rusak": re.compile(r"\brusak\b", re.IGNORECASE),
}
# A line that holds only in some situations says so.
_QUALIFIED_RE = re.compile(r"\b(?:untuk|bila|jika|apabila)\b", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def situation_of(text: str) -> str | None:
    """ "hilang" or "rusak" when the message says the document is lost or damaged (the first
    one named), else None."""
    found = [(m.start(), case) for case, rx in _SITUATION_RE.items() if (m := rx.search(text))]
    return min(found)[1] if found else None


def _names(line: str, case: str) -> bool:
    return bool(_CATALOGUE_SITUATION_RE[case].search(line))


def case_requirements(requirements: tuple[str, ...] | list[str], case: str) -> list[str]:
    """The requirement lines for `case`: those naming it and the general ones (no "untuk",
    "bila": they hold in every situation); [] when no line names the case."""
    if not any(_names(line, case) for line in requirements):
        return []
    others = [c for c in SITUATIONS if c != case]
    return [
        line
        for line in requirements
        if _names(line, case)
        or not (_QUALIFIED_RE.search(line) or any(_names(line, o) for o in others))
    ]


def case_cost(cost: str, case: str) -> str | None:
    """The cost text with its sentences naming `case` first; None when none names it."""
    sentences = _SENTENCE_END_RE.split(cost.strip())
    first = [s for s in sentences if _names(s, case)]
    if not first:
        return None
    return " ".join([*first, *(s for s in sentences if s not in first)])


def utter_case(
    dispatcher: CollectingDispatcher, service: ServiceView, aspect: str, case: str
) -> bool:
    """Say what the catalogue holds for a lost or damaged document of `service`, before or
    instead of the usual answer. True when that answers `aspect` already (else the usual
    answer follows: the procedure after the case's requirements, or the general answer after
    the note that the catalogue lists nothing for the case)."""
    lines = case_requirements(service.requirements or (), case)
    cost = case_cost(service.cost, case) if service.cost else None
    if aspect in ("requirements", "procedure") and lines:
        answered = aspect == "requirements"
        dispatcher.utter_message(
            response="utter_service_case_requirements",
            service_name=service.name,
            case_label=case,
            requirements=as_fact(service, "requirements", numbered(tuple(lines))),
            fact_source=source_line(service, "requirements"),
            # The procedure follows with the buttons.
            buttons=other_aspect_buttons(aspect, service.id) if answered else [],
        )
        return answered
    if aspect == "cost" and cost:
        dispatcher.utter_message(
            response="utter_service_case_cost",
            service_name=service.name,
            case_label=case,
            cost=as_fact(service, "cost", cost),
            fact_source=source_line(service, "cost"),
            buttons=other_aspect_buttons(aspect, service.id),
        )
        return True
    if aspect in ("requirements", "procedure", "cost") and not lines and not cost:
        # Nothing in the catalogue about this case: say so before the general answer.
        dispatcher.utter_message(
            response="utter_service_case_unlisted",
            service_name=service.name,
            case_label=case,
            office_name=service.office_name,
            office_phone=service.office_phone or "-",
        )
    return False


def judged_not_helpful(tracker: Tracker) -> tuple[str, str] | None:
    """(service, aspect) of the answer whose "Tidak membantu" was the last thing before the
    latest message; None when something else came between."""
    seen_user = False
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and kind == "action" and event.get("name") != "action_listen":
            if event.get("name") != "action_answer_not_helpful":
                return None
            service, aspect = tracker.get_slot("service"), tracker.get_slot("service_aspect")
            if isinstance(service, str) and aspect in INTENT_BY_ASPECT:
                return service, str(aspect)
            return None
    return None


def fact_text(service: ServiceView, aspect: str) -> str | None:
    """The catalogue's text for one aspect of a service, as an answer says it."""
    if aspect == "requirements" and service.requirements:
        return as_fact(service, aspect, numbered(service.requirements))
    if aspect == "procedure" and service.procedure:
        return as_fact(service, aspect, numbered(service.procedure))
    if aspect == "cost" and service.cost:
        return as_fact(service, aspect, service.cost)
    if aspect == "duration" and service.duration:
        return as_fact(service, aspect, service.duration)
    if aspect == "location_hours" and service.office_address and service.office_hours:
        return f"{service.office_name}, {service.office_address} ({service.office_hours})"
    return None


def utter_aspect(dispatcher: CollectingDispatcher, service: ServiceView, aspect: str) -> None:
    """Say one aspect of a service, every fact taken from the catalogue row, with its source."""
    buttons = other_aspect_buttons(aspect, service.id)
    common: dict[str, Any] = {
        "service_name": service.name,
        "buttons": buttons,
        "fact_source": source_line(service, aspect),
    }
    if aspect == "requirements" and service.requirements:
        dispatcher.utter_message(
            response="utter_service_requirements",
            requirements=as_fact(service, aspect, numbered(service.requirements)),
            **common,
        )
    elif aspect == "cost" and service.cost:
        cost = as_fact(service, aspect, service.cost)
        if service.cost_basis and not sourced(service, aspect):
            dispatcher.utter_message(
                response="utter_service_cost", cost=cost, cost_basis=service.cost_basis, **common
            )
        else:
            dispatcher.utter_message(response="utter_service_cost_no_basis", cost=cost, **common)
    elif aspect == "duration" and service.duration:
        duration = as_fact(service, aspect, service.duration)
        if service.duration_basis and not sourced(service, aspect):
            dispatcher.utter_message(
                response="utter_service_duration",
                duration=duration,
                duration_basis=service.duration_basis,
                **common,
            )
        else:
            dispatcher.utter_message(
                response="utter_service_duration_no_basis", duration=duration, **common
            )
    elif aspect == "procedure" and service.procedure:
        procedure = as_fact(service, aspect, numbered(service.procedure))
        if service.online_channel:
            dispatcher.utter_message(
                response="utter_service_procedure_online",
                procedure=procedure,
                online_channel=service.online_channel,
                **common,
            )
        else:
            dispatcher.utter_message(
                response="utter_service_procedure", procedure=procedure, **common
            )
    elif aspect == "location_hours" and service.office_address and service.office_hours:
        dispatcher.utter_message(
            response="utter_service_location",
            office_name=service.office_name,
            office_address=service.office_address,
            office_hours=service.office_hours,
            office_phone=service.office_phone or "-",
            **common,
        )
    else:
        dispatcher.utter_message(
            response="utter_service_unavailable",
            aspect_label=ASPECT_LABELS[aspect],
            office_name=service.office_name,
            office_phone=service.office_phone or "-",
            office_hours=service.office_hours or "-",
            **common,
        )


# A near miss this close to a name is taken for a misspelt new service even when a
# previous service could be meant ("pasprot" after a KTP question asks about paspor).
STRONG_NEAR_MISS = 85
MAX_SERVICES_PER_MESSAGE = 3


# "batas waktunya", "paling lambat", "telat ngurus": a legal deadline for the citizen, not
# how long the office takes.
_REPORT_WORD = r"(?:di)?(?:lapor|melapor|ngelapor|laporin|lapork)\w*"
_MAX_WORD = r"(?:maks|maksimal|maksimum|max|maximal)(?:nya)?"
DEADLINE_RE = re.compile(
    r"\bbatas(?:nya)?\b|\bbatas waktu|paling lambat|\btelat\b|terlambat|\btenggat|"
    r"\bdeadline\b|kedaluwarsa|kadaluarsa|\bmasih boleh\b|\bmasih bisa\b.*\blewat\b|"
    # "hrs lapor brp hari sih maksimal?", "maks brp hari lapornya": reporting has a limit.
    rf"\b(?:harus|hrs|wajib|mesti|musti)\s+{_REPORT_WORD}\b.*\b(?:brp|berapa|kapan|{_MAX_WORD})\b|"
    rf"\b{_MAX_WORD}\b.*\b{_REPORT_WORD}\b|\b{_REPORT_WORD}\b.*\b{_MAX_WORD}\b",
    re.IGNORECASE,
)
# "sim c yg udh mati 2 bln", "sudah habis masa berlakunya", "udh expired": the document has
# expired; the catalogue's rule for that (its deadline) comes before the answer.
EXPIRED_RE = re.compile(
    r"\b(?:udh|udah|sudah|sdh|dah|telah|tlh|yg|yang)\s+(?:mati|habis|lewat|expired?|abis)\b|"
    r"\b(?:habis|abis|lewat|lwt)\s+masa\s+berlaku|\bmasa\s+berlaku\w*\s+(?:\w+\s+)?habis\b|"
    r"\bexpired?\b|\bmati\s+\d+\s*(?:hari|minggu|bulan|bln|tahun|thn|taun)\b",
    re.IGNORECASE,
)


# The place of the deadline's answer among the aspects answered.
DEADLINE = "deadline"


def asks_deadline(text: str) -> bool:
    """True when the message asks about a deadline the citizen must meet."""
    return bool(text and DEADLINE_RE.search(text))


def says_expired(text: str) -> bool:
    """True when the message says the document has expired ("udh mati 2 bln")."""
    return bool(text and EXPIRED_RE.search(text))


def asked_aspect(tracker: Tracker) -> str:
    """The aspect asked by the intent, else the one of the previous question."""
    intent = latest_intent(tracker) or ""
    if intent == OVERVIEW_INTENT:
        return OVERVIEW
    if intent == "inform":
        # "PBB sawah, bayare ten pundi?": a service named with the aspect in words.
        in_words = asked_aspects(latest_text(tracker))
        if in_words:
            return in_words[0]
    aspect = ASPECT_BY_INTENT.get(intent) or tracker.get_slot("service_aspect")
    return aspect if aspect in INTENT_BY_ASPECT or aspect == OVERVIEW else "requirements"


def is_explicit_complaint(text: str) -> bool:
    """ "mau komplain, kemarin sabtu sy ke samsat ... loketnya udh tutup": the citizen says
    they want to complain, and tells what happened or asks nothing. Opens the complaint form
    whatever aspect of a service the classifier read in it (a question about how to
    complain, "kalau mau komplain soal KTP ke mana?", is answered)."""
    if not text or not says_wants_to_complain(text):
        return False
    return not looks_like_question(text) or story_signals(text) >= 2


def asks_about_a_service(text: str) -> bool:
    """ "mo perpanjang sim c yg udh mati 2 bln bs gk": a question (a yes-no tag is enough)
    about a service of the citizen's own, naming the service or a life event, with no wish
    to complain and no money demanded. Answered, though it reads like a story."""
    if not text or text.startswith("/") or not asks_yes_no(text):
        return False
    if says_wants_to_complain(text) or mentions_pungli(text):
        return False
    return bool(find_all_exact(text, get_repository().service_aliases()) or life_event(text))


def follow_up_aspect(tracker: Tracker) -> str | None:
    """ "maksudnya kls 3 bayarnya 35rb ato 42rb sih?", "trus bayarnya brp?": a question
    naming an aspect, while a service is being discussed; that aspect (None otherwise)."""
    text = latest_text(tracker)
    if not text or not looks_like_question(text) or is_explicit_complaint(text):
        return None
    service = tracker.get_slot("service")
    if not isinstance(service, str) or service not in get_repository().service_aliases().values():
        return None
    asked = asked_aspects(text)
    return asked[0] if asked else None


def asks_without_telling(text: str) -> bool:
    """ "Mohon maaf, saya ingin bertanya kembali. Apakah pengurusan tersebut dapat
    diwakilkan kepada anak saya ...?", "nek arep protes ..., kudu nyang ngendi?": a typed
    question that tells no complaint (no wish to complain said with a story, at most one
    sign of something that happened). Right after a service answer it is answered, though
    the classifier took it for a complaint; a button's payload never is."""
    if not text or text.startswith("/") or not looks_like_question(text):
        return False
    if is_explicit_complaint(text) or mentions_pungli(text):
        return False
    # Polite explanations ("soalnya saya sedang sakit") look like a story; a wrong done
    # names what a complaint category covers.
    signals = story_signals(text)
    return signals < 2 or (signals < 4 and not any(category_scores(text).values()))


def ranked_aspect(tracker: Tracker) -> str | None:
    """The service aspect among the classifier's alternatives, best first."""
    for candidate in tracker.latest_message.get("intent_ranking") or []:
        aspect = ASPECT_BY_INTENT.get(str(candidate.get("name")))
        if aspect:
            return aspect
    return None


def answer_or_not_understood(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> Events:
    """A question the classifier took for a goodbye or for feedback ("do I need the medical
    certificate juga?", "ini nanti yg nanganin dinkes atau siapa ya?"): answered when it
    names a service, or an aspect of the service discussed; else the not-understood answer
    (or the citizen's tickets, when it asks after their report)."""
    text = latest_text(tracker)
    asked = asked_aspects(text) if text else []
    discussed = tracker.get_slot("service")
    known = set(get_repository().service_aliases().values())
    if names_a_service(tracker) or (asked and discussed in known):
        aspect = asked[0] if asked else (ranked_aspect(tracker) or "requirements")
        return answer_service_question(dispatcher, tracker, domain, aspect)
    if asks_who_handles(text):
        # "ini nanti yg nanganin dinkes atau siapa ya?": verification by the complaint
        # unit, then the unit concerned, and how long that takes.
        say_complaint_timeline(dispatcher, None)
        return []
    return status_or_not_understood(dispatcher, tracker, domain)


def utter_day(dispatcher: CollectingDispatcher, service: ServiceView, day: int) -> None:
    """Whether the office is open on the weekday asked about ("sabtu buka gk"), from the
    catalogue's hours; nothing when the hours cannot be read."""
    hours = parse_hours(service.office_hours)
    if hours is None:
        return
    windows = hours.windows.get(day, ())
    if not windows:
        dispatcher.utter_message(
            response="utter_office_day_closed",
            day=DAY_NAMES[day],
            office_name=service.office_name,
            office_hours=service.office_hours,
        )
        return
    spans = ", ".join(
        f"{start.hour:02d}.{start.minute:02d}–{end.hour:02d}.{end.minute:02d}"
        for start, end in windows
    )
    dispatcher.utter_message(
        response="utter_office_day_open",
        day=DAY_NAMES[day],
        office_name=service.office_name,
        day_hours=spans,
    )


def utter_overview(dispatcher: CollectingDispatcher, service: ServiceView) -> None:
    """What the citizen may ask about one service: a button per aspect."""
    dispatcher.utter_message(
        response="utter_service_overview",
        service_name=service.name,
        buttons=[
            {"title": ASPECT_BUTTON_LABELS[aspect], "payload": payload(aspect, service.id)}
            for aspect in INTENT_BY_ASPECT
        ],
    )


def names_a_service(tracker: Tracker) -> bool:
    """True when the latest message names a service, ours or one handled elsewhere, or a
    close misspelling of one (used to answer follow-ups the NLU could not classify)."""
    if latest_entities(tracker, "service"):
        return True
    text = latest_text(tracker)
    if not text:
        return False
    aliases = get_repository().service_aliases()
    if find_all_exact(text, aliases) or find_referral(text) or life_event(text):
        return True
    return any(score >= STRONG_NEAR_MISS for score in near_miss_scores(text, aliases).values())


def answer_service_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, aspect: str
) -> Events:
    """Answer `aspect` of every service the message names (up to three), else of the
    service discussed before; say honestly when a service is handled elsewhere."""
    text = latest_text(tracker)
    if not tracker.active_loop and is_explicit_complaint(text):
        # "mau komplain, kemarin ...": a complaint, whatever the classifier read in it.
        return [FollowupAction("action_start_complaint")]
    repo = get_repository()
    aliases = repo.service_aliases()
    known = set(aliases.values())
    entities = latest_entities(tracker, "service")
    move_within_chosen = MOVE_WITHIN_CHOICE in entities
    entities = [value for value in entities if value != MOVE_WITHIN_CHOICE]

    named: list[tuple[str, str]] = [
        (sid, value) for value in entities if (sid := resolve(value, aliases)) is not None
    ]
    if move_within_chosen and MOVE_SERVICE not in dict(named):
        named.insert(0, (MOVE_SERVICE, MOVE_WITHIN_CHOICE))
    for sid, alias in find_all_exact(text, aliases) if text else []:
        if sid not in [n[0] for n in named]:
            named.append((sid, alias))
    event = life_event(text) if text and not named else None
    if event is not None:
        # "bpk sy meninggal kmrn, ngurus surat2nya gmn": the service recording that event.
        named.append(event)
    referral = find_referral(text) if text else None
    if referral is not None and referral.bare and named:
        referral = None  # "bikin KK abis nikah": the KK is asked about
    if referral is not None and all(len(referral.alias) > len(alias) for _, alias in named):
        dispatcher.utter_message(
            response="utter_service_not_served",
            service_name=referral.referral.name,
            where=referral.referral.where,
            source=referral.referral.source,
        )
        return [SlotSet("service", None), SlotSet("service_aspect", aspect)]

    service_ids = [sid for sid, _ in named][:MAX_SERVICES_PER_MESSAGE]
    if aspect == OVERVIEW:
        return _overview(dispatcher, tracker, repo, service_ids, known)
    if MOVE_SERVICE in service_ids:
        route = (
            "within"
            if move_within_chosen
            else move_route(text or "", dict(named).get(MOVE_SERVICE, MOVE_SERVICE))
        )
        if route == "ask":
            _ask_move_scope(dispatcher, aspect)
            return [SlotSet("service", None), SlotSet("service_aspect", aspect)]
        if route == "within":
            # A move within one kabupaten/kota needs no SKPWNI: the KK is changed.
            dispatcher.utter_message(
                response="utter_move_within_region", aspect_label=ASPECT_LABELS[aspect]
            )
            service_ids = list(
                dict.fromkeys(
                    MOVE_WITHIN_SERVICE if sid == MOVE_SERVICE else sid for sid in service_ids
                )
            )
    if not service_ids:
        unknown = [value for value in entities if resolve(value, aliases) is None]
        if unknown:
            # The NLU saw a service name the catalogue does not know: offer the closest ones.
            return _suggest(dispatcher, repo, aspect, unknown[0], suggest(unknown[0], aliases))
        previous = tracker.get_slot("service") if latest_intent(tracker) != "inform" else None
        previous = previous if previous in known else None
        office = named_office(text) if text else None
        if office is not None and office[1] in known:
            # "kantor dukcapil hari sabtu buka?" after a passport question: the office named
            # wins over the previous service, unless that service is served there.
            before = repo.get_service(previous) if previous else None
            if before is None or before.office_id != office[0]:
                previous = office[1]
        misses = near_misses(text, aliases) if text else {}
        scores = {sid: score for sid, (score, _word) in misses.items()}
        ranked = tuple(sorted(scores, key=lambda sid: -scores[sid])[:3])
        if ranked and ranked[0] == previous:
            ranked = ()
        if ranked and (previous is None or scores[ranked[0]] >= STRONG_NEAR_MISS):
            # Quoted: the misspelt word ("pasprot"), not the whole message.
            return _suggest(dispatcher, repo, aspect, misses[ranked[0]][1], ranked)
        if previous is not None:
            # A follow-up ("kalau biayanya?", "yang elektronik berapa hari?") keeps the
            # service of the previous question.
            service_ids = [previous]

    if not service_ids and latest_intent(tracker) == "inform":
        follow_up = follow_up_aspect(tracker)
        if follow_up is not None:
            # "trus bayarnya brp sih?" read as a bare answer: the service discussed, the
            # aspect it names.
            return answer_service_question(dispatcher, tracker, domain, follow_up)
        if looks_like_a_complaint(text):
            # A complaint told without "lapor": the form opens with it as the story.
            return [FollowupAction("action_start_complaint")]
        if stale_form_button(dispatcher, tracker):
            return []
        # A stray form answer (an address, a category) outside the form.
        return status_or_not_understood(dispatcher, tracker, domain)
    if not service_ids:
        buttons = [
            {"title": name, "payload": payload(aspect, sid)}
            for sid, name in repo.most_asked_services()
        ]
        dispatcher.utter_message(
            response="utter_ask_which_service",
            aspect_label=ASPECT_LABELS[aspect],
            buttons=buttons,
        )
        return [SlotSet("service_aspect", aspect)]

    answered: list[str] = []
    answered_names: list[str] = []
    first = len(dispatcher.messages)
    deadline_question = asks_deadline(text)
    case = situation_of(text) if text else None
    pungli = bool(text) and mentions_pungli(text)
    asked = asked_aspects(text) if text else []
    if pungli and aspect not in asked:
        # "dimintai uang 150rb biar cepet jadi, boleh gitu?" asks about the money, not how
        # long the service takes: the official fee is the answer.
        aspect = "cost"
    # "brp lama prosesnya? trus bayar ga?": the other aspect asked is answered too; beside a
    # deadline ("syarate napa? batas waktunya kapan?") the aspect asked with it.
    expired = not deadline_question and says_expired(text)
    if expired:
        # "mo perpanjang sim c yg udh mati 2 bln bs gk": the rule for an expired document
        # (an expired SIM must be made new), then the aspect asked.
        deadline_question = True
        also = [aspect]
        plan = [DEADLINE, aspect]
    elif deadline_question:
        also = [a for a in asked if a != "duration"][: MAX_ASPECTS - 1]
        plan = [DEADLINE, *also]
    else:
        also = other_aspects(text, aspect) if text else []
        plan = [aspect, *also]
        if aspect in asked:
            # In the order asked ("jadinya brp hari? sm kantornya dmn": the duration first).
            plan.sort(key=asked.index)
    if not deadline_question and asks_where_done(text):
        # "maksudnya sktm buat keringanan biaya rs, ngurus di kelurahan ya?": where it is
        # done (the office), whatever else the words name.
        aspect = "location_hours"
        plan = [aspect]
    if event is not None and plan == [aspect] and aspect in ("requirements", "procedure"):
        # "ngurus surat2nya gmn": what to bring and the steps, which name the deadline.
        plan = ["requirements", "procedure"]
    day = asked_day(text) if text and "location_hours" in plan else None
    judged = judged_not_helpful(tracker)
    if (
        judged is not None
        and service_ids == [judged[0]]
        and plan == [judged[1]]
        and not (deadline_question or case or pungli or day is not None)
    ):
        # "maksudnya kls 3 bayarnya 35rb ato 42rb sih?" right after "Tidak membantu" on the
        # cost: not the same paragraph as if new, but that it is all there is, and a person.
        service = repo.get_service(judged[0])
        fact = fact_text(service, judged[1]) if service is not None else None
        if service is not None and fact:
            dispatcher.utter_message(
                response="utter_answer_still_the_same",
                aspect_label=ASPECT_LABELS[judged[1]],
                service_name=service.name,
                fact=fact,
                buttons=[{"title": BUTTON_TALK_TO_OFFICER, "payload": "/request_human"}],
            )
            return [SlotSet("service", service.id), SlotSet("service_aspect", judged[1])]
    for sid in service_ids:
        service = repo.get_service(sid)
        if service is None:  # catalogue changed underneath the model
            dispatcher.utter_message(response="utter_service_not_found", query=sid)
            continue
        for this in plan:
            if this == DEADLINE:
                # The deadline; without one in the catalogue the usual answer, unless the
                # words asked for it anyway.
                if service.reporting_deadline or aspect not in also:
                    _answer_main(dispatcher, service, aspect, deadline_question, case, day)
            elif this == aspect and not deadline_question:
                _answer_main(dispatcher, service, aspect, deadline_question, case, day)
            else:
                if this == "location_hours" and day is not None:
                    utter_day(dispatcher, service, day)
                utter_aspect(dispatcher, service, this)
        repo.record_service_question(service.id, aspect)
        answered.append(service.id)
        answered_names.append(service.name)
    if answered and pungli:
        # "dimintain duit 200rb pas bikin SKCK, emang boleh?": the official fee, and the
        # offer to report it.
        service = repo.get_service(answered[0])
        if service is not None and "cost" not in (aspect, *also):
            utter_aspect(dispatcher, service, "cost")
        dispatcher.utter_message(
            response="utter_pungli_offer",
            buttons=[{"title": BUTTON_REPORT_PUNGLI, "payload": "/file_complaint"}],
        )
    if answered:
        offer_not_helpful(dispatcher, tracker, domain, first)
        if not (pungli or says_wants_to_complain(text) or looks_like_a_complaint(text)):
            # Never a satisfaction survey for a message that tells of a wrong done.
            offer_after_answer(dispatcher, tracker, answered[0], answered_names[0])
    # Follow-ups go on with the first service named.
    return [
        SlotSet("service", answered[0] if answered else None),
        SlotSet("service_aspect", aspect),
    ]


def _answer_main(
    dispatcher: CollectingDispatcher,
    service: ServiceView,
    aspect: str,
    deadline_question: bool,
    case: str | None,
    day: int | None,
) -> None:
    """The answer to the aspect the question is about: the deadline, a lost or damaged
    document's case, else the catalogue's answer (with the day asked about first)."""
    if deadline_question and service.reporting_deadline:
        basis = service.reporting_deadline_basis
        if sourced(service, "reporting_deadline"):
            basis = None  # the source line names the regulation
        dispatcher.utter_message(
            response="utter_service_deadline" if basis else "utter_service_deadline_no_basis",
            service_name=service.name,
            reporting_deadline=as_fact(service, "reporting_deadline", service.reporting_deadline),
            **({"reporting_deadline_basis": basis} if basis else {}),
            fact_source=source_line(service, "reporting_deadline"),
            buttons=other_aspect_buttons("", service.id),
        )
    elif case is None or not utter_case(dispatcher, service, aspect, case):
        if aspect == "location_hours" and day is not None:
            utter_day(dispatcher, service, day)
        utter_aspect(dispatcher, service, aspect)


def _overview(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    repo: Any,
    service_ids: list[str],
    known: set[str],
) -> Events:
    """The menu's "Tanya layanan": which service, then what about it (no aspect assumed)."""
    if not service_ids and not str(tracker.latest_message.get("text") or "").startswith("/"):
        previous = tracker.get_slot("service")
        service_ids = [previous] if previous in known else []
    services = [s for sid in service_ids if (s := repo.get_service(sid)) is not None]
    if not services:
        dispatcher.utter_message(
            response="utter_ask_which_service_any",
            buttons=[
                {"title": name, "payload": payload(OVERVIEW, sid)}
                for sid, name in repo.most_asked_services()
            ],
        )
        return [SlotSet("service_aspect", OVERVIEW)]
    for service in services:
        utter_overview(dispatcher, service)
    return [SlotSet("service", services[0].id), SlotSet("service_aspect", OVERVIEW)]


def stale_form_button(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """A button of a complaint form that has ended ("Ubah lokasi" under an old summary):
    says the form is over, and how to add to the complaint it filed, if it filed one."""
    _intent, values = button_values(str(tracker.latest_message.get("text") or ""))
    if not any(str(key).startswith("complaint_") for key in values):
        return False
    filed = tracker.get_slot("last_ticket_id")
    if filed:
        dispatcher.utter_message(response="utter_form_button_after_filing", ticket_id=filed)
    else:
        dispatcher.utter_message(response="utter_form_button_after_end")
    return True


def _ask_move_scope(dispatcher: CollectingDispatcher, aspect: str) -> None:
    """A bare "pindah alamat": to another kabupaten/kota (SKPWNI) or within it (the KK)?"""
    buttons = [
        {"title": BUTTON_MOVE_BETWEEN, "payload": payload(aspect, MOVE_SERVICE)},
        {
            "title": BUTTON_MOVE_WITHIN,
            "payload": f"/{intent_of(aspect)}" + json.dumps({"service": MOVE_WITHIN_CHOICE}),
        },
    ]
    dispatcher.utter_message(response="utter_ask_move_scope", buttons=buttons)


def _suggest(
    dispatcher: CollectingDispatcher,
    repo: Any,
    aspect: str,
    query: str,
    suggestions: tuple[str, ...],
) -> Events:
    if not suggestions:
        buttons = [
            {"title": name, "payload": payload(aspect, sid)}
            for sid, name in repo.most_asked_services()
        ]
        dispatcher.utter_message(response="utter_service_not_found", query=query, buttons=buttons)
    else:
        buttons = []
        for sid in suggestions:
            service = repo.get_service(sid)
            if service:
                buttons.append({"title": service.name, "payload": payload(aspect, sid)})
        dispatcher.utter_message(response="utter_service_suggestions", query=query, buttons=buttons)
    return [SlotSet("service", None), SlotSet("service_aspect", aspect)]


class ActionAnswerService(SafeAction):
    """Answers the asked aspect of the named (or previously discussed) services."""

    def name(self) -> str:
        return "action_answer_service"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if not tracker.active_loop and answer_privacy_question(dispatcher, tracker):
            return []  # "identitas sy aman kan?", read as a form answer or a cost question
        return answer_service_question(dispatcher, tracker, domain, asked_aspect(tracker))


class ActionFollowUpOrComplaint(SafeAction):
    """Right after a service answer or "Tidak membantu", a message the classifier took for
    a complaint: a question naming an aspect of the service discussed ("maksudnya kls 3
    bayarnya 35rb ato 42rb sih yg bener?") is answered about that service, and so is a
    question that tells no complaint ("Apakah pengurusan tersebut dapat diwakilkan kepada
    anak saya?", its procedure); anything else (the "Buat pengaduan" or "Laporkan pungli"
    button, a story, "mau komplain, ...") starts the complaint as before."""

    def name(self) -> str:
        return "action_follow_up_or_complaint"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        aspect = follow_up_aspect(tracker)
        if aspect is None and asks_without_telling(latest_text(tracker)):
            # "Apakah pengurusan tersebut dapat diwakilkan kepada anak saya?": a question
            # about the service just answered, naming no aspect: how it is done.
            aspect = ranked_aspect(tracker) or "procedure"
        if aspect is None:
            return [FollowupAction("action_start_complaint")]
        events = answer_service_question(dispatcher, tracker, domain, aspect)
        if any(event.get("event") == "followup" for event in events):
            return events
        # Its rules go on without waiting (a story goes on with the form), so the turn
        # ends here: nothing else is predicted after the answer.
        return [*events, FollowupAction("action_listen")]
