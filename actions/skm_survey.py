"""The Survei Kepuasan Masyarakat in the conversation (PermenPANRB 14/2017; bot.skm).

Offered after a service answer (`actions.skm_offer.offer_after_answer`, called by
actions/service_info.py:
at most once per citizen per service per 30 days and only with consent, bot.store.skm) and
by the resolution notice of a ticket (bot/texts.yml: "ketik /survei"). Its buttons send
`/skm{"skm": ...}`, an intent with no NLU examples:

- `mulai` ("Isi survei", /survei; a typed request to rate, through action_give_feedback's
  `start_survey`): `action_skm_start` resumes the survey waiting, or starts
  one about the citizen's latest resolved ticket, or about the service talked about;
- `nanti` ("Nanti saja"): nothing stored, the offer waits; in the survey: pause;
- `tolak` ("Tidak, terima kasih"): refused, not offered again about it within 30 days;
- `u<n>:<1-4>` / `u<n>:lewati`: the answer to element n, or skipping it;
- `komentar:tidak`: no comment.

While the survey is open, `skm_form` (one required slot, `skm_done`; the survey's state
is the stored row) sends every message to `validate_skm_form`: a button or a typed answer
(a digit 1-4, the answer's words, "lewati", "nanti"), anything else gets the question
again with a hint. The comment is the last, optional step.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import Events, SafeAction, latest_entities, latest_intent, latest_text
from actions.skm_offer import (
    INTENT,
    LATER,
    REFUSE,
    START,
    payload,
    survey_store,
)
from bot.phrases import looks_like_question
from bot.skm import ELEMENT_COUNT, ELEMENTS
from bot.store.skm import COMMENT_POSITION, SkmStore, SurveyView
from bot.texts import BUTTON_SKM_LATER, BUTTON_SKM_NO_COMMENT, BUTTON_SKM_SKIP

log = logging.getLogger("actions")

FORM = "skm_form"
ID_SLOT = "skm_id"
DONE_SLOT = "skm_done"  # the form's one required slot: done | paused
SKIP, NO_COMMENT = "lewati", "komentar:tidak"
ANSWER_RE = re.compile(r"^u([1-9]):([1-4]|lewati)$")
# Typed words that skip a question, pause the survey, or say there is no comment.
SKIP_WORDS = frozenset({"lewati", "lewat", "skip", "lompati", "next", "lanjut"})
PAUSE_WORDS = frozenset(
    {"nanti", "nanti saja", "nanti aja", "lain kali", "stop", "berhenti", "batal", "udahan"}
)
# "nanti aja ya", "ntar dulu deh", "lain kali aja": the pause, however it is said.
PAUSE_RE = re.compile(
    r"^(?:nanti|ntar|entar|nnti|lain\s+kali|stop|berhenti|udahan|sudahan|cukup)\b", re.IGNORECASE
)
PAUSE_MAX_WORDS = 5
NO_COMMENT_WORDS = frozenset(
    {"tidak", "tidak ada", "gak ada", "ga ada", "nggak ada", "enggak", "-", "tidak ada komentar"}
)
MIN_COMMENT = 3
# A typed request to rate is answered by this action, which opens the survey (start_survey).
REQUEST_ACTION = "action_give_feedback"
# Words that name the survey itself: such a request says why there is none to fill in.
SURVEY_WORDS = frozenset({"survei", "survey", "survai", "kuesioner", "kuisioner", "skm", "ikm"})


def answer_buttons(position: int) -> list[dict[str, str]]:
    """Scores 1-4 of element `position` (0-8) with their labels, then skip and pause."""
    element = ELEMENTS[position]
    code = f"u{position + 1}"
    return [
        *(
            {"title": f"{score}. {label}", "payload": payload(f"{code}:{score}")}
            for score, label in enumerate(element.answers, start=1)
        ),
        {"title": BUTTON_SKM_SKIP, "payload": payload(f"{code}:{SKIP}")},
        {"title": BUTTON_SKM_LATER, "payload": payload(LATER)},
    ]


def pressed(tracker: Tracker) -> str | None:
    """The value of a pressed survey button in the latest message."""
    if latest_intent(tracker) != INTENT:
        return None
    values = latest_entities(tracker, INTENT)
    return values[0] if values else None


def ask(dispatcher: CollectingDispatcher, survey: SurveyView) -> None:
    """The survey's current question (an element, or the comment)."""
    if survey.position < ELEMENT_COUNT:
        element = ELEMENTS[survey.position]
        dispatcher.utter_message(
            response="utter_skm_question",
            number=survey.position + 1,
            total=ELEMENT_COUNT,
            element=element.label,
            question=element.question,
            buttons=answer_buttons(survey.position),
        )
    else:
        dispatcher.utter_message(
            response="utter_skm_ask_comment",
            buttons=[{"title": BUTTON_SKM_NO_COMMENT, "payload": payload(NO_COMMENT)}],
        )


