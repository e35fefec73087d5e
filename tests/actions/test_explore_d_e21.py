"""E21 (black-box tester 2026-12-01 d): "ngurus di kelurahan ya?" asks where a service is
done (the office), not its cost."""

from __future__ import annotations

from typing import Any

import pytest

from bot.store.repository import Repository
from tests.utils.actions import responses
from tests.utils.explore_d import answer


@pytest.mark.parametrize(
    ("text", "intent", "service"),
    [
        ("maksudnya sktm buat keringanan biaya rs, ngurus di kelurahan ya?", "ask_cost", "sktm"),
        ("sktm ngurusnya di kelurahan atau kecamatan?", "ask_procedure", "sktm"),
        ("bikin akta kematian di dukcapil kan?", "ask_requirements", "akta_kematian"),
    ],
)
def test_where_it_is_done_gets_the_office(
    repo: Repository, domain: dict[str, Any], text: str, intent: str, service: str
) -> None:
    dispatcher, _events = answer(domain, text, intent, service)
    assert "utter_service_location" in responses(dispatcher)
    assert "utter_service_cost" not in responses(dispatcher)
    assert "utter_service_cost_no_basis" not in responses(dispatcher)
