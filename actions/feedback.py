"""Feedback and 1-5 ratings, stored for the officers."""

from __future__ import annotations

import json
import re

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, SafeAction, latest_entities, latest_text, repository
from bot.labels import CATEGORY_SHORT_LABELS
from bot.store.ids import TICKET_ID_LIKE_RE, normalise_ticket_id
from bot.store.repository import RatableTicket

# The slot holding a stored rating while the citizen is asked which report it is about.
PENDING_SLOT = "pending_rating_id"
# At most this many "which report?" buttons.
MAX_TICKET_BUTTONS = 5

# "nilai 4", "bintang 5", "4/5", "rating: 3", or a bare "5".
RATING_RE = re.compile(
    r"(?:(?:nilai|bintang|rating|skor|score|poin)\s*:?\s*([1-5])\b)|\b([1-5])\s*/\s*5\b|^\s*([1-5])\s*$",
    re.IGNORECASE,
)
# A message shorter than this without a rating is a request to give feedback, not feedback.
MIN_COMMENT = 15
# "mau kasih nilai", "saya ingin memberi penilaian", "boleh isi survei?": asking to rate.
REQUEST_RE = re.compile(
    r"^\W*(saya\s+|aku\s+|sy\s+)?(mau|ingin|pengen|pgn|boleh|bisa)\b.{0,30}"
    r"\b(nilai|penilaian|rating|survei|survey|feedback|ulasan|review)(\s+\w+){0,2}\W*$",
    re.IGNORECASE,
)


def is_feedback_request(text: str) -> bool:
    """True when the message only asks to give feedback and holds none."""
    return len(text) < MIN_COMMENT or (len(text) < 60 and bool(REQUEST_RE.match(text)))


def parse_rating(tracker: Tracker) -> int | None:
    """The 1-5 score given by a button or written in the message."""
    for value in latest_entities(tracker, "rating"):
        if value.isdigit() and 1 <= int(value) <= 5:
            return int(value)
    match = RATING_RE.search(latest_text(tracker))
    if match:
        return int(next(group for group in match.groups() if group))
    return None


def named_ticket(tracker: Tracker) -> str | None:
    """The ticket id a rating names (a "which report?" button, or typed), if any."""
    raw = latest_entities(tracker, "ticket_id")
    raw += [m.group(0) for m in TICKET_ID_LIKE_RE.finditer(latest_text(tracker))]
    for candidate in raw:
        ticket_id = normalise_ticket_id(candidate)
        if ticket_id:
            return ticket_id
    return None


def star_buttons() -> list[dict[str, str]]:
    """Five buttons, 5 stars first."""
    return [
        {"title": "⭐" * n, "payload": "/give_feedback" + json.dumps({"rating": str(n)})}
        for n in range(5, 0, -1)
    ]


def ticket_buttons(tickets: list[RatableTicket]) -> list[dict[str, str]]:
    """One button per ticket the rating may be about, most recently closed first."""
    return [
        {
            "title": f"{t.public_id} ({CATEGORY_SHORT_LABELS[t.category]})",
            "payload": "/give_feedback" + json.dumps({"ticket_id": t.public_id}),
        }
        for t in tickets[:MAX_TICKET_BUTTONS]
    ]


class ActionGiveFeedback(SafeAction):
    """Stores the feedback message and rating; asks for a score when there is nothing yet.

    A rating belongs to the ticket it names, else to the one ticket closed recently and
    not rated yet (the closing message invites it); with several such tickets the citizen
    is asked which one (the rating is stored at once and linked on the answer); with none
    it is general feedback. The conversation's last filed ticket plays no part: it may be
    an unrelated, anonymous one.
    """

    def name(self) -> str:
        return "action_give_feedback"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        repo = repository()
        sender = tracker.sender_id
        score = parse_rating(tracker)
        text = latest_text(tracker).strip()
        comment = None if is_feedback_request(text) else text
        named = named_ticket(tracker)
        if score is None and comment is None:
            pending = tracker.get_slot(PENDING_SLOT)
            if named and pending and str(pending).isdigit():
                linked = repo.link_rating(sender, int(pending), named)
                if linked:
                    dispatcher.utter_message(response="utter_feedback_linked", ticket_id=linked)
                    return [SlotSet(PENDING_SLOT, None)]
                dispatcher.utter_message(response="utter_ticket_not_found", ticket_id=named)
                return []
            dispatcher.utter_message(response="utter_ask_rating", buttons=star_buttons())
            return []
        stored_comment = comment or (text or None)
        target: str | None = None
        if named:
            if repo.ticket_for_sender(sender, named) is None:
                # Same answer as for unknown ids; the feedback itself is still kept.
                dispatcher.utter_message(response="utter_ticket_not_found", ticket_id=named)
            else:
                target = named
        else:
            candidates = repo.ratable_tickets(sender)
            if len(candidates) > 1:
                rating_id, _ = repo.add_rating(sender, score, stored_comment, None)
                dispatcher.utter_message(
                    response="utter_ask_rating_ticket", buttons=ticket_buttons(candidates)
                )
                return [SlotSet(PENDING_SLOT, str(rating_id))]
            if candidates:
                target = candidates[0].public_id
        _, linked = repo.add_rating(sender, score, stored_comment, target)
        if linked and score is not None:
            dispatcher.utter_message(
                response="utter_feedback_thanks_ticket", rating=score, ticket_id=linked
            )
        elif linked:
            dispatcher.utter_message(
                response="utter_feedback_thanks_comment_ticket", ticket_id=linked
            )
        elif score is not None:
            dispatcher.utter_message(response="utter_feedback_thanks", rating=score)
        else:
            dispatcher.utter_message(response="utter_feedback_thanks_comment")
        return [SlotSet(PENDING_SLOT, None)]
