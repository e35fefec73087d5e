"""Which service a citizen's text names: one of the catalogue's (exact aliases first, then
near misses) or one handled by another agency (data/referrals.yml).

A citizen asking for a service handled elsewhere is told honestly that it is not served
here and where to go, with the source of that fact, instead of a guess or a list of
unrelated services.

Which aspects a question asks (`other_aspects`): "brp lama prosesnya? trus bayar ga?" asks
the duration and the cost, and the classifier gives one; only phrases that ask are cues
("cara bayar pajak motor" names paying as the service, it does not ask the cost).

Moving house (`move_route`): an SKPWNI is only for a move to another kabupaten/kota; a move
within one changes the KK (Perpres 96/2018 Pasal 25, Permendagri 108/2019).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process

REFERRALS_PATH = Path(__file__).resolve().parent.parent / "data" / "referrals.yml"

# Fuzzy matching only compares words of at least this length: short aliases (kk, sim, kis)
# are too close to ordinary words ("kita", "simak") to be guessed at.
MIN_FUZZY_LENGTH = 5
FUZZY_CUTOFF = 82


def _as_words(alias: str) -> str:
    """A pattern for `alias` as whole words; "akta kematiannya", "KTPnya": the suffix -nya
    still names the service."""
    return r"(?<![\w-])" + re.escape(alias) + r"(?:nya)?(?![\w-])"


# -- the catalogue's services (aliases from the SQL catalogue) ----------------------------


def suggest(query: str, aliases: dict[str, str], limit: int = 3) -> tuple[str, ...]:
    """Up to `limit` distinct service ids whose aliases are close to `query`."""
    query = query.strip().lower()
    if not query:
        return ()
    scorer = fuzz.ratio if len(query) < MIN_FUZZY_LENGTH else fuzz.WRatio
    cutoff = 75 if len(query) < MIN_FUZZY_LENGTH else FUZZY_CUTOFF
    hits = process.extract(query, list(aliases), scorer=scorer, score_cutoff=cutoff, limit=20)
    out: list[str] = []
    for alias, _score, _idx in hits:
        sid = aliases[alias]
        if sid not in out:
            out.append(sid)
        if len(out) == limit:
            break
    return tuple(out)


def find_all_exact(text: str, aliases: dict[str, str]) -> list[tuple[str, str]]:
    """Every service named in `text`, as (service id, alias), in the order they appear.

    Longer aliases win over the shorter ones inside them ("sim c" over "sim").
    """
    lowered = text.lower()
    taken = [False] * len(lowered)
    found: list[tuple[int, str, str]] = []
    for alias in sorted(aliases, key=len, reverse=True):
        for m in re.finditer(_as_words(alias), lowered):
            if any(taken[m.start() : m.end()]):
                continue
            taken[m.start() : m.end()] = [True] * (m.end() - m.start())
            found.append((m.start(), aliases[alias], alias))
    out: list[tuple[str, str]] = []
    for _pos, sid, alias in sorted(found):
        if sid not in [o[0] for o in out]:
            out.append((sid, alias))
    return out


def near_misses(text: str, aliases: dict[str, str]) -> dict[str, tuple[float, str]]:
    """Service id -> (best similarity, the word or word pair of `text` that has it)."""
    words = re.findall(r"[\w-]+", text.lower())
    grams = [w for w in words if len(w) >= MIN_FUZZY_LENGTH]
    grams += [f"{a} {b}" for a, b in pairwise(words) if len(a) + len(b) >= 8]
    long_aliases = [a for a in aliases if len(a) >= MIN_FUZZY_LENGTH]
    best: dict[str, tuple[float, str]] = {}
    for gram in grams:
        for alias, score, _idx in process.extract(
            gram, long_aliases, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
        ):
            sid = aliases[alias]
            if score > best.get(sid, (0.0, ""))[0]:
                best[sid] = (score, gram)
    return best


def near_miss_scores(text: str, aliases: dict[str, str]) -> dict[str, float]:
    """Service id -> best similarity of a word (or word pair) of `text` to its aliases."""
    return {sid: score for sid, (score, _gram) in near_misses(text, aliases).items()}


# -- moving house: SKPWNI or a change of the KK ---------------------------------------------

MOVE_SERVICE = "surat_pindah"  # the SKPWNI, for a move to another kabupaten/kota
MOVE_WITHIN_SERVICE = "kk"  # a move within one: the KK (then KTP-el, KIA) gets the address
# Aliases that name a move, not the SKPWNI document: alone they do not say which is meant.
GENERIC_MOVE_ALIASES = frozenset({"pindah alamat", "pindah domisili", "pindah rumah"})
_PLACE = r"(?:kota|kabupaten|kab\.?|provinsi|prov\.?|daerah|pulau)"
_BETWEEN_RE = re.compile(
    rf"\b(?:luar|beda|antar|lintas) ?{_PLACE}\b|\b{_PLACE} lain\b",
    re.IGNORECASE,
)
_WITHIN_RE = re.compile(
    r"\b(?:dalam|satu|1|se-?)\s?(?:kota|kabupaten|kab)\b|\b(?:kota|kabupaten) yang sama\b"
    r"|\bmasih (?:di |dalam )?(?:kota|kabupaten)\b|\bsekota\b|\bsekabupaten\b"
    r"|\b(?:antar|beda|lain) ?(?:kecamatan|kelurahan|desa|rt|rw)\b|\bpindah (?:rt|rw)\b",
    re.IGNORECASE,
)

MoveRoute = Literal["skpwni", "within", "ask"]


def move_route(text: str, alias: str) -> MoveRoute:
    """Where a question about moving belongs: the SKPWNI, the KK (a move within the same
    kabupaten/kota), or unknown yet (a bare "pindah alamat": ask which move it is)."""
    if _BETWEEN_RE.search(text):
        return "skpwni"
    if _WITHIN_RE.search(text):
        return "within"
    return "ask" if alias.strip().lower() in GENERIC_MOVE_ALIASES else "skpwni"


# -- services handled elsewhere (data/referrals.yml) ---------------------------------------


class Referral(BaseModel):
    """One service handled elsewhere. `bare_aliases` are words that name it only when the
    message names no service of the catalogue ("syarat nikah apa" is about marriage, "bikin
    KK abis nikah" about the KK)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=2)
    aliases: list[str] = Field(min_length=1)
    bare_aliases: list[str] = Field(default_factory=list)
    where: str = Field(min_length=5)
    source: str = Field(min_length=3)
    checked: date


class _ReferralsFile(BaseModel):
    referrals: list[Referral]


@dataclass(frozen=True)
class ReferralMatch:
    """The referral found in a message and the alias that matched (`bare`: one of its bare
    aliases, which counts only when no catalogue service is named)."""

    referral: Referral
    alias: str
    bare: bool = False


@lru_cache(maxsize=4)
def load_referrals(path: Path = REFERRALS_PATH) -> tuple[Referral, ...]:
    """The validated list (cached; the file changes only with a deployment)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(_ReferralsFile.model_validate(data).referrals)


def find_referral(
    text: str, path: Path = REFERRALS_PATH, bare: bool = True
) -> ReferralMatch | None:
    """The referral whose alias occurs as whole words in `text` (longest alias wins; a full
    alias before a bare one); with `bare` False, full aliases only."""
    lowered = text.lower()
    best: ReferralMatch | None = None
    for referral in load_referrals(path):
        for alias in referral.aliases:
            if (best is None or len(alias) > len(best.alias)) and re.search(
                _as_words(alias.lower()), lowered
            ):
                best = ReferralMatch(referral, alias)
    if best is not None or not bare:
        return best
    for referral in load_referrals(path):
        for alias in referral.bare_aliases:
            if (best is None or len(alias) > len(best.alias)) and re.search(
                _as_words(alias.lower()), lowered
            ):
                best = ReferralMatch(referral, alias, bare=True)
    return best


# -- a day of the week asked about ("sabtu buka gk") --------------------------------------

DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_DAY_RE = re.compile(
    r"(?<!\d)(?<!\d\s)(?<!brp\s)(?<!berapa\s)\b(senin|selasa|rabu|kamis|jum'?at|sabtu|"
    r"minggu|ahad)\b(?!\s+(?:lalu|kemarin|kemaren|kmrn|depan|ini|wingi|kepungkur))",
    re.IGNORECASE,
)


def asked_day(text: str) -> int | None:
    """The weekday (0 = Monday) a message asks about ("sabtu buka gk", "hari minggu
    tutup?"), not "2 minggu" or "minggu lalu"; None when it names none."""
    match = _DAY_RE.search(text)
    if match is None:
        return None
    word = match.group(1).lower().replace("'", "")
    return 6 if word == "ahad" else [d.lower() for d in DAY_NAMES].index(word)


# -- an office named instead of a service ("kantor dukcapil hari sabtu buka ga?") ----------

# Each catalogue office (data/services.yml) by the words citizens use for it, with the
# service whose answer stands for the office when no service is named.
OFFICE_CUES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(rf"\b(?:{words})\b", re.IGNORECASE), office, service)
    for words, office, service in (
        (r"dukcapil|disdukcapil|dispendukcapil|capil", "disdukcapil", "ktp"),
        (r"satpas", "satpas", "sim"),
        (r"polres|polresta|polsek", "polres", "skck"),
        (r"imigrasi|kanim", "imigrasi", "paspor"),
        (r"samsat", "samsat", "stnk"),
        (r"kpp|kantor\s+pajak\s+pratama", "kpp", "npwp"),
        (r"bapenda|dispenda", "bapenda", "pbb"),
        (r"(?:kantor\s+)?bpjs(?:\s+kesehatan)?", "bpjs", "bpjs_kesehatan"),
        (r"dpmptsp|mal\s+pelayanan\s+publik|mpp", "dpmptsp", "nib"),
        (r"kelurahan|kantor\s+lurah|kantor\s+desa|balai\s+desa", "kelurahan", "surat_domisili"),
        (r"disnaker", "disnaker", "kartu_kuning"),
    )
)


