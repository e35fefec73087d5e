"""Hostile and odd input (tests/security/): the inputs themselves, waiting until the front end
has handled an update, and the checks every answer must pass (no markup taken from the
citizen, no handler that failed)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.telegram.app import TelegramFrontend
from devtools.local_api import LocalBotApi
from devtools.local_api.server import BotCall

# The citizen's text as SQL: classic tautologies, stacked queries, comments, LIKE
# wildcards, quotes of every kind, a NUL byte, and PostgreSQL's own syntax.
SQL_INJECTION = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "'; DROP TABLE tickets; --",
    "1; DELETE FROM inbox_messages WHERE 1=1",
    "ADU-' UNION SELECT password_hash FROM officers --",
    "%' AND 1=0 UNION SELECT NULL--",
    "\\'; SELECT pg_sleep(5); --",
    "$$; DROP TABLE outbox_messages; $$",
    "%",
    "_",
    "%%%",
    "' || (SELECT current_user) || '",
]
# The few that stand for the rest where every parameter of every page gets each.
SQL_INJECTION_CORE = [
    "' OR '1'='1",
    "'; DROP TABLE tickets; --",
    "%' AND 1=0 UNION SELECT NULL--",
    "\\'; SELECT pg_sleep(5); --",
    "%",
]
# Markup a renderer might execute or Telegram might parse: HTML, script, Markdown, entities.
MARKUP = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "<b>tebal</b>",
    "<i>",
    "</pre>",
    '<a href="tg://user?id=1">klik</a>',
    '<a href="javascript:alert(1)">x</a>',
    "<tg-spoiler>",
    "<blockquote expandable>",
    "&amp;",
    "&lt;",
    "&#0;",
    "&",
    "<",
    ">",
    "*tebal*",
    "_miring_",
    "`kode`",
    "```pre```",
    "[tautan](http://evil.example)",
    "||spoiler||",
    "{{ 7*7 }}",
    "{% raw %}",
    "${7*7}",
]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
RTL = ["\u202e", "\u202b", "\u200f", "\u061c", "مرحبا", "שלום", "\u202egnp.exe"]
EMOJI = ["😀", "👍🏽", "👨‍👩‍👧", "🇮🇩", "❤️‍🔥", "🙏", "🤬", "🏳️‍🌈", "🫠"]
# Entity types that only markup produces; the product formats nothing, so any of these in a
# sent message means text (the citizen's, perhaps) was read as markup.
FORMATTING = frozenset(
    {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    }
)
SENDING = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument")


def markup_problems(calls: list[BotCall]) -> list[str]:
    """What is wrong with the markup of these calls: not sent as HTML, refused by the Bot
    API ("can't parse entities"), or formatted."""
    problems = []
    for call in calls:
        if call.method not in SENDING:
            continue
        body = call.params.get("text") or call.params.get("caption") or ""
        mode = str(call.params.get("parse_mode") or "").lower()
        if mode != "html":
            problems.append(f"{call.method} without parse_mode HTML: {body[:80]!r}")
        if not call.ok:
            problems.append(f"{call.method} refused ({call.description}): {body[:80]!r}")
            continue
        result = call.result if isinstance(call.result, dict) else {}
        kinds = {e.get("type") for e in result.get("entities") or []} & FORMATTING
        if kinds:
            problems.append(f"{call.method} formatted {sorted(kinds)}: {body[:80]!r}")
    return problems


async def settle(
    api: LocalBotApi, frontend: TelegramFrontend, update_id: int, timeout: float = 30.0
) -> None:
    """Wait until the front end took the update from the Bot API server (it confirms an
    update only after storing and queueing it) and handled everything queued."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while any(u["update_id"] <= update_id for u in api.pending_updates):
        poller: Any = getattr(frontend, "_poller", None)
        if poller is not None and poller.done():
            error = None if poller.cancelled() else poller.exception()
            raise AssertionError(f"the front end stopped polling: {error!r}")
        if loop.time() > deadline:
            raise AssertionError(f"update {update_id} was never taken from the Bot API server")
        await asyncio.sleep(0.01)
    await asyncio.wait_for(frontend.queues.join(), timeout)


class Records(list[logging.LogRecord]):
    """Log records, shown by their count (hypothesis prints a failing example's fixtures)."""

    def __repr__(self) -> str:
        return f"<{len(self)} log records>"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records = Records()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("bot.", "telegram")):
            self.records.append(record)


@contextmanager
def errors_logged() -> Iterator[list[logging.LogRecord]]:
    """ERROR records of our code and python-telegram-bot while the block runs (a handler
    that raised is logged by the front end's error handler)."""
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


def describe(record: logging.LogRecord) -> str:
    """One line for an assertion message: the message and the exception, if any."""
    error = record.exc_info[1] if record.exc_info else None
    return f"{record.name}: {record.getMessage()} {error!r}"
