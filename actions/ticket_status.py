"""Ticket status: by id, or the citizen's own open tickets. Nobody sees others' tickets."""

from __future__ import annotations

import logging
from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, SafeAction, latest_entities, latest_text, utter_not_understood
from bot.complaint_turns import asks_complaint_timeline, asks_status
from bot.config import get_settings
from bot.phrases import (
    asks_about_own_report,
    is_only_thanks,
    looks_like_question,
    says_wants_to_complain,
)
from bot.ratings import read_score, star_buttons
from bot.store.ids import TICKET_ID_LIKE_RE, normalise_ticket_id
from bot.store.models import TicketStatus
from bot.store.repository import TicketView, get_repository
from bot.texts import CATEGORY_SHORT_LABELS, STATUS_LABELS, format_date, text
from bot.tickets.deadlines import local_today

log = logging.getLogger("actions.ticket_status")


def requested_ids(tracker: Tracker) -> tuple[list[str], list[str]]:
    """(valid ids, malformed attempts) mentioned in the latest message."""
    raw = latest_entities(tracker, "ticket_id")
    raw += [m.group(0) for m in TICKET_ID_LIKE_RE.finditer(latest_text(tracker))]
    valid: list[str] = []
    malformed: list[str] = []
    for candidate in raw:
        ticket_id = normalise_ticket_id(candidate)
        if ticket_id:
            if ticket_id not in valid:
                valid.append(ticket_id)
        elif candidate.upper() not in malformed:
            malformed.append(candidate.upper()[:20])
    return valid, malformed


def _local_day(created_at: datetime) -> str:
    """The day of `created_at` as the citizen lived it (the service's time zone, not UTC)."""
    return format_date(local_today(get_settings().timezone, created_at), weekday=True)


RESOLUTION_SHOWN = 500  # characters of the resolution in a status answer
# The open stages whose deadline a status answer names (bot/texts.yml ticket_status_details).
STEPS = {TicketStatus.BARU: 1, TicketStatus.DIVERIFIKASI: 2, TicketStatus.DIPROSES: 3}


def status_details(ticket: TicketView) -> str:
    """One ticket's status for its reporter: the deadline of its stage, or when and how it
    was closed (a closed ticket has no deadline left, E19)."""
    due = ticket.due_on or (ticket.verify_due if ticket.status == TicketStatus.BARU else None)
    resolution = (ticket.resolution or "").strip()
    if len(resolution) > RESOLUTION_SHOWN:
        resolution = resolution[:RESOLUTION_SHOWN].rstrip() + "…"
    return text(
        "ticket_status_details",
        ticket_id=ticket.public_id,
        category=CATEGORY_SHORT_LABELS[ticket.category],
        status=STATUS_LABELS[ticket.status],
        created=_local_day(ticket.created_at),
        step=STEPS.get(ticket.status, 0),
        waiting=ticket.status == TicketStatus.MENUNGGU_WARGA,
        rejected=ticket.status == TicketStatus.DITOLAK,
        due=format_date(due, weekday=True) if due else None,
        closed=_local_day(ticket.closed_at) if ticket.closed_at else None,
        resolution=resolution or None,
    )


class ActionCheckStatus(SafeAction):
    """Reports the status of a ticket the sender filed, or lists their open tickets."""

    def name(self) -> str:
        return "action_check_status"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        repo = get_repository()
        valid, malformed = requested_ids(tracker)
        for ticket_id in valid[:3]:
            ticket = repo.ticket_for_sender(tracker.sender_id, ticket_id)
            if ticket is None:
                # Same answer for unknown ids and other people's tickets: nothing leaks.
                dispatcher.utter_message(response="utter_ticket_not_found", ticket_id=ticket_id)
                continue
            dispatcher.utter_message(text=status_details(ticket))
        if valid:
            return []
        if not malformed and is_only_thanks(latest_text(tracker)):
            # "makasih pak udh ditanggepin" read as a status question (E16).
            say_welcome(dispatcher, tracker.sender_id)
            return []
        if malformed:
            dispatcher.utter_message(response="utter_ticket_id_malformed", ticket_id=malformed[0])
            return []
        tickets = repo.open_tickets_for_sender(tracker.sender_id)
        if not tickets:
            dispatcher.utter_message(response="utter_no_open_tickets")
            return []
        lines = "\n".join(
            f"• {t.public_id} ({CATEGORY_SHORT_LABELS[t.category]}, "
            f"{_local_day(t.created_at)}): {STATUS_LABELS[t.status]}"
            for t in tickets
        )
        dispatcher.utter_message(
            response="utter_open_tickets", count=len(tickets), ticket_lines=lines
        )
        return []


def say_welcome(dispatcher: CollectingDispatcher, sender_id: str) -> None:
    """Thanks answered: "sama-sama"; with a report resolved lately and not rated yet, the
    stars to rate how it was handled (E16)."""
    dispatcher.utter_message(response="utter_you_are_welcome")
    try:
        ratable = get_repository().ratable_tickets(sender_id)
    except Exception:  # the offer is a courtesy: never fail the thanks over it
        log.exception("could not look up the tickets %s may rate", sender_id)
        return
    if ratable:
        dispatcher.utter_message(
            text=text(
                "thanks_rating_offer",
                ticket_id=ratable[0].public_id if len(ratable) == 1 else None,
            ),
            buttons=star_buttons(),
        )


def status_instead(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> Events | None:
    """A message not understood otherwise that asks how the citizen's own report is getting
    on ("min laporan sy yg pungli kemaren gmn ya"): their tickets; else None."""
    if tracker.active_loop or not asks_about_own_report(latest_text(tracker)):
        return None
    return ActionCheckStatus().act(dispatcher, tracker, domain)


def asks_status_at_form_start(text: str, intent: str | None, story_told: bool) -> bool:
    """Whether a message that opened the complaint form, or came before any story, asks
    about the citizen's earlier reports instead ("laporan jalan sy kmrn gmn kbrnya min";
    "bukan mau lapor baru, mau nanya status laporan yg kmrn"): the form closes for their
    status (E18). The message that opened the form must ask it as a question and not say
    they want to complain; one before the story only has to ask about the status."""
    if story_told:
        return False
    if asks_status(text, intent) and not asks_complaint_timeline(text):
        return True
    return (
        asks_about_own_report(text)
        and looks_like_question(text)
        and not says_wants_to_complain(text)
    )


def is_a_rating(text: str) -> bool:
    """ "⭐⭐⭐⭐ mantap cepet bgt, tp ...", "nilai 2, petugasnya jutek": a score said as one
    (stars, or a number with "nilai", "bintang"), whatever else the message says."""
    return bool(text) and read_score(text).score is not None


def status_or_not_understood(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> Events:
    """The last resort of a turn: a rating given in words goes to the feedback; the
    citizen's tickets if the message asks after their own report; else the request to
    rephrase (with the officer-answer hint when one waits)."""
    if not tracker.active_loop and is_a_rating(latest_text(tracker)):
        return [FollowupAction("action_give_feedback")]
    status = status_instead(dispatcher, tracker, domain)
    if status is not None:
        return status
    utter_not_understood(dispatcher, tracker.sender_id)
    return []
