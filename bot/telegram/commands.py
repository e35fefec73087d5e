"""Command handlers (/start, /status, /hapusdata, ...) and the consent and deletion buttons."""

from __future__ import annotations

import json
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ContextTypes,
)

from bot.store.ids import normalise_ticket_id
from bot.telegram import rendering
from bot.telegram.deps import (
    DELETE_PREFIX,
    RASA_COMMANDS,
    agree,
    answer_query,
    chat_of,
    consented,
    deps,
    inbox_id,
    mark_done,
    refuse,
    remove_keyboard,
    reply_local,
    send_privacy_notice,
    sender_of,
    to_rasa,
)
from bot.texts import answer_outcome, text

log = logging.getLogger(__name__)


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: welcome, the privacy notice with consent, then the main menu."""
    shared = deps(context)
    user = update.effective_user
    assert user is not None
    if await consented(update, context):
        await shared.conversation.forward(
            await inbox_id(update, context), sender_of(update), chat_of(update), "/greet"
        )
        return
    await shared.conversation.say(chat_of(update), text("welcome", name=user.first_name))
    await send_privacy_notice(context, chat_of(update))
    await shared.store.hold(await inbox_id(update, context), "/greet")


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
    await mark_done(update, context, "command")


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other /command: list the commands."""
    assert update.message is not None and update.message.text is not None
    command = update.message.text.split()[0][:40]
    await reply_local(update, context, text("unknown_command", command=command), "command")


async def consent_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, agreed: bool) -> None:
    """Record consent and process the messages held for it, or forget them on refusal."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    shared = deps(context)
    await answer_query(query)
    await remove_keyboard(query.message if isinstance(query.message, Message) else None)
    await mark_done(update, context, "consent")
    if agreed:
        await agree(update, context)
    elif await consented(update, context):  # "Tidak setuju" of an older notice
        await shared.conversation.say(chat_of(update), text("consent_already_given"))
    else:
        await refuse(update, context)


async def delete_pressed(
    update: Update, context: ContextTypes.DEFAULT_TYPE, confirmed: bool
) -> None:
    """Delete (anonymise) the citizen's personal data after confirmation."""
    query = update.callback_query
    assert query is not None
    shared = deps(context)
    await answer_query(query)
    await remove_keyboard(query.message if isinstance(query.message, Message) else None)
    if not confirmed:
        await mark_done(update, context, "delete_cancelled")
        await shared.conversation.say(chat_of(update), text("delete_cancelled"))
        return
    sender = sender_of(update)
    try:  # the conversation Rasa keeps holds the messages too
        await shared.store.delete_rasa_conversation(sender)
    except Exception:
        log.exception("could not delete the Rasa conversation of a deleted citizen")
    kept = await shared.store.forget_citizen(sender)
    await shared.conversation.say(chat_of(update), text("deleted", kept=kept))


async def answer_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/jawab ADU-XXXXXX <keterangan>: answer an officer's request for information."""
    shared = deps(context)
    sender = sender_of(update)
    if not await consented(update, context):
        await to_rasa(update, context, "/greet")
        return
    args = context.args or []
    public_id = normalise_ticket_id(args[0]) if args else None
    # "/jawab loket 3, jam 10an": without an id, for the one ticket waiting for an answer.
    answer = " ".join(args[1:] if public_id else args).strip()
    if not answer:
        await reply_local(update, context, text("answer_usage"), "answer_usage")
        return
    ticket, resumed = await shared.store.answer_info_request(sender, public_id, answer[:4000])
    reply = answer_outcome(public_id, ticket.public_id if ticket else None, resumed)
    await reply_local(update, context, reply, "answer")
