"""Handlers for text, pressed buttons and the kinds of messages the bot does not process."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    ContextTypes,
)

from bot.telegram import answers, live, rendering
from bot.telegram.commands import consent_pressed, delete_pressed
from bot.telegram.conversation import citizen_words
from bot.telegram.deps import (
    CONSENT_PREFIX,
    DELETE_PREFIX,
    answer_query,
    chat_of,
    deps,
    inbox_id,
    mark_done,
    remove_keyboard,
    reply_local,
    to_rasa,
)
from bot.texts import text

log = logging.getLogger(__name__)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A citizen's text: to the officer during a live chat, to the ticket when it is the
    answer an officer waits for (bot.telegram.answers), else to Rasa, verbatim unless
    Rasa would read it as a command (bot.telegram.conversation.citizen_words)."""
    assert update.message is not None and update.message.text is not None
    if await live.relay(update, context, update.message.text):
        return
    if await answers.route(update, context, update.message.text):
        return
    await to_rasa(update, context, citizen_words(update.message.text))


async def callback_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed inline button. Every query is answered; a keyboard works only once."""
    query = update.callback_query
    assert query is not None
    shared = deps(context)
    data = query.data or ""
    message = query.message if isinstance(query.message, Message) else None
    if data.startswith(CONSENT_PREFIX):
        await consent_pressed(update, context, data.removeprefix(CONSENT_PREFIX) == "yes")
        return
    if data.startswith(DELETE_PREFIX):
        await delete_pressed(update, context, data.removeprefix(DELETE_PREFIX) == "yes")
        return
    index = rendering.parse_button(data)
    # The same press handled again after its front end died mid-turn: it used the
    # keyboard the first time, and is still the citizen's one press.
    recovered = shared.conversation.recovered
    again = bool(recovered) and await inbox_id(update, context) in recovered
    chosen = (
        await shared.store.use_button(message.chat.id, message.message_id, index, again)
        if message is not None and index is not None
        else None
    )
    if chosen is None:
        await answer_query(query, text("button_used"))
        await mark_done(update, context, "button_used")
        return
    title, payload = chosen
    await answer_query(query)
    await mark_choice(message, title)
    if await live.relay(update, context, f"[tombol] {title}"):
        return
    await to_rasa(update, context, payload)


async def mark_choice(message: Message | None, title: str) -> None:
    """Replace a used keyboard by the choice made, so it cannot be pressed twice."""
    if message is None:
        return
    await remove_keyboard(message)
    try:
        await message.reply_text(
            rendering.escape(text("button_chosen", title=title)), parse_mode=ParseMode.HTML
        )
    except TelegramError as exc:
        log.info("could not show the choice made: %s", exc)


async def sticker_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers and animations get a friendly note."""
    await reply_local(update, context, text("sticker"), "sticker")


async def voice_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Voice, audio and video are not processed."""
    await reply_local(update, context, text("voice"), "voice")


async def contact_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shared contacts are not stored."""
    await reply_local(update, context, text("contact"), "contact")


async def edited_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Edits are not reprocessed: the citizen is asked to send a new message."""
    await reply_local(update, context, text("edited"), "edited")


async def group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups only commands get an answer (a pointer to the private chat)."""
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        await context.bot.send_message(
            chat_of(update),
            rendering.escape(text("group_only_private", username=context.bot.username)),
            parse_mode=ParseMode.HTML,
        )
    await mark_done(update, context, "group")


async def other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other private message (polls, games, dice, ...): a polite explanation."""
    await reply_local(update, context, text("unsupported"), "unsupported")


async def other_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Updates without a message (member changes, ...) are stored and closed silently."""
    await mark_done(update, context, "ignored")


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed handler; the update stays in the inbox for inspection."""
    log.error(
        "handler failed for update %s", getattr(update, "update_id", None), exc_info=context.error
    )
