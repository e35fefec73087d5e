"""Masking of personal data before a message is kept for training."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.training.masking import (
    EMAIL_RE,
    PHONE_RE,
    PLACEHOLDERS,
    mask,
    sender_hash,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "NIK saya 3201234567890123, KTP belum jadi",
            "NIK saya [NIK], KTP belum jadi",
        ),
        ("no KK 3273 0112 3456 0007 mau ganti alamat", "no KK [NIK] mau ganti alamat"),
        ("nik: 3201.2345.6789.0123", "nik: [NIK]"),
        ("hubungi saya di 0812-3456-7890 ya", "hubungi saya di [TELEPON] ya"),
        ("wa 081234567890", "wa [TELEPON]"),
        ("nomor saya +62 812 3456 7890", "nomor saya [TELEPON]"),
        ("6281234567890 itu nomor saya", "[TELEPON] itu nomor saya"),
        ("telp rumah (021) 555-1234", "telp rumah [TELEPON]"),
        ("email saya siti.aminah92@gmail.com", "email saya [EMAIL]"),
        ("motor saya B 1234 ABC ditilang", "motor saya [PLAT] ditilang"),
        ("mobil AB1234CD hilang di parkiran", "mobil [PLAT] hilang di parkiran"),
        ("plat DK 5678 XY", "plat [PLAT]"),
        ("plat motor b 4321 tyu", "plat motor [PLAT]"),
        ("status ADU-7K3M9Q gimana", "status ADU-XXXXXX gimana"),
        ("cek adu 7k3m9q dong", "cek ADU-XXXXXX dong"),
        ("tiket ADU7K3M9Q", "tiket ADU-XXXXXX"),
        ("no rekening 0001234567890", "no rekening [ANGKA]"),
        (
            "Saya Budi, NIK 3174011203900004, hp 0857 1122 3344, email budi@yahoo.co.id, "
            "mobil B 1234 XYZ, tiket ADU-AB12CD",
            "Saya Budi, NIK [NIK], hp [TELEPON], email [EMAIL], mobil [PLAT], tiket ADU-XXXXXX",
        ),
    ],
)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "syarat bikin KTP apa aja",
        "berapa biaya perpanjang SIM A",
        "rumah saya di RT 05 RW 03 kelurahan sukamaju",
        "nunggu 2 jam di loket h 2 jam lagi",
        "antri dari jam 08.00 sampai 12.30",
        "biayanya Rp 150.000 kata petugas",
        "tanggal 12-05-2024 saya datang",
        "salah input data di KTP saya",
        "jangan adu domba petugas",
        "kenapa SIM B 1 umum lama",
        "PP 96 tahun 2012 tentang pelayanan publik",
        "SIM A 2 KTP",
        "A 05 KTP",
    ],
)
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    assert mask(text) == text


def test_the_sender_hash_is_keyed_and_stable() -> None:
    assert sender_hash("123456789", "k1") == sender_hash("123456789", "k1")
    assert sender_hash("123456789", "k1") != sender_hash("123456789", "k2")
    assert "123456789" not in sender_hash("123456789", "k1")


# -- properties ---------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "saya", "mau", "tanya", "syarat", "KTP", "SIM", "ke", "kantor", "jam", "berapa",
        "bukan", "itu", "ya", "kak", "RT", "05", "Rp", "150.000", "di", "B", "12", "2024",
        ",", ".", "?", "dong", "urus", "paspor", "hilang", "(", ")", "-", "+",
    ]
)  # fmt: skip
DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=4)
SEP = st.sampled_from(["", " ", ".", "-"])


@st.composite
def nik(draw: st.DrawFn) -> str:
    digits = draw(st.text(alphabet="0123456789", min_size=16, max_size=16))
    sep = draw(SEP)
    return sep.join(digits[i : i + 4] for i in range(0, 16, 4))


@st.composite
def phone(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["08", "+628", "628", "+62 8", "0 8"]))
    rest = draw(st.text(alphabet="0123456789", min_size=8, max_size=10))
    sep = draw(st.sampled_from(["", " ", "-"]))
    return prefix + rest[:2] + sep + rest[2:6] + sep + rest[6:]


EMAILS = st.from_regex(r"[a-z][a-z0-9._]{0,10}@[a-z]{2,8}\.(com|co\.id|go\.id)", fullmatch=True)
PII = st.one_of(nik(), phone(), EMAILS)
TEXTS = st.lists(st.one_of(WORDS, PII, DIGITS), max_size=14).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_masked_text_holds_no_nik_email_or_phone(text: str) -> None:
    masked = mask(text)
    assert re.search(r"\d{16}", masked) is None
    assert EMAIL_RE.search(masked) is None
    assert PHONE_RE.search(masked) is None


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXTS, st.text(max_size=60)))
def test_masking_is_idempotent(text: str) -> None:
    assert mask(mask(text)) == mask(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["syarat", "KTP", "berapa", "biaya", "jam", "buka", "ya",
                                 "kak", "RT", "05", "SIM A", "SIM", "2", "hari", "?", ","]),
                max_size=12).map(" ".join))  # fmt: skip
def test_text_without_pii_is_unchanged(text: str) -> None:
    assert mask(text) == text


@given(PII)
def test_each_kind_is_masked_alone(value: str) -> None:
    masked = mask(f"data saya {value} terima kasih")
    assert masked.startswith("data saya [") and masked.endswith("] terima kasih")
    assert any(p in masked for p in PLACEHOLDERS)
