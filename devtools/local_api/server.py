"""The local Bot API server: HTTP front, long polling, webhooks and fault injection."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from . import methods
from .chat_page import add_chat_routes
from .errors import (
    BOT_BLOCKED,
    OTHER_GET_UPDATES,
    WEBHOOK_ACTIVE,
    ApiError,
    bad_request,
    conflict,
    forbidden,
    internal_server_error,
    not_found,
    too_many_requests,
    unauthorized,
)
from .params import Params
from .simulated import BotMessage, Simulation
from .state import ALL_UPDATE_TYPES, JSON, BotIdentity, BotState, WebhookConfig
from .webhook import WebhookDelivery

logger = logging.getLogger(__name__)

FAULT_KINDS = frozenset({"429", "500", "timeout", "403_blocked", "400"})
DEFAULT_BOT_ID = 7000000001
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_MAX_UPLOAD = 60 * 1024 * 1024

AsyncHandler = Callable[[Params], Awaitable[Any]]


@dataclass
class BotCall:
    """One request the bot made, for assertions in tests (``api.calls``)."""

    method: str
    params: dict[str, Any]
    time: float
    token: str
    status: int = 0
    response: JSON | None = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        """Whether Telegram would have answered ``"ok": true``."""
        return bool(self.response and self.response.get("ok"))

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call."""
        return (self.response or {}).get("result")

    @property
    def description(self) -> str | None:
        """The error description of a failed call."""
        return (self.response or {}).get("description")


@dataclass
class Fault:
    """A failure to inject into the next ``count`` matching calls."""

    method: str
    kind: str
    count: int = 1
    retry_after: int = 5
    chat_id: int | None = None
    hold: float = 30.0
    description: str | None = None
    used: int = field(default=0, init=False)

    def matches(self, method: str, params: Params) -> bool:
        """Whether this fault applies to a call of ``method`` with ``params``."""
        if self.method.lower() not in ("*", method.lower()):
            return False
        if self.chat_id is None:
            return True
        try:
            return int(params.get_str("chat_id") or 0) == self.chat_id
        except ValueError:
            return False

    def to_error(self) -> ApiError:
        """The error answered for this fault (not used for ``timeout``)."""
        if self.kind == "429":
            return too_many_requests(self.retry_after)
        if self.kind == "500":
            return internal_server_error()
        if self.kind == "403_blocked":
            return forbidden(BOT_BLOCKED)
        return ApiError(400, self.description or "Bad Request: injected fault")


class _DropRequest(Exception):
    """Hold the request for ``hold`` seconds, then close the connection without answering."""

    def __init__(self, hold: float) -> None:
        super().__init__(hold)
        self.hold = hold


