"""What a short message is, independent of the classifier: a question, a clear yes.

The NLU reads "bisa online gk?" as a no and "oh iya, sebelum dikirim mau nanya dulu" as a
yes. Consent and yes/no answers are judged here too, so a question is never taken for an
answer and nothing is sent without a clear yes.
"""

from __future__ import annotations

import re

QUESTION_WORDS = frozenset(
    [
        "apa",
        "apakah",
        "apaan",
        "gimana",
        "bagaimana",
        "gmn",
        "gmana",
        "gimn",
        "kenapa",
        "mengapa",
        "knp",
        "kapan",
        "kpn",
        "dimana",
        "dmn",
        "mana",
        "berapa",
        "brp",
        "brapa",
        "bisakah",
        "bolehkah",
        "siapa",
        "sapa",
        "piye",
        "pripun",
        "kumaha",
        "naon",
        "sabaraha",
        "iraha",
        "dimanakah",
        "how",
        "what",
        "where",
        "when",
        "why",
        "which",
    ]
)
# Words that turn a yes into something else: a hesitation, a condition, a question.
HESITATION_WORDS = frozenset(
    [
        "tapi",
        "tp",
        "tpi",
        "tetapi",
        "sebelum",
        "sblm",
        "bentar",
        "sebentar",
        "tunggu",
        "dulu",
        "nanti",
        "ntar",
        "nanya",
        "tanya",
        "tanyain",
        "kecuali",
        "asal",
        "asalkan",
        "cuma",
        "cuman",
        "ganti",
        "ubah",
        "salah",
        "edit",
        "koreksi",
        "revisi",
        "bukan",
        "belum",
        "blm",
        "jangan",
        "jgn",
        "gak",
        "ga",
        "nggak",
        "enggak",
        "tidak",
        "tdk",
    ]
)
YES_WORDS = frozenset(
    [
        "ya",
        "iya",
        "iyaa",
        "iyaaa",
        "iye",
        "iyo",
        "y",
        "yes",
        "yup",
        "yap",
        "ok",
        "oke",
        "okay",
        "okey",
        "okeh",
        "sip",
        "siap",
        "betul",
        "benar",
        "bener",
        "setuju",
        "lanjut",
        "lanjutkan",
        "lanjutin",
        "kirim",
        "kirimkan",
        "kirimin",
        "kirim",
        "aja",
        "saja",
        "deh",
        "dong",
        "gas",
        "boleh",
        "tentu",
        "pasti",
        "yakin",
        "sudah",
        "udah",
        "udh",
        "sesuai",
        "pas",
        "cocok",
        "mantap",
        "nggih",
        "inggih",
        "leres",
        "sampun",
        "muhun",
        "sumuhun",
        "enggih",
        "monggo",
        "mangga",
        "wae",
        "mawon",  # Javanese krama "saja"
        "kemawon",
        "lah",
        "laporannya",
        "datanya",
        "itu",
        "semua",
        "benar",
        "sekarang",
        "min",
        "kak",
        "pak",
        "bu",
        "bang",
        "mas",
        "mbak",
        "saya",
        "aku",
        "yaudah",
        "yaudh",
        "ywdh",
        "yowes",
        "yowis",
        "siip",
        "sipp",
        "yess",
        "okedeh",
        "kirimkan",
        "please",
        "correct",
        "thats",
        "that's",
        "right",
        "sure",
        "go",
        "ahead",
        "send",
        "it",
    ]
)


def words(text: str) -> list[str]:
    """Lower-case words of a message (letters, digits and apostrophes)."""
    return re.findall(r"[\w']+", text.lower())


def looks_like_question(text: str) -> bool:
    """True for "bisa online gk?", "trus bayarnya dmn ya", "kalau SIM C berapa"."""
    if "?" in text:
        return True
    return any(w in QUESTION_WORDS for w in words(text))


# "... bayar gak sih", "bisa diwakilin ga kak": a yes-no question without a question mark.
_YES_NO_TAIL_RE = re.compile(
    r"\S+\s+\S+\s+\S+\s+(?:ga|gak|gk|nggak|ngga|enggak|engga|tidak|tdk|nda|ndak|ora|teu)"
    r"(?:\s+(?:sih|si|ya|yah|kah|nih|kak|ka|min|bang|gan|pak|bu|mas|mbak))?\s*[.!]*$",
    re.IGNORECASE,
)


