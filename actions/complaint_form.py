"""The complaint form: `validate_complaint_form` and the questions it asks."""

from __future__ import annotations

import json
import logging
from abc import ABCMeta, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import Events, earlier_user_texts, latest_text, say_complaint_timeline
from actions.form_runs import latest_run_start
from actions.privacy_answer import answer_privacy_question
from actions.ticket_status import ActionCheckStatus, asks_status_at_form_start
from bot import complaint_turns as turns
from bot.categories import mentions_pungli, suggest_category
from bot.complaint_turns import parse_privacy
from bot.phrases import looks_like_question, words
from bot.service_match import find_all_exact, find_referral
from bot.store.drafts import DraftRepository
from bot.store.models import Category, Privacy
from bot.store.repository import get_repository
from bot.texts import (
    BUTTON_CANCEL,
    BUTTON_CONFIRM_CANCEL,
    BUTTON_KEEP_GOING,
    BUTTON_SEND,
    CATEGORY_LABELS,
    CATEGORY_SHORT_LABELS,
    EDIT_BUTTON_LABELS,
    FORM_FIELD_LABELS,
    PRIVACY_LABELS,
    PRIVACY_SHORT_LABELS,
)
from bot.texts import text as message_text

DESCRIPTION_MIN = turns.DESCRIPTION_MIN
DESCRIPTION_MAX = turns.DESCRIPTION_MAX
LOCATION_MIN = turns.LOCATION_MIN
LOCATION_MAX = turns.LOCATION_MAX
NARRATIVE_MIN = turns.NARRATIVE_MIN
__all__ = ["default_privacy", "parse_privacy"]
log = logging.getLogger("actions.complaint_form")

FORM_SLOTS = (
    "complaint_description",
    "complaint_location",
    "complaint_category",
    "complaint_privacy",
    "complaint_confirmed",
    "complaint_latitude",
    "complaint_longitude",
    "complaint_service",
    "complaint_cancel_pending",
    "complaint_exit",
    turns.OPENING,
    turns.PRIVACY_WISH,
)


def default_privacy(category: Category | None, description: str = "") -> Privacy:
    """Pungli reports are confidential by default (whistle-blower protection): the pungli
    category, and any story that tells of money asked outside the official fee, whatever
    category the citizen picked."""
    if category == Category.PUNGLI or mentions_pungli(description):
        return Privacy.CONFIDENTIAL
    return Privacy.PUBLIC


def inform_payload(slot: str, value: str) -> str:
    """A button payload that fills a form slot without going through the NLU."""
    return "/inform" + json.dumps({slot: value})


def story_before_edit(tracker: Tracker) -> str | None:
    """The latest story of this complaint, as it was before "Ubah isi" cleared it."""
    start = latest_run_start(tracker.events) or 0
    for event in reversed(tracker.events[start:]):
        named = event.get("event") == "slot" and event.get("name") == turns.DESCRIPTION
        if named and event.get("value"):
            return str(event["value"])
    return None


