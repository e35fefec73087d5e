"""Personal data masked out of citizens' messages before they are kept for training.

`mask(text)` replaces, in this order:

- e-mail addresses (`siti.aminah@gmail.com`): `[EMAIL]`
- ticket ids in any case, with `ADU-`, `ADU ` or `ADU` before 6 characters (`adu-7k3m9q`):
  `ADU-XXXXXX`
- NIK and KK numbers: 16 digits, alone or in groups split by one space, dot or dash
  (`3201 2345 6789 0123`): `[NIK]`
- phone numbers: mobile `08…`, `+62…`, `62…`, landlines `0xx…`, `(0xx) …`, with spaces,
  dots or dashes between groups (`+62 812-3456-7890`): `[TELEPON]`
- vehicle plates: region code, 1–4 digits, 1–3 letter suffix (`B 1234 ABC`, `AB1234CD`):
  `[PLAT]`
- any other run of 10 or more digits (account, BPJS, a mistyped NIK): `[ANGKA]`

A KK number cannot be told from a NIK by its digits: both become `[NIK]`. Plates are
recognised only with a real Indonesian region code (so "RT 05 RW" stays); written in lower
or mixed case they need 3–4 digits ("b 1234 abc"), which keeps phrases like "h 2 jam"; the
number never starts with 0 and the suffix is not a common acronym ("A 2 KTP" stays).

Masking is idempotent (no placeholder contains a digit or matches a pattern again, and
`ADU-XXXXXX` masks to itself) and leaves text without personal data unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import re

EMAIL = "[EMAIL]"
TICKET = "ADU-XXXXXX"
NIK = "[NIK]"
PHONE = "[TELEPON]"
PLATE = "[PLAT]"
NUMBER = "[ANGKA]"
PLACEHOLDERS = (EMAIL, TICKET, NIK, PHONE, PLATE, NUMBER)

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TICKET_RE = re.compile(r"(?<![\w-])ADU(?:-|\s|)([0-9A-Z]{6})(?![\w-])", re.IGNORECASE)
# 16 digits, optionally one separator between any two of them ("3201 2345 6789 0123").
NIK_RE = re.compile(r"(?<!\d)\d(?:[ .-]?\d){15}(?!\d)")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+62|62)[ .-]?\(?0?\)?[ .-]?\d(?:[ .-]?\d){7,11}"  # +62 812..., 62 21 ...
    r"|0[ .-]?8(?:[ .-]?\d){7,11}"  # 08xx mobile
    r"|\(?0[1-79]\d{1,2}\)?[ .-]?\d{3,4}[ .-]?\d{3,4}"  # (021) 555-1234, 0274 123456
    r")(?!\d)"
)
# Region codes of Indonesian plates (Korlantas), plus RI and diplomatic CD/CC.
REGION_CODES = [
    "AA", "AB", "AD", "AE", "AG", "BA", "BB", "BD", "BE", "BG", "BH", "BK", "BL", "BM", "BN",
    "BP", "DA", "DB", "DC", "DD", "DE", "DG", "DH", "DK", "DL", "DM", "DN", "DR", "DS", "DT",
    "EA", "EB", "ED", "KB", "KH", "KT", "KU", "PA", "PB", "RI", "CD", "CC",
    "A", "B", "D", "E", "F", "G", "H", "K", "L", "M", "N", "P", "R", "S", "T", "W", "Z",
]  # fmt: skip
PLATE_RE = re.compile(
    r"(?<![\w\[])(" + "|".join(REGION_CODES) + r")[ -]?([1-9]\d{0,3})[ -]?([A-Z]{1,3})(?![\w\]])",
    re.IGNORECASE,
)
# Words that follow a letter and a number in ordinary text ("SIM A 2 KTP", "B 12 RT").
NOT_PLATE_SUFFIXES = frozenset(
    [
        "KTP", "SIM", "KK", "KIA", "RT", "RW", "PBB", "IMB", "KUA", "RS", "RSU", "PNS", "DKI",
        "UU", "PP", "TNI", "SD", "SMP", "SMA", "KM",
    ]
)  # fmt: skip
LONG_NUMBER_RE = re.compile(r"(?<!\d)\d{10,}(?!\d)")


def _ticket(match: re.Match[str]) -> str:
    separator = match.group(0)[3:-6]
    # "adu domba"-like words: a space-separated id must hold a digit to count as one.
    if separator.isspace() and not any(c.isdigit() for c in match.group(1)):
        return match.group(0)
    return TICKET


def _plate(match: re.Match[str]) -> str:
    whole = match.group(0)
    if match.group(3).upper() in NOT_PLATE_SUFFIXES:
        return whole
    if whole == whole.upper() or len(match.group(2)) >= 3:
        return PLATE
    return whole


def mask(text: str) -> str:
    """`text` with its personal data replaced by placeholders (table above)."""
    text = EMAIL_RE.sub(EMAIL, text)
    text = TICKET_RE.sub(_ticket, text)
    text = NIK_RE.sub(NIK, text)
    text = PHONE_RE.sub(PHONE, text)
    text = PLATE_RE.sub(_plate, text)
    return LONG_NUMBER_RE.sub(NUMBER, text)


def sender_hash(sender_id: str, key: str) -> str:
    """A keyed hash (HMAC-SHA256) of a conversation's sender id: review items carry it
    instead of the id, so `/hapusdata` can find them while a leaked inbox names no one
    (a plain hash of a Telegram id is reversed by trying every id)."""
    return hmac.new(key.encode(), sender_id.encode(), hashlib.sha256).hexdigest()
