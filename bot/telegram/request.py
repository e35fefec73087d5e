"""The front end's HTTP client for the Bot API: python-telegram-bot's requests over aiohttp.

python-telegram-bot sends every Bot API call through a `BaseRequest`; its default,
HTTPXRequest, cost the front end about 1.2 ms of CPU per call on the development machine
against 0.13 ms through aiohttp (10 calls at once, the shape of bench/load.py), and a
message takes three to four calls (getUpdates, sendMessage, a button's answer and
edit): a large share of the front end's cost per message (issue 12). `AiohttpRequest`
keeps HTTPXRequest's behaviour: the same default timeouts, parameters sent as form fields
(files as multipart), a timeout raised as `TimedOut` and any other failure on the way as
`NetworkError`, the status and body handed back for python-telegram-bot to read.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp session (its pool of `connection_pool_size`
    connections), opened by `initialize` and closed by `shutdown`.

    aiohttp has no write timeout: `write_timeout` is accepted and not applied (a request
    body here is a few hundred bytes; an upload is not made by this front end). The
    connect timeout covers waiting for a free connection of the pool too (aiohttp's
    `connect`), with `pool_timeout` added to it.
    """

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again after `shutdown`)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                trust_env=True,  # HTTPS_PROXY and NO_PROXY, as httpx reads them
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One Bot API request: its HTTP status and body."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as exc:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc


class _Form(aiohttp.payload.BytesPayload):
    """Form fields already url-encoded."""

    def __init__(self, value: bytes) -> None:
        super().__init__(value, content_type="application/x-www-form-urlencoded")


def _body(request_data: RequestData | None) -> Any:
    """The parameters as form fields (as HTTPXRequest sends them), multipart with files."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        # Encoded here: aiohttp would build a FormData for the dict first.
        return _Form(urlencode(fields).encode()) if fields else None
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, *rest = part
        form.add_field(name, content, filename=filename, content_type=rest[0] if rest else None)
    return form
