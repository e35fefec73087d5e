"""A citizen asks for a person: real contacts, and a live chat with an officer during the
unit's service hours (bot.handoff.chats); outside them an honest "nobody is here now" with
the offer to file a complaint or to be contacted here later (a call-back request)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, SafeAction, latest_text, say_complaint_timeline
from actions.fallback import main_menu
from actions.form_runs import form_runs
from bot.config import get_settings
from bot.handoff.chats import LiveChats
from bot.handoff.hours import service_now
from bot.phrases import asks_who_handles, is_small_talk
from bot.store.catalogue import helpdesk
from bot.store.models import utcnow
from bot.store.repository import get_repository
from bot.tickets.deadlines import holiday_calendar

HISTORY_WINDOW = timedelta(hours=24)
# Turns never shown to the officer: they may belong to an anonymous or confidential
# complaint (its form, a rating of it, a status question naming it).
PRIVATE_INTENTS = frozenset({"give_feedback", "check_status", "file_complaint"})
TICKET_ID_RE = re.compile(r"\bADU-?[0-9A-Z]{6}\b", re.IGNORECASE)
# "sy mau ngomong sm orang aja, bukan bot", "sambungin ke petugas", "orang asli": a request
# for a person, which the classifier may read as a question whether this is a bot.
_PERSON = r"(?:orang|manusia|petugas|admin|operator|pegawai|staf|staff|cs|human|person|agent)"
ASKS_FOR_PERSON_RE = re.compile(
    r"\b(?:ngomong\w*|omong\w*|ngmg|bicara\w*|berbicara|ngobrol\w*|chat\w*|hubung\w*|"
    r"sambung\w*|disambung\w*|telpon\w*|telepon\w*|nelpon\w*|dilayani|kontak|talk|speak)\b"
    rf"(?:\W+\w+){{0,4}}?\W+{_PERSON}\b"
    rf"|\b{_PERSON}\s+(?:asli|beneran|langsung|sungguhan|nyata)\b"
    rf"|\b(?:mau|minta|pengen|ingin)\s+(?:sama|sm|ama|dengan|dgn)\s+{_PERSON}\b",
    re.IGNORECASE,
)


def asks_for_a_person(text: str) -> bool:
    """Whether a message asks to talk to a person (not whether this is a bot)."""
    return bool(text) and ASKS_FOR_PERSON_RE.search(text) is not None


def conversation_before(
    events: list[dict[str, Any]], now: datetime
) -> list[tuple[datetime, str, str]]:
    """The citizen's chat with the assistant in the last day, for the officer who takes the
    live chat: (time, "warga" | "asisten", text), without the request itself, without any
    complaint form run (from the message that opened it to its end), without turns about
    complaints, ratings or statuses and without any line naming a ticket id."""
    hidden = {index for run in form_runs(events) for index in range(run.start, run.end)}
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
    if last_user is not None:
        hidden.add(last_user)  # the request for a person itself
    lines: list[tuple[datetime, str, str]] = []
    skip_reply = False
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        text = str(event.get("text") or "").strip()
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            skip_reply = intent in PRIVATE_INTENTS or index in hidden
            if skip_reply or text.startswith("/"):
                continue
        elif skip_reply or index in hidden:
            continue
        if not text or TICKET_ID_RE.search(text):
            continue
        at = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)
        if now - at > HISTORY_WINDOW:
            continue
        lines.append((at, "warga" if kind == "user" else "asisten", text))
    return lines


class ActionRequestHuman(SafeAction):
    """The contacts of the office of the service discussed and of the complaint unit (from
    the catalogue); within the unit's service hours a live chat with an officer, outside
    them the national complaint channel and the offer of a complaint or a call-back.

    `clock` is the present: the request's stored time and the history window. Only the
    service-hours check reads the pinned test clock (service_now), so a wait measured from
    the request to the officer's take (the console's present) is what really passed."""

    clock: Callable[[], datetime] = staticmethod(utcnow)

    def name(self) -> str:
        return "action_request_human"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        settings = get_settings()
        repository = get_repository()
        service_id = tracker.get_slot("service")
        service = repository.get_service(service_id) if isinstance(service_id, str) else None
        if service is not None and service.office_phone:
            dispatcher.utter_message(
                response="utter_office_contact",
                office_name=service.office_name,
                office_phone=service.office_phone,
                office_email=service.office_email or "-",
                office_hours=service.office_hours or "-",
            )
        desk = helpdesk(settings.catalogue_path)
        if desk is not None and (desk.phone or desk.whatsapp):
            dispatcher.utter_message(
                response="utter_helpdesk_contact",
                helpdesk_name=desk.name,
                helpdesk_phone=desk.phone or "-",
                helpdesk_whatsapp=desk.whatsapp or "-",
                helpdesk_email=desk.email or "-",
                helpdesk_hours=desk.hours or "-",
            )
        now = self.clock()
        requested = LiveChats(repository.engine, settings.timezone).request(
            tracker.sender_id,
            service.id if service is not None else None,
            conversation_before(list(tracker.events), now),
            holiday_calendar(repository.engine).holidays,
            desk.name if desk is not None else "Unit Pengaduan",
            desk.hours if desk is not None else None,
            now,
            hours_at=service_now(now),
        )
        if requested.opened:
            dispatcher.utter_message(response="utter_live_waiting", unit=requested.office_name)
            return []
        dispatcher.utter_message(response="utter_national_complaint_channel")
        dispatcher.utter_message(
            response="utter_request_human",
            unit=requested.office_name,
            hours=requested.hours or "-",
        )
        return []


class ActionBotChallenge(SafeAction):
    """ "Kamu bot ya?": yes, a virtual assistant. "sy mau ngomong sm orang aja deh, bukan
    bot" asks for a person, however the classifier read it: acted on as "hubungi petugas".
    "ini nanti yg nanganin siapa ya?" asks who deals with a complaint: that is answered."""

    def name(self) -> str:
        return "action_bot_challenge"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        text = latest_text(tracker)
        if asks_for_a_person(text):
            return ActionRequestHuman().act(dispatcher, tracker, domain)
        if asks_who_handles(text):
            say_complaint_timeline(dispatcher, None)
            return []
        if is_small_talk(text):
            # "bot km udh mkn blm": a friendly word back (actions/fallback.py).
            dispatcher.utter_message(response="utter_small_talk", buttons=main_menu(domain))
            return []
        dispatcher.utter_message(response="utter_iamabot")
        return []


class ActionRequestCallback(SafeAction):
    """The citizen asks to be contacted here by an officer later (the button outside
    service hours or after nobody took the chat): their consent, kept as a call-back
    request in the officers' live queue (stored at the present, as every time of a chat)."""

    clock: Callable[[], datetime] = staticmethod(utcnow)

    def name(self) -> str:
        return "action_request_callback"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        repository = get_repository()
        service_id = tracker.get_slot("service")
        now = self.clock()
        LiveChats(repository.engine, get_settings().timezone).request_callback(
            tracker.sender_id,
            service_id if isinstance(service_id, str) else None,
            now,
            history=conversation_before(list(tracker.events), now),
        )
        dispatcher.utter_message(response="utter_callback_noted")
        return []
