"""Telegram handlers: commands, text, buttons, attachments and everything else.

Rules for updates that are not a private text conversation (documented in the README):
stickers, voice, audio, video, contacts, polls, games and other content get a polite
explanation; edited messages are not reprocessed (the citizen is told); in groups the bot
answers commands with a pointer to the private chat and ignores everything else.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.store.messaging import MessagingRepository
from bot.telegram import rendering
from bot.telegram.conversation import Conversation
from bot.telegram.rasa_client import RasaUnavailable
from bot.telegram.texts import text

log = logging.getLogger(__name__)

CONSENT_PREFIX = "consent:"
DELETE_PREFIX = "delete:"
ALLOWED_DOCUMENT_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/webp"}
COMMANDS = (
    ("start", "Mulai dan menu utama"),
    ("bantuan", "Cara memakai layanan ini"),
    ("lapor", "Buat pengaduan"),
    ("status", "Cek status tiket, contoh: /status ADU-7K3M9P"),
    ("batal", "Batalkan pengisian pengaduan"),
    ("privasi", "Kebijakan privasi"),
    ("hapusdata", "Hapus data pribadi Anda"),
)
# Commands that are conversation turns for Rasa (payloads bypass the NLU).
RASA_COMMANDS = {"bantuan": "/ask_help", "lapor": "/file_complaint", "batal": "/cancel"}


@dataclass
class Frontend:
    """What the handlers share, kept in `application.bot_data["frontend"]`."""

    conversation: Conversation
    messaging: MessagingRepository
    attachments_dir: Path
    max_photo_bytes: int
    max_document_bytes: int


def frontend(context: ContextTypes.DEFAULT_TYPE) -> Frontend:
    """The shared front-end services."""
    return context.application.bot_data["frontend"]


def sender_of(update: Update) -> str:
    """The Rasa sender id: the Telegram user id."""
    assert update.effective_user is not None
    return str(update.effective_user.id)


def chat_of(update: Update) -> int:
    """The chat to answer in."""
    assert update.effective_chat is not None
    return update.effective_chat.id


async def reply_local(
    update: Update, context: ContextTypes.DEFAULT_TYPE, body: str, kind: str
) -> None:
    """Answer without Rasa and close the update in the inbox."""
    await frontend(context).conversation.say(chat_of(update), body)
    frontend(context).messaging.mark_done(update.update_id, kind)


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
    """Forward a turn to Rasa once the citizen has consented; hold it until then."""
    fe = frontend(context)
    sender = sender_of(update)
    if not fe.messaging.citizen_consented(sender):
        fe.messaging.hold(update.update_id, payload)
        await fe.conversation.say(chat_of(update), text("consent_needed"))
        await send_privacy_notice(context, chat_of(update))
        return
    await fe.conversation.forward(update.update_id, sender, chat_of(update), payload)


# -- commands ---------------------------------------------------------------------------------


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: welcome, the privacy notice with consent, then the main menu."""
    fe = frontend(context)
    user = update.effective_user
    assert user is not None
    if fe.messaging.citizen_consented(sender_of(update)):
        await fe.conversation.forward(
            update.update_id, sender_of(update), chat_of(update), "/greet"
        )
        return
    await fe.conversation.say(chat_of(update), text("welcome", name=user.first_name))
    await send_privacy_notice(context, chat_of(update))
    fe.messaging.hold(update.update_id, "/greet")


async def rasa_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bantuan, /lapor, /batal: conversation turns handled by Rasa."""
    assert update.message is not None and update.message.text is not None
    name = update.message.text.split()[0].lstrip("/").split("@")[0].lower()
    await to_rasa(update, context, RASA_COMMANDS[name])


async def status_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status [ADU-XXXXXX]: one ticket, or the citizen's open tickets."""
    args = context.args or []
    payload = "/check_status"
    if args:
        payload += json.dumps({"ticket_id": args[0][:20]})
    await to_rasa(update, context, payload)


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/privasi: the full privacy policy."""
    await reply_local(update, context, text("privacy_full"), "command")


async def delete_data_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/hapusdata: ask for confirmation before deleting the citizen's personal data."""
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text("delete_yes_button"), callback_data=f"{DELETE_PREFIX}yes"
                ),
                InlineKeyboardButton(text("delete_no_button"), callback_data=f"{DELETE_PREFIX}no"),
            ]
        ]
    )
    await context.bot.send_message(
        chat_of(update),
        rendering.escape(text("delete_confirm")),
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )
    frontend(context).messaging.mark_done(update.update_id, "command")


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other /command: list the commands."""
    assert update.message is not None and update.message.text is not None
    command = update.message.text.split()[0][:40]
    await reply_local(update, context, text("unknown_command", command=command), "command")


# -- text and buttons -------------------------------------------------------------------------


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A citizen's text: to Rasa, verbatim."""
    assert update.message is not None and update.message.text is not None
    await to_rasa(update, context, update.message.text)


