"""Reachability of everything the front end depends on."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import text as sql
from telegram import Bot

from bot.store.db import get_engine


async def check(
    bot: Bot,
    rasa_url: str,
    action_endpoint_url: str,
    database_url: str,
    rasa_auth_token: str = "",
) -> dict[str, Any]:
    """{"ok": all reachable, "telegram": bool, "rasa": bool, "actions": bool, "database": bool}.

    Rasa's `/status` is part of its HTTP API: with a token it needs `?token=`.
    """

    async def telegram() -> bool:
        try:
            await asyncio.wait_for(bot.get_me(), timeout=5)
            return True
        except Exception:
            return False

    async def http_ok(url: str, params: dict[str, str] | None = None) -> bool:
        try:
            async with httpx.AsyncClient(timeout=3) as client:
                return (await client.get(url, params=params)).status_code == 200
        except httpx.HTTPError:
            return False

    def database() -> bool:
        try:
            with get_engine(database_url).connect() as connection:
                connection.execute(sql("SELECT 1"))
            return True
        except Exception:
            return False

    actions_health = action_endpoint_url.rsplit("/webhook", 1)[0] + "/health"
    results = await asyncio.gather(
        telegram(),
        http_ok(
            rasa_url.rstrip("/") + "/status",
            {"token": rasa_auth_token} if rasa_auth_token else None,
        ),
        http_ok(actions_health),
        asyncio.to_thread(database),
    )
    report: dict[str, Any] = dict(
        zip(("telegram", "rasa", "actions", "database"), results, strict=True)
    )
    report["ok"] = all(results)
    return report
