"""The keyword rules of complaint categories, and the recognition of pungli.

A transparent keyword scorer: keywords of five letters or more are stems matched at word
starts ("rusak" matches "rusaknya"); shorter ones are whole words, optionally with -nya,
-ku or -mu ("sim" matches "SIM" and "SIMnya", never "simpang"; "bus" never "busuk"). A
phrase of several words counts twice. "Tiga kali" (three times) is not a river. Alone it
was the category suggestion until issue 10; now its scores are features of the trained
classifier (bot.category_model), where cross-validation showed they help, and they tell
whether a story is about something a category covers (bot.complaint_turns).

Pungli is recognised by what happens (someone asks for or takes money outside the
official fee, in whatever words) rather than by single words, because it decides more
than the category: a report that mentions it defaults to confidential whatever category
the citizen picks (`mentions_pungli`), and it overrides the classifier's suggestion.
"""

from __future__ import annotations

import re

from bot.store.models import Category

# Pungli is not scored by keywords: see `mentions_pungli`.
KEYWORDS: dict[Category, tuple[str, ...]] = {
    Category.ADMINDUK: (
        "ktp",
        "e-ktp",
        "ektp",
        "kk",
        "kartu keluarga",
        "akta",
        "akte",
        "kia",
        "dukcapil",
        "disdukcapil",
        "nik",
        "blangko",
        "surat pindah",
        "skpwni",
        "domisili",
        "kependudukan",
    ),
    Category.INFRASTRUKTUR: (
        "jalan rusak",
        "jalan berlubang",
        "lubang",
        "aspal",
        "jembatan",
        "lampu jalan",
        "pju",
        "penerangan",
        "drainase",
        "gorong",
        "selokan",
        "trotoar",
        "retak",
        "ambruk",
        "roboh",
        "longsor",
        "rusak",
        "berlubang",
    ),
    Category.KEBERSIHAN: (
        "sampah",
        "busuk",
        "tps",
        "bau",
        "kotor",
        "limbah",
        "banjir",
        "genangan",
        "got mampet",
        "mampet",
        "tersumbat",
        "pencemaran",
        "asap",
        "bakar sampah",
        "kali",
        "sungai",
    ),
    Category.KESEHATAN: (
        "puskesmas",
        "rumah sakit",
        "rsud",
        "dokter",
        "perawat",
        "bidan",
        "obat",
        "bpjs",
        "jkn",
        "kis",
        "pasien",
        "igd",
        "posyandu",
        "vaksin",
        "berobat",
        "rawat inap",
    ),
    Category.PENDIDIKAN: (
        "sekolah",
        "guru",
        "murid",
        "siswa",
        "sd",
        "smp",
        "sma",
        "smk",
        "ppdb",
        "zonasi",
        "kip",
        "beasiswa",
        "seragam",
        "uang gedung",
        "komite sekolah",
        "kepala sekolah",
        "ijazah",
    ),
    Category.PERIZINAN: (
        "izin",
        "ijin",
        "imb",
        "pbg",
        "nib",
        "oss",
        "siup",
        "perizinan",
        "sertifikat",
        "simbg",
        "amdal",
        "izin usaha",
    ),
    Category.KETERTIBAN: (
        "parkir liar",
        "pkl",
        "pedagang kaki lima",
        "berisik",
        "bising",
        "kebisingan",
        "preman",
        "tawuran",
        "balap liar",
        "knalpot",
        "mabuk",
        "judi",
        "ormas",
        "keributan",
        "juru parkir",
        "jukir",
        "parkir",
    ),
    Category.TRANSPORTASI: (
        "angkot",
        "bus",
        "busway",
        "transjakarta",
        "krl",
        "kereta",
        "ojek",
        "terminal",
        "halte",
        "macet",
        "lampu merah",
        "lalu lintas",
        "sim",
        "surat izin mengemudi",
        "ujian sim",
        "ujian praktik",
        "ujian praktek",
        "ujian teori",
        "satpas",
        "stnk",
        "bpkb",
        "samsat",
        "pajak kendaraan",
        "jembatan timbang",
        "uji kir",
        "dishub",
        "trayek",
        "tilang",
        "ditilang",
        "ojol",
    ),
}


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    """A keyword or phrase at a word start; short last words must end the word."""
    words = keyword.split()
    body = r"\s+".join(re.escape(word) for word in words)
    tail = "" if len(words[-1]) >= 5 else r"(?:nya|ku|mu)?(?![a-z0-9])"
    return re.compile(r"(?<![a-z0-9])" + body + tail)


