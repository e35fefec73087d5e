"""Property-based fuzzing of Telegram updates through the real front end (polling the local
Bot API server), real Rasa, action server and PostgreSQL.

Generated: random Unicode, 4,096-character messages, zero-width and right-to-left
characters, emoji only, HTML and Markdown control characters, commands with garbage
arguments, callback data the bot never issued, edited messages, channel posts, group
messages and updates with fields missing or of the wrong type. For every update:

- the front end keeps polling and no handler fails (nothing logged at ERROR);
- a text or command in a private chat gets an answer, and its inbox row is closed (done,
  or held for consent): nothing is left for the retry job;
- a pressed button is always answered (answerCallbackQuery), never-issued data politely;
- nothing the bot sends is formatted or refused by the Bot API: every text goes out with
  parse_mode HTML and the citizen's markup escaped.

After the run a citizen's ordinary question is still answered.

Examples: FUZZ_EXAMPLES (default 60: 20 to 60 s here, by the machine's load); the
nightly run uses 10,000:
FUZZ_EXAMPLES=10000 .venv/bin/python -m pytest tests/security/test_fuzz_updates.py
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.db import get_engine
from bot.store.models import InboxMessage
from bot.telegram.app import TelegramFrontend, bot_id_of
from devtools.local_api import LocalBotApi
from devtools.local_api.state import ALL_UPDATE_TYPES, now
from tests.utils.hostile import (
    EMOJI,
    MARKUP,
    RTL,
    SQL_INJECTION,
    ZERO_WIDTH,
    describe,
    errors_logged,
    markup_problems,
    settle,
)
from tests.utils.telegram import reply_with

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
CONSENTED = range(8100, 8120)  # citizens who agreed to the privacy notice
NEWCOMER_IDS = itertools.count(8200)  # each newcomer writes once, before any consent
GROUP_ID = -1008300
CHANNEL_ID = -1008301
COMMANDS = ["/start", "/status", "/jawab", "/lapor", "/batal", "/bantuan", "/survei", "/privasi"]
COMMANDS += ["/hapusdata", "/selesai", "/status@LayananAduanBot", "/" + "x" * 40, "/ADU-123"]


def pieces() -> st.SearchStrategy[str]:
    """One fragment of hostile text."""
    return st.one_of(
        st.sampled_from(MARKUP + ZERO_WIDTH + RTL + EMOJI + SQL_INJECTION),
        st.text(min_size=1, max_size=12),
        st.sampled_from(["halo", "syarat KTP", "ADU-7K3M9P", "biaya SIM", " ", "\n", "\x00"]),
    )


def texts() -> st.SearchStrategy[str]:
    """Message texts: random Unicode, hostile fragments, emoji only, Telegram's maximum."""
    return st.one_of(
        st.text(min_size=1, max_size=200),
        st.lists(pieces(), min_size=1, max_size=10).map("".join),
        st.lists(st.sampled_from(EMOJI), min_size=1, max_size=20).map("".join),
        st.sampled_from(["a", "<", "😀", "\u200b", "syarat ktp "]).map(lambda s: (s * 4096)[:4096]),
        st.text(
            alphabet=st.characters(codec="utf-8", categories=["Cf", "Mn", "Zs", "So"]),
            min_size=1,
            max_size=50,
        ),
    )


def callback_data() -> st.SearchStrategy[str]:
    """Data of buttons the bot never issued: its own prefixes with garbage, and anything."""
    prefixes = st.sampled_from(["btn:", "consent:", "delete:", ""])
    tails = st.one_of(
        st.sampled_from(["0", "-1", "99999999999999999999", "²", "١", "1e3", "yes ", "YES"]),
        st.text(max_size=60),
    )
    return st.builds(lambda p, t: (p + t)[:64], prefixes, tails)


@dataclass
class Example:
    """One update to send and what it must get."""

    kind: str
    text: str = ""
    user_id: int = 0
    data: str = ""
    broken: str = ""