def named_office(text: str) -> tuple[str, str] | None:
    """(office id, the service standing for it) for the first catalogue office a message
    names ("kantor dukcapil", "samsat", "polsek"); None when it names none."""
    found = [
        (match.start(), office, service)
        for cue, office, service in OFFICE_CUES
        if (match := cue.search(text))
    ]
    if not found:
        return None
    _start, office, service = min(found)
    return office, service


# -- the unit of a complaint filed without a service ----------------------------------------

# Complaints about a place (a road, rubbish, a clinic, a school, public order): an office
# named there is a landmark ("depan kantor samsat"), not the unit concerned.
PLACE_CATEGORIES = frozenset(
    {"infrastruktur", "kebersihan", "kesehatan", "pendidikan", "ketertiban"}
)
# The catalogue office that owns a category (data/services.yml); pungli, perizinan and
# lainnya have several or none: the general complaint unit forwards them.
CATEGORY_OFFICE = {
    "adminduk": "disdukcapil",
    "kesehatan": "dinkes",
    "pendidikan": "disdik",
    "infrastruktur": "dpupr",
    "kebersihan": "dlh",
    "ketertiban": "satpolpp",
    "transportasi": "dishub",
}


def complaint_office(description: str, location: str | None, category: str) -> str | None:
    """The office a complaint goes to when the citizen chose no service: the one its story,
    else its place, names ("petugas di loket 3 disdukcapil judes"), else the category's
    owner (adminduk: Disdukcapil, kesehatan: Dinkes, ...); None for the general complaint
    unit."""
    if category not in PLACE_CATEGORIES:
        for text in (description, location or ""):
            office = named_office(text)
            if office is not None:
                return office[0]
    return CATEGORY_OFFICE.get(str(getattr(category, "value", category)))


