"""Public ticket ids: `ADU-` plus 6 random Crockford base32 characters."""

from __future__ import annotations

import re
import secrets

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TICKET_ID_RE = re.compile(r"^ADU-[0-9A-HJKMNP-TV-Z]{6}$")
# Anything that looks like an attempt at a ticket id, valid or not: "ADU-" and anything, or
# "ADU" (a space or nothing after it) and characters with a digit among them. Without the
# dash a word is not an id: "aduan", "adukan", "adu domba".
TICKET_ID_LIKE_RE = re.compile(
    r"\bADU(?:-[0-9A-Z]{1,12}|\s?(?=[A-Z]{0,11}\d)[0-9A-Z]{1,12})\b", re.IGNORECASE
)
# Crockford decoding is forgiving: I and L read as 1, O as 0.
_CONFUSABLES = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_ticket_id() -> str:
    """A fresh random id (about 1.07e9 possibilities; uniqueness is enforced by the store)."""
    return "ADU-" + "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(6))


def normalise_ticket_id(raw: str) -> str | None:
    """Canonical form of a ticket id typed by a person, or None when it is not one.

    Accepts lower case, a space or no separator after ADU, and Crockford's confusable
    letters (I/L for 1, O for 0).
    """
    text = raw.strip().upper().replace(" ", "-")
    if text.startswith("ADU") and not text.startswith("ADU-"):
        text = "ADU-" + text[3:]
    if not text.startswith("ADU-"):
        return None
    candidate = "ADU-" + text[4:].translate(_CONFUSABLES)
    return candidate if TICKET_ID_RE.match(candidate) else None
