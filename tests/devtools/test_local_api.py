"""The local Bot API server, exercised with the real python-telegram-bot 22.8."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
import warnings
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter, TimedOut
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from devtools.local_api import LocalBotApi, SimulatedUser, make_png

pytestmark = pytest.mark.asyncio

TOKEN = "123456789:LOCAL-TEST-TOKEN"
CITIZEN_ID = 4242


@pytest.fixture
async def api() -> AsyncIterator[LocalBotApi]:
    """A running server for one test."""
    async with LocalBotApi(token=TOKEN, webhook_retry_delay=0.05) as server:
        yield server


@pytest.fixture
async def bot(api: LocalBotApi) -> AsyncIterator[Bot]:
    """A real PTB Bot talking to the local server."""
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as tg_bot:
        yield tg_bot


@pytest.fixture
def citizen(api: LocalBotApi) -> SimulatedUser:
    """A simulated citizen in a private chat with the bot."""
    return api.user(user_id=CITIZEN_ID, first_name="Siti", username="siti_warga")


async def raw_call(api: LocalBotApi, method: str, **data: Any) -> httpx.Response:
    """Call a Bot API method with plain HTTP (form-urlencoded)."""
    async with httpx.AsyncClient() as client:
        return await client.post(f"{api.base_url}{api.token}/{method}", data=data)


def messages_of(updates: Sequence[Update]) -> list[Any]:
    """The messages of message updates (loosely typed to keep assertions short)."""
    messages: list[Any] = [update.message for update in updates]
    assert all(message is not None for message in messages)
    return messages


def seconds(read: Any) -> float:
    """A PTB time period as seconds (PTB 22 gives int or timedelta, with a warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = read()
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# ------------------------------------------------------------------- basics


async def test_get_me_returns_a_bot_user(bot: Bot, api: LocalBotApi) -> None:
    me = await bot.get_me()
    assert me.is_bot is True
    assert me.id == 123456789
    assert me.username == "layanan_aduan_bot"
    assert api.calls[0].method == "getMe"


async def test_method_names_are_case_insensitive_and_unknown_ones_give_400(
    api: LocalBotApi,
) -> None:
    ok = await raw_call(api, "GETME")
    assert ok.status_code == 200
    assert ok.json()["result"]["is_bot"] is True

    response = await raw_call(api, "fooBar")
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": (
            "Bad Request: unknown method 'fooBar' (not implemented by the local Bot API server)"
        ),
    }


async def test_missing_parameters_use_telegrams_wording(
    api: LocalBotApi, citizen: SimulatedUser
) -> None:
    no_chat = await raw_call(api, "sendMessage", text="halo")
    assert no_chat.json()["description"] == "Bad Request: chat_id is empty"
    no_text = await raw_call(api, "sendMessage", chat_id=str(CITIZEN_ID))
    assert no_text.status_code == 400
    assert no_text.json()["description"] == "Bad Request: message text is empty"
    unknown = await raw_call(api, "sendMessage", chat_id="999", text="halo")
    assert unknown.json()["description"] == "Bad Request: chat not found"
    too_long = await raw_call(api, "sendMessage", chat_id=str(CITIZEN_ID), text="a" * 4097)
    assert too_long.json()["description"] == "Bad Request: message is too long"


async def test_json_bodies_are_accepted_and_dates_are_int_seconds(
    api: LocalBotApi, citizen: SimulatedUser
) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{api.base_url}{api.token}/sendMessage",
            json={"chat_id": CITIZEN_ID, "text": "Halo 👋"},
        )
    message = response.json()["result"]
    assert isinstance(message["date"], int)
    assert abs(message["date"] - time.time()) < 5
    assert message["chat"] == {
        "id": CITIZEN_ID,
        "first_name": "Siti",
        "username": "siti_warga",
        "type": "private",
    }
    assert message["from"]["is_bot"] is True

    sent = await citizen.send_text("balasan")
    assert isinstance(sent["date"], int)
    assert sent["message_id"] > message["message_id"]


