"""The trainers' NLU review inbox: citizen messages the language model may have got wrong.

Source: Rasa's SQL tracker store (RASA_TRACKER_URL), table `events` as Rasa 3.6's
SQLTrackerStore writes it (id, sender_id, type_name, timestamp, intent_name, action_name,
data: the event as JSON; a user message holds `text` and `parse_data` with `intent`,
`intent_ranking` and `entities`). Rasa's store is the one place of truth of what citizens
wrote and what the model predicted; we copy only the doubtful messages, masked.

A user message is kept when
- its top intent confidence is below NLU_REVIEW_THRESHOLD (`low_confidence`),
- its intent is `nlu_fallback` (`fallback`),
- the sender's next message corrects it ("bukan itu", "salah", "maksud saya", ...) or asks
  for a human (`request_human`) within CORRECTION_WINDOW_S (`correction`),
- the sender's next message, after the assistant answered and within CORRECTION_WINDOW_S,
  asks the same thing again in other words (`repeat`, see `is_repeat`),
- the citizen pressed "Tidak membantu" (intent `answer_not_helpful`) under the answer to it
  (`not_helpful`): the message is the sender's user message just before the press, and the
  assistant's reply to it must be the one that offered the button (a press under an older
  answer, after the citizen wrote again, cannot be tied to its message and is skipped).
Button payloads (texts starting with "/") are not what citizens wrote and are never kept
themselves; a message answered after a button press is not kept for `not_helpful` either.

`collect` reads the user events after a cursor kept in our database, and stores each kept
message once (unique on the tracker event id; a second reason found later is added to the
same item). It reads only events older than SETTLE_S: Rasa writes a turn's events after the
turn, and ids handed out by a sequence may commit out of order.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Engine, column, delete, func, inspect, select, table
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.store.models import NluReviewCursor, NluReviewItem, utcnow
from bot.training.masking import mask, sender_hash

log = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
# Intents only a button sends (its payload, never typed text): no NLU examples, never a
# label a trainer gives to what a citizen wrote.
BUTTON_ONLY_INTENTS = frozenset(
    {"skm", "answer_not_helpful", "request_callback", "answer_officer", "ask_service"}
)
HUMAN_INTENT = "request_human"  # domain.yml
NOT_HELPFUL_INTENT = "answer_not_helpful"  # the "Tidak membantu" button (domain.yml)
NOT_HELPFUL_PAYLOAD = f"/{NOT_HELPFUL_INTENT}"
# The service questions a repeat is recognised on (domain.yml; actions/service_info.py).
QUESTION_INTENTS = frozenset(
    ["ask_requirements", "ask_cost", "ask_duration", "ask_procedure", "ask_location_hours"]
)
REPEAT_SIMILARITY = 85.0  # RapidFuzz token_sort_ratio of two wordings of one question
CORRECTION_WINDOW_S = 600.0  # a correction answers the message just before it
SETTLE_S = 30.0
BATCH = 500
ALTERNATIVES = 3
CURSOR_ID = 1

# "bukan itu", "bukan, maksud saya ...", "salah kak", "maksud saya perpanjang SIM", "lho
# bukan, ...", "lho kok gitu", "ga nyambung", "sy ga nanya itu". A bare "bukan"/"salah" counts
# only as the whole message or before a comma or stop, so that "salah input data di KTP saya"
# (a complaint) is not taken for a correction. An interjection ("lho", "lah", "eh", ...) may
# lead.
_INTERJECTION = r"(?:(?:lho|loh|lo|lah|lha|eh|ehh|hah|ha|duh|aduh|wah|kak|min|pak|bu)[\s,.!]+)*"
_ME = r"(?:saya|sy|aku|ak|gw|gue|gua|ku)"
_NOT = r"(?:ga|gak|gk|g|nggak|ngga|enggak|engga|ndak|tidak|tdk|bkn|bukan)"
_ASK = r"(?:nanya|nanyain|tanya|tanyain|bertanya|menanyakan|nanyak)"
_REPORT_WORDS = (
    r"(?:lapor\w*|ngelapor\w*|melapor\w*|ngadu\w*|mengadu\w*|adu|aduan|pengaduan|"
    r"komplain\w*|komplen\w*|complain\w*|keluhan)"
)
CORRECTION_RE = re.compile(
    r"^\s*" + _INTERJECTION + r"(?:"
    r"(?:bukan|bkn|salah|keliru)(?:\s+(?:itu|ini|begitu|gitu|dong|kak|min|pak|bu|ya))*\s*(?:[,.!?]|$)"
    r"|(?:bukan|bkn)\s+(?:itu|ini|begitu|gitu|gini|yang|yg|maksud|maksudnya)\b"
    r"|(?:bukan|bkn)\s+(?:mau\s+|mo\s+|pengen\s+|ingin\s+)?" + _REPORT_WORDS + r"\b"
    r"|(?:maksud\s+" + _ME + r"|maksudku|maksudnya|yang\s+" + _ME + r"\s+maksud"
    r"|yg\s+" + _ME + r"\s+maksud)\b"
    r"|kok\s+(?:gitu|begitu|gini|malah|jadi|jd|nyambung|ga\s+nyambung|gak\s+nyambung)\b"
    r"|(?:" + _ME + r"\s+)?(?:ga|gak|gk|nggak|ngga|enggak|tidak|tdk)\s+" + _ASK + r"\s+"
    r"(?:itu|gitu|begitu|soal\s+itu|yang\s+itu|yg\s+itu)\b"
    r")",
    re.IGNORECASE,
)
# Anywhere in the message: "jawabannya ga nyambung", "kayaknya salah paham deh".
CORRECTION_ANYWHERE_RE = re.compile(
    r"\b(?:ga|gak|gk|nggak|ngga|enggak|tidak|tdk)\s+nyambung\b"
    r"|\bsalah\s+(?:paham|tangkap|ngerti|mengerti)\b"
    r"|\b(?:bukan|bkn)\s+itu\s+(?:maksud|yang|yg)\b",
    re.IGNORECASE,
)

# The citizen says the message that opened the complaint form was not a complaint: "lah sy
# ga mau lapor, cuma nanya", "bukan mau lapor baru, mau nanya status", "sy cuma mau nanya
# kok". Changing one's mind ("ga jadi lapor", "sy ga mau lapor deh, takut") is not it: a
# negated wish to report counts only with a question named or an interjection of surprise.
NOT_A_COMPLAINT_RE = re.compile(
    r"^\s*"
    + _INTERJECTION
    + r"(?:bukan|bkn)\s+(?:mau\s+|mo\s+|pengen\s+|ingin\s+)?"
    + _REPORT_WORDS
    + r"\b"
    r"|\b(?:cuma|cm|cuman|hanya|cuman|cuma2)\s+(?:mau\s+|mo\s+|pengen\s+|ingin\s+)?" + _ASK + r"\b"
    r"|\b" + _NOT + r"\s+(?:mau|mo|pengen|ingin|niat)\s+" + _REPORT_WORDS + r"\b.*\b"
    r"(?:mau|mo|pengen|ingin|cuma|cm|hanya)\s+" + _ASK + r"\b"
    r"|^\s*(?:lho|loh|lah|lha|kok|hah)[\s,.!]+(?:"
    + _ME
    + r"\s+)?"
    + _NOT
    + r"\s+(?:mau|mo|pengen|ingin|niat)\s+"
    + _REPORT_WORDS
    + r"\b",
    re.IGNORECASE,
)

# The citizen says the message before was an answer to an officer's question ("lho bukan,
# itu jawaban buat pertanyaan petugas td", "sy td jawab pertanyaan petugas"): a reply on a
# ticket, read under the console's privacy rules, never collected.
ANSWERS_AN_OFFICER_RE = re.compile(r"\bjawab\w*\b.{0,40}\bpetugas\b", re.IGNORECASE)

# What the assistant says when it did not understand a message (domain.yml; Rasa's core
# fallback, actions/fallback.py): a message answered so ended in the fallback, whatever its
# intent's confidence. Not utter_default_answer_hint: that message may be a plain answer to
# an officer's question on a ticket.
FALLBACK_RESPONSES = frozenset({"utter_default", "utter_fallback_menu"})
# The "not understood" reply to a citizen an officer waits for, with the button that sends
# the message to the ticket (actions/common.py utter_not_understood).
ANSWER_HINT_RESPONSE = "utter_default_answer_hint"
# The "Kirim sebagai jawaban" press, or the front end's "sy td jawab pertanyaan petugas"
# (bot/telegram/answers.py): the message before it went to a ticket.
ANSWER_OFFICER_INTENT = "answer_officer"

# What the assistant says when it could not tell which service a question is about
# (domain.yml; actions/service_info.py).
WHICH_SERVICE_RESPONSES = frozenset({"utter_ask_which_service", "utter_ask_which_service_any"})

_PUNCTUATION = re.compile(r"[^\w\s]+|_")
_SPACES = re.compile(r"\s+")

# Rasa's table, only what we read (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
COMPLAINT_FORM = "complaint_form"  # the form whose messages are complaint texts
TICKET_SLOT = "last_ticket_id"  # set when a complaint is filed (actions/file_complaint.py)

EVENTS = table(
    "events",
    column("id"),
    column("sender_id"),
    column("type_name"),
    column("timestamp"),
    column("intent_name"),
    column("data"),
)


@dataclass(frozen=True)
class UserMessage:
    """One user event of Rasa's store, as we read it."""

    event_id: int
    sender_id: str
    timestamp: float | None
    text: str
    intent: str | None
    confidence: float | None
    ranking: list[dict[str, Any]]
    entities: list[dict[str, Any]]

    @property
    def is_payload(self) -> bool:
        """A pressed button or a command, not words a citizen wrote."""
        return self.text.lstrip().startswith("/")


