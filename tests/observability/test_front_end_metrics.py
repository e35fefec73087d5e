"""The front end's store gauges and the correlation id of its log lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot import metrics
from bot.logging_config import configure_logging, correlation_id
from bot.store.models import OutboxMessage


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    yield stream
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_outbox_backlog_counts_pending_rows(engine: Engine) -> None:
    metrics.refresh_store_gauges(engine)
    assert REGISTRY.get_sample_value("aduan_outbox_backlog") == 0
    with Session(engine) as s, s.begin():
        for n in range(3):
            s.add(OutboxMessage(chat_id=100 + n, kind="reply", text="halo"))
    metrics.refresh_store_gauges(engine)
    assert REGISTRY.get_sample_value("aduan_outbox_backlog") == 3
    assert REGISTRY.get_sample_value("aduan_inbox_failed") == 0


def test_log_lines_carry_the_correlation_id(json_log: io.StringIO) -> None:
    token = correlation_id.set(77)
    try:
        logging.getLogger("bot.telegram").warning("Rasa unavailable")
    finally:
        correlation_id.reset(token)
    logging.getLogger("bot.telegram").warning("no id now")
    first, second = (json.loads(line) for line in json_log.getvalue().splitlines())
    assert first["inbox_id"] == 77 and first["message"] == "Rasa unavailable"
    assert "inbox_id" not in second