# ------------------------------------------------------------- long polling


async def test_get_updates_really_waits_for_the_timeout(bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    updates = await bot.get_updates(timeout=2)
    assert updates == ()
    assert loop.time() - started >= 1.5


async def test_waiting_get_updates_returns_as_soon_as_an_update_arrives(
    bot: Bot, citizen: SimulatedUser
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    await citizen.send_text("Lampu jalan mati")
    updates = await asyncio.wait_for(poll, 5)
    assert loop.time() - started < 5
    assert [m.text for m in messages_of(updates)] == ["Lampu jalan mati"]


async def test_offset_confirms_updates_and_limit_is_honoured(
    api: LocalBotApi, bot: Bot, citizen: SimulatedUser
) -> None:
    for text in ("satu", "dua", "tiga"):
        await citizen.send_text(text)
    first = await bot.get_updates(timeout=0)
    ids = [u.update_id for u in first]
    assert ids == sorted(ids) and len(set(ids)) == 3
    message_ids = [m.message_id for m in messages_of(first)]
    assert message_ids == sorted(message_ids)

    # Without an offset nothing is confirmed: the same updates come again.
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == ids
    assert [u.update_id for u in await bot.get_updates(timeout=0, limit=1)] == ids[:1]
    rest = await bot.get_updates(offset=ids[1] + 1, timeout=0)
    assert [m.text for m in messages_of(rest)] == ["tiga"]
    assert await bot.get_updates(offset=ids[2] + 1, timeout=0) == ()
    assert api.pending_updates == []


async def test_allowed_updates_filters_new_updates(
    bot: Bot, api: LocalBotApi, citizen: SimulatedUser
) -> None:
    await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    await bot.send_message(
        CITIZEN_ID,
        "Pilih",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="ya")]]),
    )
    await citizen.send_text("diabaikan")
    await citizen.press("Ya")
    updates = await bot.get_updates(timeout=0)
    assert [u.callback_query.data for u in updates if u.callback_query] == ["ya"]
    assert len(updates) == 1


async def test_second_bot_instance_polling_terminates_the_first(api: LocalBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    async with Bot(TOKEN, base_url=api.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getupdates request"):
        await asyncio.wait_for(first, 3)


async def test_echo_bot_with_a_real_application_and_polling(
    api: LocalBotApi, citizen: SimulatedUser
) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"Anda menulis: {update.message.text}")

    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=dtm.timedelta(seconds=1), poll_interval=0)
        await citizen.send_text("Jalan berlubang di Jl. Merdeka")
        reply = await citizen.wait_for_reply(timeout=5)
        await app.updater.stop()
        await app.stop()
    assert reply.text == "Anda menulis: Jalan berlubang di Jl. Merdeka"
    assert api.pending_updates == []  # the updater confirmed what it handled
    polls = api.calls_of("getUpdates")
    assert polls and polls[0].params["timeout"] == 1


# ------------------------------------------------------- keyboards & edits


async def test_inline_button_press_gives_a_callback_query(
    api: LocalBotApi, bot: Bot, citizen: SimulatedUser
) -> None:
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Jalan rusak", callback_data="kategori:jalan")],
            [InlineKeyboardButton("Sampah", callback_data="kategori:sampah")],
        ]
    )
    sent = await bot.send_message(CITIZEN_ID, "Pilih kategori aduan:", reply_markup=keyboard)
    assert sent.reply_markup == keyboard

    query = await citizen.press("Sampah")
    assert query["chat_instance"]
    (update,) = await bot.get_updates(timeout=0)
    callback = update.callback_query
    assert callback is not None
    assert callback.data == "kategori:sampah"
    assert callback.from_user.id == CITIZEN_ID
    assert callback.message is not None and callback.message.message_id == sent.message_id
    assert callback.chat_instance == query["chat_instance"]

    assert await callback.answer("Kategori dipilih") is True
    answer = await citizen.wait_for_callback_answer(callback.id, timeout=1)
    assert answer["text"] == "Kategori dipilih"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await callback.answer()

    with pytest.raises(LookupError):
        await citizen.press("Tidak ada")


