"""Logging of our processes: quiet by default, one line per meaningful event, JSON optional.

LOG_LEVEL sets the level (INFO by default). Libraries that log routine work at INFO are
held at WARNING unless LOG_LEVEL=DEBUG: apscheduler (two lines per job run, i.e. every
second in the Telegram front end), alembic (its context and every migration step on each
CLI call), httpx/httpcore (every HTTP request, with the bot token in the URL), and in the
action server sanic's access log (an empty line per action call) and rasa_sdk's list of
registered actions at each start.
LOG_FORMAT=json writes one JSON object per line (python-json-logger) for log collectors.
Bot tokens and `token=` query parameters are masked in every line.
"""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from typing import TextIO

# Loggers that narrate routine work at INFO.
CHATTY_LOGGERS = (
    "apscheduler",
    "alembic",
    "httpx",
    "httpcore",
    "sanic.access",
    "rasa_sdk.executor",
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
_SECRETS = (
    (re.compile(r"(/(?:file/)?bot\d+:)[A-Za-z0-9_-]+"), r"\1***"),  # Bot API URLs
    (re.compile(r"(\btoken=)[^&\s\"']+"), r"\1***"),  # Rasa's ?token=
)


# The correlation id of the work at hand: the inbox row id of the citizen's message (the
# front end sets it per task; the actions log it from Rasa's message metadata).
correlation_id: ContextVar[int | None] = ContextVar("correlation_id", default=None)


class CorrelationId(logging.Filter):
    """Adds `inbox_id` (the correlation id, when one is set) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = correlation_id.get()
        if current is not None and not hasattr(record, "inbox_id"):
            record.inbox_id = current
        return True


class RedactSecrets(logging.Filter):
    """Masks bot tokens and `token=` parameters in the message and the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _mask(logging.Formatter().formatException(record.exc_info))
        return True


def _mask(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def configure_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Configure the root logger of this process (replacing any earlier configuration)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                JSON_FIELDS,
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactSecrets())
    handler.addFilter(CorrelationId())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    verbose = root.getEffectiveLevel() <= logging.DEBUG
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.WARNING)
