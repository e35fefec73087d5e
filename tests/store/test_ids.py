"""What counts as an attempt at a ticket id in a message (bot.store.ids)."""

from __future__ import annotations

import pytest

from bot.store.ids import TICKET_ID_LIKE_RE


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("status ADU-7K3M9P", ["ADU-7K3M9P"]),
        ("status adu-bdqnxh dong", ["adu-bdqnxh"]),
        ("cek ADU 7K3M9P", ["ADU 7K3M9P"]),
        ("ADU7K3M9P", ["ADU7K3M9P"]),
        ("cek tiket ADU-12", ["ADU-12"]),
        # Words, not ids (black-box tester D15: "aduan" was read as the id "ADUAN").
        ("aduan sy yg kemaren udh smp mana ya?", []),
        ("aduannya gimana", []),
        ("adukan saja ke kantor", []),
        ("adu domba", []),
        ("ADUAN", []),
    ],
)
def test_ticket_id_attempts(text: str, found: list[str]) -> None:
    assert [m.group(0) for m in TICKET_ID_LIKE_RE.finditer(text)] == found
