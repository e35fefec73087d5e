"""The citizen's answer to an officer, in plain words (without /jawab).

The rule the officer's message states ("tulis saja jawaban Anda di sini"):
- a Telegram reply to an officer's question or reply about one of the citizen's tickets is
  the answer to that ticket;
- while exactly one ticket waits for the citizen's answer (menunggu_warga, or an officer's
  reply of the last day not answered yet), their next typed message is the answer, unless
  it is clearly something else: a thanks, a greeting alone, a question about their reports,
  or a message inside a form (complaint, survey). Commands and buttons never reach here.
- "lho sy td jawab pertanyaan petugas" sends the previous message as the answer (the
  "Kirim sebagai jawaban" action, actions/officer_answer.py).
One answer is taken per wait: the ticket is answered then, so the next message goes to
Rasa again; the same text sent again is kept once (Repository.answer_info_request).
"""

from __future__ import annotations

import json
import logging
import re

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot import phrases
from bot.store.ids import normalise_ticket_id
from bot.telegram.conversation import RasaUnavailable
from bot.telegram.deps import consented, deps, reply_local, sender_of, to_rasa
from bot.texts import text

log = logging.getLogger(__name__)

ANSWER_MAX = 4000
TICKET_ID_RE = re.compile(r"\bADU-[0-9A-Z]{6}\b")
# The officer's messages that invite an answer (bot/texts.yml), by their first words.
OFFICER_MESSAGE_KEYS = ("ticket_info_request", "ticket_reply")


def _heads() -> tuple[str, ...]:
    """The first words of the officer's messages, up to the ticket id."""
    samples: dict[str, dict[str, object]] = {
        "ticket_info_request": {"question": "", "reply_due": ""},
        "ticket_reply": {"text": "", "asks": True},
    }
    heads = []
    for key in OFFICER_MESSAGE_KEYS:
        rendered = text(key, public_id="ADU-000000", **samples[key])
        heads.append(rendered.split("ADU-000000", 1)[0])
    return tuple(heads)


def replied_ticket(message: Message) -> str | None:
    """The ticket of the officer's message this message replies to (Telegram's reply)."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return None
    body = replied.text or ""
    if not body.startswith(_heads()):
        return None
    found = TICKET_ID_RE.search(body)
    return normalise_ticket_id(found.group(0)) if found else None


def clearly_something_else(body: str) -> bool:
    """A message not to be taken as an answer without being asked to."""
    return (
        phrases.is_only_thanks(body)
        or phrases.is_opener_only(body)
        or phrases.asks_about_own_report(body)
    )


async def in_a_form(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool | None:
    """Whether a form is active in the conversation (None: Rasa cannot say now)."""
    try:
        state = await deps(context).conversation.rasa.form_state(sender_of(update))
    except RasaUnavailable:
        return None
    return state.active_loop is not None


async def route(update: Update, context: ContextTypes.DEFAULT_TYPE, body: str) -> bool:
    """Take a citizen's text as their answer to an officer when the rule above says so.

    False: the message goes to Rasa as usual."""
    message = update.message
    assert message is not None
    if not await consented(update, context):
        return False
    store = deps(context).store
    sender = sender_of(update)
    public_id = replied_ticket(message)
    if public_id is None:
        if phrases.says_answered_officer(body):
            return await _previous_was_the_answer(update, context)
        if clearly_something_else(body):
            return False
        waiting = await store.awaiting_answer(sender)
        if len(waiting) != 1 or await in_a_form(update, context) is not False:
            return False
        public_id = waiting[0]
    ticket, resumed = await store.answer_info_request(sender, public_id, body[:ANSWER_MAX])
    if ticket is None:  # not the citizen's ticket (a forwarded message): Rasa answers
        return False
    log.info("a message of %s taken as the answer for %s", sender, ticket.public_id)
    reply = text("answer_taken", public_id=ticket.public_id, resumed=resumed)
    await reply_local(update, context, reply, "answer")
    return True


async def _previous_was_the_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """The citizen says "sy td jawab pertanyaan petugas": the previous message goes to
    the one ticket it can be meant for, through the "Kirim sebagai jawaban" action (it reads
    that message from the conversation); with no such ticket, how to answer."""
    store = deps(context).store
    sender = sender_of(update)
    candidates = await store.awaiting_answer(sender) or [
        t.public_id for t in await store.open_tickets(sender, limit=2)
    ]
    if len(candidates) != 1 or await in_a_form(update, context) is not False:
        await reply_local(update, context, text("answer_usage"), "answer_usage")
        return True
    if await store.answered_recently(sender, candidates[0]):  # taken already (the rule)
        await reply_local(update, context, text("answer_noted", public_id=candidates[0]), "answer")
        return True
    payload = "/answer_officer" + json.dumps({"ticket_id": candidates[0]})
    await to_rasa(update, context, payload)
    return True