@dataclass(frozen=True)
class CollectReport:
    """What one `collect` run did."""

    read: int  # user events read
    stored: int  # new review items
    corrections: int  # messages flagged as corrected (new or already stored)
    last_event_id: int


def normalise(text: str) -> str:
    """Lower case, punctuation replaced by spaces, one space between words (the inbox's
    grouping and the export compare texts on this too)."""
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", text.lower())).strip()


def is_correction(message: UserMessage) -> bool:
    """True when the message corrects the assistant's reading of the one before it."""
    text = message.text
    return (
        message.intent == HUMAN_INTENT
        or CORRECTION_RE.match(text) is not None
        or CORRECTION_ANYWHERE_RE.search(text) is not None
        or says_not_a_complaint(text)
    )


def says_not_a_complaint(text: str) -> bool:
    """True when the citizen says what they wrote was not meant as a complaint."""
    return NOT_A_COMPLAINT_RE.search(text) is not None


def answers_an_officer(text: str) -> bool:
    """True when the citizen says the message before answered an officer's question."""
    return ANSWERS_AN_OFFICER_RE.search(text) is not None


def _services(message: UserMessage) -> frozenset[str]:
    return frozenset(
        str(e.get("value")).strip().lower()
        for e in message.entities
        if e.get("entity") == "service" and e.get("value")
    )


