"""Delivery of updates to the bot's webhook, as Telegram does it: a chat's updates one
after another (the next only once the webhook answered the previous one), different
chats' at the same time, up to the webhook's ``max_connections``; a failed update is
retried after a growing delay while its chat waits behind it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from .state import JSON, BotState, WebhookConfig, now

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Runs a method the webhook answered with (``{"method": "sendMessage", ...}``).
ReplyExecutor = Callable[[str, dict[str, Any]], Awaitable[None]]
_IDLE_WAIT_S = 30.0


def chat_key(update: JSON) -> str:
    """What orders an update: its chat (a button press: the chat of its message, else its
    sender); an update without either stands alone."""
    for kind, value in update.items():
        if not isinstance(value, dict) or kind == "update_id":
            continue
        chat = value.get("chat")
        if not isinstance(chat, dict):
            message = value.get("message")
            chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return f"chat:{chat['id']}"
        sender = value.get("from") or value.get("user")
        if isinstance(sender, dict) and "id" in sender:
            return f"user:{sender['id']}"
    return f"update:{update.get('update_id')}"


class WebhookDelivery:
    """POSTs pending updates to ``config.url`` until the webhook is removed."""

    def __init__(
        self,
        state: BotState,
        config: WebhookConfig,
        *,
        retry_delay: float,
        max_retry_delay: float,
        timeout: float,
        execute_reply: ReplyExecutor,
    ) -> None:
        """Prepare delivery for ``config``; call :meth:`run` in a task."""
        self._state = state
        self._config = config
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._timeout = timeout
        self._execute_reply = execute_reply
        self._delays: dict[str, float] = {}  # chat key -> its next retry delay

    def _active(self) -> bool:
        return self._state.webhook is self._config and not self._state.closing

    async def run(self) -> None:
        """Deliver updates, each chat's in order; wait for new ones; retry failures."""
        in_flight: dict[str, asyncio.Task[None]] = {}
        limit = max(self._config.max_connections, 1)
        connector = aiohttp.TCPConnector(limit=limit)
        try:
            async with aiohttp.ClientSession(connector=connector) as session:
                while self._active():
                    waiting: set[str] = set(in_flight)
                    for update in self._state.updates.pending:
                        key = chat_key(update)
                        if key in waiting:
                            continue  # behind an earlier update of its chat
                        waiting.add(key)
                        if len(in_flight) >= limit:
                            break
                        in_flight[key] = asyncio.create_task(self._deliver(session, update, key))
                    signal = asyncio.create_task(self._state.update_signal.wait(_IDLE_WAIT_S))
                    done, _ = await asyncio.wait(
                        {signal, *in_flight.values()}, return_when=asyncio.FIRST_COMPLETED
                    )
                    if signal not in done:
                        signal.cancel()
                    for key, task in list(in_flight.items()):
                        if task.done():
                            del in_flight[key]
        finally:
            for task in in_flight.values():
                task.cancel()
            for task in in_flight.values():
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _deliver(self, session: aiohttp.ClientSession, update: JSON, key: str) -> None:
        """POST one update; on failure keep it (and its chat) waiting for a retry."""
        error = await self._post(session, update)
        if error is None:
            self._state.updates.remove(update["update_id"])
            self._delays.pop(key, None)
            self._state.update_signal.notify()
            return
        self._config.last_error_date = now()
        self._config.last_error_message = error
        logger.info("webhook delivery of update %s failed: %s", update["update_id"], error)
        delay = self._delays.get(key, self._retry_delay)
        self._delays[key] = min(delay * 2, self._max_retry_delay)
        await asyncio.sleep(delay)

    async def _post(self, session: aiohttp.ClientSession, update: JSON) -> str | None:
        """POST one update; return None on success or Telegram's error text."""
        headers = {"Content-Type": "application/json"}
        if self._config.secret_token:
            headers[SECRET_HEADER] = self._config.secret_token
        timeout = aiohttp.ClientTimeout(total=self._timeout)
        try:
            async with session.post(
                self._config.url,
                data=json.dumps(update, ensure_ascii=False).encode("utf-8"),
                headers=headers,
                timeout=timeout,
            ) as response:
                body = await response.read()
                if not 200 <= response.status < 300:
                    return f"Wrong response from the webhook: {response.status} {response.reason}"
        except asyncio.TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except aiohttp.ClientError as exc:
            return f"Connection error: {exc}"
        await self._run_reply(body, response.content_type)
        return None

    async def _run_reply(self, body: bytes, content_type: str) -> None:
        """Execute a method call returned in the webhook response, as Telegram does."""
        if content_type != "application/json" or not body.strip():
            return
        try:
            reply = json.loads(body)
        except ValueError:
            return
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            params = {k: v for k, v in reply.items() if k != "method"}
            await self._execute_reply(reply["method"], params)
