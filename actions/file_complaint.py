"""Filing the complaint at the end of the form, and cancelling the form."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events
from actions.complaint_form import FORM_SLOTS
from actions.form_runs import latest_run_start
from bot import complaint_turns as turns
from bot import metrics
from bot.config import get_settings
from bot.store.models import Category, Privacy, utcnow
from bot.store.repository import ComplaintDraft, get_repository
from bot.texts import CATEGORY_LABELS, format_date

log = logging.getLogger("actions.file_complaint")


def reset_form() -> Events:
    """Clear every slot of the complaint form."""
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


TRANSCRIPT_MAX_LINES = 200
TRANSCRIPT_MAX_CHARS = 4000


def form_conversation(events: list[dict[str, Any]]) -> tuple[tuple[datetime, str, str], ...]:
    """The messages of the latest run of the complaint form: from the citizen's message
    that opened it to now, the citizen's ("warga") and the assistant's ("asisten").

    Nothing from before that message: the citizen's earlier chats and other complaints
    never become part of this ticket's transcript.
    """
    start = latest_run_start(events)
    if start is None:
        return ()
    lines: list[tuple[datetime, str, str]] = []
    # payload -> label of every button the assistant showed in this run (a citizen may press
    # one of an earlier message: an aspect under a service answer, a category)
    offered: dict[str, str] = {}
    for event in events[start:]:
        kind = event.get("event")
        text = str(event.get("text") or "").strip()
        if kind == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            offered.update({str(b.get("payload")): str(b.get("title")) for b in buttons})
        if kind not in ("user", "bot") or not text:
            continue
        if kind == "user" and text.startswith("/"):
            text = pressed_label(text, offered)
        at = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)
        who = "warga" if kind == "user" else "asisten"
        lines.append((at, who, text[:TRANSCRIPT_MAX_CHARS]))
    return tuple(lines[-TRANSCRIPT_MAX_LINES:])


def pressed_label(payload: str, offered: dict[str, str]) -> str:
    """What officers read for a payload: the button's label, or the place a shared location
    named ("[lokasi] Titik lokasi: -6.2001, 106.8166"), else the payload as it was."""
    if payload in offered:
        return f"[tombol] {offered[payload]}"
    _intent, values = turns.button_values(payload)
    place = values.get(turns.LOCATION)
    if isinstance(place, str) and place:
        return f"[lokasi] {place}"
    return f"[tombol] {payload}"


def draft_from(tracker: Tracker) -> ComplaintDraft:
    """The complaint as collected by the form, with the form's conversation."""
    # The service the complaint's own words named, never one asked about before it.
    service = tracker.get_slot("complaint_service")
    return ComplaintDraft(
        description=tracker.get_slot("complaint_description"),
        location_text=tracker.get_slot("complaint_location"),
        category=Category(tracker.get_slot("complaint_category")),
        privacy=Privacy(tracker.get_slot("complaint_privacy")),
        latitude=tracker.get_slot("complaint_latitude"),
        longitude=tracker.get_slot("complaint_longitude"),
        service_id=service if isinstance(service, str) else None,
        conversation=form_conversation(list(tracker.events)),
    )


def keep_failed_submission(sender_id: str, tracker: Tracker) -> None:
    """Append the unsaved complaint to a JSON-lines file so an officer can recover it."""
    record = {
        "at": utcnow().isoformat(),
        "sender_id": sender_id,
        "slots": {slot: tracker.get_slot(slot) for slot in FORM_SLOTS},
        "latitude": tracker.get_slot("complaint_latitude"),
        "longitude": tracker.get_slot("complaint_longitude"),
    }
    path = get_settings().failed_submissions_path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        log.error("complaint could not be stored; kept for recovery: %s", json.dumps(record))


class ActionSubmitComplaint(Action):
    """Creates the ticket (idempotently) once the citizen confirmed the summary."""

    def name(self) -> str:
        return "action_submit_complaint"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        exit_reason = tracker.get_slot("complaint_exit")
        confirmed = tracker.get_slot("complaint_confirmed") is True
        if exit_reason in ("cancelled", "left") or not confirmed:
            if exit_reason == "cancelled":
                dispatcher.utter_message(response="utter_complaint_cancelled")
            elif exit_reason != "left":  # "left" was already answered by the form
                dispatcher.utter_message(response="utter_complaint_not_sent")
            discard_drafts(tracker.sender_id)
            return reset_form()
        try:
            ticket, created = get_repository().file_ticket(tracker.sender_id, draft_from(tracker))
        except Exception:
            log.exception("filing failed for sender %s", tracker.sender_id)
            keep_failed_submission(tracker.sender_id, tracker)
            dispatcher.utter_message(response="utter_complaint_store_failed")
            return reset_form()
        if created:
            metrics.TICKETS_FILED.inc()
            # inbox_id: the front end's inbox row of this message, the correlation id from
            # the Telegram update to the ticket (sent to Rasa as message metadata).
            inbox_id = (tracker.latest_message.get("metadata") or {}).get("inbox_id")
            log.info(
                "ticket %s filed (inbox %s)",
                ticket.public_id,
                inbox_id,
                extra={"inbox_id": inbox_id, "ticket_id": ticket.public_id},
            )
        first_answer = created or filed_in_this_run(ticket.created_at, list(tracker.events))
        dispatcher.utter_message(
            response="utter_complaint_filed" if first_answer else "utter_complaint_duplicate",
            ticket_id=ticket.public_id,
            category=CATEGORY_LABELS[ticket.category],
            verify_due=format_date(ticket.verify_due, weekday=True),
            working_days=get_settings().verification_working_days,
        )
        return [*reset_form(), SlotSet("last_ticket_id", ticket.public_id)]


def filed_in_this_run(created_at: datetime, events: list[dict[str, Any]]) -> bool:
    """True when the existing ticket was stored during the latest run of the form: the
    first answer to this confirmation was lost (the action server died after storing the
    ticket; the front end undid the turn and sent the confirmation again), so the citizen
    hears that it was filed, not that it had been filed before."""
    start = latest_run_start(events)
    if start is None:
        return False
    began = datetime.fromtimestamp(float(events[start].get("timestamp") or 0), tz=timezone.utc)
    stored = created_at if created_at.tzinfo else created_at.replace(tzinfo=timezone.utc)
    return stored >= began


def discard_drafts(sender_id: str) -> None:
    """Forget the photos and locations of a complaint that was not sent."""
    try:
        get_repository().discard_drafts(sender_id)
    except Exception:  # the form is closed either way; drafts expire with the chat
        log.exception("could not discard draft attachments of %s", sender_id)