def is_repeat(previous: UserMessage, message: UserMessage) -> bool:
    """True when `message` asks what `previous` asked, in other words (conservative: a
    follow-up on another aspect or another service is not a repeat, nor is the same text
    sent again). Either
    - both are the same service question (one of QUESTION_INTENTS) about the same services,
      at least one named ("syarat bikin KTP apa" then "persyaratan buat KTP apa aja ya"), or
    - the two wordings are near-identical (RapidFuzz token_sort_ratio >= REPEAT_SIMILARITY on
      normalised text: a typo fixed, words reordered) and name the same services.
    "syaratnya?" then "biayanya?" (two aspects) and "syarat KTP" then "syarat KK" (two
    services) are not repeats."""
    before, after = normalise(previous.text), normalise(message.text)
    if not before or not after or before == after:
        return False
    services = _services(previous)
    if services != _services(message):
        return False
    if services and previous.intent in QUESTION_INTENTS and previous.intent == message.intent:
        return True
    return fuzz.token_sort_ratio(before, after) >= REPEAT_SIMILARITY


def _user_message(row: Any) -> UserMessage | None:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return None
    parse = data.get("parse_data") or {}
    intent = parse.get("intent") or {}
    confidence = intent.get("confidence")
    return UserMessage(
        event_id=int(row.id),
        sender_id=str(row.sender_id),
        timestamp=row.timestamp if row.timestamp is not None else data.get("timestamp"),
        text=str(data.get("text") or parse.get("text") or ""),
        intent=intent.get("name") or row.intent_name,
        confidence=float(confidence) if confidence is not None else None,
        ranking=list(parse.get("intent_ranking") or []),
        entities=list(parse.get("entities") or []),
    )


