"""Webhook mode's door: the secret token Telegram sends with every update.

A real front end (TelegramFrontend, python-telegram-bot) in webhook mode on the local Bot
API server, which registers it with setWebhook and POSTs updates to it with the
X-Telegram-Bot-Api-Secret-Token header, as Telegram does. No Rasa: the commands used here
are answered by the front end itself. A SQLite store of the module's own.

- every request without the exact secret (missing, empty, wrong, a prefix, another case,
  in the query string or another header) is refused with 403 and nothing is stored or
  answered; the same update with the secret is stored and answered once;
- hypothesis: any header value but the secret is refused; any body with the secret
  gets 200 or 400, never 500, and only a JSON object with an integer update_id leaves an
  inbox row;
- setWebhook is called with the secret, the chosen allowed_updates and max_connections,
  and keeps the updates already waiting (drop_pending_updates is false);
- the settings refuse webhook mode without a secret in every environment, a secret
  Telegram would refuse, and in production a short secret or a plain-HTTP URL.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.store.db import get_engine, prepare_database
from bot.store.models import InboxMessage
from bot.telegram.app import ALLOWED_UPDATES, SECRET_HEADER, WEBHOOK_PATH, TelegramFrontend
from devtools.devstack import free_port
from devtools.local_api import LocalBotApi
from devtools.local_api.state import now

ON_LOOP = pytest.mark.asyncio(loop_scope="module")  # the module's front end runs on it

SECRET = "Wb7_hook-secret-for-the-security-suite-0123456789"
BOT_ID = 7291
UPDATE_IDS = itertools.count(930_000)
USER_IDS = itertools.count(9301)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api() -> AsyncIterator[LocalBotApi]:
    async with LocalBotApi(bot_id=BOT_ID) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def hook(
    api: LocalBotApi, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TelegramFrontend]:
    """The front end in webhook mode, registered at the local Bot API server."""
    folder = tmp_path_factory.mktemp("webhook-secret")
    database_url = f"sqlite:///{folder / 'layanan.db'}"
    await asyncio.to_thread(prepare_database, database_url, "never")
    # An update that waits at "Telegram" before the webhook is set: it must not be dropped.
    api.user(user_id=9300, first_name="Menunggu")
    waiting = await api.user(user_id=9300).send_text("/privasi")
    port = free_port()
    app = TelegramFrontend(
        Settings(
            app_env="test",
            database_url=database_url,
            telegram_bot_token=api.token,
            telegram_api_base_url=api.base_url,
            telegram_api_file_url=api.base_file_url,
            telegram_webhook_url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
            telegram_webhook_secret=SECRET,
            telegram_webhook_max_connections=12,
            frontend_port=port,
            rasa_url=f"http://127.0.0.1:{free_port()}",  # nothing listens: no Rasa here
            rasa_tracker_url=f"sqlite:///{folder / 'tracker.db'}",
            var_dir=folder / "var",
            outbox_poll_s=0.2,
        )
    )
    app.waiting_message_id = waiting["message_id"]  # type: ignore[attr-defined]
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def _url(hook: TelegramFrontend) -> str:
    return hook.settings.telegram_webhook_url


def _inbox_rows(hook: TelegramFrontend, update_id: int | None = None) -> int:
    query = select(func.count()).select_from(InboxMessage)
    if update_id is not None:
        query = query.where(InboxMessage.update_id == update_id)
    with Session(get_engine(hook.settings.database_url)) as s:
        return int(s.scalar(query) or 0)


def _command(update_id: int, user_id: int, text: str = "/privasi") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id % 100_000,
            "date": now(),
            "chat": {"id": user_id, "type": "private", "first_name": f"Warga{user_id}"},
            "from": {"id": user_id, "is_bot": False, "first_name": f"Warga{user_id}"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def _until(check: Any, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} within {timeout} s")
        await asyncio.sleep(0.05)


@ON_LOOP
async def test_set_webhook_registers_the_secret_and_keeps_waiting_updates(
    api: LocalBotApi, hook: TelegramFrontend
) -> None:
    config = api.state.webhook
    assert config is not None
    assert config.url == _url(hook)
    assert config.secret_token == SECRET
    assert config.allowed_updates == list(ALLOWED_UPDATES)
    assert config.max_connections == 12
    calls = api.calls_of("setWebhook")
    assert calls and str(calls[-1].params.get("drop_pending_updates")).lower() == "false"
    # The update that waited before the webhook was set arrives and is answered.
    user = api.user(user_id=9300)
    await _until(lambda: len(user.replies()) >= 1, 20, "the waiting /privasi answered")


@pytest.mark.parametrize(
    "headers_or_params",
    [
        {},
        {"headers": {SECRET_HEADER: ""}},
        {"headers": {SECRET_HEADER: "wrong"}},
        {"headers": {SECRET_HEADER: SECRET[:-1]}},
        {"headers": {SECRET_HEADER: SECRET + "x"}},
        {"headers": {SECRET_HEADER: SECRET.upper()}},
        {"headers": {"X-Telegram-Bot-Api-Secret": SECRET}},
        {"headers": {"Authorization": f"Bearer {SECRET}"}},
        {"params": {"secret_token": SECRET}},
    ],
    ids=[
        "missing",
        "empty",
        "wrong",
        "prefix",
        "longer",
        "other-case",
        "other-header",
        "authorization",
        "query-string",
    ],
)
@ON_LOOP
async def test_a_request_without_the_secret_is_refused_and_nothing_is_stored(
    api: LocalBotApi, hook: TelegramFrontend, headers_or_params: dict[str, Any]
) -> None:
    user_id = next(USER_IDS)
    api.user(user_id=user_id)
    update_id = next(UPDATE_IDS)
    calls = len(api.calls)
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            _url(hook), json=_command(update_id, user_id), **headers_or_params
        )
    assert answer.status_code == 403
    await asyncio.sleep(0.3)  # a handler, had one run, would have answered by now
    assert _inbox_rows(hook, update_id) == 0
    assert [c for c in api.calls[calls:] if c.method == "sendMessage"] == []
    # The same update with the secret is taken, and answered once even when sent again.
    async with httpx.AsyncClient() as client:
        for _ in range(2):
            ok = await client.post(
                _url(hook), json=_command(update_id, user_id), headers={SECRET_HEADER: SECRET}
            )
            assert ok.status_code == 200
    user = api.user(user_id=user_id)
    await _until(lambda: len(user.replies()) >= 1, 20, "the /privasi answered")
    await hook.queues.join()
    assert _inbox_rows(hook, update_id) == 1
    assert len(user.replies()) == 1


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
_BODIES = st.one_of(
    st.binary(max_size=200),
    _JSON.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries(
        {"update_id": st.integers(min_value=-(2**63), max_value=2**63 - 1)},
        optional={
            "message": _JSON,
            "callback_query": _JSON,
            "edited_message": _JSON,
            "channel_post": _JSON,
        },
    ).map(lambda value: json.dumps(value).encode()),
)
# Header values an HTTP client can send (visible ASCII, inner spaces), never the secret.
_HEADER_VALUES = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300
).filter(lambda value: value == value.strip() and value != SECRET)


@ON_LOOP
@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=_HEADER_VALUES, body=_BODIES)
async def test_any_header_but_the_secret_is_refused(
    hook: TelegramFrontend, value: str, body: bytes
) -> None:
    before = _inbox_rows(hook)
    async with httpx.AsyncClient() as client:
        answer = await client.post(_url(hook), content=body, headers={SECRET_HEADER: value})
    assert answer.status_code == 403
    assert _inbox_rows(hook) == before


@ON_LOOP
@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=_BODIES)
async def test_with_the_secret_any_body_is_answered_without_a_server_error(
    hook: TelegramFrontend, body: bytes
) -> None:
    try:
        decoded: Any = json.loads(body)
        is_json = True
    except ValueError:
        decoded, is_json = None, False
    update_id = decoded.get("update_id") if isinstance(decoded, dict) else None
    usable = isinstance(update_id, int) and not isinstance(update_id, bool)
    before = _inbox_rows(hook, update_id) if usable else 0
    async with httpx.AsyncClient() as client:
        answer = await client.post(_url(hook), content=body, headers={SECRET_HEADER: SECRET})
    assert answer.status_code in (200, 400), answer.text
    if not is_json:
        assert answer.status_code == 400
    if usable:
        assert _inbox_rows(hook, update_id) in (before, 1)  # stored once, or a duplicate
    assert hook.port is not None


@ON_LOOP
async def test_after_the_fuzzing_a_citizen_is_still_answered(
    api: LocalBotApi, hook: TelegramFrontend
) -> None:
    user = api.user(user_id=next(USER_IDS), first_name="Rina")
    await user.send_text("/privasi")
    await _until(lambda: len(user.replies()) >= 1, 20, "/privasi answered after the fuzzing")


# -- the settings ----------------------------------------------------------------------------

PRODUCTION: dict[str, Any] = {
    "app_env": "production",
    "secret_key": "k8Jr2mX0qv7Lw9pT4nZc1sYb6hGd3fEa",
    "telegram_bot_token": "123456789:AAH3kq8ZbX2mN7pR1sT5vW9yC4dF6gJ0lQe",
    "database_url": "postgresql://layanan:pw@db:5432/layanan",
    "rasa_auth_token": "Zq4vN8cR2wX6mT0pL5sK9dJ3hF7gB1yA",
    "telegram_webhook_url": "https://aduan.example.go.id/telegram/webhook",
}


@pytest.mark.parametrize("env", ["development", "test", "production"])
def test_webhook_mode_without_a_secret_is_refused_everywhere(env: str, tmp_path: Path) -> None:
    values = {**PRODUCTION, "app_env": env, "telegram_webhook_secret": ""}
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings(**values)


@pytest.mark.parametrize(
    ("secret", "env", "url"),
    [
        ("has space", "development", "http://127.0.0.1:8090/telegram/webhook"),
        ("ümlaut", "development", "http://127.0.0.1:8090/telegram/webhook"),
        ("x" * 257, "development", "http://127.0.0.1:8090/telegram/webhook"),
        ("short_but_valid", "production", PRODUCTION["telegram_webhook_url"]),
        ("change-me-" + "a" * 30, "production", PRODUCTION["telegram_webhook_url"]),
        ("A" * 43, "production", "http://aduan.example.go.id/telegram/webhook"),
    ],
    ids=["space", "non-ascii", "too-long", "short", "placeholder", "plain-http"],
)
def test_a_secret_telegram_or_production_would_refuse_is_refused(
    secret: str, env: str, url: str
) -> None:
    values = {**PRODUCTION, "app_env": env, "telegram_webhook_url": url}
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK"):
        Settings(**values, telegram_webhook_secret=secret)


def test_a_good_secret_is_taken() -> None:
    settings = Settings(**PRODUCTION, telegram_webhook_secret="Zx9_" + "q" * 40)
    assert settings.telegram_webhook_max_connections == 40
    dev = Settings(
        app_env="development",
        telegram_webhook_url="http://127.0.0.1:8090/telegram/webhook",
        telegram_webhook_secret="dev_secret",
    )
    assert dev.telegram_webhook_secret == "dev_secret"
