"""The live chat with an officer, on Telegram (the state is bot.handoff.chats').

While a citizen's chat waits for an officer or is taken, their texts (and the titles of
buttons they press) are stored for the officer instead of going to Rasa: the bot is silent.
A shared location becomes a map link in the chat; a photo or document a note with its
caption (the officer cannot open the file here, and the citizen is told so); any command
but /selesai, /hapusdata and /privasi a polite notice. These guards run before the usual
handlers (group -1) and stop them only during a live chat, so no file reaches the complaint
form's attachments and no command reaches Rasa. /selesai ends the chat; Rasa answers again
from the next message. The officer's messages
reach the citizen through the outbox like every other message from the console; the job
here shows the officer's typing on Telegram and ends the chats nobody took in time (their
notice, with the choice of a complaint or a call-back, goes through the outbox).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot, Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, filters

from bot.telegram.deps import chat_of, deps, mark_done, reply_local, sender_of
from bot.telegram.store import AsyncStore
from bot.texts import text

log = logging.getLogger(__name__)
# Commands that keep working during a live chat; every other one gets a notice.
DURING_CHAT_COMMANDS = ("selesai", "hapusdata", "privasi")
GUARDED_COMMANDS = filters.COMMAND & ~filters.Regex(
    rf"^/({'|'.join(DURING_CHAT_COMMANDS)})(@\w+)?(\s|$)"
)
GUARDED_MEDIA = filters.PHOTO | filters.Document.ALL | filters.LOCATION
MAP_URL = "https://www.google.com/maps?q={lat},{lon}"


async def relay(update: Update, context: ContextTypes.DEFAULT_TYPE, body: str) -> bool:
    """Store the citizen's message for the officer when a live chat is going on.

    False when there is none: the message goes to Rasa as usual."""
    shared = deps(context)
    if not await shared.store.live_add_citizen_message(sender_of(update), body):
        return False
    await mark_done(update, context, "live_chat")
    return True


def media_note(message: Message) -> str:
    """The line a photo, document or location leaves in the chat for the officer."""
    caption = (message.caption or "").strip()
    if message.location is not None:
        lat = round(message.location.latitude, 6)
        lon = round(message.location.longitude, 6)
        return f"[lokasi] {MAP_URL.format(lat=lat, lon=lon)}"
    if message.document is not None:
        head = f"[dokumen {message.document.file_name or 'tanpa nama'}]"
    else:
        head = "[foto]"
    return f"{head} {caption}".strip()


async def media_guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """During a live chat a photo, document or location is a note in the chat (the usual
    handlers do not run); otherwise nothing happens here."""
    message = update.message
    assert message is not None
    note = media_note(message)
    store = deps(context).store
    if not await store.live_add_citizen_message(sender_of(update), note):
        return
    if message.location is not None:
        await mark_done(update, context, "live_chat")  # silent, like a text
    else:
        await reply_local(update, context, text("live_file_noted"), "live_chat")
    raise ApplicationHandlerStop


async def command_guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """During a live chat a command other than /selesai, /hapusdata and /privasi gets a
    polite notice (the usual handlers do not run); otherwise nothing happens here."""
    if not await deps(context).store.live_active(sender_of(update)):
        return
    await reply_local(update, context, text("live_command_during_chat"), "live_chat")
    raise ApplicationHandlerStop


async def end_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/selesai: the citizen ends the live chat; the assistant answers again."""
    ended = await deps(context).store.live_end_by_citizen(sender_of(update))
    body = text("live_ended_by_citizen" if ended else "live_no_chat")
    await reply_local(update, context, body, "live_chat")
    if ended:
        log.info("live chat ended by the citizen in chat %s", chat_of(update))


class LiveRelay:
    """One `run_once` per job-queue tick: typing indicators and chats nobody took."""

    def __init__(self, bot: Bot, store: AsyncStore, take_timeout_s: float):
        self.bot = bot
        self.store = store
        self.take_timeout = timedelta(seconds=take_timeout_s)

    async def run_once(self) -> None:
        """Show officers' typing, end and announce chats that waited too long."""
        for chat_id in await self.store.live_typing_due():
            try:
                await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as exc:  # a courtesy: never retried
                log.info("typing indicator not shown in %s: %s", chat_id, exc)
        for notice in await self.store.live_expire(self.take_timeout):
            # The notice with its buttons was queued with the state change: the outbox
            # delivers it, also after a crash right here.
            log.info("live chat %s ended: nobody took it in time", notice.chat_id)