class ActionSkmStart(SafeAction):
    """A survey button or /survei outside the survey: start, resume, later or refuse."""

    def name(self) -> str:
        return "action_skm_start"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        value = pressed(tracker) or START
        store = survey_store()
        if value == REFUSE:
            store.refuse(tracker.sender_id)
            dispatcher.utter_message(response="utter_skm_refused")
            return []
        if value == LATER:
            dispatcher.utter_message(response="utter_skm_later")
            return []
        return start_survey(dispatcher, tracker, store) or []


def start_survey(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    store: SkmStore | None = None,
    quiet_when_nothing: bool = False,
) -> Events | None:
    """Resume or start a survey (`SkmStore.start`) and open the form on it. With nothing to
    survey: the reason is said, or None when `quiet_when_nothing` (the caller answers)."""
    store = store or survey_store()
    survey, why = store.start(tracker.sender_id, tracker.get_slot("service"))
    if survey is None:
        if quiet_when_nothing and why != "recent":
            return None
        dispatcher.utter_message(
            response="utter_skm_recent" if why == "recent" else "utter_skm_nothing"
        )
        return []
    if why == "resumed" and survey.position > 0:
        dispatcher.utter_message(
            response="utter_skm_resumed", subject=survey.subject, number=survey.position + 1
        )
    else:
        dispatcher.utter_message(response="utter_skm_intro", subject=survey.subject)
    return [
        SlotSet(ID_SLOT, str(survey.id)),
        SlotSet(DONE_SLOT, None),
        FollowupAction(FORM),
    ]


def asks_for_survey(text: str) -> bool:
    """The message names the survey itself ("mau isi survei kepuasan")."""
    return any(word in SURVEY_WORDS for word in re.findall(r"\w+", text.lower()))


def opened_by_request(tracker: Tracker) -> bool:
    """The form opens on a typed request to rate: action_give_feedback ran on the latest
    message (start_survey), so that message is the opening, not an answer."""
    for event in reversed(list(tracker.events or [])):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == REQUEST_ACTION:
            return True
    return False


# Everyday spellings of the answers' words ("cepet kok", "gak cepet", "gampang").
_SPELLINGS = {
    "cepet": "cepat",
    "cpt": "cepat",
    "gampang": "mudah",
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "kagak": "tidak",
    "tdk": "tidak",
    "krg": "kurang",
    "sgt": "sangat",
    "amat": "sangat",
}
# Words after an answer that make it "sangat ..." ("cepet bgt").
_INTENSIFIERS = frozenset({"banget", "bgt", "bngt", "bener", "sekali", "pol", "poll"})
# Words around an answer that add nothing ("cepet kok", "sesuai aja").
_FILLERS = frozenset(
    {"kok", "sih", "deh", "dong", "aja", "saja", "lah", "ya", "yah", "min", "kak", "pak", "bu"}
    | {"mas", "mbak", "udah", "sudah", "udh", "menurut", "saya", "sy", "kayaknya"}
)


def _answer_words(text: str) -> str:
    """The words of a typed answer in the survey's spelling, fillers left out."""
    found = [_SPELLINGS.get(w, w) for w in re.sub(r"[^\w\s/]", " ", text.lower()).split()]
    strong = any(w in _INTENSIFIERS for w in found)
    kept = [w for w in found if w not in _FILLERS and w not in _INTENSIFIERS]
    if strong and kept and kept[0] not in ("sangat", "tidak", "kurang"):
        kept.insert(0, "sangat")
    return " ".join(kept)


def _typed_score(text: str, position: int) -> int | None:
    """A typed answer: "3", "3. Sesuai", or the answer's words ("sangat mudah", "cepet kok",
    "gak cepet")."""
    cleaned = re.sub(r"[^\w\s/]", " ", text.lower()).split()
    if cleaned and cleaned[0] in {"1", "2", "3", "4"}:
        return int(cleaned[0])
    words = " ".join(cleaned)
    labels = [
        " ".join(re.sub(r"[^\w\s/]", " ", label.lower()).split())
        for label in ELEMENTS[position].answers
    ]
    for candidate in (words, _answer_words(text)):
        if candidate in labels:
            return labels.index(candidate) + 1
    return None


