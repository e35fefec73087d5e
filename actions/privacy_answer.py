"""A citizen asking whether their identity is safe ("identitas sy tetep aman kan min? kan td
sy pilih anonim", "petugasnya bakal tau gak kalo sy yg lapor?"): what the privacy of their
own complaint means, who sees what (bot/texts.yml, privacy_answer_*).

Outside the complaint form (inside it the form explains its own privacy question and the
summary answers it, bot.complaint_turns.summary_question). `answer_privacy_question` is
called by the fallback before it asks to rephrase.
"""

from __future__ import annotations

import logging
import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text
from bot.complaint_turns import reads_as_story
from bot.phrases import looks_like_question
from bot.store.ids import TICKET_ID_LIKE_RE, normalise_ticket_id
from bot.store.repository import TicketView, get_repository
from bot.texts import text as message_text

log = logging.getLogger("actions.privacy_answer")

_MY = r"(?:sy|saya|aku|gw|gue|gua|kami|ku)"
# The citizen's identity: "identitas sy", "nama saya", "data diri".
IDENTITY_RE = re.compile(
    r"\b(?:identitas|nama|data\s+(?:diri|pribadi)|jati\s*diri|privasi)\b", re.IGNORECASE
)
# Whether it stays hidden: "aman", "ketahuan", "disebar", "dirahasiakan".
SAFE_RE = re.compile(
    r"\b(?:aman|ketahuan|ketauan|ketawan|dikenali|dilihat|diliat|keliatan|kelihatan|terlihat|"
    r"bocor|dibocorin|dibocorkan|disebar\w*|dirahasiakan|disembunyikan|dijaga|terjaga|"
    r"dilindungi|terlindungi|disamarkan|muncul|ditampilkan|dicantumkan)\b",
    re.IGNORECASE,
)
# The choice made in the form: "td sy pilih anonim", "yg rahasia".
CHOICE_RE = re.compile(r"\b(?:anonim\w*|anonym\w*|rahasia\w*|tanpa\s+nama)\b", re.IGNORECASE)
# "petugasnya bakal tau gak kalo sy yg lapor?": who will know who reported.
WHO_REPORTED_RE = re.compile(
    rf"\b(?:tau|tahu|ketahuan|ketauan|kenal|ngenalin)\b.{{0,30}}\b{_MY}\b\s*(?:yg|yang)?\s*"
    r"(?:lapor\w*|ngadu\w*|melapor\w*|ngelapor\w*|mengadu\w*|adu\w*)",
    re.IGNORECASE,
)
# A tag that makes a statement a question: "aman kan?", "bener ya".
ASKING_TAG_RE = re.compile(r"\b(?:kan|ya|gak|ga|nggak|tidak|bukan|beneran|bener)\b", re.I)


def asks_about_own_privacy(text: str) -> bool:
    """A question whether the citizen's identity stays hidden, not a question about a
    service ("syarat ganti nama di KTP") nor a story."""
    if not text or text.startswith("/"):
        return False
    asked = looks_like_question(text)
    if not (asked or ASKING_TAG_RE.search(text)) or (reads_as_story(text) and not asked):
        # "data diri sy disebar petugas kelurahan, gak aman bgt": a complaint, not a question.
        return False
    if WHO_REPORTED_RE.search(text):
        return True
    safe = SAFE_RE.search(text)
    return bool(safe and (IDENTITY_RE.search(text) or CHOICE_RE.search(text)))


def _ticket_meant(tracker: Tracker, text: str) -> TicketView | None:
    """The citizen's ticket the question is about: one named in it, the one just filed,
    else their newest open one; never another citizen's."""
    repo = get_repository()
    sender = tracker.sender_id
    for match in TICKET_ID_LIKE_RE.finditer(text):
        public_id = normalise_ticket_id(match.group(0))
        ticket = repo.ticket_for_sender(sender, public_id) if public_id else None
        if ticket is not None:
            return ticket
    last = tracker.get_slot("last_ticket_id")
    ticket = repo.ticket_for_sender(sender, str(last)) if last else None
    if ticket is not None:
        return ticket
    newest = repo.open_tickets_for_sender(sender, limit=1)
    return newest[0] if newest else None


def answer_privacy_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answers "identitas sy aman kan?" with what the privacy of the citizen's complaint
    means (or what each choice means, without a complaint); False, saying nothing, for any
    other message."""
    text = latest_text(tracker)
    if not asks_about_own_privacy(text):
        return False
    try:
        ticket = _ticket_meant(tracker, text)
    except Exception:  # the store is unreachable: the general answer is still true
        log.exception("could not read the tickets of %s", tracker.sender_id)
        ticket = None
    if ticket is None:
        dispatcher.utter_message(text=message_text("privacy_answer_general"))
    else:
        dispatcher.utter_message(
            text=message_text(f"privacy_answer_{ticket.privacy.value}", ticket_id=ticket.public_id)
        )
    return True