# -- which aspects one question asks ------------------------------------------------------

# "teng pundi", "ten pundi" (krama), "nyang ngendi", "nang endi", "neng ndi" (ngoko): where.
_JAVANESE_WHERE = (
    r"(?:teng|ten|ting|dateng|nyang|nang|neng|ning|menyang|ing)\s+(?:pundi|ngendi|endi|ndi)"
)
# "ngurus di kelurahan ya?", "di dukcapil kan?", "di kelurahan atau kecamatan?": whether a
# service is done at an office, asked with a tag right after the office named.
_OFFICE_WORDS = (
    r"(?:kantor\s+)?(?:kelurahan|kecamatan|desa|dukcapil|disdukcapil|capil|polres|polsek|"
    r"satpas|samsat|imigrasi|mpp|mal\s+pelayanan\s+publik|kpp|kantor\s+pajak|bapenda|"
    r"disnaker|dpmptsp|bpjs|puskesmas|kua)"
)
WHERE_DONE_RE = re.compile(
    rf"\bdi\s+{_OFFICE_WORDS}(?:\s+\w+)?\s*(?:\?|(?:ya|yah|yak|kah|kan|bukan|bkn|atau|ato|"
    r"gak|ga|gk|nggak|bukan\s+sih|apa\s+(?:di|ke))\b)",
    re.IGNORECASE,
)


def asks_where_done(text: str) -> bool:
    """Whether a message asks if a service is done at an office ("ngurus di kelurahan ya?")."""
    return bool(WHERE_DONE_RE.search(text))


