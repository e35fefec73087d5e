"""A tiny browser chat ("try it without Telegram") served by the local Bot API server.

Routes (all under the server's root URL):

* ``GET /`` and ``GET /chat`` – the page (``?user=<id>&name=<first name>``).
* ``GET /_local/chat/<user_id>/messages`` – the chat as JSON (polled by the page).
* ``POST /_local/chat/<user_id>/send`` – ``{"text": ...}``.
* ``POST /_local/chat/<user_id>/press`` – ``{"button": <text or data>, "message_id": ...}``.
* ``POST /_local/chat/<user_id>/location`` – ``{"latitude": ..., "longitude": ...}``.
* ``POST /_local/chat/<user_id>/photo`` – multipart ``photo`` (+ ``caption``).
* ``GET /_local/file/<file_id>`` – the content of a stored file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from aiohttp import web

from .simulated import SimulatedUser, Simulation
from .state import JSON, BotState, ChatState

_PAGE = Path(__file__).with_name("chat.html")
_MAX_USER_ID = 2**52


@lru_cache(maxsize=1)
def _page_html() -> str:
    return _PAGE.read_text(encoding="utf-8")


def add_chat_routes(app: web.Application, simulation: Simulation) -> None:
    """Register the chat page and its JSON endpoints on ``app``; users come from ``simulation``."""
    routes = _ChatRoutes(simulation)
    app.router.add_get("/", routes.page)
    app.router.add_get("/chat", routes.page)
    app.router.add_get("/_local/chat/{user_id}/messages", routes.messages)
    app.router.add_post("/_local/chat/{user_id}/send", routes.send)
    app.router.add_post("/_local/chat/{user_id}/press", routes.press)
    app.router.add_post("/_local/chat/{user_id}/location", routes.location)
    app.router.add_post("/_local/chat/{user_id}/photo", routes.photo)
    app.router.add_get("/_local/file/{file_id}", routes.file)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


class _ChatRoutes:
    """Handlers of the chat page endpoints."""

    def __init__(self, simulation: Simulation) -> None:
        self._simulation = simulation

    def _user(self, request: web.Request) -> SimulatedUser:
        raw = request.match_info["user_id"]
        if not raw.isdigit() or not 0 < int(raw) < _MAX_USER_ID:
            raise web.HTTPBadRequest(text="invalid user id")
        name = (request.query.get("name") or "Warga").strip()[:64] or "Warga"
        return self._simulation.user(int(raw), first_name=name)

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(text=_page_html(), content_type="text/html", charset="utf-8")

    async def messages(self, request: web.Request) -> web.Response:
        user = self._user(request)
        return web.json_response(chat_snapshot(self._simulation.state, user.chat, user))

    async def send(self, request: web.Request) -> web.Response:
        user = self._user(request)
        body = await _json_body(request)
        text = str(body.get("text", "")).strip()
        if not text:
            return _error(400, "teks kosong")
        if text.startswith("/"):
            await user.send_command(text)
        else:
            await user.send_text(text)
        return web.json_response({"ok": True})

    async def press(self, request: web.Request) -> web.Response:
        user = self._user(request)
        body = await _json_body(request)
        message_id = body.get("message_id")
        try:
            await user.press(
                str(body.get("button", "")),
                message_id=int(message_id) if message_id is not None else None,
            )
        except (LookupError, ValueError) as exc:
            return _error(404, str(exc))
        return web.json_response({"ok": True})

    async def location(self, request: web.Request) -> web.Response:
        user = self._user(request)
        body = await _json_body(request)
        try:
            latitude = float(body["latitude"])
            longitude = float(body["longitude"])
        except (KeyError, TypeError, ValueError):
            return _error(400, "koordinat tidak valid")
        if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
            return _error(400, "koordinat tidak valid")
        await user.send_location(latitude, longitude)
        return web.json_response({"ok": True})

    async def photo(self, request: web.Request) -> web.Response:
        user = self._user(request)
        form = await request.post()
        upload = form.get("photo")
        if not isinstance(upload, web.FileField):
            return _error(400, "foto tidak ditemukan")
        data = upload.file.read()
        caption = form.get("caption")
        await user.send_photo(
            data, caption=caption if isinstance(caption, str) and caption else None
        )
        return web.json_response({"ok": True})

    async def file(self, request: web.Request) -> web.Response:
        stored = self._simulation.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="invalid JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="invalid JSON")
    return body


def chat_snapshot(state: BotState, chat: ChatState, user: SimulatedUser) -> JSON:
    """The chat as the page needs it: messages, keyboard, typing state, callback answers."""
    messages = [
        _message_view(message, state.bot.id)
        for message_id, message in sorted(chat.messages.items())
        if message_id not in chat.deleted
    ]
    keyboard = chat.reply_keyboard or {}
    answers = [
        {"id": q.id, "text": q.answer.get("text"), "show_alert": q.answer.get("show_alert")}
        for q in state.callback_queries.values()
        if q.chat_id == chat.id and q.answer is not None
    ]
    return {
        "version": chat.version,
        "bot": state.bot.to_user(),
        "user": user.user,
        "action": chat.current_action(),
        "messages": messages,
        "keyboard": [[str(b.get("text", "")) for b in row] for row in keyboard.get("keyboard", [])],
        "answers": answers[-5:],
    }


def _message_view(message: JSON, bot_id: int) -> JSON:
    """Reduce a stored message to what the page renders."""
    photo = message.get("photo")
    document = message.get("document")
    sticker = message.get("sticker")
    view: JSON = {
        "message_id": message["message_id"],
        "from_bot": message["from"]["id"] == bot_id,
        "date": message["date"],
        "text": message.get("text", message.get("caption", "")),
        "entities": message.get("entities", message.get("caption_entities", [])),
        "edited": "edit_date" in message,
        "photo": photo[-1]["file_id"] if photo else None,
        "document": {"file_id": document["file_id"], "file_name": document.get("file_name")}
        if document
        else None,
        "location": message.get("location"),
        "sticker": sticker.get("emoji", "🖼") if sticker else None,
        "voice": "voice" in message,
        "contact": message.get("contact"),
        "buttons": (message.get("reply_markup") or {}).get("inline_keyboard", []),
    }
    return view
