"""The front end's own citizen-facing texts (bot/telegram/texts.yml), rendered with Jinja2."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined

TEXTS_PATH = Path(__file__).with_name("texts.yml")


@lru_cache(maxsize=1)
def _templates() -> dict[str, Any]:
    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    raw = yaml.safe_load(TEXTS_PATH.read_text(encoding="utf-8"))
    return {key: env.from_string(value) for key, value in raw.items()}


def text(key: str, **values: Any) -> str:
    """The text `key`, with placeholders filled. Raises KeyError for an unknown key."""
    return str(_templates()[key].render(**values))
