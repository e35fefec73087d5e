"""E1 (black-box tester 2026-12-01 d): a question about one's own situation with a service
is not a complaint ("mo perpanjang sim c yg udh mati 2 bln bs gk" opened the form), and
the catalogue's rule for an expired document is said before what to bring."""

from __future__ import annotations

from typing import Any

import pytest

from bot.store.repository import Repository
from tests.utils.explore_d import START, followups, run_fallback, said


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("mo perpanjang sim c yg udh mati 2 bln bs gk", "sim"),
        ("sim a sy udh mati 3 bulan, msh bisa diperpanjang ga", "sim"),
        ("sim c saya sudah habis masa berlakunya seminggu, perpanjang bisa nggak", "sim"),
        ("klo sim udh expired 1 thn trs mau perpanjang bs gak sih", None),
    ],
)
def test_renewing_an_expired_sim_is_answered_not_a_complaint(
    repo: Repository, domain: dict[str, Any], text: str, service: str | None
) -> None:
    dispatcher, events = run_fallback(domain, text, service)
    assert START not in followups(events)
    reply = said(domain, dispatcher)
    # The rule for an expired SIM, then what to bring.
    assert "dibuat baru" in reply
    assert "ktp-el" in reply
    assert reply.index("tidak dapat diperpanjang") < reply.index("ktp-el")


def test_an_expired_document_without_a_rule_gets_the_usual_answer(
    repo: Repository, domain: dict[str, Any]
) -> None:
    dispatcher, events = run_fallback(
        domain, "paspor sy udh mati 2 taun, mau perpanjang bs gk", "paspor"
    )
    assert START not in followups(events)
    assert "paspor lama" in said(domain, dispatcher)


@pytest.mark.parametrize(
    "text",
    [
        "lampu jalan di gg mawar mati udh seminggu gelap bgt",
        "udh 2 minggu bikin sim blm jadi2, petugasnya cuek bgt, katanya blangko abis",
        "mau komplain, sim sy udh 3 minggu blm jadi, bisa gk dipercepat",
        "ada calo di satpas minta 500rb biar sim cepet jadi ga usah tes bs gk",
    ],
)
def test_a_story_still_opens_the_complaint(
    repo: Repository, domain: dict[str, Any], text: str
) -> None:
    _dispatcher, events = run_fallback(domain, text)
    assert START in followups(events)
