"""A message Rasa already took is answered from the conversation, not taken again.

The front end sends each citizen message with its inbox row's id in the metadata
(`inbox_id`, bot/telegram/conversation.py INBOX_ID_KEY), which Rasa keeps in the tracker's
user event. A message can reach Rasa more than once: the front end gives up on a request
after RASA_TIMEOUT_S and sends it again, and a front end that died mid-turn handles the
update again. Each copy waits for the conversation's lock, so when a replica dies holding
that lock (kept until it expires, 60 s), the copies pile up at another replica and, once
the lock is free, each used to be taken as a new message: the same question answered
several times, or a form's slot filled twice (tests/production/test_replica_killed.py).

With this patch a message whose inbox id the conversation already holds is not logged or
predicted on again: the bot messages that followed it are sent once more to the channel
(the REST channel returns them), so whichever request the front end still waits for gets
the answer. The check runs inside the lock, after the tracker is read, so it sees every
turn finished before it. A message without the id (the HTTP API, the shell) is handled as
Rasa does. A taken message with no answer (an action failed) gives an empty answer: the
front end then runs the failed action again instead of sending the message.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

log = logging.getLogger(__name__)

# bot.telegram.conversation.INBOX_ID_KEY (tests/rasa_addons/test_once.py checks they match).
INBOX_ID_KEY = "inbox_id"

# The inbox id of the message the current handle_message call handles.
_handling: contextvars.ContextVar[Any] = contextvars.ContextVar("inbox_id", default=None)


class AlreadyTaken(Exception):
    """The message was taken before; `replies` are the bot messages that followed it."""

    def __init__(self, replies: list[dict[str, Any]]) -> None:
        super().__init__("message already taken")
        self.replies = replies


def earlier_replies(tracker: DialogueStateTracker, inbox_id: Any) -> list[dict[str, Any]] | None:
    """The bot messages after the user event of `inbox_id`, up to the next user event;
    None when the conversation does not hold that message."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, UserUttered) and (event.metadata or {}).get(INBOX_ID_KEY) == inbox_id:
            replies = []
            for later in events[index + 1 :]:
                if isinstance(later, UserUttered):
                    break
                if isinstance(later, BotUttered):
                    replies.append(later.message())
            return replies
    return None


def answer_taken_messages_once() -> None:
    """Patch Rasa's MessageProcessor (once per process)."""
    if getattr(MessageProcessor, "_answers_once", False):
        return
    handle = MessageProcessor.handle_message
    fetch = MessageProcessor.fetch_tracker_and_update_session

    async def fetch_tracker_and_update_session(
        self: MessageProcessor, sender_id: str, *args: Any, **kwargs: Any
    ) -> DialogueStateTracker:
        tracker = await fetch(self, sender_id, *args, **kwargs)
        inbox_id = _handling.get()
        if inbox_id is not None:
            _handling.set(None)  # only the message's own read of the conversation
            replies = earlier_replies(tracker, inbox_id)
            if replies is not None:
                raise AlreadyTaken(replies)
        return tracker

    async def handle_message(
        self: MessageProcessor, message: UserMessage
    ) -> list[dict[str, Any]] | None:
        inbox_id = (message.metadata or {}).get(INBOX_ID_KEY)
        if inbox_id is None:
            return await handle(self, message)
        token = _handling.set(inbox_id)
        try:
            return await handle(self, message)
        except AlreadyTaken as taken:
            log.warning(
                "inbox message %s was taken before: its %d answer(s) sent again, not taken twice",
                inbox_id,
                len(taken.replies),
            )
            for reply in taken.replies:
                await message.output_channel.send_response(message.sender_id, reply)
            channel = message.output_channel
            return channel.messages if isinstance(channel, CollectingOutputChannel) else None
        finally:
            _handling.reset(token)

    MessageProcessor.fetch_tracker_and_update_session = fetch_tracker_and_update_session
    MessageProcessor.handle_message = handle_message
    MessageProcessor._answers_once = True
