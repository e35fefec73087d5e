"""Feedback and 1-5 ratings, stored for the officers."""

from __future__ import annotations

import json
import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, SafeAction, latest_entities, latest_text, repository

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


class ActionGiveFeedback(SafeAction):
    """Stores the feedback message and rating; asks for a score when there is nothing yet."""

    def name(self) -> str:
        return "action_give_feedback"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        score = parse_rating(tracker)
        text = latest_text(tracker).strip()
        comment = None if is_feedback_request(text) else text
        if score is None and comment is None:
            dispatcher.utter_message(
                response="utter_ask_rating",
                buttons=[
                    {
                        "title": "⭐" * n,
                        "payload": "/give_feedback" + json.dumps({"rating": str(n)}),
                    }
                    for n in range(5, 0, -1)
                ],
            )
            return []
        repository().add_rating(
            tracker.sender_id, score, comment or (text or None), tracker.get_slot("last_ticket_id")
        )
        if score is not None:
            dispatcher.utter_message(response="utter_feedback_thanks", rating=score)
        else:
            dispatcher.utter_message(response="utter_feedback_thanks_comment")
        return []