def asks_yes_no(text: str) -> bool:
    """A question, or a statement ending in a yes-no tag ("bikin NIB bayar gak sih")."""
    return looks_like_question(text) or bool(_YES_NO_TAIL_RE.search(text.strip()))


# "Mohon kirimkan foto lokasinya.", "Silakan jelaskan kronologinya": an officer asks for
# something without a question.
_REQUEST_RE = re.compile(
    r"\b(?:mohon|tolong|silakan|silahkan|harap|bisakah|dapatkah)\b[^.!?]*?\b(?:kirim\w*|"
    r"jelas\w*|sebut\w*|tulis\w*|informasi\w*|lampir\w*|beri\w*|konfirmasi\w*|"
    r"hubungi|datang|cantum\w*|lengkapi)",
    re.IGNORECASE,
)


def asks_the_citizen(text: str) -> bool:
    """Whether an officer's message asks the citizen something: a question, or a request
    ("Mohon kirimkan foto lokasinya"); not a message that only tells."""
    return asks_yes_no(text) or bool(_REQUEST_RE.search(text))


def _squeeze(word: str) -> str:
    """ "iyaaa" -> "iya", "sipp" -> "sip": repeated letters are emphasis, not new words."""
    return re.sub(r"(\w)\1+", r"\1", word)


SLANG_YES = frozenset(["yoi", "yoa", "yuk", "ayo", "cus", "gas", "gaskeun", "kuy", "oce", "okelah"])


def is_clear_yes(text: str) -> bool:
    """A yes and nothing else ("ya", "iya kirim", "ok lanjut", "nggih leres").

    Anything with a question, a hesitation or other content is not a yes: the citizen is
    answered and asked again.
    """
    found = words(text)
    if not found or len(found) > 8 or looks_like_question(text):
        return False
    if any(w in HESITATION_WORDS for w in found):
        return False
    yes = {_squeeze(w) for w in YES_WORDS} | SLANG_YES

    def is_yes(word: str) -> bool:
        # "kirimlah", "iyalah": the particle -lah only stresses the word.
        bare = word[:-3] if word.endswith("lah") and len(word) > 4 else word
        return any(w in YES_WORDS or _squeeze(w) in yes for w in {word, bare})

    return all(is_yes(w) for w in found)


# "min laporan sy yg pungli kemaren gmn ya", "aduan aku udah diproses blm": a citizen asking
# about their own report, said in a way the classifier missed.
_REPORT = r"\b(?:laporan|lapora?n|aduan|pengaduan|tiket|komplain|keluhan)\w*"
# "laporanku", "tiketnya": the suffix on the report's noun itself ("biasanya", "caranya"
# are not "mine").
_MINE = (
    r"\b(?:saya|sy|aku|ku|gw|gue|gua|kami)\b|"
    r"\b(?:laporan|aduan|pengaduan|tiket|komplain|keluhan)(?:ku|nya)\b"
)
_HOW_FAR = (
    r"\b(?:gimana|gmn|gmna|bagaimana|gimn|udah|udh|sudah|sdh|blm|belum|sampai\s+mana|"
    r"sampe\s+mana|kabar\w*|status\w*|diproses|ditindaklanjuti|ditanggapi|progres\w*|"
    r"perkembangan\w*|lanjutannya)\b"
)


# "yg kmrn sy laporin", "yang saya laporkan", "yg aku aduin": the report named by what the
# citizen did ("the one I reported"), not by a noun.
_WHAT_I_REPORTED = (
    r"\b(?:yg|yang)\b(?:\s+\w+){0,3}?\s+(?:sy|saya|aku|ku|gw|gue|gua|kami)\s*"
    r"(?:laporin|laporkan|lapor|adukan|aduin|komplain\w*|keluhkan)\b"
)


