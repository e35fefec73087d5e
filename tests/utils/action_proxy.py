"""An HTTP proxy between Rasa and the action server, to kill the action server at one exact
moment: after it ran an action (its database writes committed) and before Rasa got the
answer, the worst moment for a process to die while a ticket is being filed."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}


class ActionProxy:
    """Forwards every request to `upstream`; `trap` arms a one-time kill."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._trap: tuple[str, Callable[[], Any], bool] | None = None
        self.sprung = asyncio.Event()
        self._sprung_once = threading.Event()  # the same, for a test on another loop
        self.actions_seen: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> ActionProxy:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def trap(self, action: str, spring: Callable[[], Any], answer: bool = False) -> None:
        """The next time the action server answers a call of `action`, call `spring`
        (e.g. SIGKILL the action server) and drop Rasa's connection without an answer;
        `answer`: give Rasa the action server's answer after all (e.g. the front end
        killed while Rasa finishes the turn)."""
        self.sprung.clear()
        self._sprung_once.clear()
        self._trap = (action, spring, answer)

    async def wait_sprung(self, timeout: float) -> None:
        """Wait until the trap was sprung (also when the proxy serves on another event
        loop: ThreadedActionProxy); TimeoutError after `timeout` seconds."""
        if not await asyncio.to_thread(self._sprung_once.wait, timeout):
            raise TimeoutError(f"the trap was not sprung within {timeout:g} s")

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        action = ""
        if request.method == "POST" and body:
            try:
                action = str((await request.json()).get("next_action") or "")
            except ValueError:
                action = ""
        if action:
            self.actions_seen.append(action)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        try:
            async with self._session.request(
                request.method,
                f"{self.upstream}{request.rel_url}",
                data=body,
                headers=headers,
            ) as upstream:
                payload = await upstream.read()
                status = upstream.status
                content_type = upstream.headers.get("Content-Type", "application/json")
        except aiohttp.ClientError:
            # The action server is down: Rasa sees what it would see without the proxy.
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=502)
        if self._trap is not None and action == self._trap[0]:
            _, spring, answer = self._trap
            self._trap = None
            log.warning("trap sprung after %s answered", action)
            spring()
            self.sprung.set()
            self._sprung_once.set()
            if answer:
                return web.Response(
                    body=payload, status=status, headers={"Content-Type": content_type}
                )
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=502)
        return web.Response(body=payload, status=status, headers={"Content-Type": content_type})


class ThreadedActionProxy:
    """An ActionProxy served by an event loop of its own in a thread, for a stack that
    outlives every test's event loop (tests/production's session stack): Rasa's calls to
    the action servers go through whether or not a test is awaiting something."""

    def __init__(self, upstream: str) -> None:
        self.proxy = ActionProxy(upstream)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="action-proxy", daemon=True
        )

    def start(self, port: int = 0) -> ActionProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.proxy.start(port), self._loop).result(30)
        return self.proxy

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        self._loop.close()
