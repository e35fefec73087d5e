"""What the Telegram handlers share: the services, who is talking, replying, consent."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    ContextTypes,
)

from bot.telegram import rendering
from bot.telegram.consent import consent_answer
from bot.telegram.conversation import Conversation
from bot.telegram.store import Arrival, AsyncStore
from bot.texts import commands, text

log = logging.getLogger(__name__)


CONSENT_PREFIX = "consent:"
DELETE_PREFIX = "delete:"
ALLOWED_DOCUMENT_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/webp"}
# Commands that are conversation turns for Rasa (payloads bypass the NLU).
RASA_COMMANDS = {
    "bantuan": "/ask_help",
    "lapor": "/file_complaint",
    "batal": "/cancel",
    "survei": '/skm{"skm": "mulai"}',
}
# A command's aliases (bot/texts.yml: /help for /bantuan) do the same.
RASA_COMMANDS.update(
    {
        alias: RASA_COMMANDS[c.command]
        for c in commands()
        if c.command in RASA_COMMANDS
        for alias in c.aliases
    }
)


@dataclass
class HandlerDeps:
    """What the handlers share, kept in `application.bot_data["deps"]`."""

    conversation: Conversation
    store: AsyncStore  # every database call of the handlers goes through it
    attachments_dir: Path
    max_photo_bytes: int
    max_document_bytes: int
    # What storing each update being handled answered, by update id (the sender queues').
    arrivals: Mapping[int, Arrival | None] = field(default_factory=dict)


def deps(context: ContextTypes.DEFAULT_TYPE) -> HandlerDeps:
    """The shared front-end services."""
    return context.application.bot_data["deps"]


def sender_of(update: Update) -> str:
    """The Rasa sender id: the Telegram user id."""
    assert update.effective_user is not None
    return str(update.effective_user.id)


def chat_of(update: Update) -> int:
    """The chat to answer in."""
    assert update.effective_chat is not None
    return update.effective_chat.id


def arrival(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Arrival | None:
    """What storing the update being handled answered (None if it was recovered)."""
    return deps(context).arrivals.get(update.update_id)


async def inbox_id(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """The inbox row of the update being handled (stored before it was handed over).

    None only when the row is gone (the citizen's data was deleted meanwhile).
    """
    return await deps(context).store.inbox_id(update.update_id, arrival(update, context))


async def consented(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True once the sender of the update being handled agreed to the privacy notice."""
    return await deps(context).store.consented(sender_of(update), arrival(update, context))


async def mark_done(update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str) -> None:
    """Close the update being handled in the inbox."""
    await deps(context).store.mark_done(await inbox_id(update, context), kind)


async def reply_local(
    update: Update, context: ContextTypes.DEFAULT_TYPE, body: str, kind: str
) -> None:
    """Answer without Rasa and close the update in the inbox."""
    await deps(context).conversation.say(chat_of(update), body)
    await mark_done(update, context, kind)


def consent_keyboard() -> InlineKeyboardMarkup:
    """Agree / disagree buttons under the privacy notice."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text("consent_yes_button"), callback_data=f"{CONSENT_PREFIX}yes"
                ),
                InlineKeyboardButton(
                    text("consent_no_button"), callback_data=f"{CONSENT_PREFIX}no"
                ),
            ]
        ]
    )


async def send_privacy_notice(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """The privacy notice with the consent buttons."""
    await context.bot.send_message(
        chat_id,
        rendering.escape(text("privacy_notice")),
        parse_mode=ParseMode.HTML,
        reply_markup=consent_keyboard(),
    )


async def to_rasa(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> None:
    """Forward a turn to Rasa once the citizen has consented; until then, a typed answer to
    the privacy notice is taken and anything else is held (ask_consent)."""
    shared = deps(context)
    sender = sender_of(update)
    if not await consented(update, context):
        await ask_consent(update, context, payload)
        return
    await shared.conversation.forward(
        await inbox_id(update, context), sender, chat_of(update), payload, arrival(update, context)
    )


def typed_words(update: Update, payload: str) -> str | None:
    """What the citizen typed, when the payload is just that (not a command, a button or
    a payload of the front end's own)."""
    message = update.message
    typed = message.text if message is not None and update.callback_query is None else None
    if not typed or typed.lstrip().startswith("/") or payload != typed:
        return None
    return typed


async def ask_consent(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> None:
    """A turn of a citizen who has not consented. Once the notice was shown (a message of
    theirs held or refused lately), a typed clear yes or no answers it
    (bot.telegram.consent) and anything else is held with a short reminder and the
    buttons; before that, it is held and the whole notice is shown. /start always shows
    the whole notice, /privasi the whole policy."""
    shared = deps(context)
    asked = await shared.store.consent_asked(sender_of(update))
    typed = typed_words(update, payload)
    answer = consent_answer(typed) if asked and typed is not None else None
    if answer is True:
        await mark_done(update, context, "consent")
        await agree(update, context)
        return
    await shared.store.hold(await inbox_id(update, context), payload)
    if answer is False:  # refused with the held ones: its text is forgotten too
        await refuse(update, context)
        return
    if asked:
        await context.bot.send_message(
            chat_of(update),
            rendering.escape(text("consent_reminder")),
            parse_mode=ParseMode.HTML,
            reply_markup=consent_keyboard(),
        )
        return
    await shared.conversation.say(chat_of(update), text("consent_needed"))
    await send_privacy_notice(context, chat_of(update))


async def agree(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record the consent and answer the messages held for it, in order (the button or a
    typed yes)."""
    shared = deps(context)
    sender = sender_of(update)
    user = update.effective_user
    assert user is not None
    await shared.store.record_consent(sender, user.id, user.full_name)
    await shared.conversation.say(chat_of(update), text("consent_thanks"))
    for item in await shared.store.release_held(sender):
        await shared.conversation.forward(item.id, sender, chat_of(update), item.payload)


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forget the messages held for the consent (the button or a typed no)."""
    shared = deps(context)
    await shared.store.decline_held(sender_of(update))
    await shared.conversation.say(chat_of(update), text("consent_declined"))


async def answer_query(query: CallbackQuery, body: str | None = None) -> None:
    """Answer a pressed button (stops the client's spinner). Telegram refuses a query it no
    longer knows (older than its limit, e.g. a backlog after an outage): the press still
    counts, so the refusal is only logged."""
    try:
        await query.answer(body)
    except TelegramError as exc:
        log.info("could not answer a button press: %s", exc)


async def remove_keyboard(message: Message | None) -> None:
    """Take the inline keyboard off a message so it cannot be pressed again."""
    if message is None:
        return
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramError as exc:  # the message may be too old to edit; the press still counts
        log.info("could not remove a keyboard: %s", exc)