def _alternatives(message: UserMessage) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for entry in message.ranking:
        name = entry.get("name")
        if not name or name == message.intent:
            continue
        value = entry.get("confidence")
        out.append({"name": name, "confidence": float(value) if value is not None else None})
        if len(out) == ALTERNATIVES:
            break
    return out


def _entities(message: UserMessage, masked_text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for entity in message.entities:
        value = entity.get("value")
        item: dict[str, Any] = {
            "entity": entity.get("entity"),
            "value": mask(value) if isinstance(value, str) else value,
        }
        for key in ("role", "group"):
            if entity.get(key):
                item[key] = entity[key]
        if isinstance(value, str) and 0 <= entity.get("start", -1) < entity.get("end", -1):
            # Offsets into the masked text, where the masked span is found.
            span = mask(message.text[entity["start"] : entity["end"]])
            at = masked_text.find(span) if span else -1
            if at >= 0:
                item["start"], item["end"] = at, at + len(span)
        out.append(item)
    return out


def _reasons(message: UserMessage, threshold: float) -> set[str]:
    if message.intent == FALLBACK_INTENT:
        return {"fallback"}
    if message.confidence is None or message.confidence < threshold:
        return {"low_confidence"}
    return set()


def _item(message: UserMessage, reasons: set[str], key: str) -> NluReviewItem:
    text = mask(message.text)
    at = (
        datetime.fromtimestamp(message.timestamp, timezone.utc)
        if message.timestamp is not None
        else None
    )
    return NluReviewItem(
        tracker_event_id=message.event_id,
        sender_hash=sender_hash(message.sender_id, key),
        text=text,
        intent=message.intent,
        confidence=message.confidence,
        alternatives=_alternatives(message),
        entities=_entities(message, text),
        reasons=",".join(sorted(reasons)),
        status="new",
        message_at=at,
    )


def _user_events(tracker: Engine, after_id: int, limit: int) -> list[UserMessage]:
    query = (
        select(EVENTS)
        .where(EVENTS.c.id > after_id, EVENTS.c.type_name == "user")
        .order_by(EVENTS.c.id)
        .limit(limit)
    )
    with tracker.connect() as connection:
        rows = connection.execute(query).all()
    return [m for m in (_user_message(r) for r in rows) if m is not None]


def _previous_user_message(tracker: Engine, message: UserMessage) -> UserMessage | None:
    query = (
        select(EVENTS)
        .where(
            EVENTS.c.sender_id == message.sender_id,
            EVENTS.c.type_name == "user",
            EVENTS.c.id < message.event_id,
        )
        .order_by(EVENTS.c.id.desc())
        .limit(1)
    )
    with tracker.connect() as connection:
        row = connection.execute(query).first()
    return _user_message(row) if row is not None else None


def _bot_messages_between(tracker: Engine, sender_id: str, after: int, before: int) -> list[Any]:
    """The data of the bot events of `sender_id` between two event ids."""
    query = (
        select(EVENTS.c.data)
        .where(
            EVENTS.c.sender_id == sender_id,
            EVENTS.c.type_name == "bot",
            EVENTS.c.id > after,
            EVENTS.c.id < before,
        )
        .order_by(EVENTS.c.id)
    )
    with tracker.connect() as connection:
        rows = connection.execute(query).all()
    out = []
    for row in rows:
        try:
            out.append(json.loads(row.data or "{}") or {})
        except ValueError:
            continue
    return out


def _offers_not_helpful(bot_event: dict[str, Any]) -> bool:
    buttons = (bot_event.get("data") or {}).get("buttons") or []
    return any(isinstance(b, dict) and b.get("payload") == NOT_HELPFUL_PAYLOAD for b in buttons)


def _loop_name(row: Any) -> str | None:
    try:
        return (json.loads(row.data or "{}") or {}).get("name")
    except ValueError:
        return None


def part_of_a_complaint(tracker: Engine, message: UserMessage) -> bool:
    """True for a message typed while the complaint form ran, or the one that opened it.

    Complaint texts never reach trainers: a confidential or anonymous report is read only
    under the console's privacy rules, and masking personal data is not enough for it.
    """
    sender = EVENTS.c.sender_id == message.sender_id
    loops = EVENTS.c.type_name == "active_loop"
    with tracker.connect() as connection:
        before = connection.execute(
            select(EVENTS.c.data)
            .where(sender, loops, EVENTS.c.id < message.event_id)
            .order_by(EVENTS.c.id.desc())
            .limit(1)
        ).first()
        if before is not None and _loop_name(before) == COMPLAINT_FORM:
            return True
        next_user = connection.execute(
            select(EVENTS.c.id)
            .where(sender, EVENTS.c.type_name == "user", EVENTS.c.id > message.event_id)
            .order_by(EVENTS.c.id)
            .limit(1)
        ).scalar()
        opened = select(EVENTS.c.data).where(sender, loops, EVENTS.c.id > message.event_id)
        if next_user is not None:
            opened = opened.where(EVENTS.c.id < next_user)
        return any(_loop_name(row) == COMPLAINT_FORM for row in connection.execute(opened))


def read_cursor(engine: Engine) -> int:
    """The id of the last Rasa event the collector has read (0 before the first run)."""
    with Session(engine) as s:
        value = s.scalar(
            select(NluReviewCursor.last_event_id).where(NluReviewCursor.id == CURSOR_ID)
        )
    return int(value or 0)


def collect(
    tracker_engine: Engine,
    engine: Engine,
    threshold: float,
    key: str,
    since_id: int | None = None,
    now: float | None = None,
    settle_s: float = SETTLE_S,
) -> CollectReport:
    """Copy the doubtful user messages after `since_id` (default: the stored cursor) from
    Rasa's store into the review inbox, masked; move the cursor. `key`: the key of the
    sender hash (SECRET_KEY)."""
    if not inspect(tracker_engine).has_table("events"):
        return CollectReport(0, 0, 0, since_id or 0)
    cursor = read_cursor(engine) if since_id is None else since_id
    cutoff = (time.time() if now is None else now) - settle_s
    read = stored = corrections = 0
    while True:
        batch = _user_events(tracker_engine, cursor, BATCH)
        settled = []
        for message in batch:
            if message.timestamp is not None and message.timestamp > cutoff:
                break
            settled.append(message)
        if not settled:
            break
        found: dict[int, tuple[UserMessage, set[str]]] = {}
        ticket_answers: set[int] = set()
        for message in settled:
            if message.intent == ANSWER_OFFICER_INTENT:
                previous = _previous_user_message(tracker_engine, message)
                if previous is not None:
                    ticket_answers.add(previous.event_id)
                    found.pop(previous.event_id, None)
                continue
            if message.intent == NOT_HELPFUL_INTENT:
                answered = _answered_by_not_helpful(tracker_engine, message)
                if answered is not None:
                    found.setdefault(answered.event_id, (answered, set()))[1].add("not_helpful")
                continue
            if message.is_payload or not message.text.strip():
                continue
            reasons = _reasons(message, threshold)
            replies = _reply_responses(tracker_engine, message)
            if ANSWER_HINT_RESPONSE in replies:
                reasons = set()  # perhaps an answer to an officer: a ticket's text
            elif not reasons and replies & FALLBACK_RESPONSES:
                reasons = {"fallback"}
            if reasons and not part_of_a_complaint(tracker_engine, message):
                found.setdefault(message.event_id, (message, set()))[1].update(reasons)
            if answers_an_officer(message.text):
                continue  # the message before is a reply on a ticket
            if is_correction(message):
                previous = _previous_user_message(tracker_engine, message)
                if (
                    previous is not None
                    and not previous.is_payload
                    and previous.text.strip()
                    and _within_window(previous, message)
                    and not part_of_a_complaint(tracker_engine, previous)
                ):
                    found.setdefault(previous.event_id, (previous, set()))[1].add("correction")
                    corrections += 1
            else:
                previous = _repeated(tracker_engine, message)
                if previous is not None:
                    found.setdefault(previous.event_id, (previous, set()))[1].add("repeat")
        for opener in _misread_as_complaints(tracker_engine, cursor, settled[-1].event_id):
            found.setdefault(opener.event_id, (opener, set()))[1].add("correction")
            corrections += 1
        for event_id in ticket_answers:
            found.pop(event_id, None)
        stored += _store(engine, found, key)
        _forget(engine, ticket_answers)
        read += len(settled)
        cursor = settled[-1].event_id
        _save_cursor(engine, cursor)
        if len(settled) < len(batch) or len(batch) < BATCH:
            break
    return CollectReport(read, stored, corrections, cursor)


def _collectable(tracker: Engine, previous: UserMessage | None) -> bool:
    """A message a citizen wrote, outside a complaint."""
    return (
        previous is not None
        and not previous.is_payload
        and bool(previous.text.strip())
        and not part_of_a_complaint(tracker, previous)
    )


def _answered_by_not_helpful(tracker: Engine, press: UserMessage) -> UserMessage | None:
    """The message whose answer the "Tidak membantu" press is about, when it can be told."""
    previous = _previous_user_message(tracker, press)
    if previous is None or previous.is_payload or not previous.text.strip():
        return None
    replies = _bot_messages_between(tracker, press.sender_id, previous.event_id, press.event_id)
    if not any(_offers_not_helpful(reply) for reply in replies):
        return None
    return previous if _collectable(tracker, previous) else None


def _repeated(tracker: Engine, message: UserMessage) -> UserMessage | None:
    """The message before `message` when `message` repeats it in other words, after the
    assistant answered it and within CORRECTION_WINDOW_S."""
    previous = _previous_user_message(tracker, message)
    if previous is None or previous.is_payload or not _within_window(previous, message):
        return None
    replies = _bot_messages_between(tracker, message.sender_id, previous.event_id, message.event_id)
    if not replies:
        return None
    if not is_repeat(previous, message) and not _asked_again_for_the_service(
        tracker, previous, replies, message
    ):
        return None
    return previous if _collectable(tracker, previous) else None


def _reply_responses(tracker: Engine, message: UserMessage) -> set[str]:
    """The domain responses the assistant answered `message` with."""
    replies = _bot_messages_between(
        tracker, message.sender_id, message.event_id, _next_user_event_id(tracker, message)
    )
    return {
        str(name)
        for reply in replies
        if (name := (reply.get("metadata") or {}).get("utter_action"))
    }


def _forget(engine: Engine, tracker_event_ids: set[int]) -> None:
    """Delete stored items of messages that turned out to be answers on a ticket."""
    if tracker_event_ids:
        with Session(engine) as s, s.begin():
            s.execute(
                delete(NluReviewItem).where(
                    NluReviewItem.tracker_event_id.in_(sorted(tracker_event_ids))
                )
            )


def _asks_which_service(replies: list[dict[str, Any]]) -> bool:
    return any(
        (reply.get("metadata") or {}).get("utter_action") in WHICH_SERVICE_RESPONSES
        for reply in replies
    )


def _asked_again_for_the_service(
    tracker: Engine, previous: UserMessage, replies: list[dict[str, Any]], message: UserMessage
) -> bool:
    """The assistant could not tell which service `previous` asked about and asked back;
    the citizen, instead of choosing, asked a question again: one that names a service
    ("mau bikin buku ijo buat umroh" -> "bikin pasport brp duit sih"), or one the assistant
    again could not place ("bpk sy meninggal, ngurus surat2nya gmn" -> "syaratnya apa aja").
    A bare answer ("ktp") is the citizen choosing, not asking again."""
    if previous.intent not in QUESTION_INTENTS or message.intent not in QUESTION_INTENTS:
        return False
    if _services(previous) or not _asks_which_service(replies):
        return False
    if _services(message):
        return True
    after = _bot_messages_between(
        tracker, message.sender_id, message.event_id, _next_user_event_id(tracker, message)
    )
    return _asks_which_service(after)


def _next_user_event_id(tracker: Engine, message: UserMessage) -> int:
    query = (
        select(EVENTS.c.id)
        .where(
            EVENTS.c.sender_id == message.sender_id,
            EVENTS.c.type_name == "user",
            EVENTS.c.id > message.event_id,
        )
        .order_by(EVENTS.c.id)
        .limit(1)
    )
    with tracker.connect() as connection:
        found = connection.execute(query).scalar()
    return int(found) if found is not None else 2**62


def _misread_as_complaints(tracker: Engine, after: int, upto: int) -> list[UserMessage]:
    """The messages that opened a complaint form the citizen said was not meant ("lah sy ga
    mau lapor, cuma nanya"), within CORRECTION_WINDOW_S, when the form ended without a
    ticket in a turn whose user event lies in (`after`, `upto`]. Only then is the opening
    message known not to be a complaint text; a form still running is judged when it ends."""
    with tracker.connect() as connection:
        # A turn's events are written together: its form's end comes before the next
        # user event (bounds the read to this batch's turns).
        following = connection.execute(
            select(func.min(EVENTS.c.id)).where(EVENTS.c.type_name == "user", EVENTS.c.id > upto)
        ).scalar()
        query = select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.data).where(
            EVENTS.c.type_name == "active_loop", EVENTS.c.id > after
        )
        if following is not None:
            query = query.where(EVENTS.c.id < following)
        ends = [
            row
            for row in connection.execute(query.order_by(EVENTS.c.id))
            if _loop_name(row) is None
        ]
    out = []
    for end in ends:
        opener = _misread_form_run(tracker, str(end.sender_id), int(end.id), after, upto)
        if opener is not None:
            out.append(opener)
    return out


