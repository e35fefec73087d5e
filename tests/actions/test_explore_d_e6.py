"""E6 (black-box tester 2026-12-01 d): "buku ijo" (slang for the paspor) names the paspor."""

from __future__ import annotations

from typing import Any

import pytest

from bot.store.repository import Repository
from tests.utils.actions import responses
from tests.utils.explore_d import answer, said


@pytest.mark.parametrize(
    "text",
    ["mau bikin buku ijo buat umroh, apa aja yg dibawa", "buku hijau bikinnya dmn"],
)
def test_buku_ijo_is_the_paspor(repo: Repository, domain: dict[str, Any], text: str) -> None:
    dispatcher, _events = answer(domain, text, "ask_requirements")
    assert "paspor" in said(domain, dispatcher)
    assert "utter_ask_which_service" not in responses(dispatcher)
