"""Which service aspects a question asks about, from its words: "brp lama prosesnya? trus
bayar ga?" asks the duration and the cost. The classifier gives one intent, so one aspect;
these cues find the others so that each is answered (actions/service_info.py).

Only phrases that ask are cues: "cara bayar pajak motor" names paying as the service, not a
question about the cost.
"""

from __future__ import annotations

import re

ASPECT_CUES: dict[str, re.Pattern[str]] = {
    "requirements": re.compile(
        r"\b(?:syarat\w*|persyaratan\w*|(?:dokumen|berkas)\s+apa|bawa\s+apa|requirements?)\b",
        re.IGNORECASE,
    ),
    "cost": re.compile(
        r"\b(?:biaya\w*|berbayar|gratis|harga\w*|tarif\w*|ongkos\w*|"
        r"(?:brp|berapa|berapaan)\s+(?:duit|rupiah|uang|bayar\w*)|"
        r"bayar\w*\s+(?:ga|gak|gk|nggak|ngga|enggak|tidak|tdk|gak\s+sih|ga\s+sih)\b|"
        r"is\s+it\s+free|how\s+much|cost|fee)\b",
        re.IGNORECASE,
    ),
    "duration": re.compile(
        r"\b(?:(?:brp|berapa)\s+(?:lama|hari|minggu|bulan)|lama\s+(?:proses\w*|jadi\w*|"
        r"ngurus\w*|bikin\w*)|jadinya\s+kapan|kapan\s+jadi\w*|how\s+long)\b",
        re.IGNORECASE,
    ),
    "procedure": re.compile(
        r"\b(?:(?:gimana|gmn|bagaimana|gimn)\s+cara\w*|caranya|prosedur\w*|langkah\w*|"
        r"alur\w*|how\s+(?:to|do\s+i|can\s+i))\b",
        re.IGNORECASE,
    ),
    "location_hours": re.compile(
        r"\b(?:di\s*mana|dmn|alamatnya|alamat\s+kantor\w*|jam\s+(?:buka|berapa\s+buka|layanan|operasional)|"
        r"buka\s+(?:jam|hari|sabtu|minggu)|where)\b",
        re.IGNORECASE,
    ),
}
# At most this many aspects answered for one question: two asked is common, more is a list.
MAX_ASPECTS = 2


def asked_aspects(text: str) -> list[str]:
    """The aspects the words of `text` ask about, in the order they are asked."""
    found = []
    for aspect, cue in ASPECT_CUES.items():
        match = cue.search(text)
        if match:
            found.append((match.start(), aspect))
    return [aspect for _, aspect in sorted(found)]


def other_aspects(text: str, answered: str) -> list[str]:
    """The aspects asked besides `answered`, when the words ask about more than one (so a
    question with one cue that disagrees with the classifier adds nothing)."""
    asked = asked_aspects(text)
    if len(asked) < 2:
        return []
    return [aspect for aspect in asked if aspect != answered][: MAX_ASPECTS - 1]
