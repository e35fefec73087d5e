"""Photos, documents and locations sent while a complaint is being written."""

from __future__ import annotations

import json
import logging
import mimetypes
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    ContextTypes,
)

from bot.telegram.conversation import RasaUnavailable, citizen_words
from bot.telegram.deps import (
    ALLOWED_DOCUMENT_TYPES,
    chat_of,
    consented,
    deps,
    inbox_id,
    reply_local,
    sender_of,
    to_rasa,
)
from bot.texts import text

log = logging.getLogger(__name__)


async def in_complaint_form(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The slot the complaint form asks for now, '' if active otherwise, None if inactive."""
    try:
        state = await deps(context).conversation.rasa.form_state(sender_of(update))
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
    shared = deps(context)
    sender = sender_of(update)
    if not await consented(update, context):
        await to_rasa(update, context, "/greet")
        return
    caption = (update.message.caption if update.message else None) or ""
    slot = await in_complaint_form(update, context)
    caption_told = False
    if slot is None:
        if not caption.strip():
            await reply_local(
                update, context, text("attachment_outside_form"), f"{kind}_outside_form"
            )
            return
        # The caption is answered first: a question ("ini ktp sy rusak, bisa diganti?") gets
        # its answer and then the note; a complaint opens the form, which keeps the file.
        await shared.conversation.forward(
            await inbox_id(update, context), sender, chat_of(update), citizen_words(caption)
        )
        caption_told = True
        slot = await in_complaint_form(update, context)
        if slot is None:
            await shared.conversation.say(chat_of(update), text("attachment_outside_form"))
            return
    limit = shared.max_photo_bytes if kind == "photo" else shared.max_document_bytes
    if size is not None and size > limit:
        await reply_local(
            update, context, text("attachment_too_big", limit_mb=limit // 2**20), f"{kind}_too_big"
        )
        return
    extension = mimetypes.guess_extension(mime) or Path(file_name or "").suffix or ".bin"
    folder = shared.attachments_dir / sender
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
        await shared.store.add_draft_attachment(
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
    if caption_told:
        await shared.conversation.say(chat_of(update), text(f"{kind}_saved"))
        return
    await reply_local(update, context, text(f"{kind}_saved"), kind)
    if caption and slot == "complaint_description":
        await shared.conversation.forward(
            await inbox_id(update, context), sender, chat_of(update), citizen_words(caption)
        )


async def location_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location: the answer to "di mana lokasinya?", or extra coordinates."""
    message = update.message
    assert message is not None and message.location is not None
    shared = deps(context)
    sender = sender_of(update)
    if not await consented(update, context):
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
        await shared.conversation.forward(
            await inbox_id(update, context), sender, chat_of(update), payload
        )
        return
    try:
        await shared.conversation.rasa.set_slots(sender, coordinates)
    except RasaUnavailable:
        await reply_local(update, context, text("attachment_failed"), "location_failed")
        return
    await reply_local(update, context, text("location_saved"), "location")
