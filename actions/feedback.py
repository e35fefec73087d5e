"""Feedback and 1-5 ratings, stored for the officers.

What counts as a score is decided in `bot.ratings`; here is the conversation around it: a
lone number is a score only right after the bot asked for one (the star buttons) or after a
resolution message invited one; a typed request to rate opens the SKM survey (the structured
measure, actions/skm_survey.py) when there is one to fill in, else the stars; a comment or
score sent right after a rating joins that rating; a number outside 1..5 is answered
politely with the stars again.

One rating per ticket per citizen (N10): a second score within RATING_FOLLOW_UP_MINUTES of
a rating (another star pressed, "2 aja" typed) replaces that rating's score, and a later
rating of a ticket the citizen rated before replaces that rating (bot.store.repository
store_rating); the reply says the rating was changed, the ticket's history keeps both.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Events,
    SafeAction,
    latest_entities,
    latest_intent,
    latest_text,
)
from actions.fallback import ActionHandleFallback
from actions.service_info import ActionAnswerService, answer_or_not_understood
from actions.skm_survey import asks_for_survey, start_survey
from actions.ticket_status import say_welcome
from bot.phrases import is_only_thanks, looks_like_question
from bot.ratings import (
    MIN_COMMENT,
    ScoreReading,
    is_follow_up,
    is_rating_request,
    looks_like_comment,
    read_score,
    star_buttons,
)
from bot.store.ids import TICKET_ID_LIKE_RE, normalise_ticket_id
from bot.store.models import utcnow
from bot.store.repository import RatableTicket, Repository, get_repository
from bot.texts import CATEGORY_SHORT_LABELS
from bot.texts import text as message_text

# The slot holding a stored rating while the citizen is asked which report it is about.
PENDING_SLOT = "pending_rating_id"
# The slot holding the rating given last: a comment or score sent right after joins it.
LAST_RATING_SLOT = "last_rating_id"
# How long after a rating a comment or a missing score still joins it.
RATING_FOLLOW_UP_MINUTES = 10
# Without an earlier message in the conversation, a lone number answers a resolution
# message only if the ticket was closed this recently.
INVITATION_HOURS = 48
# At most this many "which report?" buttons.
MAX_TICKET_BUTTONS = 5
# Payloads of the star buttons start with this.
STAR_PAYLOAD = '/give_feedback{"rating"'
# Right after this action, messages of these intents come here too (data/rules.yml): a
# typed score or a comment the NLU did not recognise. Anything else is handled here as it
# would have been without the rating (in this action, so the rule's turn ends as usual).
DELEGATED: dict[str, type[Action]] = {
    "nlu_fallback": ActionHandleFallback,
    "inform": ActionAnswerService,
}
# Right after the stars "3 aja, jawabannya kadang muter2" may be read as out of scope: a
# score or a remark is feedback, anything else is answered as out of scope.
OUT_OF_SCOPE_INTENT = "out_of_scope"
# Right after this action a message taken for a complaint comes here too: a remark that
# continues the rating ("tapi antrenya lama") joins it, anything else starts the complaint.
COMPLAINT_INTENT = "file_complaint"
START_COMPLAINT = "action_start_complaint"


def button_score(tracker: Tracker) -> int | None:
    """The 1-5 score of a pressed star button."""
    for value in latest_entities(tracker, "rating"):
        if value.isdigit() and 1 <= int(value) <= 5:
            return int(value)
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


def ticket_buttons(tickets: list[RatableTicket]) -> list[dict[str, str]]:
    """One button per ticket the rating may be about, most recently closed first."""
    return [
        {
            "title": f"{t.public_id} ({CATEGORY_SHORT_LABELS[t.category]})",
            "payload": "/give_feedback" + json.dumps({"ticket_id": t.public_id}),
        }
        for t in tickets[:MAX_TICKET_BUTTONS]
    ]


def _before_latest_message(tracker: Tracker) -> list[dict[str, Any]]:
    """The conversation's events before the latest user message, oldest first."""
    events = list(tracker.events or [])
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return events[:index]
    return events


def stars_were_shown(tracker: Tracker) -> bool:
    """True when the bot's last message before this one carried the star buttons."""
    for event in reversed(_before_latest_message(tracker)):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            return any(str(b.get("payload", "")).startswith(STAR_PAYLOAD) for b in buttons)
    return False


def previous_message_time(tracker: Tracker) -> datetime | None:
    """When the citizen sent the message before the latest one (None: not in this session)."""
    for event in reversed(_before_latest_message(tracker)):
        if event.get("event") == "user":
            stamp = event.get("timestamp")
            return datetime.fromtimestamp(stamp, timezone.utc) if stamp else None
    return None


def invited_by_resolution(tracker: Tracker, candidates: list[RatableTicket]) -> bool:
    """True when a ticket was closed (and its resolution message, which invites a rating,
    sent) after the citizen's previous message: this message is the answer to it."""
    previous = previous_message_time(tracker)
    now = utcnow()
    for ticket in candidates:
        closed = ticket.closed_at
        closed = closed if closed.tzinfo else closed.replace(tzinfo=timezone.utc)
        if previous is not None and closed > previous:
            return True
        if previous is None and now - closed <= timedelta(hours=INVITATION_HOURS):
            return True
    return False