ASPECT_CUES: dict[str, re.Pattern[str]] = {
    "requirements": re.compile(
        r"\b(?:syarat\w*|persyaratan\w*|(?:dokumen|berkas)\s+apa|bawa\s+apa|requirements?|"
        r"do\s+i\s+need|need\s+to\s+bring|(?:perlu|harus|wajib)\s+bawa)\b",
        re.IGNORECASE,
    ),
    "cost": re.compile(
        r"\b(?:biaya\w*|berbayar|gratis|harga\w*|tarif\w*|ongkos\w*|"
        r"(?:brp|berapa|berapaan)\s+(?:duit|rupiah|uang|bayar\w*)|"
        r"bayar\w*\s+(?:ga|gak|gk|nggak|ngga|enggak|tidak|tdk|gak\s+sih|ga\s+sih)\b|"
        r"(?:bayar\w*|duit\w*|iuran\w*)\s+(?:brp|berapa|brapa|pinten|sabaraha)|iuran\w*|"
        r"bayar\w*\s+(?:rp\.?\s*)?\d\w*|"
        r"is\s+it\s+free|how\s+much|cost|fee)\b",
        re.IGNORECASE,
    ),
    "duration": re.compile(
        r"\b(?:(?:brp|berapa)\s+(?:lama|hari|minggu|bulan)|lama\s+(?:proses\w*|jadi\w*|"
        r"ngurus\w*|bikin\w*)|jadinya\s+kapan|kapan\s+jadi\w*|how\s+long)\b",
        re.IGNORECASE,
    ),
    "procedure": re.compile(
        r"\b(?:(?:gimana|gmn|bagaimana|gimn|piye|pripun)\s+(?:cara\w*|ngurus\w*|mengurus\w*|"
        r"bikin\w*|daftar\w*)|ngurus\w*\s+(?:gimana|gmn|bagaimana|gimn)|caranya|prosedur\w*|"
        # Where to pay or to object (Javanese too: "bayare teng pundi", "ajukan keberatan
        # nyang ngendi"): the procedure names the channels and the office.
        rf"m?bayar\w*\s+(?:\w+\s+){{0,2}}?{_JAVANESE_WHERE}|"
        r"(?:keberatan\w*|protes\w*|banding\w*)\s+(?:\w+\s+){0,2}?"
        rf"(?:{_JAVANESE_WHERE}|di\s*mana|dmn|ke\s*mana)|"
        r"langkah\w*|alur\w*|(?:bisa|bs|dapat|dpt)\s+(?:daftar\s+|diurus\s+|ngurus\s+)?"
        r"(?:online|daring)|(?:daftar|lewat|via)\s+(?:online|daring)|how\s+(?:to|do\s+i|can\s+i))\b",
        re.IGNORECASE,
    ),
    "location_hours": re.compile(
        rf"\b(?:{_JAVANESE_WHERE}|di\s*mana|dmn|ke\s*mana|alamatnya|alamat\s+kantor\w*|jam\s+(?:buka|berapa\s+buka|layanan|operasional)|"
        r"buka\s+(?:jam|hari|sabtu|minggu)|(?:buka|tutup)nya|jam\s+(?:berapa|brp)\s+(?:buka|tutup)|"
        r"where)\b",
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


# -- life events named in words ("bpk sy meninggal kmrn, ngurus surat2nya gmn") -------------

# What happened -> the service that records it. A wedding to come ("syarat nikah") is the
# KUA's (data/referrals.yml); one that took place changes the KK. A birth is one that took
# place ("baru lahir", "melahirkan"), not a field ("tempat lahir").
_DONE = r"(?:baru|udah|udh|sudah|sdh|dah|habis|abis|setelah|stlh|sehabis|telah|tlh)"
_WHEN = r"(?:kemarin|kemaren|kmrn|tadi|td|semalam|minggu\s+lalu|bulan\s+lalu|bln\s+lalu|td\s+\w+)"
LIFE_EVENTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), service)
    for pattern, service in (
        (
            r"\b(?:meninggal\w*|wafat\w*|almarhum\w*|almarhumah|alm\.|mendiang|berpulang|"
            r"tutup\s+usia|meninggoy|kematian|(?:sudah|udah|udh)\s+tiada)",
            "akta_kematian",
        ),
        (
            rf"\b(?:melahirkan|lahiran|kelahiran|bayi\s+baru|{_DONE}\s+lahir\b|"
            rf"lahir\s+{_WHEN}|lahir\s+(?:tgl|tanggal)\b)",
            "akta_kelahiran",
        ),
        (rf"\b{_DONE}\s+(?:nikah|menikah|kawin|married)\b", "kk"),
        (
            r"\b(?:pindah\s+(?:rumah|alamat|domisili|kota|ke\s+(?:kota|kabupaten|luar))|"
            r"pindahan)\b",
            "surat_pindah",
        ),
    )
)


def life_event(text: str) -> tuple[str, str] | None:
    """(service id, the words) for the first life event a message names: a death (akta
    kematian), a birth (akta kelahiran), a wedding that took place (the KK), a move (the
    SKPWNI, or the KK within one kabupaten/kota: `move_route`); None when it names none."""
    found = [
        (match.start(), service, match.group(0))
        for pattern, service in LIFE_EVENTS
        if (match := pattern.search(text))
    ]
    if not found:
        return None
    _start, service, words = min(found)
    return service, words.lower()