def asked_for_addition(tracker: Tracker) -> bool:
    """Whether the assistant's last message before this one asked for an addition."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            said = (event.get("metadata") or {}).get("utter_action")
            return said == "utter_story_addition_ask"
    return False


def privacy_preselected(tracker: Tracker, category: Category | None, description: str) -> Privacy:
    """The privacy marked ✓: the wish the citizen said in words, else the default."""
    wish = tracker.get_slot(turns.PRIVACY_WISH)
    if wish in {p.value for p in Privacy}:
        return Privacy(wish)
    return default_privacy(category, description)


def form_just_started(tracker: Tracker) -> bool:
    """Whether `action_start_complaint` ran in this turn (the form's first question)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == ActionStartComplaint.NAME:
            return True
    return False


def said_this_turn(tracker: Tracker, response: str) -> bool:
    """Whether the assistant sent `response` since the citizen's latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if (
            event.get("event") == "bot"
            and (event.get("metadata") or {}).get("utter_action") == response
        ):
            return True
    return False


OWN_TURN_ACTIONS = frozenset(
    {"action_listen", "action_extract_slots", "complaint_form", "validate_complaint_form"}
)


def returned_to_form(tracker: Tracker) -> bool:
    """True when another action already handled the latest message and the form only
    resumes (its question is asked again; the message is not read twice)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in OWN_TURN_ACTIONS:
            return True
    return False


def earlier_story(tracker: Tracker, pungli_only: bool = False) -> str | None:
    """The latest story the citizen told before this complaint's form opened (never one
    of an earlier complaint): a message that reads as a story, not a question, a request
    or an opening that only named the subject; with `pungli_only`, only one telling of
    money asked outside the official fee."""
    for number, text in enumerate(earlier_user_texts(tracker, until_slot="last_ticket_id")):
        if number >= 6:
            return None
        if text.startswith("/") or not DESCRIPTION_MIN <= len(text) <= DESCRIPTION_MAX:
            continue
        if turns.refers_back(text):
            continue
        if pungli_only:
            return text if mentions_pungli(text) else None
        if turns.reads_as_story(text):
            return text
    return None


def from_earlier_story(tracker: Tracker, filled: dict[str, Any]) -> turns.Outcome:
    """The story question answered by pointing back: the story told before, read as the
    answer, or a request to tell it again."""
    earlier = earlier_story(tracker)
    if earlier is None:
        return turns.Outcome(
            say=[("utter_complaint_earlier_story_missing", {})], ask=turns.DESCRIPTION
        )
    outcome = turns.read(turns.Message(earlier), filled, False)
    if turns.DESCRIPTION in outcome.values:
        outcome.say.insert(0, ("utter_complaint_earlier_story_used", {}))
    return outcome


def wants_a_person(text: str) -> bool:
    """ "hubungi petugas", "bisa tolong hubungkan saya dengan petugas manusia?": a request
    for a person, not a story that tells of calling an officer."""
    from actions.human import asks_for_a_person

    if not asks_for_a_person(text) or turns.story_signals(text) >= 2:
        return False
    return len(text) < NARRATIVE_MIN or looks_like_question(text) or len(words(text)) <= 8


def services_named(text: str) -> str | None:
    """The first catalogue service a complaint's own words name (never one asked about
    earlier in the chat)."""
    if not text:
        return None
    try:
        aliases = get_repository().service_aliases()
    except Exception:  # the complaint goes on without a service; officers route it
        log.exception("could not read the catalogue's service names")
        return None
    found = find_all_exact(text, aliases)
    return found[0][0] if found else None


class ValidateComplaintForm(Action):
    """Reads every message while the complaint form is open (see `bot.complaint_turns`):
    answers, several answers at once, corrections, questions, small talk, stopping."""

    def name(self) -> str:
        return "validate_complaint_form"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        filled = {
            slot: tracker.get_slot(slot)
            for slot in (*turns.ORDER, turns.OPENING, turns.PRIVACY_WISH)
        }
        if not filled.get(turns.DESCRIPTION):
            filled[turns.EARLIER_STORY] = story_before_edit(tracker)
            filled[turns.ADDING] = asked_for_addition(tracker)
        latest = tracker.latest_message or {}
        intent = latest.get("intent") or {}
        text = str(latest.get("text") or "")
        message = turns.Message(
            text,
            intent.get("name"),
            float(intent.get("confidence") or 0.0),
            names_service=(
                not text.startswith("/")
                and looks_like_question(text)
                and asks_about_a_service(text, tracker)
            ),
        )
        events: Events = []
        if form_just_started(tracker):
            told_here = filled.get(turns.DESCRIPTION) in (None, "", message.raw, message.typed)
            if told_here and answer_privacy_question(dispatcher, tracker):
                # "petugasnya bakal tau gak kalo sy yg lapor?" read as a complaint: what the
                # privacy of their complaint means; no form of its own.
                outcome = turns.Outcome(values={turns.DESCRIPTION: None}, end="left")
                return self._apply(outcome, filled, message, dispatcher, tracker, domain)
            if told_here and asks_status_at_form_start(message.typed, message.intent, False):
                # "laporan jalan sy kmrn gmn kbrnya min": their tickets, no form (E18).
                events += ActionCheckStatus().act(dispatcher, tracker, domain)
                outcome = turns.Outcome(values={turns.DESCRIPTION: None}, end="left")
                return events + self._apply(outcome, filled, message, dispatcher, tracker, domain)
            service = services_named(message.typed)
            if turns.asks_instead_of_complaining(message.typed) and (
                service or find_referral(message.typed)
            ):
                # "cara bikin sertipikat tanah gimana?": a question about a service, not a
                # complaint; answered, and the form closes without a word of its own.
                from actions.service_info import answer_service_question
                from actions.yes_no import likeliest_aspect

                aspect = likeliest_aspect(tracker) or "procedure"
                events += answer_service_question(dispatcher, tracker, domain, aspect)
                return [
                    *events,
                    *self._apply(
                        turns.Outcome(end="left"), filled, message, dispatcher, tracker, domain
                    ),
                ]
            outcome = turns.opening(
                message, filled.get(turns.DESCRIPTION), filled.get(turns.OPENING)
            )
            if service:
                events.append(SlotSet("complaint_service", service))
                return events + self._apply(
                    outcome, filled, message, dispatcher, tracker, domain, service_known=True
                )
        elif returned_to_form(tracker):
            # Back from another action: ask the open question again.
            return [
                SlotSet("complaint_cancel_pending", False),
                SlotSet(REQUESTED_SLOT, turns.missing(filled)),
            ]
        else:
            pending = bool(tracker.get_slot("complaint_cancel_pending"))
            if (
                turns.missing(filled) == turns.DESCRIPTION
                and not pending
                and turns.refers_back(message.typed)
            ):
                # "kan udh sy ceritain td": the story told before the form opened.
                outcome = from_earlier_story(tracker, filled)
            elif not pending and asks_status_at_form_start(
                message.typed, message.intent, bool(filled.get(turns.DESCRIPTION))
            ):
                # "bukan mau lapor baru, mau nanya status laporan yg kmrn" before any story:
                # the form closes for their tickets (E18).
                events += ActionCheckStatus().act(dispatcher, tracker, domain)
                outcome = turns.Outcome(values={turns.DESCRIPTION: None}, end="left")
            elif not pending and wants_a_person(message.typed):
                # "hubungi petugas": acted on (contacts, a live chat or a call-back), never
                # stored as an answer; the open question comes again.
                outcome = turns.Outcome(answer_question=True, ask=turns.missing(filled))
            else:
                outcome = turns.read(message, filled, pending)
        return events + self._apply(outcome, filled, message, dispatcher, tracker, domain)

    def _apply(
        self,
        outcome: turns.Outcome,
        filled: dict[str, Any],
        message: turns.Message,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        service_known: bool = False,
    ) -> Events:
        events: Events = []
        values = dict(outcome.values)
        description = values.get(turns.DESCRIPTION) or filled.get(turns.DESCRIPTION) or ""
        if values.get(turns.CATEGORY) == "__default__":
            values[turns.CATEGORY] = suggest_category(description).value
        if values.get(turns.PRIVACY) == "__default__":
            category = values.get(turns.CATEGORY) or filled.get(turns.CATEGORY)
            values[turns.PRIVACY] = privacy_preselected(
                tracker, Category(category) if category else None, description
            ).value
        for slot, value in values.items():
            events.append(SlotSet(slot, value))
        now = {**filled, **values}
        # The complaint's service comes from the complaint's own words: this message, or
        # the story it completes (pieces told before, a story pointed back to).
        if not service_known and not tracker.get_slot("complaint_service"):
            told = [
                message.typed if turns.DESCRIPTION in values or turns.LOCATION in values else "",
                str(values.get(turns.DESCRIPTION) or ""),
                str(values.get(turns.LOCATION) or ""),
            ]
            service = next((s for s in map(services_named, told) if s), None)
            if service:
                events.append(SlotSet("complaint_service", service))
        for response, kwargs in outcome.say:
            if response == "utter_confirm_cancel":
                utter_confirm_cancel(dispatcher)
            elif response == "utter_privacy_wish_noted":
                wish = now.get(turns.PRIVACY_WISH)
                dispatcher.utter_message(
                    response=response,
                    privacy=PRIVACY_SHORT_LABELS[Privacy(wish)] if wish else "-",
                )
            elif response == "utter_summary_privacy_answer":
                privacy = now.get(turns.PRIVACY)
                dispatcher.utter_message(
                    response=response,
                    privacy=PRIVACY_LABELS[Privacy(privacy)] if privacy else "-",
                )
            else:
                dispatcher.utter_message(response=response, **kwargs)
        if outcome.noted:
            # Opened with a story (or its subject) that already told more: one message says
            # what was noted.
            response = "utter_form_noted"
            if form_just_started(tracker):
                response = (
                    "utter_complaint_subject_noted"
                    if filled.get(turns.OPENING)
                    else "utter_complaint_story_noted"
                )
            dispatcher.utter_message(response=response, noted=noted_text(outcome.noted, now))
        if outcome.answer_question:
            events += answer_question(message, dispatcher, tracker, domain)
            if outcome.cancel_pending:
                # A question while "batalkan?" was open: answered, then that choice again.
                utter_confirm_cancel(dispatcher)
        if outcome.cancel_pending is not None:
            events.append(SlotSet("complaint_cancel_pending", outcome.cancel_pending))
        else:
            events.append(
                SlotSet(
                    "complaint_cancel_pending", bool(tracker.get_slot("complaint_cancel_pending"))
                )
            )
        if outcome.end:
            events.append(SlotSet("complaint_exit", outcome.end))
            events.append(SlotSet(REQUESTED_SLOT, None))
            return events
        next_slot = outcome.ask if outcome.ask in turns.ORDER else turns.missing(now)
        if next_slot is not None and now.get(next_slot) not in (None, ""):
            next_slot = turns.missing(now)
        events.append(SlotSet(REQUESTED_SLOT, next_slot))
        return events


def utter_confirm_cancel(dispatcher: CollectingDispatcher) -> None:
    """ "Yakin ingin membatalkan pengaduan ini?" with its two buttons."""
    dispatcher.utter_message(
        response="utter_confirm_cancel",
        buttons=[
            # "/cancel", not "/affirm": pressed later, at another question, it still means
            # cancelling (asked again), never "yes" to that question.
            {"title": BUTTON_CONFIRM_CANCEL, "payload": "/cancel"},
            {"title": BUTTON_KEEP_GOING, "payload": "/deny"},
        ],
    )


def noted_text(slots: list[str], values: dict[str, Any]) -> str:
    """ "Lokasi: …; Kategori: …" for the answers understood without being asked."""
    parts = []
    for slot in slots:
        value = values.get(slot)
        if slot == turns.CATEGORY and value:
            value = CATEGORY_LABELS[Category(value)]
        elif slot == turns.PRIVACY and value:
            value = PRIVACY_LABELS[Privacy(value)]
        parts.append(f"{FORM_FIELD_LABELS[slot]}: {value}")
    return "; ".join(parts)


def asks_about_a_service(text: str, tracker: Tracker) -> bool:
    """Whether a question inside the form names a service (else it is about the complaint)."""
    entities = tracker.latest_message.get("entities") or []
    if any(e.get("entity") == "service" for e in entities):
        return True
    return bool(text) and (services_named(text) is not None or find_referral(text) is not None)


def answer_question(
    message: turns.Message, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> Events:
    """A question asked in the middle of the form, answered before the form goes on."""
    from actions.human import ActionRequestCallback, ActionRequestHuman
    from actions.service_info import ASPECT_BY_INTENT, answer_service_question, asked_aspect
    from actions.ticket_status import ActionCheckStatus

    intent = message.intent or ""
    if message.button[0] == "/request_callback":
        return ActionRequestCallback().act(dispatcher, tracker, domain)
    if wants_a_person(message.typed):
        return ActionRequestHuman().act(dispatcher, tracker, domain)
    timeline = turns.asks_complaint_timeline(message.typed)
    if timeline or (intent == "ask_duration" and not asks_about_a_service(message.typed, tracker)):
        # "biasanya brp lama ditindaklanjuti?": how long the complaint itself takes.
        say_complaint_timeline(dispatcher, tracker.get_slot(turns.CATEGORY))
        return []
    if intent == "check_status" or turns.asks_status(message.typed, intent):
        return ActionCheckStatus().act(dispatcher, tracker, domain)
    if intent in ASPECT_BY_INTENT:
        return answer_service_question(dispatcher, tracker, domain, ASPECT_BY_INTENT[intent])
    if intent == "request_human":
        return ActionRequestHuman().act(dispatcher, tracker, domain)
    if message.names_service:
        # "kalo sim a?": the aspect asked before, now of this service (E1).
        return answer_service_question(dispatcher, tracker, domain, asked_aspect(tracker))
    dispatcher.utter_message(response="utter_help")
    return []


class ActionStartComplaint(Action):
    """Clears the form for a new complaint; a long first message is already the description.

    It says nothing: the form's first question (`action_ask_complaint_description`, or
    `action_ask_complaint_location` after a story) greets the citizen in the same message.
    """

    NAME = "action_start_complaint"

    def name(self) -> str:
        return self.NAME

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        text = latest_text(tracker).strip()
        events: Events = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if (
            len(text) <= DESCRIPTION_MAX
            and not text.startswith("/")
            and not turns.only_announces(text)
        ):
            # A story is the description; an opening that only names the subject is kept
            # and the story asked for.
            story = len(text) >= NARRATIVE_MIN and not turns.only_subject(text)
            events.append(SlotSet(turns.DESCRIPTION if story else turns.OPENING, text))
        else:
            # "Laporkan" right after telling of money asked outside the official fee: that
            # message is the story.
            earlier = earlier_story(tracker, pungli_only=True)
            if earlier:
                events.append(SlotSet(turns.DESCRIPTION, earlier))
                # Its service gives the complaint its unit (the form reads only new words).
                service = services_named(earlier)
                if service:
                    events.append(SlotSet("complaint_service", service))
        # The form opens next whatever led here (a rule, or a story the fallback recognised).
        return [*events, FollowupAction("complaint_form")]


class AskAction(Action, metaclass=ABCMeta):
    """One question of the form. Silent while "batalkan pengaduan ini?" is the open one."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if not tracker.get_slot("complaint_cancel_pending"):
            self.ask(dispatcher, tracker)
        return []

    @abstractmethod
    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """Say the question."""


# Replies to a piece of the story that already ask for the rest of it.
STORY_ASKED_AGAIN = (
    "utter_description_go_on",
    "utter_description_too_short",
    "utter_story_addition_ask",
)


def suggestion_shown_before(tracker: Tracker) -> str | None:
    """The label of the category suggested (✓) by the latest category question shown."""
    for event in reversed(tracker.events):
        if (
            event.get("event") == "bot"
            and (event.get("metadata") or {}).get("utter_action") == "utter_ask_complaint_category"
        ):
            for button in (event.get("data") or {}).get("buttons") or []:
                title = str(button.get("title") or "")
                if title.endswith(" ✓"):
                    return title.removesuffix(" ✓")
            return None
    return None


class ActionAskComplaintDescription(AskAction):
    """Asks for the story; the form's first question also says how to cancel."""

    slot = "complaint_description"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        first = form_just_started(tracker)
        if any(said_this_turn(tracker, asked) for asked in STORY_ASKED_AGAIN):
            # "Lanjutkan ceritanya: ..." already asked for the rest: one question per reply.
            return
        if not first:
            dispatcher.utter_message(response="utter_ask_complaint_description")
        elif not tracker.get_slot(turns.OPENING):
            dispatcher.utter_message(response="utter_complaint_start")
        elif not said_this_turn(tracker, "utter_complaint_subject_noted"):
            # Opened with the subject only: asked for the story (the noted message asks too).
            dispatcher.utter_message(response="utter_complaint_start_subject")


class ActionAskComplaintLocation(AskAction):
    """Asks where it happened; as the first question, it confirms the story was noted."""

    slot = "complaint_location"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        # The first question confirms the story was noted, unless the message saying what
        # the story told besides (utter_complaint_story_noted) just did.
        first = form_just_started(tracker) and not said_this_turn(
            tracker, "utter_complaint_story_noted"
        )
        if first:
            response = "utter_complaint_start_with_story"
        elif any(
            said_this_turn(tracker, said)
            for said in ("utter_story_added", "utter_privacy_wish_noted")
        ):
            # Right after "saya tambahkan ke isi pengaduan": the question again, briefly.
            response = "utter_ask_complaint_location_again"
        else:
            response = "utter_ask_complaint_location"
        dispatcher.utter_message(response=response)


class ActionAskComplaintCategory(AskAction):
    """Asks for the category, suggesting one from the description."""

    slot = "complaint_category"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        suggested = suggest_category(tracker.get_slot("complaint_description") or "")
        if (
            said_this_turn(tracker, "utter_story_added")
            and suggestion_shown_before(tracker) == (CATEGORY_SHORT_LABELS[suggested])
        ):
            # More of the story at this question, the same suggestion: the buttons just
            # above still hold; not shown again after every piece.
            return
        order = [suggested, *[c for c in Category if c != suggested]]
        buttons = [
            {
                "title": CATEGORY_SHORT_LABELS[c] + (" ✓" if c == suggested else ""),
                "payload": inform_payload("complaint_category", c.value),
            }
            for c in order
        ]
        dispatcher.utter_message(
            response="utter_ask_complaint_category",
            suggested_category=CATEGORY_LABELS[suggested],
            buttons=buttons,
        )


class ActionAskComplaintPrivacy(AskAction):
    """Asks how the report should be handled; pungli defaults to confidential."""

    slot = "complaint_privacy"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        category_value = tracker.get_slot("complaint_category")
        category = Category(category_value) if category_value else None
        description = tracker.get_slot("complaint_description") or ""
        default = privacy_preselected(tracker, category, description)
        wish = tracker.get_slot(turns.PRIVACY_WISH)
        order = [default, *[p for p in Privacy if p != default]]
        buttons = [
            {
                "title": PRIVACY_SHORT_LABELS[p] + (" ✓" if p == default else ""),
                "payload": inform_payload("complaint_privacy", p.value),
            }
            for p in order
        ]
        if wish == default.value:
            # Said in words before ("tolong rahasiakan ya"): marked ✓, to be confirmed.
            dispatcher.utter_message(
                response="utter_ask_complaint_privacy_wish",
                privacy=PRIVACY_SHORT_LABELS[default],
                buttons=buttons,
            )
            return
        response = (
            "utter_ask_complaint_privacy_pungli"
            if default == Privacy.CONFIDENTIAL
            else "utter_ask_complaint_privacy"
        )
        dispatcher.utter_message(response=response, buttons=buttons)


def attachments_summary(sender_id: str, latitude: Any) -> str:
    """ "2 foto, 1 titik lokasi": what the complaint being written carries besides its text,
    the draft photos and documents kept for the sender and a shared map pin."""
    try:
        kinds = DraftRepository(get_repository().engine).count_by_kind(sender_id)
    except Exception:  # the summary is still shown; the attachments stay kept
        log.exception("could not count the draft attachments of %s", sender_id)
        return message_text("summary_attachments", unknown=True)
    return message_text(
        "summary_attachments",
        unknown=False,
        photos=kinds.get("photo", 0),
        documents=kinds.get("document", 0),
        pin=latitude is not None,
    )


class ActionAskComplaintConfirmed(AskAction):
    """Shows the summary of the complaint and asks to send it."""

    slot = "complaint_confirmed"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        category = Category(tracker.get_slot("complaint_category"))
        privacy = Privacy(tracker.get_slot("complaint_privacy"))
        dispatcher.utter_message(
            response="utter_ask_complaint_confirmed",
            description=tracker.get_slot("complaint_description"),
            location=tracker.get_slot("complaint_location"),
            category=CATEGORY_LABELS[category],
            privacy=PRIVACY_LABELS[privacy],
            attachments=attachments_summary(
                tracker.sender_id, tracker.get_slot("complaint_latitude")
            ),
            buttons=[
                {"title": BUTTON_SEND, "payload": "/affirm"},
                *[
                    {"title": label, "payload": inform_payload("complaint_edit", slot)}
                    for slot, label in EDIT_BUTTON_LABELS.items()
                ],
                {"title": BUTTON_CANCEL, "payload": "/cancel"},
            ],
        )