class LocalBotApi:
    """A faithful local stand-in for Telegram's Bot API servers, serving one bot.

    Point python-telegram-bot at :attr:`base_url` and :attr:`base_file_url`; drive the
    conversation with :meth:`user` / :meth:`group`; assert on :attr:`calls`.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int | None = None,
        bot_username: str = "layanan_aduan_bot",
        bot_name: str = "Layanan Aduan",
        strict_token: bool = False,
        first_update_id: int = 1,
        webhook_retry_delay: float = 0.2,
        webhook_max_retry_delay: float = 5.0,
        webhook_timeout: float = 10.0,
    ) -> None:
        """Configure the server (nothing listens until :meth:`start`).

        Args:
            token: The bot token to advertise; by default any token is accepted.
            host: Interface to listen on.
            port: TCP port; 0 picks a free one.
            bot_id: The bot's user id (default: the number before ``:`` in the token).
            bot_username: The bot's @username (without ``@``).
            bot_name: The bot's first_name.
            strict_token: Answer 401 Unauthorized to any token but ``token``.
            first_update_id: update_id of the first update.
            webhook_retry_delay: First delay before re-posting a failed webhook update.
            webhook_max_retry_delay: Longest delay between webhook retries.
            webhook_timeout: How long a webhook POST may take.
        """
        self._bot_id = bot_id or _bot_id_from_token(token) or DEFAULT_BOT_ID
        self._token = token or f"{self._bot_id}:LOCAL-{secrets.token_urlsafe(24)}"
        self._host = host
        self._port = port
        self._strict_token = strict_token
        self._webhook_options = (webhook_retry_delay, webhook_max_retry_delay, webhook_timeout)
        self.state = BotState(BotIdentity(self._bot_id, bot_name, bot_username), first_update_id)
        self.calls: list[BotCall] = []
        self._faults: list[Fault] = []
        self.simulation = Simulation(self.state)
        # Simulated users and groups (see Simulation.user and Simulation.group).
        self.user = self.simulation.user
        self.group = self.simulation.group
        self._runner: web.AppRunner | None = None
        self._poller: object | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._closed = asyncio.Event()
        self._async_methods: dict[str, tuple[str, AsyncHandler]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getUpdates", self._get_updates),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("logOut", self._log_out),
                ("close", self._log_out),
            )
        }

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> LocalBotApi:
        """Start listening; returns self."""
        self._closed = asyncio.Event()
        self.state.closing = False
        app = web.Application(client_max_size=_MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("*", "/bot{token}/", self._handle_not_found)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_chat_routes(app, self.simulation)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        addresses = self._runner.addresses
        if addresses:
            self._port = int(addresses[0][1])
        if self.state.webhook is not None:
            self._start_webhook_delivery()
        logger.info("local Bot API server listening on %s", self.url)
        return self

    async def stop(self) -> None:
        """Stop serving; pending long polls return and held requests are dropped."""
        self.state.closing = True
        self._closed.set()
        self.state.update_signal.notify()
        self.state.notify_chat()
        await self._stop_webhook_delivery()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalBotApi:
        """Start the server for an ``async with`` block."""
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    # ----------------------------------------------------------------- URLs

    @property
    def token(self) -> str:
        """The bot token to give python-telegram-bot."""
        return self._token

    @property
    def port(self) -> int:
        """The TCP port (known after :meth:`start` when 0 was asked)."""
        return self._port

    @property
    def url(self) -> str:
        """Root URL of the server, e.g. ``http://127.0.0.1:8081``."""
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """PTB ``base_url``: ``http://127.0.0.1:PORT/bot`` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB ``base_file_url``: ``http://127.0.0.1:PORT/file/bot``."""
        return f"{self.url}/file/bot"

    @property
    def chat_url(self) -> str:
        """The browser chat page."""
        return f"{self.url}/chat"

    @property
    def bot_user(self) -> JSON:
        """The bot as a User object."""
        return self.state.bot.to_user()

    # --------------------------------------------------------- simulation

    def bot_messages(self, chat_id: int) -> list[BotMessage]:
        """Messages the bot sent to ``chat_id`` (not deleted), oldest first."""
        chat = self.state.chats.get(chat_id)
        if chat is None:
            return []
        return [BotMessage(chat, mid) for mid in chat.bot_message_ids if mid not in chat.deleted]

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by getUpdates or delivered to the webhook."""
        return self.state.updates.pending

    def calls_of(self, *method_names: str) -> list[BotCall]:
        """Recorded calls of the given methods (any letter case)."""
        wanted = {name.lower() for name in method_names}
        return [call for call in self.calls if call.method.lower() in wanted]

    # ------------------------------------------------------ fault injection

    def inject_fault(
        self,
        method: str,
        kind: str,
        count: int = 1,
        retry_after: int = 5,
        *,
        chat_id: int | None = None,
        hold: float = 30.0,
        description: str | None = None,
    ) -> Fault:
        """Make the next ``count`` calls of ``method`` (``"*"`` for any) fail.

        Kinds: ``"429"`` (flood control with ``retry_after``), ``"500"``, ``"timeout"``
        (hold the request ``hold`` seconds, then drop the connection), ``"403_blocked"``
        (bot blocked by the user) and ``"400"`` (with ``description``). ``chat_id``
        limits the fault to calls for that chat.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        fault = Fault(method, kind, count, retry_after, chat_id, hold, description)
        self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Remove all injected faults that were not used up."""
        self._faults.clear()

    def _take_fault(self, method: str, params: Params) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method, params):
                fault.used += 1
                if fault.used >= fault.count:
                    self._faults.remove(fault)
                return fault
        return None

    # -------------------------------------------------------- HTTP handlers

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        name = request.match_info["method"]
        try:
            params = await Params.from_request(request)
        except ApiError as exc:
            return _json_response(exc.to_json(), exc.status)
        try:
            status, body = await self.execute(name, params, token=token)
        except _DropRequest as drop:
            return await self._drop(request, drop.hold)
        return _json_response(body, status)

    async def _handle_not_found(self, request: web.Request) -> web.StreamResponse:
        return _json_response(not_found().to_json(), 404)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if self._strict_token and token != self._token:
            return _json_response(unauthorized().to_json(), 401)
        stored = self.state.files.by_path(request.match_info["path"])
        if stored is None:
            return _json_response(not_found().to_json(), 404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _drop(self, request: web.Request, hold: float) -> web.StreamResponse:
        """Keep the client waiting, then close the connection without an answer."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._closed.wait(), hold)
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=504)

    # ------------------------------------------------------------ dispatch

    async def execute(
        self, name: str, params: Params, *, token: str | None = None
    ) -> tuple[int, JSON]:
        """Run one Bot API call, record it in :attr:`calls`; return ``(status, body)``."""
        call = BotCall(self._canonical(name), params.snapshot(), time.time(), token or self._token)
        self.calls.append(call)
        try:
            if self._strict_token and call.token != self._token:
                raise unauthorized()
            fault = self._take_fault(name, params)
            if fault is not None:
                call.fault = fault.kind
                if fault.kind == "timeout":
                    call.status = 0
                    raise _DropRequest(fault.hold)
                raise fault.to_error()
            body = await self._run(name, params)
            status = 200
        except ApiError as exc:
            body, status = exc.to_json(), exc.status
            self.state.recent_errors.append(f"{call.method}: {exc.description}")
        call.status, call.response = status, body
        return status, body

    def _canonical(self, name: str) -> str:
        found = self._async_methods.get(name.lower()) or methods.lookup(name)
        return found[0] if found else name

    async def _run(self, name: str, params: Params) -> JSON:
        async_method = self._async_methods.get(name.lower())
        if async_method is not None:
            result = await async_method[1](params)
        else:
            result = methods.call_method(self.state, name, params)[1]
        if isinstance(result, methods.Described):
            return {"ok": True, "result": result.result, "description": result.description}
        return {"ok": True, "result": result}

    # --------------------------------------------------------- getUpdates

    async def _get_updates(self, p: Params) -> list[JSON]:
        """Long polling: wait up to ``timeout`` seconds for updates after ``offset``."""
        if self.state.webhook is not None:
            raise conflict(WEBHOOK_ACTIVE)
        offset = p.get_int("offset", 0) or 0
        limit = min(max(p.get_int("limit", 100) or 100, 1), 100)
        timeout = max(p.get_int("timeout", 0) or 0, 0)
        self.state.updates.set_allowed(_allowed_updates(p))
        self.state.updates.confirm(offset)
        ticket = object()
        self._poller = ticket
        self.state.update_signal.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._poller is not ticket:
                raise conflict(OTHER_GET_UPDATES)
            if self.state.webhook is not None:
                raise conflict("terminated by setWebhook request")
            batch = self.state.updates.take(limit)
            remaining = deadline - loop.time()
            if batch or self.state.closing or remaining <= 0:
                return batch
            await self.state.update_signal.wait(remaining)

    # ------------------------------------------------------------ webhook

    async def _set_webhook(self, p: Params) -> methods.Described:
        url = p.get_str("url") or ""
        if not url:
            return await self._delete_webhook(p)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("bad webhook: invalid webhook URL specified")
        secret = p.get_str("secret_token")
        if secret is not None and not _SECRET_RE.match(secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        allowed = _allowed_updates(p)
        if p.get_bool("drop_pending_updates"):
            self.state.updates.clear()
        self.state.updates.set_allowed(allowed)
        config = WebhookConfig(
            url=url,
            secret_token=secret or None,
            max_connections=p.get_int("max_connections", 40) or 40,
            ip_address=p.get_str("ip_address"),
            allowed_updates=allowed,
        )
        current = self.state.webhook
        if current is not None and _same_webhook(current, config):
            return methods.Described(True, "Webhook is already set")
        await self._stop_webhook_delivery()
        self.state.webhook = config
        self.state.update_signal.notify()
        self._start_webhook_delivery()
        return methods.Described(True, "Webhook was set")

    async def _delete_webhook(self, p: Params) -> methods.Described:
        if p.get_bool("drop_pending_updates"):
            self.state.updates.clear()
        if self.state.webhook is None:
            return methods.Described(True, "Webhook is already deleted")
        self.state.webhook = None
        self.state.update_signal.notify()
        await self._stop_webhook_delivery()
        return methods.Described(True, "Webhook was deleted")

    async def _get_webhook_info(self, p: Params) -> JSON:
        pending = len(self.state.updates)
        if self.state.webhook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
        return self.state.webhook.to_info(pending)

    async def _log_out(self, p: Params) -> bool:
        return True

    def _start_webhook_delivery(self) -> None:
        config = self.state.webhook
        if config is None or self._runner is None:
            return
        retry_delay, max_delay, timeout = self._webhook_options
        delivery = WebhookDelivery(
            self.state,
            config,
            retry_delay=retry_delay,
            max_retry_delay=max_delay,
            timeout=timeout,
            execute_reply=self._execute_webhook_reply,
        )
        self._webhook_task = asyncio.get_running_loop().create_task(delivery.run())

    async def _stop_webhook_delivery(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _execute_webhook_reply(self, name: str, values: dict[str, Any]) -> None:
        with contextlib.suppress(_DropRequest):
            await self.execute(name, Params(values))


def _json_response(body: JSON, status: int) -> web.Response:
    """Serialise a Bot API answer (UTF-8, no ASCII escaping, like Telegram)."""
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type="application/json",
    )


def _allowed_updates(p: Params) -> list[str] | None:
    """The allowed_updates parameter, validated."""
    allowed = p.get_json("allowed_updates", "can't parse allowed_updates JSON object")
    if allowed is None:
        return None
    if not isinstance(allowed, list) or not all(isinstance(item, str) for item in allowed):
        raise bad_request("can't parse allowed_updates JSON object")
    return [item for item in allowed if item in ALL_UPDATE_TYPES]


def _same_webhook(a: WebhookConfig, b: WebhookConfig) -> bool:
    """Whether two webhook settings are the same (setWebhook then says "already set")."""
    keys = ("url", "secret_token", "max_connections", "ip_address", "allowed_updates")
    return all(getattr(a, key) == getattr(b, key) for key in keys)


def _bot_id_from_token(token: str | None) -> int | None:
    """The bot id encoded before the colon of a token like ``123456:ABC``."""
    if token and ":" in token:
        head = token.split(":", 1)[0]
        if head.isdigit():
            return int(head)
    return None
