"""Telegram handlers: commands, text, buttons, attachments and everything else.

Rules for updates that are not a private text conversation (documented in the README):
stickers, voice, audio, video, contacts, polls, games and other content get a polite
explanation; edited messages are not reprocessed (the citizen is told); in groups the bot
answers commands with a pointer to the private chat and ignores everything else; in a
channel it says nothing (posts are stored and closed). During a
live chat with an officer, bot.telegram.live's guards take photos, documents, locations and
commands first.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.telegram.attachments import document_message, location_message, photo_message
from bot.telegram.commands import (
    answer_command,
    delete_data_command,
    privacy_command,
    rasa_command,
    start_command,
    status_command,
    unknown_command,
)
from bot.telegram.deps import RASA_COMMANDS, HandlerDeps
from bot.telegram.live import (
    GUARDED_COMMANDS,
    GUARDED_MEDIA,
    command_guard,
    end_command,
    media_guard,
)
from bot.telegram.messages import (
    callback_query,
    contact_message,
    edited_message,
    error_handler,
    group_message,
    other_message,
    other_update,
    sticker_message,
    text_message,
    voice_message,
)
from bot.texts import COMMANDS

__all__ = ["COMMANDS", "HandlerDeps", "register"]


def register(application: Application) -> None:
    """Attach every handler, most specific first."""
    private = filters.ChatType.PRIVATE
    message = filters.UpdateType.MESSAGE
    # During a live chat: media become notes for the officer, commands a notice (group -1
    # runs first and stops the rest only while a chat is going on).
    application.add_handler(
        MessageHandler(private & message & GUARDED_MEDIA, media_guard), group=-1
    )
    application.add_handler(
        MessageHandler(private & message & GUARDED_COMMANDS, command_guard), group=-1
    )
    application.add_handler(MessageHandler(filters.UpdateType.EDITED & private, edited_message))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS, group_message))
    application.add_handler(CommandHandler("start", start_command, filters=private))
    application.add_handler(CommandHandler(list(RASA_COMMANDS), rasa_command, filters=private))
    application.add_handler(CommandHandler("status", status_command, filters=private))
    application.add_handler(CommandHandler("jawab", answer_command, filters=private))
    application.add_handler(CommandHandler("privasi", privacy_command, filters=private))
    application.add_handler(CommandHandler("hapusdata", delete_data_command, filters=private))
    application.add_handler(CommandHandler("selesai", end_command, filters=private))
    application.add_handler(MessageHandler(private & message & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(private & message & filters.TEXT, text_message))
    application.add_handler(CallbackQueryHandler(callback_query))
    application.add_handler(MessageHandler(private & message & filters.PHOTO, photo_message))
    application.add_handler(
        MessageHandler(private & message & filters.Document.ALL, document_message)
    )
    application.add_handler(MessageHandler(private & message & filters.LOCATION, location_message))
    application.add_handler(
        MessageHandler(
            private & message & (filters.Sticker.ALL | filters.ANIMATION), sticker_message
        )
    )
    application.add_handler(
        MessageHandler(
            private
            & message
            & (filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE),
            voice_message,
        )
    )
    application.add_handler(MessageHandler(private & message & filters.CONTACT, contact_message))
    application.add_handler(MessageHandler(private, other_message))
    application.add_handler(TypeHandler(Update, other_update))
    application.add_error_handler(error_handler)