async def test_edits_are_visible_and_unmodified_edits_fail(
    bot: Bot, citizen: SimulatedUser
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Batal", callback_data="batal")]])
    sent = await bot.send_message(CITIZEN_ID, "Status: <b>baru</b>", parse_mode=ParseMode.HTML)
    await bot.edit_message_reply_markup(CITIZEN_ID, sent.message_id, reply_markup=keyboard)
    first = await citizen.wait_for_reply(timeout=1)
    assert first.button_texts == ["Batal"]

    edited = await bot.edit_message_text(
        "Status: <b>diproses</b>", CITIZEN_ID, sent.message_id, parse_mode=ParseMode.HTML
    )
    assert isinstance(edited, type(sent)) and edited.edit_date is not None
    seen = await citizen.wait_for_edit(timeout=1, predicate=lambda m: "diproses" in m.text)
    assert seen.text == "Status: diproses"
    assert seen.reply_markup is None  # editMessageText without reply_markup drops it
    assert first.text == "Status: diproses"  # views are live
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Status: <b>diproses</b>", CITIZEN_ID, sent.message_id, parse_mode=ParseMode.HTML
        )
    assert await bot.delete_message(CITIZEN_ID, sent.message_id) is True
    assert citizen.replies() == []
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(CITIZEN_ID, sent.message_id)


async def test_reply_keyboard_buttons_send_text_or_location(
    api: LocalBotApi, bot: Bot, citizen: SimulatedUser
) -> None:
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("Kirim lokasi", request_location=True)], [KeyboardButton("Batal")]],
        one_time_keyboard=True,
    )
    sent = await bot.send_message(CITIZEN_ID, "Di mana lokasinya?", reply_markup=keyboard)
    assert sent.reply_markup is None  # only inline keyboards are part of a Message
    await citizen.press("Kirim lokasi")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.location is not None
    assert update.message.location.latitude == pytest.approx(-6.2)
    with pytest.raises(LookupError):
        await citizen.press("Batal")  # one-time keyboard is gone