_PATTERNS: dict[Category, list[tuple[re.Pattern[str], int]]] = {
    category: [(_keyword_pattern(word), 2 if " " in word else 1) for word in words]
    for category, words in KEYWORDS.items()
}

# "tiga kali", "berkali-kali", "kali ini": how often, not a river (Kebersihan's "kali").
_FREQUENCY_RE = re.compile(
    r"(?<![a-z0-9])(?:\d+|se|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh"
    r"|beberapa|berapa|banyak|sekian|tiap|setiap|pertama|terakhir|berkali)\s*-?\s*kali"
    r"(?:-kali)?(?![a-z0-9])|(?<![a-z0-9])kali\s+(?:ini|itu|lipat)(?![a-z0-9])"
)

# -- pungli -----------------------------------------------------------------------------------

_B = r"(?<![a-z0-9])"  # word start
_E = r"(?![a-z0-9])"  # word end
# An amount or a word for money that is handed over.
_AMOUNT = r"(?:rp\.?\s*\d|\d+(?:[.,]\d+)*\s*(?:rb|ribu|rebu|k|jt|juta|rupiah)" + _E + ")"
_MONEY = (
    r"(?:"
    + _B
    + r"(?:uang|duit|imbalan|fee|tip|sumbangan|setoran|upeti)"
    + _E
    + "|"
    + _AMOUNT
    + ")"
)
# Someone asks for, extorts or collects money.
_DEMAND = (
    _B + r"(?:minta|meminta|mintain|minta-minta|dimintai|dimintain|diminta|memintai|dimintakan"
    r"|permintaan|dipalak|memalak|malak|malakin|palak|palakin|ditarik|ditarikin|narikin"
    r"|memungut|dipungut|disuruh|disuruhnya|nyuruh|nyuruhin|suruh)" + _E
)
# The citizen asking for their own money back, or asking the office for something.
_OWN_REQUEST_RE = re.compile(_B + r"(?:saya|kami|aku|sy|gue|gw)\s+(?:minta|meminta)" + _E)
_REFUND_RE = re.compile(r"kembali|refund|ganti\s+rugi")
_DEMAND_RE = re.compile(_DEMAND + r"[^.!?\n]{0,25}?" + _MONEY)
_NOT_FREE = (
    r"(?:gratis|free|tanpa\s+biaya|tidak\s+(?:dipungut\s+)?(?:biaya|bayar)"
    r"|(?:gak|ga|nggak|enggak)\s+bayar)"
)
_PAYMENT = re.compile(_B + r"(?:bayar\w*|uang|duit|biaya)" + _E + "|" + _AMOUNT)
_PUNGLI_RES = [
    re.compile(p)
    for p in (
        # The words for it.
        _B + r"pungl?i" + _E,
        _B + r"pungutan" + _E,
        _B + r"(?:suap|suapan|menyuap|disuap|nyuap|sogok|sogokan|menyogok|disogok|nyogok)" + _E,
        _B + r"(?:calo|calonya|percaloan|makelar)" + _E,
        _B + r"(?:gratifikasi|upeti|pemerasan|memeras|diperas|korupsi|salam\s+tempel)" + _E,
        # Euphemisms: "uang rokok", "uang pelicin", "uang damai", "uang keamanan"...
        _B + r"(?:uang|duit)\s+(?:rokok|kopi|pelicin|damai|lelah|terima\s*kasih|jasa|bensin"
        r"|makan|tip|tambahan|ekstra|pengertian|keamanan|koordinasi|percepatan|titip)" + _E,
        # A fee outside the official one.
        _B + r"(?:biaya|bayaran|tarif|ongkos|iuran)\s+(?:tambahan|ekstra|siluman|liar|pelicin"
        r"|percepatan)" + _E,
        _B + r"(?:tidak|tak|gak|ga|nggak|enggak|bukan)\s+resmi" + _E,
        _B + r"(?:tanpa|tidak\s+(?:ada|diberi|dikasih)|gak\s+ada|ga\s+ada)\s+(?:kuitansi|kwitansi"
        r"|karcis|tanda\s+terima|bukti\s+(?:bayar|pembayaran))",
        _B + r"bayar\s+lebih\s+(?:mahal\s+)?dari\s+(?:tarif|biaya|harga|ketentuan|seharusnya)",
        # Bribes handed over to get something done.
        _B + r"(?:kasih|ngasih|memberi|beri|minta|menyerahkan|serahkan|selipkan|nyelipin)\s+amplop",
        _B + r"(?:sim\s+tembak|nembak\s+sim|jalur\s+(?:belakang|nembak|tembak))" + _E,
    )
]
# These count only when money is mentioned too.
_WITH_PAYMENT_RES = [
    re.compile(p)
    for p in (
        _B + r"di\s*luar\s+(?:biaya|tarif|ketentuan|aturan|harga|prosedur)",
        _B + r"(?:padahal|harusnya|seharusnya|katanya)\s+(?:\w+\s+){0,2}?" + _NOT_FREE + _E,
        # "disuruh bayar 100rb, emg resmi segitu?": the citizen doubts the amount asked.
        _B + r"(?:emang|emg|mang|memang|apa|apakah|apa\s+benar|beneran|bener)\s+(?:itu\s+)?"
        r"resmi" + _E,
        _B + r"(?:kasih|ngasih|memberi|beri|setor|nyetor)\w*\s+[^.!?\n]{0,30}?(?:biar|supaya|agar)"
        r"\s+(?:cepat|cepet|lancar|lolos|lulus|diproses|dipercepat|beres)",
    )
]