def last_rating_time(tracker: Tracker) -> datetime | None:
    """When the rating in LAST_RATING_SLOT was given (its slot was set)."""
    last = tracker.get_slot(LAST_RATING_SLOT)
    for event in reversed(list(tracker.events or [])):
        if (
            event.get("event") == "slot"
            and event.get("name") == LAST_RATING_SLOT
            and event.get("value") == last
        ):
            stamp = event.get("timestamp")
            return datetime.fromtimestamp(stamp, timezone.utc) if stamp else None
    return None


def closed_since_last_rating(tracker: Tracker, candidates: list[RatableTicket]) -> bool:
    """True when one of the citizen's reports was closed after their last rating: what
    they send now answers its resolution notice, it does not continue that rating."""
    given = last_rating_time(tracker)
    if given is None:
        return False
    for ticket in candidates:
        closed = ticket.closed_at
        if (closed if closed.tzinfo else closed.replace(tzinfo=timezone.utc)) > given:
            return True
    return False


def rated_moments_ago(tracker: Tracker) -> bool:
    """True when the citizen's previous message (the rating) came within the follow-up
    window: a lone number now ("1", "2 aja") corrects that rating's score."""
    previous = previous_message_time(tracker)
    return previous is not None and utcnow() - previous <= timedelta(
        minutes=RATING_FOLLOW_UP_MINUTES
    )


def say_rating_changed(
    dispatcher: CollectingDispatcher, old: int, new: int, ticket_id: str | None
) -> None:
    """ "penilaian Anda kami ubah dari 5/5 menjadi 1/5"."""
    dispatcher.utter_message(
        text=message_text("rating_changed", ticket_id=ticket_id, old=old, new=new)
    )