async def test_html_produces_entities_and_rejects_broken_markup(
    bot: Bot, citizen: SimulatedUser
) -> None:
    sent = await bot.send_message(
        CITIZEN_ID, "Nomor aduan: <code>ADU-001</code> 😀 <b>baru</b>", parse_mode=ParseMode.HTML
    )
    assert sent.text == "Nomor aduan: ADU-001 😀 baru"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("code", 13, 7),
        ("bold", 24, 4),  # the emoji counts as two UTF-16 units
    ]
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: can't find end tag"):
        await bot.send_message(CITIZEN_ID, "<b>tebal", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "br"'):
        await bot.send_message(CITIZEN_ID, "baris<br>baru", parse_mode=ParseMode.HTML)


async def test_parse_modes_the_product_never_sends_get_a_clear_400(
    api: LocalBotApi, bot: Bot, citizen: SimulatedUser
) -> None:
    """The front end formats with HTML only; the stand-in parses nothing else and says so."""
    for mode in (ParseMode.MARKDOWN_V2, ParseMode.MARKDOWN):
        with pytest.raises(
            BadRequest, match=rf"(?i)^can.t parse entities: parse_mode {mode.value} is not"
        ):
            await bot.send_message(CITIZEN_ID, "*Terima kasih*", parse_mode=mode)
        with pytest.raises(BadRequest, match=r"(?i)^can't parse entities: parse_mode"):
            await bot.send_photo(CITIZEN_ID, make_png(), caption="*foto*", parse_mode=mode)
    with pytest.raises(BadRequest, match=r"(?i)^unsupported parse_mode$"):
        await bot.send_message(CITIZEN_ID, "Terima kasih.", parse_mode="BBCode")
    assert api.bot_messages(CITIZEN_ID) == []
    plain = await bot.send_message(CITIZEN_ID, "*Terima kasih*")
    assert plain.text == "*Terima kasih*" and plain.entities == ()


# --------------------------------------------------------------------- files


async def test_user_photo_can_be_downloaded_and_echoed(bot: Bot, citizen: SimulatedUser) -> None:
    data = make_png(800, 600)
    await citizen.send_photo(data, caption="Foto jalan rusak")
    (update,) = await bot.get_updates(timeout=0)
    message = update.message
    assert message is not None and message.caption == "Foto jalan rusak"
    sizes = message.photo
    assert len(sizes) >= 3
    assert [s.width for s in sizes] == sorted(s.width for s in sizes)
    largest = sizes[-1]
    assert (largest.width, largest.height) == (800, 600)
    assert largest.file_size == len(data) and largest.file_unique_id

    file = await bot.get_file(largest.file_id)
    assert bytes(await file.download_as_bytearray()) == data

    echoed = await message.reply_photo(largest.file_id, caption="Diterima")
    assert echoed.photo[-1].file_id == largest.file_id
    reply = await citizen.wait_for_reply(timeout=1)
    assert reply.photo is not None and reply.text == "Diterima"

    uploaded = await bot.send_photo(CITIZEN_ID, make_png(100, 50))
    assert (uploaded.photo[-1].width, uploaded.photo[-1].height) == (100, 50)
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(CITIZEN_ID, b"not an image")


async def test_documents_locations_and_other_user_messages(
    bot: Bot, citizen: SimulatedUser
) -> None:
    await citizen.send_document(b"%PDF-1.4 laporan", "laporan.pdf", "application/pdf")
    await citizen.send_location(-6.9147, 107.6098)
    await citizen.send_sticker()
    await citizen.send_voice()
    await citizen.send_contact("+628111222333")
    await citizen.send_command("/lapor jalan rusak")
    updates = await bot.get_updates(timeout=0)
    doc, loc, sticker, voice, contact, command = messages_of(updates)
    assert doc.document.file_name == "laporan.pdf"
    document_file = await bot.get_file(doc.document.file_id)
    assert bytes(await document_file.download_as_bytearray()) == b"%PDF-1.4 laporan"
    assert loc.location.longitude == pytest.approx(107.6098)
    assert sticker.sticker.emoji == "👍"
    assert seconds(lambda: voice.voice.duration) == 3
    assert contact.contact.user_id == CITIZEN_ID
    assert command.text == "/lapor jalan rusak"
    assert command.entities[0].type == "bot_command" and command.entities[0].length == 6

    sent = await bot.send_location(CITIZEN_ID, -6.9147, 107.6098)
    assert sent.location is not None
    reply = await citizen.wait_for_reply(timeout=1)
    assert reply.location == {"latitude": -6.9147, "longitude": 107.6098}
    sent_doc = await bot.send_document(CITIZEN_ID, b"isi", filename="bukti.txt")
    assert sent_doc.document is not None and sent_doc.document.file_name == "bukti.txt"


async def test_edited_message_update(bot: Bot, citizen: SimulatedUser) -> None:
    sent = await citizen.send_text("Jalan rusak di RT 5")
    await citizen.edit_text(sent["message_id"], "Jalan rusak di RT 6")
    updates = await bot.get_updates(timeout=0)
    edited = updates[-1].edited_message
    assert edited is not None and edited.text == "Jalan rusak di RT 6"
    assert edited.edit_date is not None


# ------------------------------------------------------ misc methods & groups


async def test_chat_action_and_commands_round_trip(
    api: LocalBotApi, bot: Bot, citizen: SimulatedUser
) -> None:
    assert await bot.send_chat_action(CITIZEN_ID, ChatAction.TYPING) is True
    assert api.state.chats[CITIZEN_ID].current_action() == "typing"
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(CITIZEN_ID, "dancing")

    commands = [BotCommand("start", "Mulai"), BotCommand("lapor", "Buat aduan baru")]
    assert await bot.set_my_commands(commands) is True
    assert await bot.get_my_commands() == tuple(commands)
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Lapor Baru", "salah")])
    assert await bot.delete_my_commands() is True
    assert await bot.get_my_commands() == ()

    chat = await bot.get_chat(CITIZEN_ID)
    assert chat.type == "private" and chat.first_name == "Siti"


async def test_group_chat(api: LocalBotApi, bot: Bot) -> None:
    group = api.group(-1001234567890, "Warga RT 05")
    member = group.user(7001, "Budi")
    await member.send_command("/start@layanan_aduan_bot")
    (update,) = await bot.get_updates(timeout=0)
    assert update.effective_chat is not None and update.effective_chat.type == "supergroup"
    assert update.effective_user is not None and update.effective_user.first_name == "Budi"
    await bot.send_message(group.chat_id, "Halo warga!")
    reply = await member.wait_for_reply(timeout=1)
    assert reply.text == "Halo warga!"
    assert api.bot_messages(group.chat_id)[0].message_id == reply.message_id


# ------------------------------------------------------------ fault injection


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_injection_raises_retry_after(api: LocalBotApi, bot: Bot) -> None:
    api.user(CITIZEN_ID)
    api.inject_fault("sendMessage", "429", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CITIZEN_ID, "halo")
    assert seconds(lambda: caught.value.retry_after) == 7
    assert (await bot.send_message(CITIZEN_ID, "halo lagi")).text == "halo lagi"
    failed, succeeded = api.calls_of("sendMessage")
    assert failed.fault == "429" and failed.status == 429
    assert failed.response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert failed.params["chat_id"] == CITIZEN_ID and failed.params["text"] == "halo"
    assert succeeded.ok


async def test_blocked_timeout_and_500_faults(
    api: LocalBotApi, bot: Bot, citizen: SimulatedUser
) -> None:
    api.inject_fault("sendMessage", "403_blocked")
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(CITIZEN_ID, "halo")

    api.inject_fault("sendMessage", "timeout", hold=1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(CITIZEN_ID, "halo", read_timeout=0.3)

    api.inject_fault("*", "500", count=2)
    response = await raw_call(api, "getMe")
    assert response.status_code == 500 and response.json()["error_code"] == 500
    assert (await raw_call(api, "getMe")).status_code == 500
    assert (await raw_call(api, "getMe")).status_code == 200

    citizen.block()
    with pytest.raises(Forbidden):
        await bot.send_message(CITIZEN_ID, "halo")
    citizen.unblock()
    assert (await bot.send_message(CITIZEN_ID, "halo")).text == "halo"


# ------------------------------------------------------------------- webhook


async def test_webhook_posts_updates_with_secret_and_blocks_get_updates(
    api: LocalBotApi, bot: Bot, citizen: SimulatedUser
) -> None:
    received: asyncio.Queue[tuple[str | None, dict[str, Any]]] = asyncio.Queue()
    failures = {"left": 1}

    async def hook(request: web.Request) -> web.Response:
        if failures["left"]:
            failures["left"] -= 1
            return web.Response(status=500)
        body = await request.json()
        await received.put((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), body))
        # Like Telegram, the server runs a method returned in the webhook response.
        chat_id = body["message"]["chat"]["id"]
        return web.json_response({"method": "sendMessage", "chat_id": chat_id, "text": "Diterima"})

    receiver = web.Application()
    receiver.router.add_post("/hook", hook)
    runner = web.AppRunner(receiver)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}/hook"
    try:
        await citizen.send_text("Pesan lama")
        assert await bot.set_webhook(url, secret_token="rahasia_123", drop_pending_updates=True)
        with pytest.raises(Conflict, match=r"(?i)webhook is active"):
            await bot.get_updates()

        await citizen.send_text("Halo lewat webhook")
        secret, body = await asyncio.wait_for(received.get(), 5)
        assert secret == "rahasia_123"
        update = Update.de_json(body, bot)
        assert update.message is not None and update.message.text == "Halo lewat webhook"
        assert (await citizen.wait_for_reply(timeout=5)).text == "Diterima"

        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )

        assert await bot.delete_webhook() is True
        await citizen.send_text("Kembali ke polling")
        (polled,) = await bot.get_updates(timeout=0)
        assert polled.message is not None and polled.message.text == "Kembali ke polling"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("max_connections", [40, 1])