def examples() -> st.SearchStrategy[Example]:
    users = st.sampled_from(list(CONSENTED))
    return st.one_of(
        st.builds(Example, st.just("text"), texts(), users),
        st.builds(Example, st.just("newcomer"), texts()),
        st.builds(
            Example,
            st.just("command"),
            st.builds(lambda c, a: f"{c} {a}".rstrip(), st.sampled_from(COMMANDS), texts()),
            users,
        ),
        st.builds(Example, st.just("callback"), user_id=users, data=callback_data()),
        st.builds(Example, st.just("edited"), texts(), users),
        st.builds(Example, st.just("group"), texts(), users),
        st.builds(
            Example,
            st.just("group"),
            st.builds(lambda c, a: f"{c} {a}", st.sampled_from(COMMANDS), texts()),
            users,
        ),
        st.builds(Example, st.just("channel"), texts()),
        st.builds(
            Example,
            st.just("broken"),
            texts(),
            users,
            broken=st.sampled_from(
                [
                    "no_from",
                    "no_chat",
                    "no_date",
                    "no_content",
                    "text_number",
                    "chat_id_text",
                    "callback_bare",
                    "inline_callback",
                    "reaction",
                    "empty_update",
                ]
            ),
        ),
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def consent_given(frontend: TelegramFrontend) -> None:
    """The pool of citizens who agreed to the privacy notice (stored as the button does)."""
    for uid in CONSENTED:
        await frontend.store.record_consent(str(uid), uid, f"Warga{uid}")


async def push(api: LocalBotApi, example: Example) -> int:
    """Put the example's update on the Bot API server; returns its update id."""
    state = api.state
    if example.kind in ("text", "newcomer", "command"):
        user = api.user(user_id=example.user_id, first_name=f"Warga{example.user_id}")
        sent = await (
            user.send_command(example.text)
            if example.kind == "command"
            else user.send_text(example.text)
        )
        return _last_update_id(api, sent["message_id"])
    if example.kind == "callback":
        user = api.user(user_id=example.user_id, first_name=f"Warga{example.user_id}")
        replies = user.replies()
        message = (
            replies[-1].raw
            if replies
            else user.chat.new_message(user.user, {"text": "pesan tanpa tombol"})
        )
        query = state.new_callback_query(user.chat, message, user.user, example.data)
        return _pushed(state.push_update("callback_query", query))
    if example.kind == "edited":
        user = api.user(user_id=example.user_id, first_name=f"Warga{example.user_id}")
        sent = user.chat.new_message(user.user, {"text": "pesan awal"})
        edited = {**sent, "text": example.text, "edit_date": now()}
        return _pushed(state.push_update("edited_message", edited))
    if example.kind == "group":
        member = api.group(GROUP_ID, "Grup <b>RT</b> 03").user(
            user_id=example.user_id, first_name=f"Warga{example.user_id}"
        )
        sent = await member.send_text(example.text)
        return _last_update_id(api, sent["message_id"], GROUP_ID)
    if example.kind == "channel":
        chat = state.add_group(CHANNEL_ID, "Kanal Berita", "channel", "kanalberita")
        post = {
            "message_id": chat.next_message_id,
            "date": now(),
            "chat": dict(chat.chat),
            "sender_chat": dict(chat.chat),
            "text": example.text,
        }
        chat.next_message_id += 1
        return _pushed(state.push_update("channel_post", post))
    return _pushed(_broken(api, example))


def _broken(api: LocalBotApi, example: Example) -> Any:
    """An update with a field missing or of the wrong type."""
    state = api.state
    user = api.user(user_id=example.user_id, first_name=f"Warga{example.user_id}")
    message: dict[str, Any] = user.chat.new_message(user.user, {"text": example.text})
    how = example.broken
    if how == "no_from":
        message.pop("from")
    elif how == "no_chat":
        message.pop("chat")
    elif how == "no_date":
        message.pop("date")
    elif how == "no_content":
        message.pop("text")
    elif how == "text_number":
        message["text"] = 12345
    elif how == "chat_id_text":
        message["chat"] = {**message["chat"], "id": "bukan-angka"}
    elif how in ("callback_bare", "inline_callback"):
        # A query Telegram knows (so it can be answered) without a message or data.
        query = state.new_callback_query(user.chat, message, user.user, "")
        query.pop("message")
        query.pop("data")
        if how == "inline_callback":
            query.update(inline_message_id="AAAA", data=example.text[:64])
        return state.push_update("callback_query", query)
    elif how == "reaction":
        reaction = {
            "chat": message["chat"],
            "message_id": message["message_id"],
            "user": user.user,
            "date": now(),
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
        }
        return _unasked(state, "message_reaction", reaction)
    elif how == "empty_update":
        return _unasked(state, "poll", {})
    return state.push_update("message", message)


def _unasked(state: Any, kind: str, payload: Any) -> Any:
    """An update of a kind the front end does not ask for (app.ALLOWED_UPDATES): Telegram
    still delivers those created before a change of allowed_updates."""
    state.updates.set_allowed(list(ALL_UPDATE_TYPES))
    return state.push_update(kind, payload)


def _pushed(update: Any) -> int:
    assert update is not None, "the Bot API server did not queue the update"
    return int(update["update_id"])


def _last_update_id(api: LocalBotApi, message_id: int, chat_id: int | None = None) -> int:
    for update in reversed(api.pending_updates):
        message = update.get("message") or {}
        if message.get("message_id") == message_id and (
            chat_id is None or message.get("chat", {}).get("id") == chat_id
        ):
            return int(update["update_id"])
    raise AssertionError(f"message {message_id} not queued")


def inbox_status(frontend: TelegramFrontend, update_id: int) -> str | None:
    with Session(get_engine(frontend.settings.database_url)) as s:
        return s.scalar(
            select(InboxMessage.status).where(
                InboxMessage.bot_id == bot_id_of(frontend.settings.telegram_bot_token),
                InboxMessage.update_id == update_id,
                InboxMessage.dedup_active.is_(True),
            )
        )


@pytest.fixture(scope="module")
def error_records() -> Iterator[list[Any]]:
    with errors_logged() as records:
        yield records


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(example=examples())
async def test_any_update_is_survived_and_answered(
    api: LocalBotApi,
    frontend: TelegramFrontend,
    consent_given: None,
    error_records: list[Any],
    example: Example,
) -> None:
    if example.kind == "newcomer":
        example.user_id = next(NEWCOMER_IDS)
    known = api.state.chats.get(example.user_id)
    replies_before = len(known.bot_message_ids) if known is not None else 0
    calls_before = len(api.calls)
    errors_before = len(error_records)
    update_id = await push(api, example)
    await settle(api, frontend, update_id)
    chat = api.state.chats.get(example.user_id)

    new_calls = api.calls[calls_before:]
    failures = [describe(r) for r in error_records[errors_before:]]
    assert failures == [], failures
    assert markup_problems(new_calls) == []
    if example.kind in ("text", "newcomer", "command"):
        assert chat is not None
        assert len(chat.bot_message_ids) > replies_before, f"no answer to {example.text!r}"
        assert inbox_status(frontend, update_id) in ("done", "held")
    if example.kind == "callback":
        answered = [c for c in new_calls if c.method == "answerCallbackQuery"]
        assert answered and all(c.ok for c in answered), "a pressed button was not answered"
    if example.kind == "channel":
        assert [c for c in new_calls if c.method == "sendMessage"] == []


async def test_a_citizen_is_served_after_the_fuzzing(
    api: LocalBotApi, frontend: TelegramFrontend, consent_given: None
) -> None:
    user = api.user(user_id=CONSENTED[0], first_name="Warga")
    await user.send_text("berapa biaya SKCK?")
    await reply_with(user, "Biaya")
