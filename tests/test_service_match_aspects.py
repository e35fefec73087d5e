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