def asks_about_own_report(text: str) -> bool:
    """Whether a message asks how the citizen's own report is getting on."""
    lowered = text.lower()
    if len(words(lowered)) > 16 or re.search(_HOW_FAR, lowered) is None:
        return False
    if re.search(_WHAT_I_REPORTED, lowered) is not None:
        return True
    return re.search(_REPORT, lowered) is not None and re.search(_MINE, lowered) is not None


# "mau komplain", "pengen ngadu", "sy mau lapor", "badhe lapor": the citizen says they want to
# complain. "lapor kematian", "lapor SPT" and the like report an event to an office (a
# service), not a complaint.
_COMPLAIN_WISH_RE = re.compile(
    r"\b(?:mau|mo|mw|pengen|pingin|pgn|ingin|hendak|arep|badhe|ajeng|hoyong|bermaksud)\s+"
    r"(?:(?:bikin|buat|ngajuin|mengajukan|nyampaikan|menyampaikan)\s+)?"
    r"(?:komplain\w*|complain\w*|ngadu\w*|mengadu\w*|adukan|protes\w*|ngeluh\w*|mengeluh\w*|"
    r"lapor|melapor|ngelapor|laporin|ngelaporin|melaporkan|pengaduan|aduan)\b",
    re.IGNORECASE,
)
_REPORTING_AN_EVENT_RE = re.compile(
    r"\blapor\w*\s+(?:kematian|kelahiran|kehilangan|spt|pajak|diri|pindah\w*|kedatangan|"
    r"perkawinan|pernikahan|perceraian|usaha|harta)\b",
    re.IGNORECASE,
)


def says_wants_to_complain(text: str) -> bool:
    """Whether a message says in so many words that the citizen wants to complain ("mau
    komplain, kemarin ..."), not that they want to report an event to an office."""
    return bool(_COMPLAIN_WISH_RE.search(text)) and not _REPORTING_AN_EVENT_RE.search(text)


# "Terima kasih banyak atas penjelasannya. Semoga sehat selalu.": thanks and good wishes,
# no remark on the service (praise or criticism is feedback, kept for the officers).
_THANKS_RE = re.compile(
    r"\b(?:terima\s*kasih|trima\s*kasih|makasih|makasi|mksh|thanks?|thx|tq|matur\s+nuwun|"
    r"hatur\s+nuhun|nuhun)\b",
    re.IGNORECASE,
)
_THANKS_FILLER = frozenset(
    [
        "banyak",
        "bnyk",
        "byk",
        "atas",
        "penjelasan",
        "penjelasannya",
        "infonya",
        "informasinya",
        "info",
        "informasi",
        "bantuan",
        "bantuannya",
        "jawabannya",
        "semoga",
        "moga",
        "sehat",
        "selalu",
        "sukses",
        "berkah",
        "lancar",
        "amin",
        "aamiin",
        "pak",
        "bu",
        "bapak",
        "ibu",
        "mas",
        "mbak",
        "min",
        "admin",
        "kak",
        "ya",
        "yah",
        "nggih",
        "ok",
        "oke",
        "baik",
        "sekali",
        "sangat",
        "sgt",
        "sudah",
        "udah",
        "sdh",
        "atas",
        "nya",
        "yg",
        "yang",
        "telah",
        "dan",
        "juga",
        "sama",
        "semua",
        "tuhan",
        "memberkati",
        # "makasih pak udh ditanggepin": thanks for the handling, no remark on it (E16)
        "udh",
        "alhamdulillah",
        "ditanggepin",
        "ditanggapi",
        "ditanggapin",
        "ditanggepi",
        "dibantu",
        "dibales",
        "dibalas",
        "dijawab",
        "direspon",
        "responnya",
        "tanggapannya",
        "balasannya",
    ]
)


def is_only_thanks(text: str) -> bool:
    """Thanks, with at most good wishes and polite words ("makasih banyak infonya pak,
    semoga sukses"), nothing said about the service."""
    if not _THANKS_RE.search(text):
        return False
    rest = _THANKS_RE.sub(" ", text)
    return all(word in _THANKS_FILLER for word in words(rest))