def _misread_form_run(
    tracker: Engine, sender_id: str, end_id: int, after: int, upto: int
) -> UserMessage | None:
    sender = EVENTS.c.sender_id == sender_id
    users = select(EVENTS).where(sender, EVENTS.c.type_name == "user")
    with tracker.connect() as connection:
        turn = connection.execute(
            users.where(EVENTS.c.id < end_id).order_by(EVENTS.c.id.desc()).limit(1)
        ).first()
        if turn is None or not after < int(turn.id) <= upto:
            return None
        start = connection.execute(
            select(EVENTS.c.id, EVENTS.c.data)
            .where(sender, EVENTS.c.type_name == "active_loop", EVENTS.c.id < end_id)
            .order_by(EVENTS.c.id.desc())
            .limit(1)
        ).first()
        if start is None or _loop_name(start) != COMPLAINT_FORM:
            return None
        opener_row = connection.execute(
            users.where(EVENTS.c.id < start.id).order_by(EVENTS.c.id.desc()).limit(1)
        ).first()
        run_rows = connection.execute(
            users.where(EVENTS.c.id > start.id, EVENTS.c.id < end_id).order_by(EVENTS.c.id)
        ).all()
        next_user = connection.execute(
            select(EVENTS.c.id)
            .where(sender, EVENTS.c.type_name == "user", EVENTS.c.id > end_id)
            .order_by(EVENTS.c.id)
            .limit(1)
        ).scalar()
        slots = select(EVENTS.c.data).where(
            sender, EVENTS.c.type_name == "slot", EVENTS.c.id > start.id
        )
        if next_user is not None:
            slots = slots.where(EVENTS.c.id < next_user)
        if any(_files_a_ticket(row) for row in connection.execute(slots)):
            return None
    opener = _user_message(opener_row) if opener_row is not None else None
    if opener is None or opener.is_payload or not opener.text.strip():
        return None
    run = [m for m in (_user_message(r) for r in run_rows) if m is not None]
    if any(
        not m.is_payload and says_not_a_complaint(m.text) and _within_window(opener, m) for m in run
    ):
        return opener
    return None


