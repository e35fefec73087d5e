"""The "typing…" indicator: shown while a slow answer is awaited, not for a quick one.

A real python-telegram-bot Bot against the local Bot API server; the awaited body is a
sleep standing for Rasa (Conversation.typing needs nothing else).
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Bot
from telegram.ext import AIORateLimiter, ExtBot

from bot.telegram.conversation import Conversation
from devtools.local_api import LocalBotApi


def typing_calls(api: LocalBotApi, chat_id: int) -> list[Any]:
    return [
        c
        for c in api.calls_of("sendChatAction")
        if c.params.get("action") == "typing" and int(c.params["chat_id"]) == chat_id
    ]


async def test_a_slow_answer_shows_typing_and_a_quick_one_does_not() -> None:
    async with LocalBotApi() as api:
        user = api.user(user_id=4401, first_name="Rina")
        async with Bot(api.token, base_url=api.base_url) as bot:
            conversation = Conversation(bot, rasa=None, store=None)  # type: ignore[arg-type]
            async with conversation.typing(user.chat_id, delay=0.3):
                await asyncio.sleep(0.05)  # answered before the delay: no indicator
            await asyncio.sleep(0.4)  # the cancelled indicator does not come late
            assert typing_calls(api, user.chat_id) == []

            async with conversation.typing(user.chat_id, delay=0.3):
                await asyncio.sleep(1.0)
            assert len(typing_calls(api, user.chat_id)) == 1


async def test_typing_waits_for_room_under_the_telegram_rate_limit() -> None:
    """ "typing…" is a courtesy: while more than half of TELEGRAM_OVERALL_MAX_RATE is in
    use it is not sent, so the answers do not wait behind it (issue 12); with room to
    spare it is."""
    async with LocalBotApi() as api:
        user = api.user(user_id=4402, first_name="Rina")
        bot = ExtBot(
            api.token,
            base_url=api.base_url,
            rate_limiter=AIORateLimiter(overall_max_rate=4, max_retries=0),
        )
        async with bot:
            conversation = Conversation(bot, rasa=None, store=None)  # type: ignore[arg-type]
            for _ in range(3):  # three answers in this second: 3 of 4 in use
                await bot.send_message(user.chat_id, "jawaban")
            async with conversation.typing(user.chat_id, delay=0):
                await asyncio.sleep(0.1)
            assert typing_calls(api, user.chat_id) == []

            await asyncio.sleep(1.0)  # the limiter drains
            async with conversation.typing(user.chat_id, delay=0):
                await asyncio.sleep(0.1)
            assert len(typing_calls(api, user.chat_id)) == 1
