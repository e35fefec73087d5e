"""The texts of domain.yml, and what the citizen must see first when a complaint starts."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.utils import ROOT

DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
VALIDATION_ERRORS = (
    "utter_description_too_short",
    "utter_description_too_long",
    "utter_location_too_short",
    "utter_location_too_long",
    "utter_category_invalid",
    "utter_privacy_invalid",
    "utter_confirm_invalid",
)


def response_text(name: str) -> str:
    """The text of a response in domain.yml."""
    return str(DOMAIN["responses"][name][0]["text"])


def fixed_part(name: str) -> str:
    """The part of a response's text before its first {placeholder}."""
    return re.split(r"\{\w+\}", response_text(name))[0]


# What the citizen must see first: the first question, and only that.
FIRST_QUESTION = response_text("utter_complaint_start")
FIRST_QUESTION_AFTER_STORY = response_text("utter_complaint_start_with_story")
ERROR_TEXTS = [fixed_part(name) for name in VALIDATION_ERRORS]


def assert_only_the_first_question(texts: list[str], expected: str = FIRST_QUESTION) -> None:
    """`texts` is exactly the first question; no validation error anywhere."""
    for text in texts:
        for error in ERROR_TEXTS:
            assert error not in text, f"validation error {error!r} in the first reply: {texts}"
    assert texts == [expected]
