"""Suggests a complaint category from the citizen's own words.

A transparent keyword scorer: the citizen always confirms or picks another category, so
a wrong guess costs one tap. Keywords are stems matched at word starts ("rusak" matches
"rusaknya").
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from bot.labels import CATEGORY_LABELS, CATEGORY_SHORT_LABELS
from bot.store.models import Category

KEYWORDS: dict[Category, tuple[str, ...]] = {
    Category.PUNGLI: (
        "pungli",
        "pungut",
        "suap",
        "sogok",
        "uang pelicin",
        "uang rokok",
        "uang damai",
        "calo",
        "korupsi",
        "gratifikasi",
        "minta uang",
        "dimintai uang",
        "diminta uang",
        "minta duit",
        "dimintai duit",
        "bayar lebih",
        "biaya tambahan",
        "tidak resmi",
        "ga resmi",
        "gak resmi",
        "amplop",
        "setoran",
        "pemerasan",
        "diperas",
    ),
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
        "stnk",
        "samsat",
        "dishub",
        "trayek",
        "tilang",
    ),
}

_PATTERNS: dict[Category, list[re.Pattern[str]]] = {
    category: [re.compile(r"(?<![a-z0-9])" + re.escape(word)) for word in words]
    for category, words in KEYWORDS.items()
}


def suggest_category(text: str) -> Category:
    """The most likely category for a complaint text; `lainnya` when nothing matches.

    Pungli wins whenever it is mentioned: an extortion report must never be filed under
    a harmless category (it also defaults the report to confidential).
    """
    lowered = text.lower()
    scores = {
        category: sum(1 for pattern in patterns if pattern.search(lowered))
        for category, patterns in _PATTERNS.items()
    }
    if scores[Category.PUNGLI]:
        return Category.PUNGLI
    best = max(scores, key=lambda c: scores[c])
    return best if scores[best] else Category.LAINNYA


def parse_category(text: str) -> Category | None:
    """A category the citizen typed or tapped ("pungli", "Kebersihan", "infrastruktur aja")."""
    lowered = text.strip().lower()
    if not lowered:
        return None
    for category in Category:
        if category.value == lowered:
            return category
    choices: dict[str, Category] = {}
    for category in Category:
        choices[category.value] = category
        choices[CATEGORY_SHORT_LABELS[category].lower()] = category
        choices[CATEGORY_LABELS[category].lower()] = category
    words = re.findall(r"[a-z/]+", lowered)
    for word in words:
        if word in choices:
            return choices[word]
    match = process.extractOne(lowered, list(choices), scorer=fuzz.WRatio, score_cutoff=86)
    return choices[match[0]] if match else None
