"""The front end's Bot API client (bot.telegram.request.AiohttpRequest) behaves as
python-telegram-bot's HTTPXRequest did: parameters as form fields, the status and body handed
back, a timeout as TimedOut, an unreachable server as NetworkError, the proxy of the
environment used."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram.request import AiohttpRequest


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[web.Request], dict[str, str]]]:
    """A local server answering every request; what it received."""
    seen: list[web.Request] = []
    forms: dict[str, str] = {}

    async def answer(request: web.Request) -> web.Response:
        seen.append(request)
        forms.update({k: str(v) for k, v in (await request.post()).items()})
        if request.path.endswith("/slow"):
            await asyncio.sleep(2)
        return web.Response(status=429 if request.path.endswith("/busy") else 200, text='{"ok":1}')

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", seen, forms
    await runner.cleanup()


async def test_parameters_go_as_form_fields_and_the_answer_comes_back(server) -> None:
    base, seen, forms = server
    request = AiohttpRequest()
    await request.initialize()
    try:
        data = RequestData(
            [
                RequestParameter.from_input("chat_id", 42),
                RequestParameter.from_input("text", "Halo & <b>selamat</b>"),
            ]
        )
        status, body = await request.do_request(f"{base}/botX/sendMessage", "POST", data)
        assert (status, body) == (200, b'{"ok":1}')
        assert forms == {"chat_id": "42", "text": "Halo & <b>selamat</b>"}
        assert seen[0].content_type == "application/x-www-form-urlencoded"
        assert (await request.do_request(f"{base}/botX/busy", "POST", data))[0] == 429
    finally:
        await request.shutdown()


async def test_a_slow_answer_is_a_timeout_and_no_server_a_network_error(server) -> None:
    base, _, _ = server
    request = AiohttpRequest(read_timeout=0.3)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"{base}/botX/slow", "POST")
        with pytest.raises(NetworkError):
            await request.do_request("http://127.0.0.1:1/botX/getMe", "POST")
    finally:
        await request.shutdown()


async def test_the_proxy_of_the_environment_is_used(
    server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator behind a proxy sets HTTPS_PROXY (HTTP_PROXY here): the Bot API is reached
    through it, as python-telegram-bot's httpx client did."""
    base, seen, _ = server
    monkeypatch.setenv("HTTP_PROXY", base)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    request = AiohttpRequest()
    await request.initialize()
    try:
        status, _ = await request.do_request("http://api.telegram.invalid/botX/getMe", "POST")
        assert status == 200
        assert seen[-1].host == "api.telegram.invalid"  # the proxy got the request for it
    finally:
        await request.shutdown()