async def test_webhook_delivers_a_chats_updates_in_turn_and_chats_at_once(
    api: LocalBotApi, bot: Bot, max_connections: int
) -> None:
    """As Telegram: a chat's next update only after the webhook answered its previous one;
    other chats' meanwhile, up to max_connections requests at once."""
    open_requests: dict[int, asyncio.Event] = {}  # update id -> answer it
    arrived: list[int] = []

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        release = open_requests.setdefault(body["update_id"], asyncio.Event())
        arrived.append(body["update_id"])
        await release.wait()
        return web.Response(text="ok")

    receiver = web.Application()
    receiver.router.add_post("/hook", hook)
    runner = web.AppRunner(receiver)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        assert await bot.set_webhook(url, max_connections=max_connections)
        rina, budi = api.user(user_id=501, first_name="Rina"), api.user(user_id=502)
        await rina.send_text("satu")
        await rina.send_text("dua")
        await budi.send_text("halo")
        first, second, other = (u["update_id"] for u in api.pending_updates)
        await asyncio.sleep(0.5)
        # Rina's second waits for her first; Budi's goes at once unless one request is all.
        assert arrived == ([first, other] if max_connections > 1 else [first])
        open_requests[first].set()
        await asyncio.sleep(0.5)
        # Answered: her second follows (behind Budi's when one request is all).
        assert arrived == ([first, other, second] if max_connections > 1 else [first, second])
        for update_id in (second, other):
            open_requests.setdefault(update_id, asyncio.Event()).set()
        for _ in range(50):
            if not api.pending_updates:
                break
            await asyncio.sleep(0.1)
        assert api.pending_updates == []
        assert sorted(arrived) == [first, second, other]
    finally:
        for release in open_requests.values():
            release.set()
        await bot.delete_webhook()
        await runner.cleanup()