async def callback_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed inline button. Every query is answered; a keyboard works only once."""
    query = update.callback_query
    assert query is not None
    fe = frontend(context)
    data = query.data or ""
    message = query.message if isinstance(query.message, Message) else None
    if data.startswith(CONSENT_PREFIX):
        await consent_pressed(update, context, data.removeprefix(CONSENT_PREFIX) == "yes")
        return
    if data.startswith(DELETE_PREFIX):
        await delete_pressed(update, context, data.removeprefix(DELETE_PREFIX) == "yes")
        return
    index = rendering.parse_button(data)
    chosen = (
        fe.messaging.use_button(message.chat.id, message.message_id, index)
        if message is not None and index is not None
        else None
    )
    if chosen is None:
        await query.answer(text("button_used"))
        fe.messaging.mark_done(update.update_id, "button_used")
        return
    title, payload = chosen
    await query.answer()
    await mark_choice(message, title)
    await to_rasa(update, context, payload)


async def remove_keyboard(message: Message | None) -> None:
    """Take the inline keyboard off a message so it cannot be pressed again."""
    if message is None:
        return
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramError as exc:  # the message may be too old to edit; the press still counts
        log.info("could not remove a keyboard: %s", exc)


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


async def consent_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, agreed: bool) -> None:
    """Record consent and process the messages held for it, or drop them on refusal."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    fe = frontend(context)
    sender = sender_of(update)
    await query.answer()
    await remove_keyboard(query.message if isinstance(query.message, Message) else None)
    fe.messaging.mark_done(update.update_id, "consent")
    if not agreed:
        fe.messaging.release_held(sender, status="declined")
        await fe.conversation.say(chat_of(update), text("consent_declined"))
        return
    user = update.effective_user
    fe.messaging.record_consent(sender, user.id, user.full_name)
    await fe.conversation.say(chat_of(update), text("consent_thanks"))
    for item in fe.messaging.release_held(sender):
        await fe.conversation.forward(item.update_id, sender, chat_of(update), item.payload)


async def delete_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, confirmed: bool
) -> None:
    """Delete (anonymise) the citizen's personal data after confirmation."""
    query = update.callback_query
    assert query is not None
    fe = frontend(context)
    await query.answer()
    await remove_keyboard(query.message if isinstance(query.message, Message) else None)
    if not confirmed:
        fe.messaging.mark_done(update.update_id, "delete_cancelled")
        await fe.conversation.say(chat_of(update), text("delete_cancelled"))
        return
    sender = sender_of(update)
    try:  # the Rasa conversation holds the chat too: restart it
        await fe.conversation.rasa.send(sender, "/restart", expect_reply=False)
    except RasaUnavailable as exc:
        log.warning("could not restart the Rasa conversation of a deleted citizen: %s", exc)
    kept = fe.messaging.forget_citizen(sender)
    await fe.conversation.say(chat_of(update), text("deleted", kept=kept))


# -- attachments ------------------------------------------------------------------------------


