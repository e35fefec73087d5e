"""Where Rasa spends its time per message (bench/load.py --profile only).

Put this folder on PYTHONPATH of a `rasa run` process and set RASA_TIMING_FILE: every
message Rasa handles appends one JSON line with the wall time in seconds of its stages:

- total: Agent.handle_message (the conversation's lock included);
- tracker_load / tracker_save: SQLTrackerStore reading and writing the conversation;
- nlu: the NLU pipeline (MessageProcessor._parse_message_with_graph);
- policies: predicting each next action (MessageProcessor._predict_next_with_tracker);
- action_server: custom actions, the HTTP call to the action server (RemoteAction.run);
- actions_other: the rest of running actions (responses, forms, listen, events applied);
- sender and start (time.time()): which message it was, for bench/load.py to split a
  turn's latency into before Rasa, Rasa, and after Rasa.

The sync stages (tracker, NLU, policies) run on Rasa's event loop, so their wall time is
the time they hold it; the action server call is awaited, so under load it includes
waiting for the loop. Rasa's modules are patched as they are imported (nothing is imported
early). Not used by the service.
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

_FILE = os.environ.get("RASA_TIMING_FILE")
_record: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "rasa_timing", default=None
)


def _add(stage: str, seconds: float) -> None:
    record = _record.get()
    if record is not None:
        record[stage] = record.get(stage, 0.0) + seconds


def _timed_sync(stage: str, function: Any) -> Any:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _add(stage, time.perf_counter() - started)

    return wrapper


def _timed_async(stage: str, function: Any) -> Any:
    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await function(*args, **kwargs)
        finally:
            _add(stage, time.perf_counter() - started)

    return wrapper


def _patch_agent(module: Any) -> None:
    handle = module.Agent.handle_message
    out = open(str(_FILE), "a", buffering=1)  # noqa: SIM115 - one line per message, kept open

    @functools.wraps(handle)
    async def handle_message(self: Any, message: Any) -> Any:
        record: dict[str, Any] = {"sender": message.sender_id, "start": time.time()}
        token = _record.set(record)
        started = time.perf_counter()
        try:
            return await handle(self, message)
        finally:
            record["total"] = time.perf_counter() - started
            _record.reset(token)
            out.write(json.dumps(record) + "\n")

    module.Agent.handle_message = handle_message


def _patch_processor(module: Any) -> None:
    cls = module.MessageProcessor
    cls._parse_message_with_graph = _timed_sync("nlu", cls._parse_message_with_graph)
    cls._predict_next_with_tracker = _timed_sync("policies", cls._predict_next_with_tracker)
    cls._run_action = _timed_async("actions", cls._run_action)


def _patch_tracker_store(module: Any) -> None:
    cls = module.SQLTrackerStore
    cls._retrieve = _timed_async("tracker_load", cls._retrieve)
    cls.save = _timed_async("tracker_save", cls.save)


def _patch_action(module: Any) -> None:
    cls = module.RemoteAction
    cls.run = _timed_async("action_server", cls.run)


_TARGETS = {
    "rasa.core.agent": _patch_agent,
    "rasa.core.processor": _patch_processor,
    "rasa.core.tracker_store": _patch_tracker_store,
    "rasa.core.actions.action": _patch_action,
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