# ----------------------------------------------------------------- chat page


async def test_chat_page_and_its_endpoints(api: LocalBotApi, bot: Bot) -> None:
    async with httpx.AsyncClient(base_url=api.url) as client:
        page = await client.get("/chat")
        assert page.status_code == 200
        assert "Ketik pesan…" in page.text and "Kirim" in page.text
        assert "innerHTML" not in page.text and "<script src" not in page.text

        sent = await client.post("/_local/chat/5151/send?name=Ani", json={"text": "/start"})
        assert sent.status_code == 200
        (update,) = await bot.get_updates(timeout=0)
        assert update.message is not None and update.message.text == "/start"
        assert update.message.from_user is not None
        assert update.message.from_user.first_name == "Ani"

        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("<Lapor>", callback_data="lapor")]])
        await bot.send_message(5151, "Selamat datang, <i>Ani</i>!", reply_markup=keyboard)
        state = (await client.get("/_local/chat/5151/messages")).json()
        bot_message = state["messages"][-1]
        assert bot_message["from_bot"] is True
        assert bot_message["text"] == "Selamat datang, <i>Ani</i>!"  # plain text, not HTML
        assert bot_message["buttons"][0][0]["text"] == "<Lapor>"

        pressed = await client.post(
            "/_local/chat/5151/press",
            json={"button": "lapor", "message_id": bot_message["message_id"]},
        )
        assert pressed.status_code == 200
        (press_update,) = await bot.get_updates(offset=update.update_id + 1, timeout=0)
        assert press_update.callback_query is not None
        assert press_update.callback_query.data == "lapor"
