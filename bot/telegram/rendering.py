"""Turning Rasa's replies into Telegram messages: HTML escaping, splitting, keyboards."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

TELEGRAM_TEXT_LIMIT = 4096
BUTTON_PREFIX = "btn:"
MAX_BUTTON_TITLE = 60
BUTTONS_PER_ROW = 2


@dataclass
class Outgoing:
    """One Telegram message to send: plain text (escaped later) and optional buttons."""

    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (title, payload)


def from_rasa(replies: list[dict[str, Any]]) -> list[Outgoing]:
    """Rasa REST replies -> as few Telegram messages as possible.

    Rasa splits texts at blank lines and sends each utterance separately; consecutive texts
    are joined again (with a blank line) and a message with buttons closes a group, so the
    buttons sit under the text they belong to.
    """
    out: list[Outgoing] = []
    texts: list[str] = []
    for reply in replies:
        text = str(reply.get("text") or "").strip()
        if reply.get("image"):
            text = f"{text}\n{reply['image']}".strip()
        if text:
            texts.append(text)
        buttons = [
            (str(b.get("title") or b.get("payload")), str(b.get("payload") or b.get("title")))
            for b in reply.get("buttons") or []
        ]
        if buttons:
            out.append(Outgoing("\n\n".join(texts) or "…", buttons))
            texts = []
    if texts:
        out.append(Outgoing("\n\n".join(texts)))
    return out


def escape(text: str) -> str:
    """Text made safe for parse_mode=HTML."""
    return html.escape(text, quote=False)


def split(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split into chunks of at most `limit` characters, at paragraph, line or word breaks."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), -1)
        if cut < limit // 2:
            cut = window.rfind("\n")
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not chunks:
        chunks.append(rest)
    return chunks


def html_chunks(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Escaped chunks, each within Telegram's limit after escaping.

    Escaping can lengthen text ('<' becomes '&lt;'); Telegram counts the characters after
    entity parsing, i.e. the unescaped text, so splitting the raw text is exact.
    """
    return [escape(chunk) for chunk in split(text, limit)]


def keyboard(titles: list[str]) -> InlineKeyboardMarkup:
    """An inline keyboard whose callback data are `btn:<index>` (payloads stay in the DB)."""
    buttons = [
        InlineKeyboardButton(title[:MAX_BUTTON_TITLE], callback_data=f"{BUTTON_PREFIX}{i}")
        for i, title in enumerate(titles)
    ]
    rows = [buttons[i : i + BUTTONS_PER_ROW] for i in range(0, len(buttons), BUTTONS_PER_ROW)]
    return InlineKeyboardMarkup(rows)


def parse_button(data: str | None) -> int | None:
    """The index in `btn:<index>` callback data, or None."""
    if not data or not data.startswith(BUTTON_PREFIX):
        return None
    tail = data[len(BUTTON_PREFIX) :]
    # ASCII digits only: '²' and '٣' pass str.isdigit() but not int() (forged data).
    return int(tail) if tail.isascii() and tail.isdigit() else None