def mentions_pungli(text: str) -> bool:
    """Whether the text tells of money asked for or taken outside the official fee.

    Recall over precision: a false alarm costs the citizen one tap (the category and the
    privacy are offered, not imposed), a miss can expose a whistle-blower.
    """
    lowered = " ".join(text.lower().split())
    if any(pattern.search(lowered) for pattern in _PUNGLI_RES):
        return True
    if _PAYMENT.search(lowered) and any(p.search(lowered) for p in _WITH_PAYMENT_RES):
        return True
    for match in _DEMAND_RE.finditer(lowered):
        before = lowered[max(0, match.start() - 8) : match.end()]
        rest = lowered[match.end() : match.end() + 40]
        if _OWN_REQUEST_RE.search(before) or _REFUND_RE.search(rest):
            continue
        return True
    return False


def asks_for_oneself(text: str) -> bool:
    """Whether the citizen asks for something themselves ("saya minta rincian biaya"): such
    a text tells of money without anyone demanding it (the pungli detector's guard)."""
    return bool(_OWN_REQUEST_RE.search(" ".join(text.lower().split())))


def category_scores(text: str) -> dict[Category, int]:
    """Keyword score per category (phrases count twice)."""
    lowered = _FREQUENCY_RE.sub(" ", " ".join(text.lower().split()))
    return {
        category: sum(weight for pattern, weight in patterns if pattern.search(lowered))
        for category, patterns in _PATTERNS.items()
    }


def keyword_category(text: str) -> Category:
    """The keyword scorer's category: pungli when told of, else the best keyword score
    (a tie goes to the category listed first in KEYWORDS), `lainnya` when nothing matches.
    The suggestion before the classifier; kept as the baseline it is measured against."""
    if mentions_pungli(text):
        return Category.PUNGLI
    scores = category_scores(text)
    best = max(scores, key=lambda c: scores[c])
    return best if scores[best] else Category.LAINNYA
