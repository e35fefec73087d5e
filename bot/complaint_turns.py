"""How the complaint form reads one citizen message.

A message inside the form is one of: the answer to the question asked (and possibly more:
a story that already names the place, the category or the wish to stay anonymous), a
correction of an earlier answer, a question or small talk (answered, then the question is
asked again), the wish to stop (confirmed before anything is thrown away), or a clear yes
at the summary (the only thing that sends a complaint). Pure functions: the action in
`actions/complaint_form.py` turns the outcome into Rasa events.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.categories import category_scores, mentions_pungli, parse_category
from bot.phrases import is_clear_yes, looks_like_question, words
from bot.store.models import Category, Privacy

DESCRIPTION = "complaint_description"
LOCATION = "complaint_location"
CATEGORY = "complaint_category"
PRIVACY = "complaint_privacy"
CONFIRMED = "complaint_confirmed"
# The opening message when it only named the subject ("saya mau lapor pungli di kantor
# kecamatan"): kept, and put before the story the citizen is then asked for.
OPENING = "complaint_opening"
# A privacy wish said in words before the privacy question: preselected there (E11).
PRIVACY_WISH = "complaint_privacy_wish"
ORDER = (DESCRIPTION, LOCATION, CATEGORY, PRIVACY, CONFIRMED)
# Not slots: what the action reads from the conversation for `read`. The story as it was
# before "Ubah isi" cleared it, and whether the citizen was just asked for an addition (E4).
EARLIER_STORY = "earlier_story"
ADDING = "adding"

DESCRIPTION_MIN = 15
DESCRIPTION_MAX = 4000
LOCATION_MIN = 3
LOCATION_MAX = 500
# A story at least this long is a story, whatever the classifier thought it was.
NARRATIVE_MIN = 40
QUESTION_INTENTS = frozenset(
    {
        "ask_requirements",
        "ask_cost",
        "ask_duration",
        "ask_procedure",
        "ask_location_hours",
        "check_status",
        "request_human",
        "ask_help",
    }
)
SMALL_TALK_INTENTS = frozenset({"greet", "bot_challenge"})
LEAVING_INTENTS = frozenset({"goodbye", "thank"})
CONFIDENT = 0.6

PRIVACY_PHRASES: dict[str, Privacy] = {
    "biasa": Privacy.PUBLIC,
    "publik": Privacy.PUBLIC,
    "public": Privacy.PUBLIC,
    "terbuka": Privacy.PUBLIC,
    "boleh dipublikasikan": Privacy.PUBLIC,
    "nama saya boleh": Privacy.PUBLIC,
    "gak usah dirahasiakan": Privacy.PUBLIC,
    "tidak usah dirahasiakan": Privacy.PUBLIC,
    "anonim": Privacy.ANONYMOUS,
    "anonym": Privacy.ANONYMOUS,
    "anonymous": Privacy.ANONYMOUS,
    "tanpa nama": Privacy.ANONYMOUS,
    "sembunyikan identitas": Privacy.ANONYMOUS,
    "identitas saya disembunyikan": Privacy.ANONYMOUS,
    "identitas disembunyikan": Privacy.ANONYMOUS,
    "disembunyikan identitas": Privacy.ANONYMOUS,
    "rahasiakan identitas": Privacy.ANONYMOUS,
    "rahasiakan nama": Privacy.ANONYMOUS,
    "identitas saya dirahasiakan": Privacy.ANONYMOUS,
    "identitas dirahasiakan": Privacy.ANONYMOUS,
    "nama saya dirahasiakan": Privacy.ANONYMOUS,
    "jangan tampilkan nama": Privacy.ANONYMOUS,
    "jangan sebut nama": Privacy.ANONYMOUS,
    "nama saya jangan": Privacy.ANONYMOUS,
    "rahasia": Privacy.CONFIDENTIAL,
    "dirahasiakan": Privacy.CONFIDENTIAL,
    "confidential": Privacy.CONFIDENTIAL,
    "biasa aja": Privacy.PUBLIC,
    "biasa saja": Privacy.PUBLIC,
    "laporan biasa": Privacy.PUBLIC,
    "identitas boleh": Privacy.PUBLIC,
}
# "identitas saya tolong disembunyikan": identity words near hiding words.
HIDE_IDENTITY_RE = re.compile(
    r"\b(identitas|nama)\b(?:\W+\w+){0,3}?\W+(di)?(sembunyi|rahasia|samar)\w*", re.IGNORECASE
)
# "jgn sebut nama sy", "ga usah pake nama", "nama sy jangan ditulis": no name (E11).
NAME_NOT_SAID_RE = re.compile(
    r"\b(?:jangan|jgn|gak\s+usah|ga\s+usah|gausah|gk\s+usah|tidak\s+usah|tdk\s+usah|"
    r"nggak\s+usah|ngga\s+usah)\s+(?:di)?(?:sebut\w*|tulis\w*|cantum\w*|tampil\w*|pake|pakai|"
    r"kasih\s+tau|kasi\s+tau)\s+(?:nama|identitas)|\b(?:nama|identitas)(?:ku|\s+(?:sy|saya|"
    r"aku|gw|gue))\s+(?:jangan|jgn|gak\s+usah|ga\s+usah|tidak\s+usah)\b|\btanpa\s+identitas\b",
    re.IGNORECASE,
)
# "udah jadi rahasia umum": an open secret, not a wish.
OPEN_SECRET_RE = re.compile(r"\brahasia\s+umum\b", re.IGNORECASE)
# Why the citizen asks for privacy ("sy takut nanti ibu sy dipersulit", "kasian anak sy"):
# not the story.
FEAR_RE = re.compile(
    r"\b(?:takut|tkt|khawatir|kuatir|kawatir|was-was|waswas|ngeri|diincar|balas\s+dendam|"
    r"kasian|kasihan|ksian|ga\s+enak|gak\s+enak|nggak\s+enak|sungkan|biar\s+aman)\b",
    re.IGNORECASE,
)
CATEGORY_STATED_RE = re.compile(
    r"\b(?:kategori(?:nya|ne)?|category|masuk(?:\s+ke)?|termasuk)\b[\s:]*(?:ke\s+)?(?P<rest>[^.,;!?\n]{2,60})",
    re.IGNORECASE,
)
# Where a place starts in a story: "di Jl. Melati", "depan SDN 3", "Kelurahan Sukamaju".
PLACE_MARKERS = (
    r"(?:jln?\b\.?|jalan\b|gang\b|gg\.?|kelurahan\b|kel\.|kecamatan\b|kec\.|desa\b|"
    r"kampung\b|dusun\b|rt\s*\.?\s*\d+|perum\w*|komplek\w*|kompleks\b|pasar\b|terminal\b|"
    r"stasiun\b|puskesmas\b|rsud\b|kantor\s+\w+|sd\s*n?\b|smp\s*n?\b|sma\s*n?\b|"
    r"sdn\b|smpn\b|sman\b|masjid\b|balai\s+desa|halte\b|taman\b|lapangan\b|spbu\b|tps\b|"
    r"polsek\b|polres\b|samsat\b|jembatan\b|bundaran\b|alun-alun\b)"
)
# Words that lead to a place, as citizens type them: "dkt pasar kramat", "dpn SDN 3",
# "sblh puskesmas", "di dalem terminal", "di area pasar" (N9).
PLACE_PREPOSITIONS = (
    r"(?:di(?:\s+(?:dalam|dalem|dlm|area|kawasan|daerah|lingkungan|wilayah|sekitar|"
    r"sekitaran))?|dekat|deket|dkt|dket|depan|dpn|depannya|samping|smping|sebelah|sblh|"
    r"belakang|blkg|blakang|seberang|sebrang|sbrg|sekitar|sekitaran|seputar|pertigaan|"
    r"perempatan|ujung|ke|soal|tentang|mengenai|perihal)"
)
PLACE_AFTER_PREPOSITION_RE = re.compile(
    r"(?<![\w])" + PLACE_PREPOSITIONS + r"\s+(?:\w+\s+)?" + PLACE_MARKERS,
    re.IGNORECASE,
)
# The informal spellings of the words that say where, written out in the stored place.
PLACE_WORD_SPELLED_OUT = {
    "dkt": "dekat",
    "dket": "dekat",
    "deket": "dekat",
    "dpn": "depan",
    "smping": "samping",
    "sblh": "sebelah",
    "blkg": "belakang",
    "blakang": "belakang",
    "sbrg": "seberang",
    "sebrang": "seberang",
}
# "di", "di dalam", "di area": lead to the place and say nothing more of where it is.
PLACE_LEAD_IN_RE = re.compile(
    r"^(?:di(?:\s+(?:dalam|dalem|dlm|area|kawasan|daerah|lingkungan|wilayah))?|ke|soal|"
    r"tentang|mengenai|perihal)\s+",
    re.IGNORECASE,
)
# Words with which the sentence goes on after a place: "... kantor imigrasi kota contoh
# tadi pagi", "... pasar kramat jati baru yang dekat terminal".
PLACE_CLAUSE_WORDS = frozenset(
    {"yang", "yg", "tadi", "td", "tdi", "kemarin", "kemaren", "kmrn", "kmren", "jam", "pas"}
    | {"waktu", "wkt", "sejak", "semalam", "barusan", "dan", "tapi", "tp", "sudah", "udah"}
    | {"udh", "sdh", "ketika", "saat", "sewaktu", "pada", "tgl", "tanggal"}
)
# Name words beyond NAME_WORDS_MAX taken when they run up to where the place ends.
NAME_WORDS_TO_THE_END = 2
# Without a preposition only unambiguous markers ("lampu jalan" is not a place).
PLACE_BARE_RE = re.compile(
    r"(?<![\w])(?:jl\.|jln\.?|gang\b|gg\.|kelurahan\b|kel\.|kecamatan\b|kec\.|desa\b|"
    r"rt\s*\.?\s*\d+|perumahan\b|komplek\w*)",
    re.IGNORECASE,
)
PLACE_END_RE = re.compile(
    r"[.;!?\n]|,\s*(?:sudah|udah|udh|sejak|dari|yang|yg|dan|tapi|tolong|mohon|"
    r"kategori\w*|anonim\w*|rahasia\w*|identitas|nama saya|saya)\b|\s(?:sudah|udah|udh|sejak|"
    r"selama|tolong|mohon|padahal|karena|soalnya|mati|rusak|berlubang|bolong|menumpuk|"
    r"numpuk|tidak|gak|ga|nggak|belum|banyak|ada|sering|selalu|terus|macet|banjir|bau|"
    r"gelap|minta|meminta|dimintai|petugas\w*|itu|ini|kok|yg|yang|dan|tapi)\b",
    re.IGNORECASE,
)
CANCEL_RE = re.compile(
    r"^\W*(?:batal\w*|cancel\w*|gak jadi|ga jadi|gajadi|nggak jadi|tidak jadi|gk jadi|"
    r"ga jd|gak jd|stop|berhenti|udahan|sudahan|abort|quit)\b",
    re.IGNORECASE,
)
CANCEL_ANYWHERE_RE = re.compile(r"\b(?:batal\w*|cancel\w*|ya+,? batalkan)\b", re.IGNORECASE)
# In a short message these words anywhere mean stopping ("eh gak jadi deh, udahan aja").
CANCEL_SHORT_RE = re.compile(
    r"\b(?:batal\w*|cancel\w*|gak jadi|ga jadi|gajadi|nggak jadi|tidak jadi|gk jadi|ga jd|"
    r"gak jd|udahan|sudahan)\b",
    re.IGNORECASE,
)
KEEP_GOING_RE = re.compile(
    r"\b(?:jangan|jgn|lanjut\w*|terus\w*|kepencet|salah pencet|gak jadi batal|ga jadi batal)\b",
    re.IGNORECASE,
)
NOT_COMPLAINING_RE = re.compile(
    r"\b(?:gak|ga|gk|nggak|enggak|ngga|tidak|tdk|ndak|ora|teu|bukan)\s+(?:\w+\s+)?"
    r"(?:mau|jadi|ingin|pengen|pingin)?\s*(?:lapor|ngadu|mengadu|komplain|melapor)",
    re.IGNORECASE,
)
EDIT_WORDS = frozenset(
    [
        "ubah",
        "ganti",
        "edit",
        "koreksi",
        "ralat",
        "revisi",
        "perbaiki",
        "salah",
        "keliru",
        "harusnya",
        "seharusnya",
        "mestinya",
        "bukan",
        "diganti",
        "diubah",
        "ganti",
    ]
)
FIELD_WORDS: dict[str, str] = {
    "lokasi": LOCATION,
    "lokasinya": LOCATION,
    "alamat": LOCATION,
    "alamatnya": LOCATION,
    "tempat": LOCATION,
    "tempatnya": LOCATION,
    "kategori": CATEGORY,
    "kategorinya": CATEGORY,
    "privasi": PRIVACY,
    "sifat": PRIVACY,
    "identitas": PRIVACY,
    "cerita": DESCRIPTION,
    "ceritanya": DESCRIPTION,
    "isi": DESCRIPTION,
    "isinya": DESCRIPTION,
    "uraian": DESCRIPTION,
    "kronologi": DESCRIPTION,
    "deskripsi": DESCRIPTION,
}
NEW_VALUE_RE = re.compile(
    r"\b(?:harusnya|seharusnya|mestinya|yang benar|yg bener|yg benar|jadi|menjadi|ke)\b[\s:]*"
    r"(?P<value>.+)$|:\s*(?P<value2>.+)$",
    re.IGNORECASE,
)


# "lokasinya ganti jl melati no 4", "alamatnya diganti jadi Jl. Kenari 7".
FIELD_CHANGED_RE = re.compile(
    r"\b(?:lokasi|alamat|tempat|kategori|isi|cerita)(?:nya)?\s+(?:di)?(?:ganti|ubah|rubah)\s+"
    r"(?:(?:jadi|jd|menjadi|ke|dengan|:)\s*)?(?P<value>.+)$(?P<value2>)",
    re.IGNORECASE,
)
# "lho kebalik min, yg di lokasi itu harusnya isi laporannya": two answers swapped.
SWAPPED_RE = re.compile(
    r"\b(?:ke?balik|terbalik|kebolak|ketuker|ketukar|tertukar|ketukeran|dibalik|ditukar|"
    r"dituker|tukar|tuker)\w*\b",
    re.IGNORECASE,
)
# A question at the summary about who will see the citizen's name.
PRIVACY_QUESTION_RE = re.compile(
    r"\b(?:nama|identitas|data\s+(?:diri|pribadi)|ketahuan|ketauan|ketawan|dikenali|"
    r"rahasia\w*|anonim\w*)\b|\b(?:tau|tahu)\b.{0,30}\b(?:sy|saya|aku|gw|gue)\b.{0,10}"
    r"\b(?:lapor|ngadu|melapor)",
    re.IGNORECASE,
)
# "kalo udh dikirim bisa diedit gak?": changing the complaint once it is sent.
_CHANGE = r"(?:di)?(?:edit|ubah|rubah|ganti|ralat|koreksi|tambah|hapus|batal)\w*"
EDIT_QUESTION_RE = re.compile(
    rf"\b{_CHANGE}\b.{{0,40}}\b(?:dikirim|terkirim|kekirim)\b|"
    rf"\b(?:dikirim|terkirim|kekirim)\b.{{0,40}}\b{_CHANGE}\b",
    re.IGNORECASE,
)
# A ticket id ("ADU-BDQNXH") or a request to check a report ("cek status laporan sy").
STATUS_RE = re.compile(
    r"\badu-[0-9a-z]{6}\b|\b(?:cek|status|lacak)\b.{0,30}\b(?:laporan|aduan|pengaduan|tiket)",
    re.IGNORECASE,
)
# "biasanya laporan gini brp lama ditindaklanjuti?": how long a complaint takes.
TIMELINE_RE = re.compile(
    r"\b(?:(?:berapa|brp|brapa|brpa)\s*(?:lama|hari|minggu)|kapan|lama\w*)\b.{0,40}"
    r"\b(?:ditindak\s*lanjut\w*|tindak\s*lanjut\w*|diproses|diurus|ditangani|ditanggapi|"
    r"direspon\w*|dibales|dibalas|diverifikasi|diselesaikan|selesai|beres|kelar)\b|"
    r"\b(?:ditindak\s*lanjut\w*|diproses|ditanggapi|ditangani)\b.{0,20}\b(?:berapa|brp)\s*"
    r"(?:lama|hari)",
    re.IGNORECASE,
)


# "maksudnya?", "gimana maksudnya": the citizen asks what the question means.
MEANING_RE = re.compile(
    r"\b(?:maksud(?:nya|ny|e)?|(?:apa|gimana|gmn|bagaimana)\s+(?:sih\s+)?(?:itu\s+)?maksud\w*)\b",
    re.IGNORECASE,
)
_MY = r"(?:sy|saya|aku|gw|gue|gua|kami|ku)"
# "alamat kantornya ato rumah sy?", "lokasi yg mana?", "alamat domisili sy?": which place
# the location question wants.
LOCATION_MEANING_RE = re.compile(
    r"\b(?:lokasi|alamat|tempat)\w*\s+(?:apa|yg\s+mana|yang\s+mana|mana\s+(?:yg|yang)|siapa)\b|"
    rf"\b(?:rumah|domisili|tempat\s+tinggal|alamat)\s+(?:rumah\s+|domisili\s+)?{_MY}\b|"
    r"\b(?:atau|ato|atw|apa)\s+(?:alamat|lokasi|tempat)\s*(?:nya\s+)?(?:kejadian|kantor|rumah)",
    re.IGNORECASE,
)


def asks_what_is_meant(text: str, requested: str | None) -> bool:
    """A question about the question asked ("maksudnya lokasi apa? alamat kantornya ato
    rumah sy?", "maksudnya kategori apa?"), not an answer nor a question about a service:
    the question is explained and asked again."""
    if requested is None or not looks_like_question(text) or story_signals(text) >= 2:
        return False
    if requested == LOCATION and place_in(text) is None and LOCATION_MEANING_RE.search(text):
        return True
    return bool(MEANING_RE.search(text)) and len(words(text)) <= 14


def asks_complaint_timeline(text: str) -> bool:
    """A question about how long complaints take ("biasanya brp lama ditindaklanjuti?"),
    not about a service's duration nor one ticket's status."""
    if STATUS_RE.search(text) and re.search(r"\badu-", text, re.IGNORECASE):
        return False
    return looks_like_question(text) and bool(TIMELINE_RE.search(text))


def asks_status(text: str, intent: str | None) -> bool:
    """A question about the citizen's earlier reports asked inside the form."""
    if asks_complaint_timeline(text):
        return False
    return bool(STATUS_RE.search(text)) or (intent == "check_status" and len(words(text)) <= 12)


def summary_question(text: str) -> str | None:
    """ "privacy" or "edit" for a question at the summary about who sees the name, or
    about changing the complaint once sent."""
    if not looks_like_question(text):
        return None
    if EDIT_QUESTION_RE.search(text):
        return "edit"
    if PRIVACY_QUESTION_RE.search(text):
        return "privacy"
    return None


# "kan udh sy ceritain td", "seperti yang saya tulis di atas": the story was told before.
REFERS_BACK_RE = re.compile(
    r"\b(?:udah|udh|sudah|sdh|dah|kan|sy|saya|aku|gue|gw)\b.{0,20}?"
    r"\b(?:cerit\w*|bilang|sebut\w*|jelas\w*|tulis\w*|kasih\s*tau|kasi\s*tau|sampaikan|"
    r"sampein)\b.{0,30}\b(?:tadi|td|sebelumnya|barusan|di\s*atas|diatas)\b",
    re.IGNORECASE,
)


def refers_back(text: str) -> bool:
    """A short answer that points at a story told earlier instead of telling it again."""
    return len(words(text)) <= 10 and bool(REFERS_BACK_RE.search(text))


# "itu aja", "sudah itu saja", "cukup", "gak ada lagi": nothing more to tell.
THAT_IS_ALL_RE = re.compile(
    r"\b(?:itu\s+(?:aja|saja|doang)|(?:udah|sudah|udh|dah)\s+(?:itu\s+)?(?:aja|saja|semua)"
    r"|cukup|(?:gak|ga|nggak|tidak|tdk|gk)\s+ada\s+lagi|segitu\s+(?:aja|saja))\b",
    re.IGNORECASE,
)


ANNOUNCEMENT_WORDS = frozenset(
    [
        "dengan",
        "hormat",
        "selamat",
        "pagi",
        "siang",
        "sore",
        "malam",
        "assalamualaikum",
        "assalamu",
        "alaikum",
        "wr",
        "wb",
        "halo",
        "hallo",
        "permisi",
        "min",
        "mimin",
        "kak",
        "pak",
        "bu",
        "bapak",
        "ibu",
        "admin",
        "saya",
        "aku",
        "sy",
        "kami",
        "ingin",
        "mau",
        "pengen",
        "pingin",
        "hendak",
        "akan",
        "bermaksud",
        "menyampaikan",
        "membuat",
        "bikin",
        "buat",
        "melaporkan",
        "melapor",
        "ngelapor",
        "laporin",
        "laporkan",
        "ngelaporin",
        "lapor",
        "mengadukan",
        "adukan",
        "ngadukan",
        "laporan",
        "pengaduan",
        "aduan",
        "ngadu",
        "mengadu",
        "komplain",
        "keluhan",
        "mengeluh",
        "mengeluhkan",
        "terkait",
        "tentang",
        # Javanese, Sundanese and English ways to say the same
        "kulo",
        "kula",
        "abdi",
        "badhe",
        "ajeng",
        "arep",
        "hoyong",
        "i",
        "would",
        "like",
        "want",
        "to",
        "file",
        "make",
        "submit",
        "report",
        "complaint",
        "please",
        "a",
        "an",
        "about",
        "regarding",
        "soal",
        "perihal",
        "sesuatu",
        "suatu",
        "hal",
        "masalah",
        "nih",
        "dong",
        "ya",
        "yah",
        "tolong",
        "mohon",
        "bisa",
        "sebuah",
        "satu",
        # How citizens address the bot and spell the wish in chat (E20)
        "bang",
        "abang",
        "mas",
        "mbak",
        "mba",
        "kakak",
        "om",
        "bos",
        "bro",
        "sis",
        "gan",
        "mo",
        "mw",
        "pgn",
        "komplen",
        "komplin",
        "complain",
        "ngomplain",
        "ngeluh",
        "aduin",
        "ngaduin",
        "ni",
    ]
)


# Words of talk around a message, not of what happened ("wah", "aja", "bgt").
CHATTER_WORDS = frozenset(
    {"wah", "waduh", "aduh", "duh", "lho", "loh", "kok", "eh", "nah", "sih", "deh", "dong"}
    | {"aja", "ajah", "lah", "yah", "bgt", "banget", "bngt", "gitu", "gini", "punya", "oh"}
    | {"ok", "oke", "hmm", "gan", "sis", "jd", "jadi", "udah", "udh", "sudah", "kan", "tuh"}
    | {"pokoknya", "intinya", "juga", "jg", "yaudah", "mah", "kali", "emang", "memang"}
)
# "bukan nanya jam buka", "bukan mau tanya": what the citizen does not want (a protest).
NOT_ASKING_RE = re.compile(
    r"\b(?:bukan|bkn|gak|ga|nggak|tidak|tdk)\s+(?:mau\s+|mo\s+|cuma\s+|cm\s+)?"
    r"(?:nanya|tanya|bertanya|nanyain|tanyain|nanyak)\b[^.,;!?\n]*",
    re.IGNORECASE,
)


def only_announces(text: str) -> bool:
    """True for an opening that says a complaint is coming but not what it is ("Dengan
    hormat, saya ingin menyampaikan pengaduan.", "lho sy mau komplain bukan nanya")."""
    bare = NOT_ASKING_RE.sub(" ", text)
    rest = [w for w in words(bare) if w not in ANNOUNCEMENT_WORDS and w not in CHATTER_WORDS]
    return len(rest) < 3


# Words that carry no detail of what happened (besides ANNOUNCEMENT_WORDS).
FILLER_WORDS = frozenset(
    {"di", "ke", "dari", "pada", "yang", "yg", "dan", "ini", "itu", "nya", "ada", "sih", "deh"}
    | {"the", "at", "in", "of"}
)
# Fewer words of detail than this, beside the announcement and the place: only a subject.
STORY_DETAIL_MIN = 4

# What tells that something happened: when, what was done or said, money, how long.
STORY_CUE_RE = re.compile(
    r"\b(?:kemarin|kemaren|kmrn|kmren|kmarin|tadi|td|tgl|tanggal|sejak|semalam|barusan|pas|"
    r"sewaktu|ketika|trus|terus|trs|lalu|kemudian|abis\s+itu|habis\s+itu|setelah\s+itu|"
    r"katanya|padahal|malah|soalnya|jadi\s+gini|jd\s+gini|bayar\w*|dibayar\w*|minta\w*|"
    r"dimint\w*|diminta\w*|disuruh|nyuruh|menyuruh|ngomong\w*|bilang|blg|ngomel\w*|marah\w*|"
    r"membentak|dibentak\w*|bentak\w*|nunggu|menunggu|ditunggu|antri\w*|antre\w*|ngantri|"
    r"ngantre|datang|dateng|ngurus|mengurus|diurus|ditolak|nolak|menolak|dipersulit|dilempar|"
    r"dioper|ngasih|dikasih|dikasi|narik|menarik|ditarik|dipungut|memungut|wawancara|daftar|"
    r"mendaftar|perpanjang\w*|ngajuin|mengajukan|diajukan|dipalak|malak|ditilang|dicuekin|"
    r"diabaikan|dimarahi\w*|dihina|ngatain|ditipu|nipu|cerita\w*|crita\w*|kronologi\w*)\b",
    re.IGNORECASE,
)
MONEY_RE = re.compile(
    r"\b(?:rp\.?\s*\d[\d.,]*|\d[\d.,]*\s*(?:rb|ribu|rebu|k|jt|juta|perak))\b", re.IGNORECASE
)
HOW_LONG_RE = re.compile(
    r"\b\d+\s*x?\s*(?:hari|minggu|bulan|bln|jam|thn|tahun|kali)\b", re.IGNORECASE
)
_I = r"(?:sy|saya|aku|gw|gue|gua|kami)"
_I_DID = (
    r"(?:ke|pergi|datang|dateng|udah|udh|sudah|sdh|lagi|pas|tadi|td|kemarin|kmrn|disuruh|"
    r"dimint\w*|diminta|dibentak|ditolak)"
)
I_DID_RE = re.compile(rf"\b{_I}\s+{_I_DID}\b", re.IGNORECASE)
# A message that goes on with a story: "trus ...", "jd td siang", "sy ke kelurahan ...".
GOES_ON_RE = re.compile(
    r"^\W*(?:(?:oiya|oh\s+iya|eh|iya)\W+)?(?:trus|terus|trs|lalu|kemudian|jd|jadi|pas|waktu|"
    rf"abis|habis|td|tadi|kemarin|kmrn|kemaren|dan|sama|{_I}\s+(?:{_I_DID}|mau|cuma|cm))\b",
    re.IGNORECASE,
)
# Words that say where, not what happened.
PLACE_HINT_RE = re.compile(
    r"\b(?:jl|jln|jalan|gang|gg|rt|rw|no|nomor|kel|kelurahan|kec|kecamatan|desa|dusun|kampung|"
    r"kantor|pasar|terminal|stasiun|sekolah|sd\w*|smp\w*|sma\w*|smk\w*|masjid|mushola|gereja|"
    r"depan|dekat|deket|samping|sebelah|belakang|seberang|loket|rumah|komplek\w*|kompleks|"
    r"perum\w*|blok|kota|kabupaten|kab|puskesmas|rsud|rs|samsat|satpas|polres|polsek|"
    r"dukcapil|disdukcapil|imigrasi|balai|lapangan|taman|tps|perempatan|pertigaan|lantai|"
    r"gedung|mall|halte|jembatan)\b",
    re.IGNORECASE,
)


def story_signals(text: str) -> int:
    """How many signs of something that happened a message holds: a time ("td siang",
    "tgl 25 nov"), a deed or words ("disuruh bayar", "ngomong kasar"), money ("300rb"),
    a duration ("3 minggu"), the citizen going somewhere ("sy ke kelurahan")."""
    cues = {m.group(0).lower() for m in STORY_CUE_RE.finditer(text)}
    return (
        len(cues)
        + bool(MONEY_RE.search(text))
        + bool(HOW_LONG_RE.search(text))
        + bool(I_DID_RE.search(text))
    )


def names_a_place(text: str) -> bool:
    """Whether a message says where: an address word, a number, a name."""
    if place_in(text) or PLACE_HINT_RE.search(text) or re.search(r"\d", text):
        return True
    return any(w[:1].isupper() for w in text.split()[1:])


def _without_trailing_places(text: str) -> str:
    """The message without "di kantor satpas polres" at the end of a clause (a place, no
    event in it)."""
    clauses = re.split(r"([.,;!?\n])", text)
    kept = []
    for clause in clauses:
        match = re.search(r"\b(?:di|ke|dekat|deket|depan)\s+(?P<rest>[^.,;!?\n]+)$", clause)
        rest = match.group("rest") if match else ""
        if match and len(rest.split()) <= 4 and story_signals(rest) == 0:
            clause = clause[: match.start()]
        kept.append(clause)
    return "".join(kept)


def detail_words(text: str) -> list[str]:
    """The words of a message that tell something (not the announcement, the place, fillers
    or chatter)."""
    place = place_in(text)
    body = text.replace(place, " ") if place else text
    body = _without_trailing_places(NOT_ASKING_RE.sub(" ", body))
    skip = ANNOUNCEMENT_WORDS | FILLER_WORDS | CHATTER_WORDS
    return [w for w in words(body) if w not in skip]


def only_subject(text: str) -> bool:
    """True for an opening that names what the complaint is about, but tells nothing of
    what happened ("saya mau lapor pungli di kantor kecamatan", "mau ngadu pelayanan buruk
    di Disdukcapil", "wah punya sy lama bgt dong. komplain aja lah"): the citizen is asked
    for the story, and the opening is kept with it."""
    return len(detail_words(text)) < STORY_DETAIL_MIN and story_signals(text) < 2


def reads_as_story(text: str) -> bool:
    """A message that tells a complaint's story (told before the form, or pointed back at):
    long enough, more than a subject, and not a mere question ("bisa ngomong sm petugas
    langsung aja gak?"), though a story may end with one ("... emang boleh gitu?")."""
    if len(text) < NARRATIVE_MIN or only_subject(text) or only_announces(text):
        return False
    return not looks_like_question(text) or story_signals(text) >= 2


def thin_piece(text: str) -> bool:
    """Too little of a story to stop asking ("jd td siang", "lapor min, ada pungli di
    kelurahan"): the citizen is asked to go on."""
    if len(text) >= NARRATIVE_MIN:
        return False
    signals = story_signals(text)
    detail = len(detail_words(text))
    if signals >= 2 or detail >= STORY_DETAIL_MIN:
        return False
    return not (signals >= 1 and detail >= 2 and len(text) >= DESCRIPTION_MIN)


def more_of_the_story(text: str, requested: str | None) -> bool:
    """A message at a later question that goes on with the story ("trus petugasnya ngomong
    kasar", "mau minta surat domisili", or the whole story at the location question)."""
    signals = story_signals(text)
    if signals == 0 or refers_back(text):
        return False
    if signals >= 3 or (signals >= 2 and len(text) >= NARRATIVE_MIN):
        return True
    if requested == LOCATION:
        return bool(GOES_ON_RE.search(text)) or not names_a_place(text)
    return len(words(text)) >= 3


def split_wish(text: str) -> tuple[Privacy | None, str]:
    """The privacy wish a message states (anonymous or confidential; "biasa" is no wish) and
    the rest of the message without the clauses that state it or the fear behind it:
    "tolong rahasiakan ya, sy takut nanti ibu sy dipersulit" -> (confidential, "")."""
    bare = OPEN_SECRET_RE.sub(" ", text)
    wish = parse_privacy(bare, strict=True)
    if wish not in (Privacy.ANONYMOUS, Privacy.CONFIDENTIAL):
        return None, text
    clauses = re.split(r"(?<=[,.;!?\n])\s*", text)
    # A clause that states the wish and tells nothing else, or gives the fear behind it,
    # is left out; "petugas minta 200rb, rahasiakan" keeps what happened.
    rest = [
        c
        for c in clauses
        if not FEAR_RE.search(c)
        and (
            parse_privacy(OPEN_SECRET_RE.sub(" ", c), strict=True) is None or story_signals(c) >= 2
        )
    ]
    kept = " ".join(c.strip() for c in rest if words(c)).strip(" ,;")
    chatter = ANNOUNCEMENT_WORDS | CHATTER_WORDS | FILLER_WORDS
    if all(w in chatter for w in words(kept)):
        kept = ""
    return wish, kept


# What a location answer without a place word tells instead (E2): when, or what happened.
TIME_WORDS = frozenset(
    {"seminggu", "sebulan", "setahun", "sehari", "semalam", "seharian", "semingguan"}
    | {"sebulanan", "setaunan", "setahunan", "hari", "minggu", "mingguan", "bulan", "bln"}
    | {"tahun", "thn", "taun", "jam", "menit", "pagi", "siang", "sore", "malam", "malem"}
    | {"kemarin", "kemaren", "kmrn", "kmren", "tadi", "td", "tdi", "sejak", "dari", "lalu"}
    | {"yg", "yang", "lebih", "lbh", "hampir", "sekitar", "kurang", "lama", "senin", "selasa"}
    | {"rabu", "kamis", "jumat", "sabtu", "lusa", "barusan", "sampai", "sampe", "skrg"}
    | {"sekarang", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"}
    | {"sepuluh", "belas", "puluh", "berhari", "berminggu", "berbulan", "bertahun", "an"}
    | {"blm", "belum", "masih", "msh", "terus", "trs", "tiap", "setiap"}
)
STORY_WORDS = frozenset(
    {"dia", "dianya", "mereka", "beliau", "doi", "petugas", "petugasnya", "pegawai"}
    | {"pegawainya", "oknum", "oknumnya", "orangnya", "calo", "calonya", "preman", "satpam"}
    | {"ngaku", "ngakunya", "mengaku", "katanya", "bilang"}
    | {"mati", "rusak", "gelap", "rawan", "bahaya", "berbahaya", "begal", "maling", "copet"}
    | {"kotor", "bau", "macet", "banjir", "bocor", "bolong", "berlubang", "ambrol", "putus"}
    | {"lelet", "lambat", "lama", "cuek", "judes", "galak", "kasar", "jutek", "sombong"}
    | {"takut", "kesel", "kesal", "kecewa", "marah", "nyusahin", "dipersulit", "nolak"}
    | {"minta", "nyuruh", "disuruh", "dimintai", "malak", "dipalak", "pungli", "duit", "uang"}
    | {"diperbaiki", "diperbaikin", "dibenerin", "dibetulin", "ditangani", "kecelakaan"}
    | {"jatuh", "celaka", "nabrak", "ketabrak", "korban", "warga", "sering", "selalu"}
)


def not_a_place(text: str) -> bool:
    """A location answer that says when ("udh seminggu") or what happened ("dia ngaku orang
    dalem", "gelap bgt jd rawan begal") and names no place: more of the story (E2)."""
    # "kemana2", "pagi2": a doubled word, not a number.
    bare = MONEY_RE.sub(" ", HOW_LONG_RE.sub(" ", text))
    bare = re.sub(r"\b([a-z]{2,})2\b", r"\1", bare, flags=re.I)
    if names_a_place(bare) or place_in(text):
        return False
    told = [w for w in words(text) if w not in CHATTER_WORDS and w not in FILLER_WORDS]
    if not told:
        return False
    if all(w in TIME_WORDS or w.isdigit() for w in told):
        return True
    return any(story_word(w) for w in told) or story_signals(text) >= 1


def story_word(word: str) -> bool:
    """ "dia", "gelap", "baunya": a word of what happened or who did it."""
    return word in STORY_WORDS or (word.endswith("nya") and word[:-3] in STORY_WORDS)


def tells_more(text: str) -> bool:
    """At a button question (category, privacy): words of what happened ("gelap bgt jd
    rawan begal"), not a choice."""
    told = [w for w in words(text) if w not in CHATTER_WORDS and w not in FILLER_WORDS]
    return len(told) >= 3 and any(story_word(w) for w in told)


# "eh tambahin, ...", "isinya jg tambahin: ...", "tambahan: ...", "satu lagi, ...": more of
# the story said as such (E4); the named field is what it adds to.
ADDITION_RE = re.compile(
    r"^\W*(?:(?:eh|oh|oiya|iya|ya|min|kak|pak|bu|bang|mas|mbak|gan|maaf|sorry|sori|mohon|"
    r"tolong|sy|saya|aku|mau|mo)\b[\s,.!:-]*)*"
    r"(?:(?P<field>isi|cerita|kronologi|uraian|lokasi|alamat)(?:nya|ny)?\s+"
    r"(?:(?:jg|juga|mau|tolong|sy|saya|mo)\s+)*)?"
    r"(?P<lead>tambah(?:in|kan|an|kan)?|ditambah(?:in|kan)?|nambahin|nambah|menambahkan|"
    r"satu\s+lagi|1\s+lagi|ketinggalan|kelupaan|(?:td|tadi)\s+lupa|"
    r"ada\s+(?:yg|yang)\s+(?:ketinggalan|kelupaan|lupa))\b"
    r"(?:\s+(?:(?P<field2>isi|cerita|kronologi|uraian|lokasi|alamat)(?:nya|ny)?|lagi|dong|"
    r"lg|ya|min|kak|sedikit|dikit|info|keterangan|nih|ini|yg|yang|sy|saya|mau|ke)\b)*"
    r"[\s,.:;!-]*(?P<piece>.*)$",
    re.IGNORECASE | re.DOTALL,
)
# "oh iya, ...", "oiya ...": at the summary, more of the story unless it is a yes.
OH_YES_RE = re.compile(
    r"^\W*(?:oh\s+iya|o\s+iya|oiya|oh\s+ya)\b[\s,.!:-]*(?P<piece>.*)$", re.I | re.S
)


def addition(text: str) -> tuple[str, str] | None:
    """(field, piece) for a message that adds to an answer: "eh tambahin, petugasnya cewe
    pake kerudung coklat" -> (DESCRIPTION, "petugasnya cewe pake kerudung coklat"); the
    piece is "" when the addition is still to come ("tambahin isinya dong")."""
    match = ADDITION_RE.match(text.strip())
    if match is None:
        return None
    named = (match.group("field") or match.group("field2") or "").lower()
    field = LOCATION if named in ("lokasi", "alamat") else DESCRIPTION
    return field, match.group("piece").strip()


# Inside a story these single words mean something else ("ditinggal terbuka", "seperti
# biasa"): there only the longer phrases count as a privacy wish.
LOOSE_PRIVACY_WORDS = frozenset({"biasa", "publik", "public", "terbuka"})


def privacy_at(text: str) -> re.Match[str] | None:
    """Where a privacy wish starts in a message (strict phrases only)."""
    lowered = text.lower()
    found = [m for m in [HIDE_IDENTITY_RE.search(lowered), NAME_NOT_SAID_RE.search(lowered)] if m]
    for phrase in PRIVACY_PHRASES:
        if phrase in LOOSE_PRIVACY_WORDS:
            continue
        match = re.search(r"(?<!\w)" + re.escape(phrase), lowered)
        if match:
            found.append(match)
    return min(found, key=lambda m: m.start()) if found else None


def parse_privacy(text: str, strict: bool = False) -> Privacy | None:
    """The privacy choice stated in a message, if any (longest phrase first). `strict`
    (for stories and other answers) ignores the single words that have other meanings."""
    lowered = " ".join(text.strip().lower().split())
    if lowered in {p.value for p in Privacy}:
        return Privacy(lowered)
    if HIDE_IDENTITY_RE.search(lowered) or NAME_NOT_SAID_RE.search(lowered):
        return Privacy.ANONYMOUS
    for phrase in sorted(PRIVACY_PHRASES, key=len, reverse=True):
        if strict and phrase in LOOSE_PRIVACY_WORDS:
            continue
        if re.search(r"(?<!\w)" + re.escape(phrase), lowered):
            return PRIVACY_PHRASES[phrase]
    return None


def stated_category(text: str) -> Category | None:
    """A category the citizen names in a sentence ("kategorinya ketertiban ya"); a report
    that calls itself pungli ("melaporkan pungutan liar") is one."""
    if re.search(r"\b(?:pungli|pungutan liar)\b", text, re.IGNORECASE):
        return Category.PUNGLI
    for match in CATEGORY_STATED_RE.finditer(text):
        category = parse_category(match.group("rest"))
        if category is not None:
            return category
    return None


ADDRESS_CONTINUES_RE = re.compile(
    r"\s*(?:rt\b|rw\b|no\.?\s*\d|nomor\b|kel\.|kelurahan\b|kec\.|kecamatan\b|desa\b|"
    r"kota\b|kab\.|kabupaten\b|blok\b|jl\.|jalan\b|gang\b|gg\.|lantai\b|\d)",
    re.IGNORECASE,
)


ADDRESS_WORDS = frozenset(
    [
        "no",
        "no.",
        "nomor",
        "rt",
        "rw",
        "rt.",
        "rw.",
        "blok",
        "km",
        "kel.",
        "kec.",
        "kelurahan",
        "kecamatan",
        "desa",
        "dusun",
        "kota",
        "kab.",
        "kabupaten",
        "jl.",
        "jl",
        "jln",
        "jln.",
        "jalan",
        "gang",
        "gg",
        "gg.",
        "raya",
        "lantai",
        "lt.",
        "kav",
        "kav.",
        "ruko",
    ]
)
CONNECTORS = frozenset(
    {"di", "dekat", "deket", "depan", "samping", "sebelah", "seberang", "belakang"}
    | {"dkt", "dket", "dpn", "sblh", "blkg", "sbrg", "sebrang", "sekitar"}
)


def _place_word(word: str) -> bool:
    bare = word.strip(",.;:()\"'")
    return bool(bare) and (
        bare[:1].isupper()
        # a house or RT number, not a doubled word written with a 2 ("bolong2", "rusak2")
        or (any(c.isdigit() for c in bare) and not re.fullmatch(r"[a-z]{2,}2", bare.lower()))
        or word.lower().strip(",") in ADDRESS_WORDS
    )


NOT_NAMES = frozenset(
    [
        "sangat",
        "sekali",
        "lama",
        "ini",
        "itu",
        "tsb",
        "tersebut",
        "saya",
        "kami",
        "kita",
        "yang",
        "yg",
        "sudah",
        "udah",
        "belum",
        "tidak",
        "gak",
        "ga",
        "nggak",
        "ada",
        "banyak",
        "tiap",
        "setiap",
        "kemarin",
        "tadi",
        "dan",
        "atau",
        "juga",
        "cuma",
        "hanya",
        "masih",
        "malah",
        "terus",
        "selalu",
        "sering",
        "kok",
        "sih",
        "dong",
        "deh",
        "nih",
        "pun",
        "lagi",
        "tempat",
        "kantor",
        "setempat",
        "sini",
        "situ",
        "sana",
        "kota",
        "kabupaten",
    ]
)


def _unit_name(word: str) -> bool:
    """ "sukamaju" after "kelurahan" is its name; "sangat" or "ini" is not."""
    bare = word.strip(",.;:").lower()
    return bare.isalpha() and len(bare) >= 4 and bare not in NOT_NAMES


# Words after which a name follows, in any case: "gang mawar", "jl melati", "masjid al
# ikhlas", "kelurahan sukamaju" (a unit's name only after "di/depan ..." or "kantor").
NAME_MARKER_RE = re.compile(
    r"(?:^|\s)(?P<marker>jl\.?|jln\.?|jalan|gang|gg\.?|kelurahan|kel\.?|kecamatan|kec\.?|"
    r"desa|dusun|kampung|perum\w*|komplek\w*|kompleks|masjid|mesjid|musholl?a|mushala|"
    r"gereja|pasar|terminal|stasiun|kota|kabupaten|kab\.|puskesmas|rsud|halte|taman|lapangan|"
    r"spbu|tps|polsek|polres|samsat|jembatan|bundaran|alun-alun)$",
    re.IGNORECASE,
)
UNIT_MARKER_RE = re.compile(r"(?:kelurahan|kecamatan|desa|kel\.|kec\.)$", re.IGNORECASE)
# Lower-case words after such a marker taken as its name; more would take the story too.
NAME_WORDS_MAX = 2
# Words that are never part of a place's name: what happened, when, who, talk.
NOT_NAME_WORDS = (
    NOT_NAMES
    | FILLER_WORDS
    | CHATTER_WORDS
    | ANNOUNCEMENT_WORDS
    | CONNECTORS
    | frozenset(
        {"mati", "rusak", "mampet", "mampat", "bolong", "berlubang", "lubang", "banjir"}
        | {"numpuk", "menumpuk", "kotor", "gelap", "macet", "bau", "rawan", "ambrol", "putus"}
        | {"roboh", "ambruk", "retak", "tergenang", "sempit", "kasar", "lambat", "telat"}
        | {"tutup", "buka", "sepi", "ramai", "rame", "penuh", "parah", "mahal", "habis", "abis"}
        | {"kalo", "kalau", "klo", "kl", "tp", "trus", "sm", "sama", "utk", "untuk", "mau"}
        | {"mo", "minta", "dr", "sampe", "sampai", "smp", "jam", "hari", "minggu", "bulan"}
        | {"tahun", "thn", "pagi", "siang", "sore", "malam", "malem", "subuh", "besok", "skrg"}
        | {"sekarang", "td", "kmrn", "kemaren", "blm", "gk", "tdk", "enggak", "lg", "udh"}
        | {"sdh", "dah", "gw", "gue", "mereka", "dia", "petugas", "pegawai", "warga", "orang"}
        | {"org", "semua", "bgt", "jg", "cm", "doang", "dll", "sana", "sini", "mana", "dimana"}
        | {"kenapa", "knp", "gimana", "gmn", "apa", "siapa", "kapan", "pas", "waktu", "wkt"}
        | {"saat", "ketika", "selama", "jarang", "nunggu", "antri", "antre", "pinggir", "tengah"}
        | {"ujung", "dalam", "luar", "atas", "bawah", "arah", "menuju", "daerah", "wilayah"}
        | {"lingkungan", "kawasan", "sekitar", "area", "kaki", "tolong", "mohon", "sekali"}
        | {"lampu", "sampah", "air", "listrik", "motor", "mobil", "becek", "licin", "jelek"}
        | {"jebol", "amblas", "ambles", "longsor", "anjlok", "miring", "patah", "tumbang"}
        | {"hilang", "pecah", "bocor", "meluap", "buntu", "tersumbat", "nyumbat", "retak"}
        | {"anak", "tdi", "calo", "preman", "penumpang", "pedagang", "tukang", "bapak", "ibu"}
        | {"kemarin", "kmren", "semalam", "barusan", "sewaktu", "tgl", "tanggal", "pada"}
    )
)


def _name_word(word: str) -> bool:
    """ "mawar", "sukamaju", "al": a word that may be part of a place's name; not "mati",
    "petugasnya", "td" or "sejak"."""
    bare = word.strip(",.;:()\"'").lower()
    return (
        len(bare) >= 2
        and bare.replace("-", "").isalpha()
        and bare not in NOT_NAME_WORDS
        and bare not in ADDRESS_WORDS
        and not bare.endswith("nya")
        and not STORY_CUE_RE.fullmatch(bare)
        and NAME_MARKER_RE.search(" " + bare) is None
    )


def _names_after(marker: str, allowed: bool = True) -> int:
    """How many lower-case name words may follow `marker` (0 when none)."""
    if not allowed or not NAME_MARKER_RE.search(" " + marker.strip()):
        return 0
    return NAME_WORDS_MAX


def _name_run_ends_place(words_after: list[str], index: int) -> bool:
    """Whether the name words from `index` on (at most NAME_WORDS_TO_THE_END of them) run
    up to where the place ends: a comma or full stop, the end of the message, or a word
    the sentence goes on with ("yang", "tadi", "jam", "pas")."""
    end = index
    while end < len(words_after) and end - index < NAME_WORDS_TO_THE_END:
        if not _name_word(words_after[end]):
            break
        end += 1
        if words_after[end - 1].endswith((",", ".", ";", "!", "?")):
            return True
    if end == index:
        return False
    if end == len(words_after):
        return True
    return words_after[end].lower().strip(",.") in PLACE_CLAUSE_WORDS


def spell_out_place_words(place: str) -> str:
    """ "dkt pasar kramat" -> "dekat pasar kramat": the word that says where, written out."""
    first, _, rest = place.partition(" ")
    spelled = PLACE_WORD_SPELLED_OUT.get(first.lower())
    return f"{spelled} {rest}" if spelled and rest else place


def place_in(text: str) -> str | None:
    """A place named inside a story ("... di depan SDN 3 Cibubur, sudah sebulan", "lampu
    jalan di gang mawar RT 05 RW 02 ...", "... di samsat jl pemuda, ...").

    Only a place someone could find: after its marker it takes names, numbers and address
    words ("Jl. Kenari No. 5, RT 02"), a lower-case name after a street, village or
    landmark word ("jl melati depan masjid al ikhlas"), so "pinggir jalan", "di kantor"
    or "kompleks kami" are asked for instead of guessed.
    """
    after_preposition = PLACE_AFTER_PREPOSITION_RE.search(text)
    start = after_preposition or PLACE_BARE_RE.search(text)
    if start is None:
        return None
    head = start.group(0)
    words_after = text[start.end() :].split()
    taken: list[str] = []
    unit = UNIT_MARKER_RE.search(head)
    # "kantor imigrasi", "kantor samsat": an office named by what it is.
    office = re.search(r"\bkantor\s+(\w+)$", head, re.IGNORECASE)
    # "kantor samsat", "kantor polres": a landmark word names the one office too.
    named = bool(
        office
        and not unit
        and (_name_word(office.group(1)) or NAME_MARKER_RE.search(" " + office.group(1)))
    )
    # "desa sidomulyo" only after "di/depan ..." ("dua desa talinya" is not a village);
    # "di bawah jalan jebol": "jalan" after such a word is the road, not a street's name.
    road = re.search(r"\s(\w+)\s+jalan$", head, re.IGNORECASE)
    allowed = (not unit or bool(after_preposition)) and not (
        road and road.group(1).lower() in NOT_NAME_WORDS
    )
    names_left = NAME_WORDS_MAX if named else _names_after(head, allowed=allowed)
    if unit and names_left and not (words_after and _unit_name(words_after[0])):
        names_left = 0
    for index, word in enumerate(words_after):
        following = words_after[index + 1] if index + 1 < len(words_after) else ""
        if names_left and _name_word(word):
            names_left -= 1
            named = True
        elif taken and _name_word(taken[-1]) and _name_run_ends_place(words_after, index):
            # "pasar kramat jati baru yang ...", "kota contoh barat daya, ...": a longer
            # name, taken whole as it runs up to where the place ends.
            pass
        elif word.lower() in CONNECTORS:
            names_left = 0
            if not (_place_word(following) or _names_after(following)):
                break
        elif _place_word(word) or _names_after(word):
            names_left = _names_after(word)
        else:
            break
        taken.append(word)
        if word.endswith((".", ";", ":")) and word.lower() not in ADDRESS_WORDS:
            break
        if (
            word.endswith(",")
            and following.lower().strip(",") not in ADDRESS_WORDS
            and not following[:1].isdigit()
        ):
            break
    place = " ".join([text[start.start() : start.end()], *taken]).strip(" ,.;:")
    place = spell_out_place_words(PLACE_LEAD_IN_RE.sub("", place))
    named = (
        named or bool(re.search(r"\d", place)) or any(w[:1].isupper() for w in place.split()[1:])
    )
    if not named or not LOCATION_MIN <= len(place) <= 160:
        return None
    return place


def button_values(payload: str) -> tuple[str, dict[str, Any]]:
    """('/inform', {...}) for a button payload; ('', {}) for typed text."""
    if not payload.startswith("/"):
        return "", {}
    name, _, rest = payload.partition("{")
    values: dict[str, Any] = {}
    if rest:
        try:
            parsed = json.loads("{" + rest)
            values = parsed if isinstance(parsed, dict) else {}
        except ValueError:
            values = {}
    return name.strip(), values


@dataclass(frozen=True)
class Message:
    """The citizen's latest message as the form sees it."""

    text: str  # as typed, or the button payload
    intent: str | None = None
    confidence: float = 0.0
    # It names a catalogue service (the action looks it up): "kalo sim a?" is a question
    # about that service, not an answer to the form's question (E1).
    names_service: bool = False

    @property
    def button(self) -> tuple[str, dict[str, Any]]:
        """The button pressed (its intent and values), or ('', {})."""
        return button_values(self.text.strip())

    @property
    def raw(self) -> str:
        """The typed text exactly as written ('' for a button): a story is kept verbatim."""
        return "" if self.text.strip().startswith("/") else self.text

    @property
    def typed(self) -> str:
        """The typed text ('' for a button)."""
        return "" if self.text.strip().startswith("/") else self.text.strip()


@dataclass
class Outcome:
    """What to do with the message: slot values, what to say, what to ask next."""

    values: dict[str, Any] = field(default_factory=dict)
    say: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    ask: str | None = None  # the question to ask next (None: the first one missing)
    end: str | None = None  # "cancelled" | "left": the form stops without filing
    cancel_pending: bool | None = None  # set or clear the "batalkan?" question
    answer_question: bool = False  # a service/status question: the action answers it
    noted: list[str] = field(default_factory=list)  # extra slots understood at once


def missing(filled: dict[str, Any]) -> str | None:
    """The first question still unanswered."""
    return next((slot for slot in ORDER if filled.get(slot) in (None, "")), None)


def anything_filled(filled: dict[str, Any]) -> bool:
    """True when the citizen has told us something we would lose by stopping."""
    return any(filled.get(slot) not in (None, "") for slot in ORDER[:4])


def extras(text: str, filled: dict[str, Any], skip: str) -> dict[str, Any]:
    """Other answers told in the same message (place, category, privacy), never
    overwriting what was already answered."""
    found: dict[str, Any] = {}
    if skip != LOCATION and not filled.get(LOCATION):
        place = place_of_piece(text)
        if place:
            found[LOCATION] = place
    if skip != CATEGORY and not filled.get(CATEGORY):
        category = stated_category(text)
        if category is not None:
            found[CATEGORY] = category.value
    if skip != PRIVACY and not filled.get(PRIVACY):
        privacy = parse_privacy(text, strict=True)
        if privacy is not None:
            found[PRIVACY] = privacy.value
    return found


# "eh alamatnya yg bener jl melati gg 3 no 4", "lokasinya kurang lengkap min, kantor ...":
# the place given again, without a word of changing.
PLACE_FIXED_RE = re.compile(
    r"\b(?:lokasi|alamat|tempat)(?:nya|ny)?\s+(?:(?:yg|yang)\s+(?:bener|benar|betul|lengkap|"
    r"tepat)(?:nya)?|(?:kurang|belum|blm|gak|ga|tidak)\s+(?:lengkap|jelas|tepat|detail|"
    r"spesifik|pas)|lengkapnya|tepatnya|persisnya)\b[\s,:;.-]*"
    r"(?:(?:min|kak|pak|bu|gan|ya|yah|nih|tuh|sih|harusnya|seharusnya|mestinya|semestinya|"
    r"sebenarnya|sebenernya|yaitu|yakni)\b[\s,:;.-]*)*(?P<value>.+)$",
    re.IGNORECASE,
)


def correction(text: str) -> tuple[str, str | None] | None:
    """(field, new value or None) for "lokasinya salah, harusnya Jl. Melati 4",
    "ubah lokasi", "ganti kategori jadi ketertiban", "alamatnya yg bener jl melati 4"."""
    fixed = PLACE_FIXED_RE.search(text)
    if fixed:
        value = fixed.group("value").strip(" .,")
        if value and not all(w in FIELD_WORDS or w in EDIT_WORDS for w in words(value)):
            return LOCATION, value
    found = words(text)
    if not any(w in EDIT_WORDS for w in found):
        return None
    target = next((FIELD_WORDS[w] for w in found if w in FIELD_WORDS), None)
    if target is None:
        if parse_privacy(text) is not None:
            target = PRIVACY
        else:
            return None
    value = None
    match = FIELD_CHANGED_RE.search(text) or NEW_VALUE_RE.search(text)
    if match:
        value = (match.group("value") or match.group("value2") or "").strip(" .,") or None
    if value is not None and all(w in FIELD_WORDS or w in EDIT_WORDS for w in words(value)):
        value = None  # "ganti lokasi": no new value, the question is asked again
    return target, value


def read(message: Message, filled: dict[str, Any], cancel_pending: bool) -> Outcome:
    """Decide what one message inside the form is."""
    requested = missing(filled)
    button, values = message.button
    typed = message.typed
    intent = message.intent if message.confidence >= CONFIDENT else None

    # -- a pending "batalkan pengaduan ini?" --------------------------------------------
    if cancel_pending:
        if (
            button in ("/affirm", "/cancel")
            or is_clear_yes(typed)
            or (CANCEL_ANYWHERE_RE.search(typed) and not KEEP_GOING_RE.search(typed))
        ):
            return Outcome(end="cancelled", cancel_pending=False)
        if button == "/deny" or intent == "deny" or KEEP_GOING_RE.search(typed):
            return Outcome(say=[("utter_form_resumed", {})], cancel_pending=False, ask=requested)
        if looks_like_question(typed):
            # "jadi sim c mati 2 bulan msh bs diperpanjang ga?": answered; the choice to
            # cancel stays open and is shown again after the answer (E5).
            return Outcome(answer_question=True, cancel_pending=True, ask=requested)
        return Outcome(say=[("utter_confirm_cancel", {})], ask=requested)

    # -- buttons ----------------------------------------------------------------------------
    if button:
        return _pressed(button, values, filled, requested)

    # -- the wish to stop -------------------------------------------------------------------
    # At the button questions (category, privacy) no answer holds "batal", so it means
    # stopping however long the message ("ya udah lah batal aja, nanti aja lapornya").
    says_cancel = bool(CANCEL_RE.search(typed)) or (
        (len(words(typed)) <= 6 or requested in (CATEGORY, PRIVACY))
        and bool(CANCEL_SHORT_RE.search(typed))
        and not KEEP_GOING_RE.search(typed)
    )
    # The classifier's "cancel" alone is not trusted for an answer that names a place.
    cancel_intent = intent == "cancel" and len(words(typed)) <= 2 and place_in(typed) is None
    wants_out = says_cancel or cancel_intent or bool(NOT_COMPLAINING_RE.search(typed))
    story_like = requested == DESCRIPTION and len(typed) >= NARRATIVE_MIN
    if wants_out and not story_like:
        if not anything_filled(filled):
            if says_cancel or cancel_intent:
                return Outcome(end="cancelled")
            return Outcome(end="left", say=[("utter_form_left", {})])
        return Outcome(say=[("utter_confirm_cancel", {})], cancel_pending=True, ask=requested)
    if requested == CONFIRMED and summary_question(typed) is not None:
        # "kalo udh dikirim bisa diedit gak?" (read as thanks or a no by the classifier)
        return _at_summary(message, typed, intent, filled)
    if intent in LEAVING_INTENTS and not story_like:
        if not anything_filled(filled):
            return Outcome(end="left", say=[("utter_form_left", {})])
        return Outcome(say=[("utter_form_still_open", {})], ask=requested)

    # -- questions about the complaint's time or an earlier report, at any question ------
    # At the story question a long "emang biasanya brp lama sih laporan ditindaklanjuti?"
    # is still a question, unless it also tells what happened.
    asks_timeline = asks_complaint_timeline(typed) and (not story_like or story_signals(typed) < 2)
    if asks_timeline or (
        not story_like and requested != DESCRIPTION and asks_status(typed, intent)
    ):
        return Outcome(answer_question=True, ask=requested)

    # -- "maksudnya lokasi apa?": the question explained, then asked again -----------------
    if not story_like and asks_what_is_meant(typed, requested):
        return Outcome(say=[(f"utter_form_explain_{requested}", {})], ask=requested)

    # -- a privacy wish said in words: noted for the privacy question (E11) ---------------
    if requested in (DESCRIPTION, LOCATION, CATEGORY) and not filled.get(PRIVACY):
        wish, rest = split_wish(typed)
        if wish is not None and not rest:
            return Outcome(
                values={PRIVACY_WISH: wish.value},
                say=[("utter_privacy_wish_noted", {})],
                ask=requested,
            )

    # -- the summary: only a clear yes sends; corrections in words ------------------------
    if requested == CONFIRMED:
        return _at_summary(message, typed, intent, filled)

    # -- more of the story said as such: "tambahin: ...", "satu lagi, ..." (E4) ------------
    added = addition(typed) if requested != DESCRIPTION else None
    if added is not None and added[1]:
        return _more_story(added[1], filled, requested)

    # -- a short question about a service: answered, the question comes again (E1) --------
    if (
        message.names_service
        and looks_like_question(typed)
        and not story_like
        and story_signals(typed) < 2
        and place_in(typed) is None
        and (requested != DESCRIPTION or len(typed) < DESCRIPTION_MIN)
    ):
        return Outcome(answer_question=True, ask=requested)

    # -- the story, told (or told on) at the location question -----------------------------
    if (
        requested == LOCATION
        and more_of_the_story(typed, requested)
        and (not looks_like_question(typed) or story_signals(typed) >= 3)
    ):
        return _more_story(message.raw, filled, requested)
    if (
        requested == LOCATION
        and not looks_like_question(typed)
        and not refers_back(typed)
        and not COMPLAINT_WORDS_RE.search(typed)
        and not_a_place(typed)
    ):
        # "udh seminggu", "dia ngaku orang dalem": when or what happened, not where (E2).
        return _more_story(message.raw, filled, requested)

    # -- questions and small talk -----------------------------------------------------------
    chatter = len(words(typed)) <= 4 and place_in(typed) is None
    if intent in SMALL_TALK_INTENTS and not story_like and chatter:
        return Outcome(say=[("utter_form_small_talk", {})], ask=requested)
    if intent in QUESTION_INTENTS and not story_like and looks_like_question(typed):
        return Outcome(answer_question=True, ask=requested)
    if looks_like_question(typed) and not story_like and requested != DESCRIPTION:
        return Outcome(say=[(f"utter_form_explain_{requested}", {})], ask=requested)
    if requested == DESCRIPTION and looks_like_question(typed) and len(typed) < DESCRIPTION_MIN:
        return Outcome(say=[("utter_form_explain_complaint_description", {})], ask=requested)

    # -- a correction of an earlier answer (before the summary) ----------------------------
    fix = correction(typed)
    if fix is not None and fix[0] != requested and filled.get(fix[0]):
        return _apply_correction(fix, filled, typed)

    # -- the answer to the question asked ---------------------------------------------------
    if requested == DESCRIPTION:
        return _description(message.raw, filled)
    if requested == LOCATION:
        return _location(typed, filled)
    if requested == CATEGORY:
        return _category(message.raw, filled)
    if requested == PRIVACY:
        return _privacy(message.raw, filled)
    return Outcome(ask=requested)


def _more_story(raw: str, filled: dict[str, Any], requested: str | None) -> Outcome:
    """More of the story at a later question: added to the story (nothing the citizen
    wrote is lost), the place taken if it names one, the question asked again."""
    piece = raw.strip()
    wish, rest = split_wish(piece) if not filled.get(PRIVACY) else (None, piece)
    if wish is not None and rest:
        # "dia ngaku orang dalem, tolong rahasiakan ya": the wish noted, not told (E11).
        outcome = _more_story(rest, {**filled, PRIVACY: wish.value}, requested)
        outcome.values[PRIVACY_WISH] = wish.value
        outcome.say.append(("utter_privacy_wish_noted", {}))
        return outcome
    story = str(filled.get(DESCRIPTION) or "").rstrip()
    joined = f"{story}\n{piece}" if story else piece
    if len(joined) > DESCRIPTION_MAX:
        return Outcome(
            say=[
                ("utter_description_too_long", {"maximum": DESCRIPTION_MAX, "length": len(joined)})
            ],
            ask=requested,
        )
    values: dict[str, Any] = {DESCRIPTION: joined}
    noted: list[str] = []
    if requested == LOCATION:
        place = place_of_piece(piece)
        if place:
            values[LOCATION] = place
            noted = [LOCATION]
    return Outcome(
        values=values,
        say=[("utter_story_added", {})],
        noted=noted,
        ask=None if noted else requested,
    )


def place_of_piece(text: str) -> str | None:
    """The place a piece of a story names, also where the citizen went ("sy ke kelurahan
    sukamaju")."""
    went = re.sub(rf"\b({_I})\s+(?:pergi\s+|datang\s+|dateng\s+)?ke\b", r"\1 di", text, flags=re.I)
    return place_in(text) or (place_in(went) if went != text else None)


def opening(message: Message, story: str | None, subject: str | None = None) -> Outcome:
    """The message that opened the form: a story, or an opening that only named the subject
    (`OPENING`), may already hold other answers; "gak mau lapor" opens nothing."""
    typed = message.typed
    if NOT_COMPLAINING_RE.search(typed):
        return Outcome(end="left", say=[("utter_form_left", {})])
    told = story or subject
    if not told:
        return Outcome()
    found = extras(told, {}, skip=DESCRIPTION)
    return Outcome(values=found, noted=sorted(found))


def _pressed(
    button: str, values: dict[str, Any], filled: dict[str, Any], requested: str | None
) -> Outcome:
    if button == "/cancel":
        if not anything_filled(filled):
            return Outcome(end="cancelled")
        return Outcome(say=[("utter_confirm_cancel", {})], cancel_pending=True, ask=requested)
    if button == "/inform" and values.get("complaint_edit") in ORDER[:4]:
        target = str(values["complaint_edit"])
        return Outcome(values={target: None, CONFIRMED: None}, ask=target)
    if button == "/inform":
        accepted = {k: v for k, v in values.items() if k in (LOCATION, CATEGORY, PRIVACY)}
        if requested in accepted or (accepted and requested == CONFIRMED):
            return Outcome(
                values={**accepted, CONFIRMED: None} if requested == CONFIRMED else accepted
            )
    if button == "/file_complaint":
        # "Buat pengaduan" offered with the contacts: this complaint is the one being made.
        return Outcome(say=[("utter_complaint_already_open", {})], ask=requested)
    if button == "/request_callback":
        # "Minta dihubungi nanti" offered with the contacts: noted, the form goes on.
        return Outcome(answer_question=True, ask=requested)
    if requested == CONFIRMED and button == "/affirm":
        return Outcome(values={CONFIRMED: True})
    if requested == CONFIRMED and button == "/deny":
        return Outcome(say=[("utter_summary_what_to_change", {})], ask=CONFIRMED)
    if requested in (CATEGORY, PRIVACY) and button == "/affirm":
        return Outcome(values={requested: "__default__"})
    if button == "/deny":
        # "Tidak, terima kasih" to an offer made inside the form: the form goes on.
        return Outcome(say=[("utter_form_go_on", {})], ask=requested)
    # A button of an older message or of the menu: not an answer to this question.
    return Outcome(say=[("utter_form_answer_please", {})], ask=requested)


def _at_summary(
    message: Message, typed: str, intent: str | None, filled: dict[str, Any]
) -> Outcome:
    asked = summary_question(typed)
    if asked is not None:
        # "nanti nama sy gak ketauan kan?", "kalo udh dikirim bisa diedit gak?"
        return Outcome(say=[(f"utter_summary_{asked}_answer", {})], ask=CONFIRMED)
    if SWAPPED_RE.search(typed):
        return _swapped(typed, filled)
    added = addition(typed)
    if added is not None:
        return _add_at_summary(added, filled)
    fix = correction(typed)
    if fix is not None:
        return _apply_correction(fix, filled, typed)
    if is_clear_yes(typed) and intent not in ("deny", "cancel"):
        return Outcome(values={CONFIRMED: True})
    oh_yes = OH_YES_RE.match(typed)
    if oh_yes and len(words(oh_yes.group("piece"))) >= 2 and not looks_like_question(typed):
        # "oh iya, petugasnya cewe pake kerudung": more of the story (E4).
        return _more_story(oh_yes.group("piece"), filled, CONFIRMED)
    if intent in QUESTION_INTENTS and looks_like_question(typed):
        return Outcome(answer_question=True, ask=CONFIRMED)
    changed = extras(typed, {}, skip="")
    changed = {k: v for k, v in changed.items() if k in (CATEGORY, PRIVACY) and v != filled.get(k)}
    if changed:
        return Outcome(values=changed, noted=sorted(changed), ask=CONFIRMED)
    if intent == "deny":
        return Outcome(say=[("utter_summary_what_to_change", {})], ask=CONFIRMED)
    if intent in LEAVING_INTENTS or intent in SMALL_TALK_INTENTS:
        return Outcome(say=[("utter_form_still_open", {})], ask=CONFIRMED)
    if (
        not looks_like_question(typed)
        and story_signals(typed) >= 2
        and more_of_the_story(typed, CONFIRMED)
    ):
        # "oiya td petugasnya jg minta uang 20rb": more of the story, shown in the summary.
        return _more_story(message.raw, filled, CONFIRMED)
    return Outcome(say=[("utter_confirm_invalid", {})], ask=CONFIRMED)


def _add_at_summary(added: tuple[str, str], filled: dict[str, Any]) -> Outcome:
    """ "eh tambahin, ...": the piece added to the story (or to the place) and the summary
    shown again; "tambahin dong" without it: asked for, then added (E4)."""
    field, piece = added
    if not piece:
        return Outcome(
            values={DESCRIPTION: None, CONFIRMED: None},
            say=[("utter_story_addition_ask", {})],
            ask=DESCRIPTION,
        )
    if field == LOCATION and filled.get(LOCATION):
        place = f"{str(filled[LOCATION]).rstrip(' ,.')}, {piece}"
        if len(place) <= LOCATION_MAX:
            return Outcome(values={LOCATION: place, CONFIRMED: None}, noted=[LOCATION])
    return _more_story(piece, filled, CONFIRMED)


def _looks_like_story(text: str) -> bool:
    return story_signals(text) >= 2 or (len(text) >= NARRATIVE_MIN and not names_a_place(text))


def _new_place_in(text: str) -> str | None:
    """ "... lokasinya kantor imigrasi kelas I": the place a sentence of the message gives."""
    for clause in re.split(r"[.;!?\n]+", text)[1:] or []:
        bare = PLACE_LEAD_RE.sub("", clause.strip())
        fields = {FIELD_WORDS[w] for w in words(bare) if w in FIELD_WORDS}
        if (
            re.match(r"(?:lokasi|alamat|tempat)", bare, re.IGNORECASE)
            and DESCRIPTION not in fields
            and not SWAPPED_RE.search(bare)
        ):
            place = clean_place(bare)
            if place != bare.strip() and LOCATION_MIN <= len(place) <= LOCATION_MAX:
                return place
    return None


def _swapped(text: str, filled: dict[str, Any]) -> Outcome:
    """ "lho kebalik min, yg di lokasi itu harusnya isi laporannya. lokasinya ...": the
    story that landed in the location goes back to the story (never replaced by a fragment
    of this message), the place is the one given here or asked for."""
    story = str(filled.get(DESCRIPTION) or "")
    location = str(filled.get(LOCATION) or "")
    new_place = _new_place_in(text)
    if location and _looks_like_story(location):
        old_is_place = bool(story) and not _looks_like_story(story) and names_a_place(story)
        description = location if old_is_place else (f"{story}\n{location}" if story else location)
        place = new_place or (story if old_is_place else None)
        values: dict[str, Any] = {DESCRIPTION: description, LOCATION: place, CONFIRMED: None}
        return Outcome(
            values=values,
            say=[("utter_story_moved_back", {})],
            noted=[LOCATION] if place else [],
            ask=None if place else LOCATION,
        )
    if new_place:
        return Outcome(values={LOCATION: new_place, CONFIRMED: None}, noted=[LOCATION])
    return Outcome(say=[("utter_summary_what_to_change", {})], ask=CONFIRMED)


def _apply_correction(
    fix: tuple[str, str | None], filled: dict[str, Any], text: str = ""
) -> Outcome:
    target, value = fix
    if target == CATEGORY:
        category = parse_category(value) if value else None
        category = category or stated_category(text)
        if category is not None:
            return Outcome(values={CATEGORY: category.value, CONFIRMED: None}, noted=[CATEGORY])
    elif target == PRIVACY:
        privacy = parse_privacy(value) if value else None
        privacy = privacy or parse_privacy(text, strict=True)
        if privacy is not None:
            return Outcome(values={PRIVACY: privacy.value, CONFIRMED: None}, noted=[PRIVACY])
    elif target == LOCATION and value:
        place = clean_place(value)
        if DESCRIPTION in {FIELD_WORDS[w] for w in words(place) if w in FIELD_WORDS}:
            # "harusnya isi laporannya ...": not a place; never stored as one.
            return Outcome(say=[("utter_summary_what_to_change", {})], ask=CONFIRMED)
        if LOCATION_MIN <= len(place) <= LOCATION_MAX:
            return Outcome(values={LOCATION: place, CONFIRMED: None}, noted=[LOCATION])
    elif target == DESCRIPTION and value and _tells_enough(value):
        return Outcome(values={DESCRIPTION: value, CONFIRMED: None}, noted=[DESCRIPTION])
    # "ubah lokasi": ask that question again, then come back to the summary.
    return Outcome(values={target: None, CONFIRMED: None}, ask=target)


def _tells_enough(value: str) -> bool:
    """A new story given in a correction, not a fragment ("harusnya yg tadi")."""
    fields = {FIELD_WORDS[w] for w in words(value) if w in FIELD_WORDS}
    return (
        DESCRIPTION_MIN <= len(value) <= DESCRIPTION_MAX
        and not fields
        and not thin_piece(value)
        and not refers_back(value)
    )


def _description(raw: str, filled: dict[str, Any]) -> Outcome:
    typed = raw.strip()
    length = len(typed)
    subject = filled.get(OPENING)
    if subject and all(w in ANNOUNCEMENT_WORDS or w in CHATTER_WORDS for w in words(subject)):
        # "bang sy mo komplen nih": said a complaint comes; not part of the story (E20).
        subject = None
    earlier = str(filled.get(EARLIER_STORY) or "").rstrip()
    added = addition(typed) if earlier else None
    if earlier and (filled.get(ADDING) or added is not None):
        # After "Ubah isi" (or "tambahin dong"), "tambahan: ..." adds to the story told
        # before instead of replacing it (E4).
        piece = added[1] if added is not None else typed
        if piece:
            return _more_story(piece, {**filled, DESCRIPTION: earlier}, DESCRIPTION)
    if subject and THAT_IS_ALL_RE.search(typed) and len(words(typed)) <= 5:
        # "itu aja": the opening is all the citizen has to tell.
        return Outcome(values={DESCRIPTION: subject, OPENING: None})
    # A piece of a story ("jalan rusak", then "yg di jl. melati, depan sd") joins what was
    # kept before it; nothing the citizen told is lost.
    a_piece = len(words(typed)) >= 2 and not is_clear_yes(typed)
    joined = f"{subject.strip()}\n{typed}" if subject else typed
    told_in_pieces = a_piece and length + len(subject or "") >= DESCRIPTION_MIN and bool(subject)
    pieces = "\n".join(joined.split("\n")[1:])
    # A piece that only adds where ("yg di jl. melati itu lho, depan sd") completes it; a
    # second subject line ("lapor min, ada pungli di kelurahan") does not.
    adds_a_place = names_a_place(pieces) and not COMPLAINT_WORDS_RE.search(pieces)
    if subject and a_piece and told_in_pieces and thin_piece(pieces) and not adds_a_place:
        # "jd td siang" after "mau lapor petugas kasar di kelurahan": kept, the rest asked.
        return Outcome(
            values={OPENING: joined}, say=[("utter_description_go_on", {})], ask=DESCRIPTION
        )
    if length < DESCRIPTION_MIN and not told_in_pieces:
        return Outcome(
            values={OPENING: joined} if a_piece else {},
            say=[("utter_description_too_short", {"minimum": DESCRIPTION_MIN})],
            ask=DESCRIPTION,
        )
    if length > DESCRIPTION_MAX:
        return Outcome(
            say=[("utter_description_too_long", {"maximum": DESCRIPTION_MAX, "length": length})],
            ask=DESCRIPTION,
        )
    found = extras(typed, filled, skip=DESCRIPTION)
    if LOCATION not in found and not filled.get(LOCATION) and GOES_ON_RE.search(typed):
        place = place_of_piece(typed)
        if place:
            found[LOCATION] = place
    if subject:
        # The opening named the subject; the story follows it.
        story = raw if length + len(subject) + 1 > DESCRIPTION_MAX else joined
        return Outcome(values={DESCRIPTION: story, OPENING: None, **found}, noted=sorted(found))
    return Outcome(values={DESCRIPTION: raw, **found}, noted=sorted(found))


# Words before a place that only lead to it: "oh ok.", "iya tapi", "ya itu td,".
PLACE_LEAD_RE = re.compile(
    r"^(?:(?:oh|ok|oke|okey|okay|iya|iyaa|ya|yaa|y|baik|sip|siap|nah|eh|lho|loh|hmm|tapi|tp|"
    r"jadi|jd|min|kak|gan|kan|itu|tuh|tadi|td|udah|udh|sudah|dah|ini|gini)\b[\s,.:;!-]*)+",
    re.IGNORECASE,
)
# "lokasinya di", "alamatnya ganti", "tempat kejadiannya": the field named before the place.
FIELD_LEAD_RE = re.compile(
    r"^(?:lokasi|alamat|tempat)(?:nya)?(?:\s+kejadian(?:nya)?)?\b[\s,:]*"
    r"(?:(?:kan|itu|tuh|ya|sih|ada|yaitu|yakni|adalah|ialah|persisnya|tepatnya|(?:di)?ganti|"
    r"diubah|ubah|harusnya|seharusnya|mestinya|yang\s+benar|yg\s+bener|yg\s+benar|jadi|jd|"
    r"ke|di)\b[\s,:]*)*",
    re.IGNORECASE,
)
# "udh sy sebut td, ...": pointing back before the place.
BACK_CLAUSE_RE = re.compile(
    r"^(?:(?:kan|udah|udh|sudah|sdh|dah|sy|saya|aku|tadi|td)\b\s*)*(?:sebut\w*|bilang|"
    r"tulis\w*|kasih\s*tau|kasi\s*tau|cerita\w*|ceritain|jelasin|jelaskan)\b[^,.;:]*[,.;:]\s*",
    re.IGNORECASE,
)
# ", bukan depan masjid": the place it is not.
NEGATED_TAIL_RE = re.compile(r"\s*[,;]\s*(?:bukan|bkn|jangan|jgn)\b.*$", re.IGNORECASE)
PARTICLE_TAIL_RE = re.compile(
    r"(?:[\s,]+(?:ya|yah|yaa|min|kak|deh|aja|saja|dong|nih|gan|sih|lho|loh))+[\s.!]*$",
    re.IGNORECASE,
)


def clean_place(text: str) -> str:
    """The place in a location answer, without the talk around it: "oh ok. lokasinya di
    kantor disdukcapil ..." -> "kantor disdukcapil ...", "iya tapi lokasinya ganti jl
    melati no 4 ya, bukan depan masjid" -> "jl melati no 4"."""
    place = text.strip()
    for _ in range(4):
        before = place
        place = PLACE_LEAD_RE.sub("", place)
        place = FIELD_LEAD_RE.sub("", place)
        place = BACK_CLAUSE_RE.sub("", place)
        if place == before:
            break
    place = NEGATED_TAIL_RE.sub("", place)
    place = PARTICLE_TAIL_RE.sub("", place).strip(" ,;:")
    return place if len(place) >= LOCATION_MIN and words(place) else text.strip()


# Where a location answer goes on after the place: "... tadi pagi", ", pas sy lewat jam 7",
# "yang tadi sy ceritain" (not "yang deket masjid", which still says where).
PLACE_ANSWER_TAIL_RE = re.compile(
    r"\s*,?\s+(?:tadi|td|tdi|kemarin|kemaren|kmrn|kmren|semalam|barusan|sejak|pas|waktu|wkt|"
    r"sewaktu|ketika|jam\s+\d|(?:yang|yg)\s+(?:tadi|td|sy|saya|aku|gw|udah|udh|sudah|"
    r"kemarin|kmrn|pernah|barusan))\b.*$",
    re.IGNORECASE | re.DOTALL,
)


def place_of_answer(text: str) -> str:
    """The place in a location answer: the talk around it left out (clean_place), the time
    or story after it too ("kantor imigrasi kota contoh tadi pagi"), informal words that say
    where written out ("dkt pasar kramat" -> "dekat pasar kramat")."""
    place = clean_place(text)
    cut = PLACE_ANSWER_TAIL_RE.sub("", place).strip(" ,;:")
    if len(cut) >= LOCATION_MIN and words(cut):
        place = cut
    return spell_out_place_words(place)


def _location(typed: str, filled: dict[str, Any]) -> Outcome:
    if not names_a_place(typed) and (refers_back(typed) or COMPLAINT_WORDS_RE.search(typed)):
        # "kan udh sy ceritain td", "sy mau komplain bukan nanya": no place in it.
        return Outcome(say=[("utter_form_explain_complaint_location", {})], ask=LOCATION)
    typed = place_of_answer(typed)
    if is_clear_yes(typed) or len(words(typed)) == 0:
        return Outcome(say=[("utter_location_too_short", {})], ask=LOCATION)
    if len(typed) < LOCATION_MIN:
        return Outcome(say=[("utter_location_too_short", {})], ask=LOCATION)
    if len(typed) > LOCATION_MAX:
        return Outcome(say=[("utter_location_too_long", {"maximum": LOCATION_MAX})], ask=LOCATION)
    found = extras(typed, filled, skip=LOCATION)
    place = typed
    # "Jl. Kenari 5, kategorinya ketertiban, anonim ya" or "... selatan. tolong nama saya
    # jangan dicantumkan": the place is the part before the clause with the wish.
    starts = [m.start() for m in (CATEGORY_STATED_RE.search(typed), privacy_at(typed)) if m]
    if found and starts:
        head = typed[: min(starts)]
        end = max(head.rfind(","), head.rfind(". "), head.rfind(";"))
        place = (head[:end] if end > 0 else head).strip(" ,.;") or typed
    elif found:
        cut = re.split(
            r"[,.]\s*(?:kategori|category|anonim|rahasia|identitas|nama saya|masuk)",
            typed,
            maxsplit=1,
            flags=re.I,
        )
        place = cut[0].strip(" ,.") or typed
    return Outcome(values={LOCATION: place, **found}, noted=sorted(found))


def _category(raw: str, filled: dict[str, Any]) -> Outcome:
    typed = raw.strip()
    if is_clear_yes(typed):
        return Outcome(values={CATEGORY: "__default__"})
    category = parse_category(typed)
    if category is None and (more_of_the_story(typed, CATEGORY) or tells_more(typed)):
        return _more_story(raw, filled, CATEGORY)
    if category is None:
        return Outcome(say=[("utter_category_invalid", {})], ask=CATEGORY)
    found = extras(typed, filled, skip=CATEGORY)
    found.pop(LOCATION, None)
    return Outcome(values={CATEGORY: category.value, **found}, noted=sorted(found))


def _privacy(raw: str, filled: dict[str, Any]) -> Outcome:
    typed = raw.strip()
    privacy = parse_privacy(typed)
    if privacy is None and is_clear_yes(typed):
        return Outcome(values={PRIVACY: "__default__"})
    if privacy is None and (more_of_the_story(typed, PRIVACY) or tells_more(typed)):
        return _more_story(raw, filled, PRIVACY)
    if privacy is None:
        return Outcome(say=[("utter_privacy_invalid", {})], ask=PRIVACY)
    return Outcome(values={PRIVACY: privacy.value})


def looks_like_a_complaint(text: str) -> bool:
    """A story told without "lapor" ("Lampu PJU di Gang Mawar mati semua sejak seminggu"):
    long enough, about something a complaint category covers, and not a question."""
    if len(text.strip()) < NARRATIVE_MIN or looks_like_question(text):
        return False
    return mentions_pungli(text) or any(category_scores(text).values())


COMPLAINT_WORDS_RE = re.compile(r"lapor|ngadu|mengadu|aduan|komplain|keluh|protes", re.IGNORECASE)


def asks_instead_of_complaining(text: str) -> bool:
    """An opening that is a question, not a complaint ("cara bikin sertipikat tanah gimana
    ya pak?"): it is answered and no form is opened."""
    return looks_like_question(text) and not COMPLAINT_WORDS_RE.search(text)