def _files_a_ticket(row: Any) -> bool:
    """A slot event that records a filed ticket (actions/file_complaint.py)."""
    try:
        data = json.loads(row.data or "{}") or {}
    except ValueError:
        return False
    return data.get("name") == TICKET_SLOT and bool(data.get("value"))


def _within_window(previous: UserMessage, message: UserMessage) -> bool:
    if previous.timestamp is None or message.timestamp is None:
        return True
    return 0 <= message.timestamp - previous.timestamp <= CORRECTION_WINDOW_S


def _store(engine: Engine, found: dict[int, tuple[UserMessage, set[str]]], key: str) -> int:
    """Insert new items, add reasons to stored ones. Returns how many were inserted."""
    if not found:
        return 0
    inserted = 0
    with Session(engine) as s, s.begin():
        existing = {
            item.tracker_event_id: item
            for item in s.scalars(
                select(NluReviewItem).where(NluReviewItem.tracker_event_id.in_(list(found)))
            )
        }
        for event_id, (message, reasons) in sorted(found.items()):
            item = existing.get(event_id)
            if item is None:
                s.add(_item(message, reasons, key))
                inserted += 1
            else:
                merged = set(item.reasons.split(",")) | reasons
                item.reasons = ",".join(sorted(r for r in merged if r))
    return inserted


