"""Which aspects one question asks about (bot.service_match.other_aspects)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.service_match import MAX_ASPECTS, asked_aspects, other_aspects


@pytest.mark.parametrize(
    ("text", "answered", "others"),
    [
        ("brp lama prosesnya? trus bayar ga?", "duration", ["cost"]),
        ("hi, how to apply for npwp? is it free?", "cost", ["procedure"]),
        ("syarat sama biaya paspor berapa", "requirements", ["cost"]),
        ("cara bayar pajak motor", "procedure", []),
        ("syarat pindah alamat antar kecamatan", "requirements", []),
        ("alamatnya dimana, trus jam brp buka?", "location_hours", []),
        ("syarat bikin KTP apa aja", "requirements", []),
        ("bikin NIB buat usaha kue rumahan bayar gak sih", "cost", []),
        ("samsat buka hari sabtu gak ya? mau bayar pajak motor tahunan", "location_hours", []),
    ],
)
def test_the_other_aspect_asked(text: str, answered: str, others: list[str]) -> None:
    assert other_aspects(text, answered) == others


def test_aspects_come_in_the_order_asked() -> None:
    assert asked_aspects("brp biayanya, syaratnya apa, dan brp lama jadinya?") == [
        "cost",
        "requirements",
        "duration",
    ]


@given(st.text(max_size=300), st.sampled_from(["cost", "duration", "requirements"]))
def test_never_more_than_the_limit_and_never_the_answered_one(text: str, answered: str) -> None:
    others = other_aspects(text, answered)
    assert answered not in others
    assert len(others) <= MAX_ASPECTS - 1


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        # Black-box tester 2026-12-01b, D1: one aspect asked in informal words was dropped.
        ("kia syaratnya apa aja, trus bayar brp?", ["requirements", "cost"]),
        ("bikin ktp baru syaratnya apa aja ya? trus bayar brp?", ["requirements", "cost"]),
        (
            "kk sy ilang kebawa banjir, gmn ngurusnya ya? hrs ke mana?",
            ["procedure", "location_hours"],
        ),
        ("bikin NIB bisa online gak? brp lama jadinya?", ["procedure", "duration"]),
        ("ngurus akta kematian syarate napa mawon nggih?", ["requirements"]),
        ("trus jadinya brp hari? sm kantornya dmn, sabtu buka gk", ["duration", "location_hours"]),
        # Other wordings of the same.
        ("sim c bayarnya berapa, terus ngurusnya ke mana?", ["cost", "location_hours"]),
        ("paspor bisa daftar online ga? biayanya?", ["procedure", "cost"]),
        ("skck perlu bawa apa aja trus brp duit", ["requirements", "cost"]),
        ("npwp gimana ngurusnya, brp hari jadi?", ["procedure", "duration"]),
        ("syaratipun menapa kemawon? bayar pinten?", ["requirements", "cost"]),
    ],
)
def test_informal_aspect_words(text: str, asked: list[str]) -> None:
    assert asked_aspects(text) == asked


@pytest.mark.parametrize(
    "text",
    [
        "cara bayar pajak motor",
        "bayar pbb di mana",
        "pembayaran stnk online bisa?",
    ],
)
def test_paying_as_the_service_is_not_a_cost_question(text: str) -> None:
    assert "cost" not in asked_aspects(text)


def test_an_amount_paid_asks_the_cost() -> None:
    """D23: "maksudnya kls 3 bayarnya 35rb ato 42rb sih yg bener?"."""
    assert asked_aspects("maksudnya kls 3 bayarnya 35rb ato 42rb sih yg bener?") == ["cost"]


@pytest.mark.parametrize(
    "text", ["jam brp bukanya", "bukanya jam berapa ya", "tutupnya jam brp min", "jam berapa buka?"]
)
def test_opening_hours_asked_with_the_suffix_are_the_office_aspect(text: str) -> None:
    """A follow-up the classifier was unsure about ("jam brp bukanya" after "kantornya di
    mana?") is answered from its words: opening hours are the office aspect."""
    assert asked_aspects(text) == ["location_hours"]
