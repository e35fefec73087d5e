"""Bot API methods that read or change the in-memory state (no waiting, no networking).

getUpdates and the webhook methods need the HTTP server and live in ``server.py``.
"""

from __future__ import annotations

import copy
import json
import mimetypes
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .entities import EntityParseError, FormattedText, format_text
from .errors import (
    BOT_BLOCKED,
    MESSAGE_TEXT_EMPTY,
    QUERY_TOO_OLD,
    ApiError,
    bad_request,
    forbidden,
)
from .markup import ReplyMarkup, parse_reply_markup
from .media import MAX_DOWNLOAD_SIZE, StoredFile, image_size, photo_sizes
from .params import Params, UploadedFile
from .state import JSON, BotState, ChatState, now

Handler = Callable[[BotState, Params], Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass(frozen=True)
class Described:
    """A successful result that also carries Telegram's ``description`` text."""

    result: Any
    description: str


REGISTRY: dict[str, tuple[str, Handler]] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under a Bot API method name (matched case-insensitively)."""

    def register(func: Handler) -> Handler:
        REGISTRY[name.lower()] = (name, func)
        return func

    return register


def lookup(name: str) -> tuple[str, Handler] | None:
    """Return ``(canonical name, handler)`` for a method name in any letter case."""
    return REGISTRY.get(name.lower())


# ------------------------------------------------------------------ helpers


def _chat_id_param(p: Params) -> str | int:
    """The chat_id parameter, or 400 "chat_id is empty"."""
    value = p.values.get("chat_id")
    if value is None or value == "":
        raise bad_request("chat_id is empty")
    return value if isinstance(value, (str, int)) else str(value)


def _writable_chat(state: BotState, chat_id: str | int) -> ChatState:
    """Resolve a chat the bot wants to write to, with Telegram's 403 errors."""
    chat = state.find_chat(chat_id)
    if chat.blocked:
        raise forbidden(BOT_BLOCKED)
    if not chat.started:
        raise forbidden("bot can't initiate conversation with a user")
    return chat


def _explicit_entities(p: Params, name: str) -> list[JSON] | None:
    """Entities passed explicitly instead of a parse_mode."""
    value = p.get_json(name, "can't parse entities JSON object")
    if value is None:
        return None
    valid = isinstance(value, list) and all(
        isinstance(e, dict)
        and isinstance(e.get("type"), str)
        and isinstance(e.get("offset"), int)
        and isinstance(e.get("length"), int)
        for e in value
    )
    if not valid:
        raise bad_request("can't parse entities JSON object")
    return list(value)


def _format(text: str, parse_mode: str | None, entities: list[JSON] | None) -> FormattedText:
    """Format text, translating parser errors into Telegram's 400 answers."""
    try:
        return format_text(text, parse_mode, entities)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    except ValueError:
        raise bad_request("unsupported parse_mode") from None


def _text_content(p: Params) -> JSON:
    """Validate text/parse_mode/entities of a text message."""
    text = p.get_str("text")
    if text is None or not text.strip():
        raise bad_request(MESSAGE_TEXT_EMPTY)
    formatted = _format(text, p.get_str("parse_mode"), _explicit_entities(p, "entities"))
    if not formatted.text:
        raise bad_request(MESSAGE_TEXT_EMPTY)
    if len(formatted.text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    content: JSON = {"text": formatted.text}
    if formatted.entities:
        content["entities"] = formatted.entities
    return content


def _caption_content(p: Params) -> JSON:
    """Validate caption/parse_mode/caption_entities of a media message."""
    caption = p.get_str("caption")
    if not caption:
        return {}
    formatted = _format(caption, p.get_str("parse_mode"), _explicit_entities(p, "caption_entities"))
    if len(formatted.text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    content: JSON = {"caption": formatted.text} if formatted.text else {}
    if formatted.entities:
        content["caption_entities"] = formatted.entities
    return content


def _markup(p: Params) -> ReplyMarkup | None:
    """The validated reply_markup parameter."""
    return parse_reply_markup(
        p.get_json("reply_markup", "can't parse reply keyboard markup JSON object")
    )


def _reply_target(state: BotState, chat: ChatState, p: Params) -> JSON | None:
    """The message replied to (reply_parameters or the legacy reply_to_message_id)."""
    params = p.get_json("reply_parameters", "can't parse reply parameters JSON object")
    if params is None:
        message_id = p.get_int("reply_to_message_id")
        allow = p.get_bool("allow_sending_without_reply")
    elif isinstance(params, dict):
        message_id = params.get("message_id")
        allow = bool(params.get("allow_sending_without_reply"))
        if params.get("chat_id") not in (None, chat.id):
            chat = state.find_chat(params["chat_id"])
    else:
        raise bad_request("can't parse reply parameters JSON object")
    if not message_id:
        return None
    target = chat.live_message(int(message_id))
    if target is None:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    reply = copy.deepcopy(target)
    reply.pop("reply_to_message", None)
    return reply


def _send(state: BotState, p: Params, build_content: Callable[[], JSON]) -> JSON:
    """Common path of every send method: validate, store the message, notify watchers."""
    chat_id = _chat_id_param(p)
    content = build_content()
    markup = _markup(p)
    chat = _writable_chat(state, chat_id)
    reply = _reply_target(state, chat, p)
    if reply is not None:
        content = {"reply_to_message": reply, **content}
    if markup is not None and markup.is_inline:
        content["reply_markup"] = markup.markup
    message = chat.new_message(state.bot.to_user(), content)
    _apply_keyboard(chat, message["message_id"], markup)
    chat.record_bot_event("sent", message["message_id"])
    state.notify_chat()
    return copy.deepcopy(message)


def _apply_keyboard(chat: ChatState, message_id: int, markup: ReplyMarkup | None) -> None:
    """Show or hide the custom reply keyboard of a chat."""
    if markup is None:
        return
    if markup.kind == "keyboard":
        chat.reply_keyboard = markup.markup
        chat.reply_keyboards[message_id] = markup.markup
    elif markup.kind == "remove":
        chat.reply_keyboard = None


def _input_file(state: BotState, p: Params, name: str, kind: str) -> StoredFile | UploadedFile:
    """Resolve a file parameter to an upload or a known file of the right kind."""
    value = p.file(name)
    if value is None:
        raise bad_request(f"there is no {name} in the request")
    if isinstance(value, UploadedFile):
        if not value.data:
            raise bad_request("file must be non-empty")
        return value
    if value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    stored = state.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    return stored


# ----------------------------------------------------------------- the bot


@method("getMe")
def get_me(state: BotState, p: Params) -> JSON:
    """Return the bot's User object."""
    return {
        **state.bot.to_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("getChat")
def get_chat(state: BotState, p: Params) -> JSON:
    """Return a ChatFullInfo object for a known chat."""
    chat = state.find_chat(_chat_id_param(p))
    return {
        **copy.deepcopy(chat.chat),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def _commands_key(p: Params) -> tuple[str, str]:
    """Storage key of a command list: its scope and language."""
    scope = p.get_json("scope", "can't parse BotCommandScope JSON object") or {"type": "default"}
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(scope, sort_keys=True), p.get_str("language_code") or ""


@method("setMyCommands")
def set_my_commands(state: BotState, p: Params) -> bool:
    """Store the command list for a scope and language."""
    commands = p.get_json("commands", "can't parse commands JSON object")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    cleaned: list[JSON] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name = str(command.get("command", "")).strip()
        description = str(command.get("description", "")).strip()
        if not _COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    state.commands[_commands_key(p)] = cleaned
    return True


@method("getMyCommands")
def get_my_commands(state: BotState, p: Params) -> list[JSON]:
    """Return the command list of exactly this scope and language."""
    return copy.deepcopy(state.commands.get(_commands_key(p), []))


@method("deleteMyCommands")
def delete_my_commands(state: BotState, p: Params) -> bool:
    """Forget the command list of a scope and language."""
    state.commands.pop(_commands_key(p), None)
    return True


def _setting_setter(name: str, field: str) -> None:
    """Register a trivial set/get pair such as setMyDescription/getMyDescription."""

    def setter(state: BotState, p: Params) -> bool:
        state.settings[(field, p.get_str("language_code") or "")] = p.get_str(field) or ""
        return True

    def getter(state: BotState, p: Params) -> JSON:
        return {field: state.settings.get((field, p.get_str("language_code") or ""), "")}

    method(f"setMy{name}")(setter)
    method(f"getMy{name}")(getter)


_setting_setter("Description", "description")
_setting_setter("ShortDescription", "short_description")
_setting_setter("Name", "name")


@method("setChatMenuButton")
def set_chat_menu_button(state: BotState, p: Params) -> bool:
    """Accept a menu button (nothing to show locally)."""
    state.settings["menu_button"] = p.get_json("menu_button")
    return True


# --------------------------------------------------------------- messages


@method("sendMessage")
def send_message(state: BotState, p: Params) -> JSON:
    """Send a text message."""
    return _send(state, p, lambda: _text_content(p))


@method("sendPhoto")
def send_photo(state: BotState, p: Params) -> JSON:
    """Send a photo (upload, attach:// part or the file_id of a known photo)."""

    def build() -> JSON:
        source = _input_file(state, p, "photo", "photo")
        if isinstance(source, UploadedFile):
            size = image_size(source.data)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            sizes = photo_sizes(state.files, source.data, size)
        else:
            sizes = copy.deepcopy(source.photo_group or [])
        return {"photo": sizes, **_caption_content(p)}

    return _send(state, p, build)


@method("sendDocument")
def send_document(state: BotState, p: Params) -> JSON:
    """Send a general file."""

    def build() -> JSON:
        source = _input_file(state, p, "document", "document")
        if isinstance(source, UploadedFile):
            name = source.filename or "document"
            mime = source.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            source = state.files.add("document", source.data, mime_type=mime, file_name=name)
        return {"document": document_object(source), **_caption_content(p)}

    return _send(state, p, build)


def document_object(stored: StoredFile) -> JSON:
    """Return the Bot API Document object of a stored file."""
    document: JSON = {
        "file_name": stored.file_name or "document",
        "mime_type": stored.mime_type or "application/octet-stream",
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.file_size,
    }
    return document


@method("sendLocation")
def send_location(state: BotState, p: Params) -> JSON:
    """Send a point on the map."""

    def build() -> JSON:
        latitude = p.get_float("latitude")
        longitude = p.get_float("longitude")
        if latitude is None:
            raise bad_request("latitude is empty")
        if longitude is None:
            raise bad_request("longitude is empty")
        if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
            raise bad_request("wrong coordinates specified")
        return {"location": {"latitude": latitude, "longitude": longitude}}

    return _send(state, p, build)


def _message_to_edit(state: BotState, p: Params) -> tuple[ChatState, JSON]:
    """Find the bot message addressed by chat_id + message_id for an edit."""
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = state.find_chat(_chat_id_param(p))
    message_id = p.get_int("message_id")
    if not message_id:
        raise bad_request("message identifier is not specified")
    message = chat.live_message(message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message["from"].get("is_bot") or message["from"]["id"] != state.bot.id:
        raise bad_request("message can't be edited")
    return chat, message


def _inline_markup(p: Params) -> JSON | None:
    """The reply_markup of an edit: only inline keyboards are allowed."""
    markup = _markup(p)
    if markup is None:
        return None
    if not markup.is_inline:
        raise bad_request("inline keyboard expected")
    return markup.markup


def _commit_edit(state: BotState, chat: ChatState, message: JSON, changes: JSON) -> JSON:
    """Apply changes to a message (None removes a field) and notify watchers."""
    if all(message.get(key) == value for key, value in changes.items()):
        raise bad_request(_NOT_MODIFIED)
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    chat.record_bot_event("edited", message["message_id"])
    state.notify_chat()
    return copy.deepcopy(message)


@method("editMessageText")
def edit_message_text(state: BotState, p: Params) -> JSON:
    """Edit the text of a bot message; a missing reply_markup removes the keyboard."""
    chat, message = _message_to_edit(state, p)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    content = _text_content(p)
    changes: JSON = {
        "text": content["text"],
        "entities": content.get("entities"),
        "reply_markup": _inline_markup(p),
    }
    edited = _commit_edit(state, chat, message, changes)
    message["edit_date"] = edited["edit_date"] = now()
    return edited


@method("editMessageCaption")
def edit_message_caption(state: BotState, p: Params) -> JSON:
    """Edit the caption of a bot media message."""
    chat, message = _message_to_edit(state, p)
    if "text" in message:
        raise bad_request("there is no caption in the message to edit")
    content = _caption_content(p)
    changes: JSON = {
        "caption": content.get("caption"),
        "caption_entities": content.get("caption_entities"),
        "reply_markup": _inline_markup(p),
    }
    edited = _commit_edit(state, chat, message, changes)
    message["edit_date"] = edited["edit_date"] = now()
    return edited


@method("editMessageReplyMarkup")
def edit_message_reply_markup(state: BotState, p: Params) -> JSON:
    """Replace (or remove, when absent) the inline keyboard of a bot message."""
    chat, message = _message_to_edit(state, p)
    return _commit_edit(state, chat, message, {"reply_markup": _inline_markup(p)})


@method("deleteMessage")
def delete_message(state: BotState, p: Params) -> bool:
    """Delete a message of the chat."""
    chat = state.find_chat(_chat_id_param(p))
    message_id = p.get_int("message_id")
    if not message_id:
        raise bad_request("message identifier is not specified")
    if chat.live_message(message_id) is None:
        raise bad_request("message to delete not found")
    chat.deleted.add(message_id)
    chat.record_bot_event("deleted", message_id)
    state.notify_chat()
    return True


@method("answerCallbackQuery")
def answer_callback_query(state: BotState, p: Params) -> bool:
    """Answer a callback query once (later answers fail like on Telegram)."""
    query_id = p.require("callback_query_id", QUERY_TOO_OLD)
    record = state.callback_queries.get(query_id)
    if record is None or record.answer is not None:
        raise bad_request(QUERY_TOO_OLD)
    text = p.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answer = {
        "text": text,
        "show_alert": p.get_bool("show_alert"),
        "url": p.get_str("url"),
        "cache_time": p.get_int("cache_time", 0),
    }
    chat = state.chats.get(record.chat_id)
    if chat is not None:
        chat.version += 1
    state.notify_chat()
    return True


@method("sendChatAction")
def send_chat_action(state: BotState, p: Params) -> bool:
    """Show "typing…" (or another action) in a chat for a few seconds."""
    chat_id = _chat_id_param(p)
    action = p.get_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat = _writable_chat(state, chat_id)
    chat.action = (action, time.monotonic())
    chat.version += 1
    state.notify_chat()
    return True


# ------------------------------------------------------------------- files


@method("getFile")
def get_file(state: BotState, p: Params) -> JSON:
    """Return the File object (with file_path) of a known file_id."""
    file_id = p.require("file_id", "invalid file_id")
    stored = state.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.file_size > MAX_DOWNLOAD_SIZE:
        raise bad_request("file is too big")
    return stored.to_file()


def call_method(state: BotState, name: str, p: Params) -> tuple[str, Any]:
    """Run a registered method; return ``(canonical name, result)`` or raise ApiError."""
    found = lookup(name)
    if found is None:
        raise ApiError(
            400,
            f"Bad Request: unknown method '{name}' (not implemented by the local Bot API server)",
        )
    canonical, handler = found
    return canonical, handler(state, p)