class ValidateSkmForm(Action):
    """Reads every message while the survey is open."""

    def name(self) -> str:
        return "validate_skm_form"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        store = survey_store()
        raw_id = str(tracker.get_slot(ID_SLOT) or "")
        survey = store.current(tracker.sender_id, int(raw_id)) if raw_id.isdigit() else None
        if survey is None or survey.finished:
            return self._end("done")
        value = pressed(tracker)
        if value == START or opened_by_request(tracker):
            # The form opening on "Isi survei" or /survei: its question follows, no hint.
            return [SlotSet(ID_SLOT, str(survey.id)), SlotSet(REQUESTED_SLOT, DONE_SLOT)]
        text = latest_text(tracker).strip()
        lowered = " ".join(text.lower().strip(" .!").split())
        pause = lowered in PAUSE_WORDS or (
            bool(PAUSE_RE.match(lowered)) and len(lowered.split()) <= PAUSE_MAX_WORDS
        )
        if value == LATER or pause or latest_intent(tracker) == "cancel":
            if survey.position >= COMMENT_POSITION:
                store.finish(tracker.sender_id, survey.id, None)
                return self._end("done")
            store.pause(tracker.sender_id, survey.id)
            return self._end("paused")
        if survey.position >= COMMENT_POSITION:
            if value == NO_COMMENT or lowered in NO_COMMENT_WORDS:
                store.finish(tracker.sender_id, survey.id, None)
                return self._end("done")
            if len(text) >= MIN_COMMENT:
                store.finish(tracker.sender_id, survey.id, text)
                return self._end("done")
            return self._again(dispatcher, survey)
        score: int | None = None
        skip = False
        match = ANSWER_RE.match(value or "")
        if match and int(match.group(1)) - 1 == survey.position:
            skip = match.group(2) == SKIP
            score = None if skip else int(match.group(2))
        elif text:
            skip = lowered in SKIP_WORDS
            score = None if skip else _typed_score(text, survey.position)
        if score is None and not skip:
            from actions.service_info import ASPECT_BY_INTENT, answer_service_question

            intent = latest_intent(tracker) or ""
            if text and intent in ASPECT_BY_INTENT and looks_like_question(text):
                # "eh btw kantor bpjs buka sabtu ga?": answered, then the question again.
                events = answer_service_question(
                    dispatcher, tracker, domain, ASPECT_BY_INTENT[intent]
                )
                return [
                    *events,
                    SlotSet(ID_SLOT, str(survey.id)),
                    SlotSet(REQUESTED_SLOT, DONE_SLOT),
                ]
            # A stale button or small talk: the question again.
            return self._again(dispatcher, survey)
        store.answer(tracker.sender_id, survey.id, survey.position, score)
        return [SlotSet(ID_SLOT, str(survey.id)), SlotSet(REQUESTED_SLOT, DONE_SLOT)]

    @staticmethod
    def _again(dispatcher: CollectingDispatcher, survey: SurveyView) -> Events:
        dispatcher.utter_message(
            response="utter_skm_use_buttons"
            if survey.position < COMMENT_POSITION
            else "utter_skm_comment_hint"
        )
        return [SlotSet(ID_SLOT, str(survey.id)), SlotSet(REQUESTED_SLOT, DONE_SLOT)]

    @staticmethod
    def _end(how: str) -> Events:
        return [SlotSet(DONE_SLOT, how), SlotSet(REQUESTED_SLOT, None)]


class ActionAskSkmDone(Action):
    """The survey's current question (the form asks it after every answer)."""

    def name(self) -> str:
        return "action_ask_skm_done"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        raw_id = str(tracker.get_slot(ID_SLOT) or "")
        survey = (
            survey_store().current(tracker.sender_id, int(raw_id)) if raw_id.isdigit() else None
        )
        if survey is not None and not survey.finished:
            ask(dispatcher, survey)
        return []


class ActionSkmSubmit(Action):
    """The survey closed: thanks, or how to go on later."""

    def name(self) -> str:
        return "action_skm_submit"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        how = tracker.get_slot(DONE_SLOT)
        if how == "paused":
            dispatcher.utter_message(response="utter_skm_paused")
        else:
            dispatcher.utter_message(response="utter_skm_thanks")
        reset: list[dict[str, Any]] = [SlotSet(ID_SLOT, None), SlotSet(DONE_SLOT, None)]
        return reset