# "ini nanti yg nanganin dinkes atau siapa ya?", "laporan sy ditangani siapa?": who deals
# with a complaint.
_WHO_HANDLES_RE = re.compile(
    r"\b(?:yg|yang)\s+(?:nanganin|menangani|nangani|ngurus|ngurusin|mengurus|nindaklanjutin|"
    r"menindaklanjuti|proses|memproses|ngeproses)\b|"
    r"\b(?:ditangani|diurus|diproses|ditindaklanjuti|diteruskan)\s+(?:oleh\s+|sama\s+|sm\s+|"
    r"ke\s+)?(?:siapa|mana|dinas\s+apa|instansi\s+apa|unit\s+apa)\b|"
    r"\bsiapa\s+(?:yg|yang)\s+(?:nanganin|menangani|ngurus|mengurus|memproses)\b",
    re.IGNORECASE,
)


def asks_who_handles(text: str) -> bool:
    """A question about who deals with a complaint ("ini nanti yg nanganin dinkes atau
    siapa ya?"), not about a service."""
    return looks_like_question(text) and bool(_WHO_HANDLES_RE.search(text))


# "bot km udh mkn blm", "lagi ngapain min", "apa kabar kak": chatting with the bot itself.
_SMALL_TALK_RE = re.compile(
    r"\b(?:(?:udh|udah|sudah|sdh|dah|blm|belum)\s+(?:makan|mkn|maem|mam|mandi|tidur|bobo|"
    r"sholat|solat|shalat|ngopi)|(?:lagi|lg|sedang)\s+(?:ngapain|ngapa|sibuk)|"
    r"ngapain\s+(?:aja|sih|nih)|apa\s+kabar\w*|(?:gimana|gmn|gmana)\s+kabar\w*|"
    r"(?:kamu|km|kmu|bot|botnya|min|mimin)\s+(?:cantik|ganteng|lucu|jomblo|jomlo|capek|cape|"
    r"lelah|umur|umurnya|tinggal|asli)|punya\s+pacar|temenin\s+(?:aku|sy|saya|gw|gue))\b",
    re.IGNORECASE,
)


def is_small_talk(text: str) -> bool:
    """A short chat with the bot itself ("bot km udh mkn blm", "apa kabar min"), with no
    wish to complain."""
    return (
        len(words(text)) <= 7
        and _SMALL_TALK_RE.search(text) is not None
        and not says_wants_to_complain(text)
    )


# "min", "mau tanya", "permisi kak, numpang nanya dong": only the words a citizen opens with,
# before the question itself (often a message of its own on Telegram).
_OPENER_TEXT = (
    "min mimin admin kak kakak ka bang mas mbak mba pak bu bapak ibu gan sis om tante "
    "halo hallo haloo hai hi hay p ping permisi misi punten spada selamat met pagi siang "
    "sore malam assalamualaikum aslm mau mo mw pengen pingin ingin boleh bole numpang "
    "izin ijin tanya nanya nanyak bertanya tny dong donk ya yah dulu nih sih ini"
)
_OPENER_WORDS = frozenset(_OPENER_TEXT.split())


def is_opener_only(text: str) -> bool:
    """Whether a message holds nothing but opening words (a greeting, an address, "mau
    tanya"), so the citizen is still to say what they want."""
    found = words(text.lower())
    return 0 < len(found) <= 8 and all(w in _OPENER_WORDS for w in found)


# "lho sy td jawab pertanyaan petugas", "itu jawaban buat pertanyaan petugas td": the citizen
# says their previous message was the answer to an officer.
_ANSWERED_OFFICER_RE = re.compile(
    r"\b(?:jawab|jawaban|jawabannya|menjawab|njawab|balas|balasan|tanggapan|nanggepin)\b"
    r"(?:\s+\w+){0,4}?\s+(?:petugas\w*|pak\s+petugas|bu\s+petugas)\b",
    re.IGNORECASE,
)


_ALREADY_WORDS = frozenset(["td", "tadi", "tdi", "barusan", "udh", "udah", "sudah", "sdh", "itu"])


def says_answered_officer(text: str) -> bool:
    """Whether a short message says the previous one was the answer to an officer ("tadi",
    "itu": already said; "mau jawab petugas" is not)."""
    found = words(text.lower())
    return (
        len(found) <= 14
        and _ANSWERED_OFFICER_RE.search(text) is not None
        and any(w in _ALREADY_WORDS for w in found)
    )
