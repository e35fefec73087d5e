"""Delivery of updates to the bot's webhook, one at a time, retried on failure."""

from __future__ import annotations

import asyncio
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

    def _active(self) -> bool:
        return self._state.webhook is self._config and not self._state.closing

    async def run(self) -> None:
        """Deliver updates in order; wait for new ones; back off after failures."""
        delay = self._retry_delay
        async with aiohttp.ClientSession() as session:
            while self._active():
                pending = self._state.updates.take(1)
                if not pending:
                    await self._state.update_signal.wait(30.0)
                    continue
                update = pending[0]
                error = await self._post(session, update)
                if error is None:
                    self._state.updates.remove(update["update_id"])
                    delay = self._retry_delay
                    continue
                self._config.last_error_date = now()
                self._config.last_error_message = error
                logger.info("webhook delivery of update %s failed: %s", update["update_id"], error)
                await self._state.update_signal.wait(delay)
                delay = min(delay * 2, self._max_retry_delay)

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
