"""Validation of reply_markup (inline keyboards, reply keyboards, remove/force reply)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .entities import check_link
from .errors import bad_request

JSON = dict[str, Any]

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_MARKUP_ERROR = "can't parse reply keyboard markup JSON object"


@dataclass(frozen=True)
class ReplyMarkup:
    """A validated reply_markup: ``kind`` is inline, keyboard, remove or force_reply."""

    kind: str
    markup: JSON

    @property
    def is_inline(self) -> bool:
        """Whether this is an inline keyboard (the only markup stored in a Message)."""
        return self.kind == "inline"


def parse_reply_markup(value: Any) -> ReplyMarkup | None:
    """Validate a decoded reply_markup; raise Telegram's 400 errors for bad ones."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(_MARKUP_ERROR)
    if "inline_keyboard" in value:
        rows = _rows(value["inline_keyboard"], "inline_keyboard", _inline_button)
        return ReplyMarkup("inline", {"inline_keyboard": rows})
    if "keyboard" in value:
        rows = _rows(value["keyboard"], "keyboard", _keyboard_button)
        return ReplyMarkup("keyboard", {**value, "keyboard": rows})
    if value.get("remove_keyboard"):
        return ReplyMarkup("remove", dict(value))
    if value.get("force_reply"):
        return ReplyMarkup("force_reply", dict(value))
    raise bad_request(_MARKUP_ERROR)


def _rows(value: Any, name: str, parse_button: Any) -> list[list[JSON]]:
    """Validate an array of button rows."""
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise bad_request(f'{_MARKUP_ERROR}: Field "{name}" must be of type Array of Array')
    return [[parse_button(button) for button in row] for row in value]


def _inline_button(button: Any) -> JSON:
    """Validate one InlineKeyboardButton."""
    prefix = "can't parse inline keyboard button"
    if not isinstance(button, dict):
        raise bad_request(f"{prefix}: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str):
        raise bad_request(f'{prefix}: Field "text" must be of type String')
    if not any(key in button for key in _INLINE_ACTIONS):
        raise bad_request(f"{prefix}: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not check_link(str(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")
    return dict(button)


def _keyboard_button(button: Any) -> JSON:
    """Validate one KeyboardButton (a string or an object with text)."""
    if isinstance(button, str):
        return {"text": button}
    if isinstance(button, dict) and isinstance(button.get("text"), str):
        return dict(button)
    raise bad_request("can't parse keyboard button: KeyboardButton must be a String or an Object")


def inline_buttons(message: JSON) -> list[JSON]:
    """All inline keyboard buttons of a message, row by row."""
    markup = message.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]
