"""A message the assistant did not understand while an officer waits for the citizen's
answer: the "Kirim sebagai jawaban" button under the hint (`actions.common.
utter_not_understood`) sends that message to the ticket, as `/jawab` would.

The answer is recorded through the repository (bot.tickets.states.citizen_answer), the one
place a ticket waiting for the citizen goes back to `diproses`.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Events, SafeAction, earlier_user_texts
from bot.store.ids import normalise_ticket_id
from bot.store.repository import get_repository
from bot.texts import answer_outcome, text

ANSWER_MAX = 4000


def previous_text(tracker: Tracker) -> str | None:
    """The citizen's typed message before the latest one (the button press)."""
    typed = next(earlier_user_texts(tracker), "")
    return None if not typed or typed.startswith("/") else typed


class ActionAnswerOfficer(SafeAction):
    """Records the previous message as the answer to the officer's request."""

    def name(self) -> str:
        return "action_answer_officer"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        raw = next(tracker.get_latest_entity_values("ticket_id"), None)
        public_id = normalise_ticket_id(str(raw)) if raw else None
        answer = previous_text(tracker)
        if public_id is None or answer is None:
            dispatcher.utter_message(text=text("answer_usage"))
            return []
        ticket, resumed = get_repository().answer_info_request(
            tracker.sender_id, public_id, answer[:ANSWER_MAX]
        )
        outcome = answer_outcome(public_id, ticket.public_id if ticket else None, resumed)
        dispatcher.utter_message(text=outcome)
        return []