def _save_cursor(engine: Engine, last_event_id: int) -> None:
    with Session(engine) as s, s.begin():
        row = s.get(NluReviewCursor, CURSOR_ID)
        if row is None:
            s.add(NluReviewCursor(id=CURSOR_ID, last_event_id=last_event_id, updated_at=utcnow()))
        else:
            row.last_event_id = last_event_id
            row.updated_at = utcnow()


def purge_expired(engine: Engine, after: timedelta, now: datetime | None = None) -> int:
    """Delete review items collected more than `after` ago (NLU_REVIEW_RETENTION_DAYS)."""
    now = now or utcnow()
    with Session(engine) as s, s.begin():
        result = s.execute(delete(NluReviewItem).where(NluReviewItem.created_at < now - after))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def count_items(engine: Engine) -> int:
    """How many review items the inbox holds."""
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(NluReviewItem)) or 0)


def collect_and_purge(settings: Settings, engine: Engine, tracker_engine: Engine) -> CollectReport:
    """One tick of the console's background loop: expire, then collect."""
    purged = purge_expired(engine, timedelta(days=settings.nlu_review_retention_days))
    if purged:
        log.info("retention: %d NLU review items deleted", purged)
    report = collect(tracker_engine, engine, settings.nlu_review_threshold, key=settings.secret_key)
    if report.stored or report.corrections:
        log.info(
            "NLU review: %d messages read, %d items stored, %d corrections",
            report.read,
            report.stored,
            report.corrections,
        )
    return report
