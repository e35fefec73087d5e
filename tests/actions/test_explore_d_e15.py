"""E15 (black-box tester 2026-12-01 d): "hrs lapor brp hari sih maksimal?" after a death
certificate question asks the legal reporting deadline (30 days, in the catalogue with its
source), not how long the office takes."""

from __future__ import annotations

from typing import Any

import pytest

from actions.service_info import asks_deadline
from bot.store.repository import Repository
from tests.utils.explore_d import answer, said


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hrs lapor brp hari sih maksimal?", "ask_duration"),
        ("paling telat kapan harus dilaporin?", "ask_duration"),
        ("wajib dilaporkan maksimal berapa hari?", "ask_duration"),
        ("maks brp hari lapornya", "ask_requirements"),
    ],
)
def test_reporting_deadline_after_a_death_question(
    repo: Repository, domain: dict[str, Any], text: str, intent: str
) -> None:
    dispatcher, _events = answer(
        domain, text, intent, service="akta_kematian", service_aspect="requirements"
    )
    reply = said(domain, dispatcher)
    assert "30 hari" in reply and "pasal 44" in reply
    assert "1 hari kerja" not in reply


def test_how_long_processing_takes_is_still_the_duration(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, _events = answer(
        domain, "prosesnya brp hari maksimal?", "ask_duration", service="akta_kematian"
    )
    assert "1 hari kerja" in said(domain, dispatcher)


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("hrs lapor brp hari sih maksimal?", True),
        ("maks brp hari lapornya", True),
        ("maksudnya kalau mau lapor kematian ngurusnya gmn", False),
        ("lapor kematian syaratnya apa", False),
    ],
)
def test_deadline_words(text: str, deadline: bool) -> None:
    assert asks_deadline(text) is deadline