async def in_complaint_form(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The slot the complaint form asks for now, '' if active otherwise, None if inactive."""
    try:
        state = await frontend(context).conversation.rasa.form_state(sender_of(update))
    except RasaUnavailable:
        return None
    if state.active_loop != "complaint_form":
        return None
    return state.requested_slot or ""


async def photo_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo: kept for the complaint being written (largest size), else explained."""
    message = update.message
    assert message is not None and message.photo
    largest = max(message.photo, key=lambda p: (p.file_size or 0, p.width * p.height))
    await save_attachment(
        update,
        context,
        "photo",
        largest.file_id,
        largest.file_unique_id,
        largest.file_size,
        "image/jpeg",
        None,
    )


async def document_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A document: PDF or image only, kept for the complaint being written."""
    message = update.message
    assert message is not None and message.document is not None
    doc = message.document
    mime = doc.mime_type or mimetypes.guess_type(doc.file_name or "")[0] or ""
    if mime not in ALLOWED_DOCUMENT_TYPES:
        await reply_local(update, context, text("document_type_refused"), "document_refused")
        return
    await save_attachment(
        update,
        context,
        "document",
        doc.file_id,
        doc.file_unique_id,
        doc.file_size,
        mime,
        doc.file_name,
    )


async def save_attachment(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    kind: str,
    file_id: str,
    unique_id: str,
    size: int | None,
    mime: str,
    file_name: str | None,
) -> None:
    """Download a file through the Bot API into the attachment storage."""
    fe = frontend(context)
    sender = sender_of(update)
    if not fe.messaging.citizen_consented(sender):
        await to_rasa(update, context, "/greet")
        return
    slot = await in_complaint_form(update, context)
    if slot is None:
        await reply_local(update, context, text("attachment_outside_form"), f"{kind}_outside_form")
        return
    limit = fe.max_photo_bytes if kind == "photo" else fe.max_document_bytes
    if size is not None and size > limit:
        await reply_local(
            update, context, text("attachment_too_big", limit_mb=limit // 2**20), f"{kind}_too_big"
        )
        return
    extension = mimetypes.guess_extension(mime) or Path(file_name or "").suffix or ".bin"
    folder = fe.attachments_dir / sender
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{unique_id}{extension}"
    try:
        tg_file = await context.bot.get_file(file_id)
        if tg_file.file_size is not None and tg_file.file_size > limit:
            await reply_local(
                update,
                context,
                text("attachment_too_big", limit_mb=limit // 2**20),
                f"{kind}_too_big",
            )
            return
        await tg_file.download_to_drive(path)
        fe.messaging.add_draft_attachment(
            sender,
            kind=kind,
            telegram_file_id=file_id,
            file_unique_id=unique_id,
            path=str(path),
            mime_type=mime,
            size_bytes=path.stat().st_size,
        )
    except (TelegramError, OSError) as exc:
        log.exception("attachment of %s could not be saved: %s", sender, exc)
        await reply_local(update, context, text("attachment_failed"), f"{kind}_failed")
        return
    await reply_local(update, context, text(f"{kind}_saved"), kind)
    caption = update.message.caption if update.message else None
    if caption and slot == "complaint_description":
        await fe.conversation.forward(update.update_id, sender, chat_of(update), caption)


async def location_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location: the answer to "di mana lokasinya?", or extra coordinates."""
    message = update.message
    assert message is not None and message.location is not None
    fe = frontend(context)
    sender = sender_of(update)
    if not fe.messaging.citizen_consented(sender):
        await to_rasa(update, context, "/greet")
        return
    lat, lon = round(message.location.latitude, 6), round(message.location.longitude, 6)
    slot = await in_complaint_form(update, context)
    if slot is None:
        await reply_local(update, context, text("attachment_outside_form"), "location_outside_form")
        return
    coordinates = {"complaint_latitude": lat, "complaint_longitude": lon}
    if slot == "complaint_location":
        payload = "/inform" + json.dumps(
            {"complaint_location": text("location_text", lat=lat, lon=lon), **coordinates}
        )
        await fe.conversation.forward(update.update_id, sender, chat_of(update), payload)
        return
    try:
        await fe.conversation.rasa.set_slots(sender, coordinates)
    except RasaUnavailable:
        await reply_local(update, context, text("attachment_failed"), "location_failed")
        return
    await reply_local(update, context, text("location_saved"), "location")


# -- everything else --------------------------------------------------------------------------


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
    frontend(context).messaging.mark_done(update.update_id, "group")


async def other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other private message (polls, games, dice, ...): a polite explanation."""
    await reply_local(update, context, text("unsupported"), "unsupported")


async def other_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Updates without a message (member changes, ...) are stored and closed silently."""
    frontend(context).messaging.mark_done(update.update_id, "ignored")


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed handler; the update stays in the inbox for inspection."""
    log.error(
        "handler failed for update %s", getattr(update, "update_id", None), exc_info=context.error
    )


def register(application: Application) -> None:
    """Attach every handler, most specific first."""
    private = filters.ChatType.PRIVATE
    message = filters.UpdateType.MESSAGE
    application.add_handler(MessageHandler(filters.UpdateType.EDITED, edited_message))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS, group_message))
    application.add_handler(CommandHandler("start", start_command, filters=private))
    application.add_handler(CommandHandler(list(RASA_COMMANDS), rasa_command, filters=private))
    application.add_handler(CommandHandler("status", status_command, filters=private))
    application.add_handler(CommandHandler("privasi", privacy_command, filters=private))
    application.add_handler(CommandHandler("hapusdata", delete_data_command, filters=private))
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
    application.add_handler(MessageHandler(filters.ALL, other_message))
    application.add_handler(TypeHandler(Update, other_update))
    application.add_error_handler(error_handler)
