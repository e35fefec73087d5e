"""What the citizen receives on Telegram when an officer (or the system) acts on a ticket.

The texts are Jinja2 templates in citizen_texts.yml; these functions fill them. Plain text:
the Telegram front end escapes it before sending.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template

from bot.labels import format_date

TEXTS_PATH = Path(__file__).with_name("citizen_texts.yml")


@lru_cache(maxsize=1)
def _templates() -> dict[str, Template]:
    env = Environment(undefined=StrictUndefined, autoescape=False)
    raw = yaml.safe_load(TEXTS_PATH.read_text(encoding="utf-8"))
    return {key: env.from_string(value) for key, value in raw.items()}


def render(key: str, **values: Any) -> str:
    """The text `key` with its placeholders filled."""
    return str(_templates()[key].render(**values)).strip()


def verified(public_id: str, unit: str | None, followup_due: date) -> str:
    """The complaint was verified and forwarded."""
    return render(
        "verified", public_id=public_id, unit=unit, followup_due=format_date(followup_due)
    )


def info_request(public_id: str, question: str, reply_due: date) -> str:
    """The officer needs more information; the citizen answers with /jawab."""
    return render(
        "info_request", public_id=public_id, question=question, reply_due=format_date(reply_due)
    )


def reply(public_id: str, text: str) -> str:
    """A free reply of the officer."""
    return render("reply", public_id=public_id, text=text)


def resolved(public_id: str, resolution: str) -> str:
    """The complaint was resolved."""
    return render("resolved", public_id=public_id, resolution=resolution)


def rejected(public_id: str, reason: str, duplicate_of: str | None) -> str:
    """The complaint cannot be followed up."""
    return render("rejected", public_id=public_id, reason=reason, duplicate_of=duplicate_of)


def reopened(public_id: str) -> str:
    """The complaint was reopened."""
    return render("reopened", public_id=public_id)


def auto_closed(public_id: str, days: int) -> str:
    """Closed because the citizen did not answer a request for information in time."""
    return render("auto_closed", public_id=public_id, days=days)
