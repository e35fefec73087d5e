"""Reading a 1..5 rating from what a citizen writes: "5", "lima", "papat", "4 bintang deh",
"bintang tilu", "⭐⭐⭐", "3/5", "nilai 2, antrenya lama".

Pure functions, no I/O. A score is only ever 1..5: anything else written as a score ("10",
"0", "10/10", "4,5", "enam bintang") is *rejected*, never clamped or rounded, so the caller
can ask again politely. A lone number ("5", "lima, mantap") is a score only when the caller
says a rating is expected (the star buttons were just shown, or a resolution message
invited one); otherwise it is only *unsure*, and the caller may ask what it means.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from bot.phrases import looks_like_question, words

# Number words: Indonesian, Javanese, Sundanese, English. 0 and 6..10 are read only to be
# rejected ("enam bintang" is not a 5).
NUMBER_WORDS: dict[str, int] = {
    "nol": 0,
    "zero": 0,
    "satu": 1,
    "siji": 1,
    "hiji": 1,
    "one": 1,
    "dua": 2,
    "loro": 2,
    "two": 2,
    "tiga": 3,
    "telu": 3,
    "tilu": 3,
    "three": 3,
    "empat": 4,
    "papat": 4,
    "opat": 4,
    "four": 4,
    "lima": 5,
    "limo": 5,
    "five": 5,
    "enam": 6,
    "enem": 6,
    "genep": 6,
    "six": 6,
    "tujuh": 7,
    "pitu": 7,
    "delapan": 8,
    "wolu": 8,
    "dalapan": 8,
    "sembilan": 9,
    "songo": 9,
    "salapan": 9,
    "sepuluh": 10,
    "sapuluh": 10,
    "ten": 10,
}
# Words that make a number a rating wherever it stands: "nilai 4", "rating: 3", "bintang 5".
CUE_WORDS = (
    "nilai|nilainya|nilaiku|nilaine|menilai|penilaian|penilaiannya|rating|ratingnya|rate|"
    "rated|skor|skornya|score|poin|point|bintang|bintangnya|stars?"
)
# Words that carry nothing besides a score: "4 aja", "yg 3 deh kak", "papat wae mas".
FILLER_WORDS = frozenset(
    [
        "deh",
        "dong",
        "ya",
        "yah",
        "yaa",
        "yak",
        "aja",
        "ajah",
        "saja",
        "lah",
        "sih",
        "kok",
        "kak",
        "kakak",
        "ka",
        "min",
        "mimin",
        "admin",
        "mas",
        "mbak",
        "mba",
        "pak",
        "bu",
        "bang",
        "gan",
        "sis",
        "bro",
        "nih",
        "tuh",
        "wae",
        "mah",
        "atuh",
        "euy",
        "kang",
        "teh",
        "nggih",
        "njih",
        "yo",
        "ok",
        "oke",
        "okay",
        "okey",
        "sip",
        "siap",
        "hehe",
        "wkwk",
        "haha",
        "saya",
        "sy",
        "aku",
        "gue",
        "gw",
        "ku",
        "kasih",
        "kasi",
        "ksh",
        "beri",
        "berikan",
        "ngasih",
        "memberi",
        "pilih",
        "milih",
        "yang",
        "yg",
        "ambil",
        "ini",
        "itu",
        "dari",
        "eh",
        "oh",
        "ups",
        "waduh",
        "maaf",
        "iya",
    ]
)
RATING_CUES = frozenset(CUE_WORDS.replace("stars?", "star|stars").split("|"))
# Nouns of asking to rate: "mau kasih penilaian", "boleh isi survei?".
RATING_NOUNS = frozenset(
    [
        "nilai",
        "menilai",
        "dinilai",
        "penilaian",
        "rating",
        "rate",
        "survei",
        "survey",
        "kuesioner",
        "kuisioner",
        "ikm",
        "skm",
        "feedback",
        "ulasan",
        "review",
        "masukan",
        "saran",
        "kritik",
        "testimoni",
        "bintang",
    ]
)
# Wanting or asking how to: "mau", "boleh", "gimana caranya".
REQUEST_CUES = frozenset(
    [
        "mau",
        "mo",
        "ingin",
        "pengen",
        "pgn",
        "pingin",
        "pengin",
        "boleh",
        "bisa",
        "izin",
        "ijin",
        "hendak",
        "gimana",
        "bagaimana",
        "gmn",
        "cara",
        "caranya",
        "mana",
        "dimana",
        "arep",
        "kepingin",
        "meh",
        "badhe",
        "bade",
        "ajeng",
        "hoyong",
        "hayang",
        "palay",
        "rek",
    ]
)
# Words of an opinion: a message with one is a comment, not a request to rate.
OPINION_WORDS = frozenset(
    [
        "ramah",
        "sopan",
        "cepat",
        "cepet",
        "gercep",
        "sigap",
        "tanggap",
        "responsif",
        "lambat",
        "lama",
        "lelet",
        "lemot",
        "bagus",
        "baik",
        "buruk",
        "jelek",
        "mantap",
        "mantep",
        "mantab",
        "mantul",
        "puas",
        "kecewa",
        "kurang",
        "lumayan",
        "keren",
        "top",
        "parah",
        "ribet",
        "rumit",
        "mudah",
        "gampang",
        "susah",
        "sulit",
        "bersih",
        "kotor",
        "jorok",
        "nyaman",
        "panas",
        "sempit",
        "judes",
        "jutek",
        "cuek",
        "galak",
        "kasar",
        "sombong",
        "sae",
        "apik",
        "alus",
        "resik",
        "good",
        "great",
        "bad",
        "slow",
        "fast",
        "nice",
        "friendly",
        "salut",
        "memuaskan",
        "mengecewakan",
        "lancar",
        "rapi",
        "mahal",
        "murah",
        "sabar",
        "membantu",
        "profesional",
        "informatif",
        "jelas",
        "bingung",
        "error",
        "pungli",
        "terbaik",
        "hebat",
        "suwe",
        "kesuwen",
        "alon",
        "elek",
        "ruwet",
        "grapyak",
        "lami",
        "gancang",
        "awon",
        "bageur",
        "hade",
    ]
)
# Words of correcting a score just given: "eh salah pencet, harusnya 4", "ralat, 3 aja".
CORRECTION_WORDS = frozenset(
    [
        "salah",
        "harusnya",
        "seharusnya",
        "mestinya",
        "semestinya",
        "maksudnya",
        "maksud",
        "maksudku",
        "ralat",
        "koreksi",
        "ganti",
        "diganti",
        "ubah",
        "diubah",
        "rubah",
        "dirubah",
        "pencet",
        "kepencet",
        "keteken",
    ]
)
# The scales a score may be written on: "4/5"; "10/10" and "80 dari 100" are refused.
SCALES = (5, 10, 100)
# A fraction after these is a date: "tgl 3/5".
DATE_WORDS = frozenset(["tgl", "tanggal", "tanggalnya", "date", "bulan", "bln", "hari", "sejak"])
# Words opening a remark that continues what was said ("tapi antrenya lama").
CONTINUATION_WORDS = frozenset(
    [
        "tapi",
        "tp",
        "tpi",
        "tetapi",
        "namun",
        "cuma",
        "cuman",
        "hanya",
        "sayang",
        "sayangnya",
        "oh",
        "eh",
        "tambahan",
        "plus",
        "btw",
        "terus",
        "trus",
        "selain",
        "juga",
        "apalagi",
    ]
)
# Words of filing a complaint: a message with one is a complaint, never a follow-up.
COMPLAINT_WORDS = frozenset(
    [
        "lapor",
        "melapor",
        "laporkan",
        "laporan",
        "adu",
        "mengadu",
        "aduan",
        "pengaduan",
        "komplain",
        "complain",
        "report",
    ]
)
# A message shorter than this, without an opinion, holds no feedback of its own.
MIN_COMMENT = 15
# At most this many words in a request to rate ("saya mau kasih penilaian untuk ...").
MAX_REQUEST_WORDS = 14

_WORDS_RE = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
# A number standing on its own: not part of a word, an id, a date or a time.
_NUMBER = rf"(?<![\w.,/-])(?:-?\d+(?:[.,]\d+)?|(?:{_WORDS_RE}))(?![\w/-]|[.,]\d)"
# A numerator: as above, but followed by "/".
_NUMERATOR = rf"(?<![\w.,/-])(?:-?\d+(?:[.,]\d+)?|(?:{_WORDS_RE}))(?![\w-]|[.,]\d)"
_FRACTION_RE = re.compile(
    rf"(?P<n>{_NUMERATOR})\s*(?:/|\bdari\b|\bout of\b)\s*(?P<of>\d+)(?![\w/]|[.,]\d)",
    re.IGNORECASE,
)
_NUMBER_THEN_STARS_RE = re.compile(
    rf"(?P<n>{_NUMBER})\s*(?:\b(?:bintang|stars?)\b|⭐|🌟|★)", re.IGNORECASE
)
_CUE_THEN_NUMBER_RE = re.compile(
    rf"\b(?:{CUE_WORDS})\b\s*[:=]?\s*(?:(?:saya|sy|aku|ku|gue|gw)\s+)?(?P<n>{_NUMBER})",
    re.IGNORECASE,
)
_STAR_RUN_RE = re.compile(r"(?:[⭐🌟★☆]\ufe0f?\s*)+")
_FILLED_STARS = "⭐🌟★"
# Clause boundaries; a comma or full stop between digits ("4,5") is a decimal, not one.
_CLAUSE_RE = re.compile(r"[;!?\n:]|[.,](?!\d)|\s-\s")
_TOKEN_RE = re.compile(r"-?\d+(?:[.,]\d+)?|[^\W\d_]+(?:-[^\W\d_]+)*")
_NUMBER_TOKEN_RE = re.compile(rf"^(?:-?\d+(?:[.,]\d+)?|{_WORDS_RE})$", re.IGNORECASE)


# Words that are neither a number nor content in a clause holding a score.
_NOT_CONTENT = FILLER_WORDS | CORRECTION_WORDS
# Words that start the reason after a score ("5 aja deh soalnya petugasnya udh minta maaf",
# "4, karena agak lama"): the score's clause ends before them.
REASON_WORDS = frozenset(
    [
        "soalnya",
        "soale",
        "karena",
        "karna",
        "krn",
        "krna",
        "sebab",
        "soalny",
        "coz",
        "tapi",
        "tp",
        "cuma",
        "cuman",
        "cm",
        "biar",
        "abis",
        "habis",
    ]
)


@dataclass(frozen=True)
class ScoreReading:
    """What a message says about a score."""

    score: int | None = None  # 1..5
    rejected: str | None = None  # written as a score but outside 1..5, as written
    unsure: str | None = None  # a lone number, not taken: no rating was expected
    has_comment: bool = False  # words besides the score and filler
    correction: bool = False  # the number corrects a score just given ("harusnya 4")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    written: str
    value: int | None  # None: not a whole number (a fraction, a huge number)
    of: int = 5  # "N/of"


def number_value(written: str) -> int | None:
    """The whole number a token stands for; None for fractions and very long numbers."""
    token = written.strip().lower()
    if token in NUMBER_WORDS:
        return NUMBER_WORDS[token]
    if re.fullmatch(r"-?\d{1,6}", token):
        return int(token)
    return None


def _valid(found: _Found) -> bool:
    return found.of == 5 and found.value is not None and 1 <= found.value <= 5


def _mask(text: str, start: int, end: int) -> str:
    """`text` with [start, end) blanked, so a later pattern does not read it again."""
    return text[:start] + " " * (end - start) + text[end:]


def _fraction(text: str, match: re.Match[str]) -> _Found | None:
    """ "3/5", "4 dari 5", "10/10", "80 dari 100" as a score on a scale; None for what is
    more likely a date ("tgl 12/5", "3/10 kemarin" after a date word, "12/5")."""
    written = match.group("n")
    value = number_value(written)
    of = number_value(match.group("of"))
    if of not in SCALES or (value is not None and value > of):
        return None
    before = words(text[: match.start()])
    if before and before[-1] in DATE_WORDS:
        return None
    return _Found(match.start(), match.end(), written, value, of)


def _explicit(text: str) -> tuple[list[_Found], str]:
    """Scores written with rating words, "N/5" or stars; and the text with them blanked."""
    found: list[_Found] = []
    for match in _FRACTION_RE.finditer(text):
        fraction = _fraction(text, match)
        if fraction is not None:
            found.append(fraction)
        text = _mask(text, match.start(), match.end())
    for pattern in (_NUMBER_THEN_STARS_RE, _CUE_THEN_NUMBER_RE):
        matches = list(pattern.finditer(text))
        for match in matches:
            written = match.group("n")
            found.append(_Found(match.start(), match.end(), written, number_value(written)))
        for match in matches:
            text = _mask(text, match.start(), match.end())
    for match in _STAR_RUN_RE.finditer(text):
        filled = sum(match.group(0).count(star) for star in _FILLED_STARS)
        if filled:
            found.append(_Found(match.start(), match.end(), match.group(0).strip(), filled))
        text = _mask(text, match.start(), match.end())
    found.sort(key=lambda f: f.start)
    return found, text


def _lone_numbers(text: str) -> list[_Found]:
    """Numbers that are a score if one was asked for: a clause of only a number and filler
    ("lima, mantap ..."), or a number opening the message before an opinion ("5 mantap")."""
    found: list[_Found] = []
    start = 0
    for boundary in [*_CLAUSE_RE.finditer(text), None]:
        end = boundary.start() if boundary else len(text)
        clause = text[start:end]
        tokens = []
        for m in _TOKEN_RE.finditer(clause):
            if m.group(0).lower() in REASON_WORDS:
                break  # the reason that follows is the comment, not part of the score
            if m.group(0).lower() not in _NOT_CONTENT:
                tokens.append(m)
        numbers = [m for m in tokens if _NUMBER_TOKEN_RE.match(m.group(0))]
        if len(tokens) == 1 and numbers:
            found.append(_from_token(numbers[0], start))
        elif (
            start == 0
            and len(tokens) >= 2
            and tokens[0] in numbers
            and _is_opinion(tokens[1].group(0).lower())
        ):
            found.append(_from_token(tokens[0], start))
        start = boundary.end() if boundary else len(text)
    return found


def _from_token(match: re.Match[str], offset: int) -> _Found:
    written = match.group(0)
    return _Found(offset + match.start(), offset + match.end(), written, number_value(written))


def _has_comment(text: str) -> bool:
    """True when words other than rating words and filler are left in `text`."""
    for token in _TOKEN_RE.findall(text):
        lowered = token.lower()
        if lowered in FILLER_WORDS or lowered in RATING_CUES or lowered in CORRECTION_WORDS:
            continue
        if _NUMBER_TOKEN_RE.match(lowered) or lowered in {"dari", "of", "out"}:
            continue
        if sum(ch.isalpha() for ch in lowered) >= 2:
            return True
    return False


def read_score(text: str, expecting: bool = False) -> ScoreReading:
    """The score a message gives, if any (see the module's docstring)."""
    explicit, rest = _explicit(text)
    lone = [] if explicit else _lone_numbers(rest)
    for found in lone:
        rest = _mask(rest, found.start, found.end)
    has_comment = _has_comment(rest)
    correction = bool(explicit or lone) and any(w in CORRECTION_WORDS for w in words(text))
    candidates = explicit or (lone if expecting else [])
    for found in candidates:
        if _valid(found):
            return ScoreReading(score=found.value, has_comment=has_comment, correction=correction)
    if candidates:
        first = candidates[0]
        written = first.written if first.of == 5 else f"{first.written}/{first.of}"
        return ScoreReading(rejected=written, has_comment=has_comment, correction=correction)
    if lone:
        return ScoreReading(unsure=lone[0].written, has_comment=has_comment, correction=correction)
    return ScoreReading(has_comment=has_comment)


def _is_opinion(word: str) -> bool:
    """ "ramah", "antreannya", "petugase grapyak" -> an opinion word (stem or suffixed)."""
    if word in OPINION_WORDS or word.startswith(("antr", "ngantr")):
        return True
    return any(
        word.endswith(suffix) and word[: -len(suffix)] in OPINION_WORDS
        for suffix in ("nya", "na", "ne")
    )


def is_rating_request(text: str) -> bool:
    """True when the message only asks to give a rating and holds none ("mau kasih
    penilaian", "boleh isi survei?", the bare menu button)."""
    if not text.strip():
        return True
    reading = read_score(text, expecting=True)
    if reading.score is not None or reading.rejected is not None:
        return False
    tokens = words(text)
    if len(tokens) > MAX_REQUEST_WORDS or any(_is_opinion(w) for w in tokens):
        return False
    if not any(w in RATING_NOUNS for w in tokens):
        return False
    return len(tokens) <= 3 or any(w in REQUEST_CUES for w in tokens)


def looks_like_comment(text: str) -> bool:
    """True for a remark that may be feedback ("tapi antreannya lama", "mantap"); false for
    questions, single words and acknowledgements ("hah?", "KTP", "ok")."""
    tokens = words(text)
    if not tokens:
        return False
    if any(_is_opinion(w) for w in tokens):
        return True
    if looks_like_question(text):
        return False
    return len(tokens) >= 3


def is_follow_up(text: str) -> bool:
    """True for a remark continuing a rating just given ("tapi antrenya agak lama ya",
    "oh iya, parkirnya galak"); never for a message that files a complaint."""
    tokens = words(text)
    if not tokens or tokens[0] not in CONTINUATION_WORDS:
        return False
    return not any(w in COMPLAINT_WORDS for w in tokens)


def star_buttons() -> list[dict[str, str]]:
    """Five rating buttons, 5 stars first (their payload is a rating for the feedback)."""
    return [
        {"title": "⭐" * n, "payload": "/give_feedback" + json.dumps({"rating": str(n)})}
        for n in range(5, 0, -1)
    ]