class ActionGiveFeedback(SafeAction):
    """Stores the feedback message and rating; asks for a score when there is nothing yet.

    A rating belongs to the ticket it names, else to the one ticket closed recently and
    not rated yet (the closing message invites it); with several such tickets the citizen
    is asked which one (the rating is stored at once and linked on the answer); with none
    it is general feedback. The conversation's last filed ticket plays no part: it may be
    an unrelated, anonymous one. A comment or a missing score sent within minutes of a
    rating is added to that rating.
    """

    def name(self) -> str:
        return "action_give_feedback"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        repo = get_repository()
        text = latest_text(tracker).strip()
        if latest_intent(tracker) == COMPLAINT_INTENT:
            return self._complaint_or_follow_up(dispatcher, tracker, repo, text)
        reading = read_score(text)
        just_rated = str(tracker.get_slot(LAST_RATING_SLOT) or "").isdigit()
        if reading.unsure is not None and (
            stars_were_shown(tracker)
            or (just_rated and (reading.correction or rated_moments_ago(tracker)))
            or invited_by_resolution(tracker, repo.ratable_tickets(tracker.sender_id))
        ):
            reading = read_score(text, expecting=True)
        score = button_score(tracker)
        if score is None:
            score = reading.score
        unclear = score is None and (reading.rejected is not None or reading.unsure is not None)
        if unclear and not reading.has_comment:
            # A number alone, outside 1..5 or not clearly a rating: nothing to store.
            self._ask_score_again(dispatcher, reading)
            return []
        if score is None and not unclear:
            if is_rating_request(text):
                if text and not named_ticket(tracker):
                    # The SKM survey is the structured measure (issue 11): a typed request
                    # opens it as /survei does; with nothing to survey, the stars as before.
                    started = start_survey(
                        dispatcher, tracker, quiet_when_nothing=not asks_for_survey(text)
                    )
                    if started is not None:
                        return started
                return self._offer_stars(dispatcher, tracker, repo)
            if is_only_thanks(text) and button_score(tracker) is None:
                # "Terima kasih banyak atas penjelasannya. Semoga sehat selalu.": thanks,
                # not a remark for the officers.
                say_welcome(dispatcher, tracker.sender_id)
                return []
            if looks_like_question(text) and button_score(tracker) is None:
                # "do I need the medical certificate juga?": a question is answered (or
                # said not understood), never forwarded to officers as a suggestion.
                return answer_or_not_understood(dispatcher, tracker, domain)
            delegate = DELEGATED.get(latest_intent(tracker) or "")
            if delegate is not None and not looks_like_comment(text):
                return delegate().run(dispatcher, tracker, domain)
            if latest_intent(tracker) == OUT_OF_SCOPE_INTENT:
                # No score in it: what it was read as ("besok hujan gak ya").
                dispatcher.utter_message(response="utter_out_of_scope")
                return []
            if len(text) < MIN_COMMENT and not looks_like_comment(text):
                return self._offer_stars(dispatcher, tracker, repo)
        comment = text if text and (score is None or reading.has_comment) else None
        events = self._add_to_last(
            dispatcher, tracker, repo, score, comment, correction=reading.correction
        )
        asked_which = False
        if events is None:
            events, asked_which = self._store(dispatcher, tracker, repo, score, comment)
        if unclear and not asked_which:
            # The comment is kept; the score is asked for again (a star press joins it).
            self._ask_score_again(dispatcher, reading)
        return events

    def _complaint_or_follow_up(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, repo: Repository, text: str
    ) -> Events:
        """A message the NLU took for a complaint, right after a rating."""
        if is_follow_up(text):
            events = self._add_to_last(dispatcher, tracker, repo, None, text)
            if events is not None:
                return events
        return [FollowupAction(START_COMPLAINT)]

    @staticmethod
    def _ask_score_again(dispatcher: CollectingDispatcher, reading: ScoreReading) -> None:
        if reading.rejected is not None:
            dispatcher.utter_message(response="utter_rating_out_of_range", buttons=star_buttons())
        else:
            dispatcher.utter_message(
                response="utter_rating_unsure", number=reading.unsure, buttons=star_buttons()
            )

    @staticmethod
    def _offer_stars(
        dispatcher: CollectingDispatcher, tracker: Tracker, repo: Repository
    ) -> Events:
        """The star buttons; or, answering "which report?", link the stored rating."""
        named = named_ticket(tracker)
        pending = tracker.get_slot(PENDING_SLOT)
        if named and pending and str(pending).isdigit():
            linked = repo.link_rating(tracker.sender_id, int(pending), named)
            if linked:
                dispatcher.utter_message(response="utter_feedback_linked", ticket_id=linked)
                return [SlotSet(PENDING_SLOT, None)]
            dispatcher.utter_message(response="utter_ticket_not_found", ticket_id=named)
            return []
        dispatcher.utter_message(response="utter_ask_rating", buttons=star_buttons())
        return []

    @staticmethod
    def _add_to_last(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        repo: Repository,
        score: int | None,
        comment: str | None,
        correction: bool = False,
    ) -> Events | None:
        """Add a comment, or the score it lacked, to the rating given minutes ago, or correct
        its score ("eh salah pencet, harusnya 4"); None when there is no such rating (or it
        has a score already and this is another one)."""
        last = tracker.get_slot(LAST_RATING_SLOT)
        if not last or not str(last).isdigit() or named_ticket(tracker):
            return None
        if closed_since_last_rating(tracker, repo.ratable_tickets(tracker.sender_id)):
            # A report was resolved after that rating: this one is about it (E17).
            return None
        since = utcnow() - timedelta(minutes=RATING_FOLLOW_UP_MINUTES)
        amended = repo.amend_rating(
            tracker.sender_id,
            int(last),
            since,
            score,
            comment,
            # A second score right after a rating replaces its score (N10).
            replace_score=score is not None,
        )
        if amended is None:
            return None
        if score is not None and correction:
            dispatcher.utter_message(response="utter_rating_corrected", rating=score)
        elif score is not None and amended.previous_score not in (None, score):
            say_rating_changed(
                dispatcher, int(amended.previous_score or 0), score, amended.ticket_id
            )
        elif score is not None and amended.ticket_id:
            dispatcher.utter_message(
                response="utter_feedback_thanks_ticket", rating=score, ticket_id=amended.ticket_id
            )
        elif score is not None:
            dispatcher.utter_message(response="utter_feedback_thanks", rating=score)
        elif amended.ticket_id:
            dispatcher.utter_message(
                response="utter_feedback_comment_added_ticket", ticket_id=amended.ticket_id
            )
        elif amended.score is None:
            # Joined to a remark without a score: no "penilaian" to speak of.
            dispatcher.utter_message(text=message_text("feedback_comment_added_to_remark"))
        else:
            dispatcher.utter_message(response="utter_feedback_comment_added")
        return []

    @staticmethod
    def _store(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        repo: Repository,
        score: int | None,
        comment: str | None,
    ) -> tuple[Events, bool]:
        """Store a new rating on the right ticket; (events, whether "which report?" was
        asked)."""
        sender = tracker.sender_id
        named = named_ticket(tracker)
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
                rating_id, _ = repo.add_rating(sender, score, comment, None)
                dispatcher.utter_message(
                    response="utter_ask_rating_ticket", buttons=ticket_buttons(candidates)
                )
                return [
                    SlotSet(PENDING_SLOT, str(rating_id)),
                    SlotSet(LAST_RATING_SLOT, str(rating_id)),
                ], True
            if candidates:
                target = candidates[0].public_id
        stored = repo.store_rating(sender, score, comment, target)
        rating_id, linked = stored.rating_id, stored.ticket_id
        if score is not None and stored.previous_score not in (None, score):
            say_rating_changed(dispatcher, int(stored.previous_score or 0), score, linked)
        elif linked and score is not None:
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
        return [SlotSet(PENDING_SLOT, None), SlotSet(LAST_RATING_SLOT, str(rating_id))], False
