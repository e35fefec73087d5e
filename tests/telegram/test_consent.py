"""bot.telegram.consent: a typed answer to the privacy notice is a yes only when it is a
clear yes and nothing else (UU PDP: explicit consent), a no only when a clear no."""

from __future__ import annotations

import pytest

from bot.telegram.consent import consent_answer


@pytest.mark.parametrize(
    "typed",
    [
        "yaudah deh setuju",
        "setuju",
        "ok saya setuju",
        "iya setuju kak",
        "boleh",
        "Setujuuu!",
        "Baik, saya setuju.",
        "saya menyetujui pemberitahuan privasi ini",
        "ok",
        "iya boleh",
        "udah setuju kak",
        "ya udah deh",
        "siap kak setuju",
        "i agree",
    ],
)
def test_clear_yes(typed: str) -> None:
    assert consent_answer(typed) is True


@pytest.mark.parametrize(
    "typed",
    [
        "tidak setuju",
        "gak mau",
        "Tidak, terima kasih",
        "nggak dulu deh",
        "saya tidak mau",
        "ga setuju kak",
        "ogah",
        "belum",
        "no",
    ],
)
def test_clear_no(typed: str) -> None:
    assert consent_answer(typed) is False


@pytest.mark.parametrize(
    "typed",
    [
        # "ok"/"setuju" inside a question or with other content
        "ok, syarat ktp apa?",
        "ok syarat ktp",
        "setuju?",
        "kalau setuju data sy buat apa",
        "setuju, mau tanya syarat kk",
        "setuju tapi jangan disebar",
        "ok tapi nanti dulu",
        "ok makasih",
        # the tester's other messages
        "lho kok gitu",
        "sy cm mau nanya syarat akta lahir anak",
        # fillers alone, "no problem" (not a refusal), a question tag
        "min",
        "saya",
        "mau",
        "tidak apa-apa",
        "ga papa",
        "gpp",
        "mau ga",
        "ok gak",
        "setuju tidak",
        "",
        "👍",
    ],
)
def test_anything_else_is_no_answer(typed: str) -> None:
    assert consent_answer(typed) is None
