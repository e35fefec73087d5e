"""Where the front end spends a turn's time (bench/load.py --profile only).

Put this folder on PYTHONPATH of `python -m bot telegram` and set FRONTEND_TIMING_FILE:
every step of handling an update appends one JSON line {"key", "step", "t0", "t1"}
(time.time() at its start and end; "key" the sender's Telegram user id), for bench/load.py
to lay each turn out from the citizen's message to the last reply:

- polled: getUpdates handed the update to the front end (t0: the long poll returned;
  t1: its JSON read, before the update is stored);
- store_update: the inbox write (thread pool + commit), before the update is queued;
- process_update: python-telegram-bot's dispatch of the update to the handlers (t0 only
  matters: the queue handoff ends there);
- live_check: whether a live chat with an officer takes the message (one database trip);
- rasa: the REST call to Rasa;
- queue_conversation: closing the inbox row and queueing the replies in the outbox;
- api:<method>: a Bot API call through python-telegram-bot (rate limiter included);
- outbox_delivered: recording a reply sent.

Steps of one update carry its sender through a context variable set at dispatch (tasks
started from the handler inherit it). Rasa's own time comes from bench/rasa_timing.
Not used by the service.
"""

from __future__ import annotations

import contextvars
import functools
import importlib.abc
import importlib.machinery
import json
import os
import sys
import time
from typing import Any

_FILE = os.environ.get("FRONTEND_TIMING_FILE")
_key: contextvars.ContextVar[str | None] = contextvars.ContextVar("frontend_key", default=None)
_out: Any = None


def _write(key: Any, step: str, t0: float, t1: float) -> None:
    global _out
    if key is None:
        return
    if _out is None:
        _out = open(str(_FILE), "a", buffering=1)  # noqa: SIM115 - kept open
    _out.write(json.dumps({"key": str(key), "step": step, "t0": t0, "t1": t1}) + "\n")


def _timed(step: str, function: Any, key_of: Any) -> Any:
    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.time()
        try:
            return await function(*args, **kwargs)
        finally:
            try:
                key = key_of(*args, **kwargs)
            except Exception:
                key = None
            _write(key if key is not None else _key.get(), step, t0, time.time())

    return wrapper


def _sender_of_update(update: Any) -> str | None:
    user = getattr(update, "effective_user", None)
    return str(user.id) if user is not None else None


def _patch_store(module: Any) -> None:
    cls = module.AsyncStore
    cls.store_update = _timed("store_update", cls.store_update, lambda s, *a, **k: a[3])
    cls.live_add_citizen_message = _timed(
        "live_check", cls.live_add_citizen_message, lambda s, sender, *a, **k: sender
    )
    cls.queue_conversation = _timed(
        "queue_conversation", cls.queue_conversation, lambda s, chat, *a, **k: chat
    )
    cls.outbox_delivered = _timed(
        "outbox_delivered", cls.outbox_delivered, lambda s, item, *a, **k: item.chat_id
    )


def _patch_conversation(module: Any) -> None:
    cls = module.RasaClient
    cls.send = _timed("rasa", cls.send, lambda s, sender, *a, **k: sender)


def _patch_bot(module: Any) -> None:
    cls = module.Bot
    post = cls._post

    @functools.wraps(post)
    async def _post(self: Any, endpoint: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        t0 = time.time()
        result = await post(self, endpoint, data, *args, **kwargs)
        t1 = time.time()
        if endpoint == "getUpdates":
            for update in result if isinstance(result, list) else []:
                payload = update if isinstance(update, dict) else {}
                for kind in ("message", "callback_query", "edited_message"):
                    sender = (payload.get(kind) or {}).get("from") or {}
                    if sender.get("id") is not None:
                        _write(sender["id"], "polled", t0, t1)
                        break
        else:
            chat = (data or {}).get("chat_id") if isinstance(data, dict) else None
            _write(chat if chat is not None else _key.get(), f"api:{endpoint}", t0, t1)
        return result

    cls._post = _post


def _patch_application(module: Any) -> None:
    cls = module.Application
    process = cls.process_update

    @functools.wraps(process)
    async def process_update(self: Any, update: Any) -> Any:
        key = _sender_of_update(update)
        token = _key.set(key)
        t0 = time.time()
        try:
            return await process(self, update)
        finally:
            _write(key, "process_update", t0, time.time())
            _key.reset(token)

    cls.process_update = process_update


_TARGETS = {
    "bot.telegram.store": _patch_store,
    "bot.telegram.conversation": _patch_conversation,
    "telegram._bot": _patch_bot,
    "telegram.ext._application": _patch_application,
}


class _Patcher(importlib.abc.MetaPathFinder):
    """Patches each target module right after it is executed."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name not in _TARGETS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        execute = loader.exec_module

        def exec_module(module: Any) -> None:
            execute(module)
            _TARGETS[name](module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if _FILE:
    sys.meta_path.insert(0, _Patcher())
