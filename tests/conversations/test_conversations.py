"""Conversations from the citizen's side, played end to end (issue 8).

Every conversation in `tests/conversations/*.yml` is played through Rasa's REST channel
against a real Rasa server, our real action server and a real SQLite store, with a fresh
sender id. Button presses are sent as their payload, as the Telegram front end does.
What a correct service must do is written declaratively (see README.md in this folder):

per turn            `say: text` | `press: button title` | `payload: /raw_payload`,
                    `consent: true` on the citizen's explicit yes at the summary,
                    `expect:` reply_any, reply_all, reply_none, reply_regex, reply_not_regex,
                    buttons_any, offer_any, requested_slot, requested_slot_not, form_active, slots,
                    slot_contains, slot_not_contains, facts, facts_none, tickets,
                    reply_ticket_id
per conversation    `tickets: N`, `ticket: {...}` (the only ticket's fields),
                    `ratings: {...}`

Invariants checked on every turn of every conversation: every message gets an answer;
no technical-error apology; a validation error only answers the question that was asked;
a ticket appears only on a turn marked `consent: true`, right after a summary showing
its location; never two tickets from one turn nor two identical tickets.

The action server's service-hours clock is pinned (PINNED_NOW, within every unit's hours):
asking for a person opens a live chat whatever the hour the suite runs.

Conversations listed in known_failures.txt run as xfail(strict=True): the suite stays
green while fixes land, and a fix that makes one pass forces removing it from the list.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from bot.store.db import prepare_database
from bot.store.models import Citizen, Rating, Service, Ticket
from devtools.devstack import ROOT, Servers, ensure_model

pytestmark = pytest.mark.rasa

HERE = Path(__file__).resolve().parent
KNOWN_FAILURES = HERE / "known_failures.txt"

# The action server's "now" for service hours: a Tuesday morning, not a holiday, when every
# unit is open, so asking for a person always opens a live chat, whenever the suite runs.
PINNED_NOW = "2026-12-01T09:30:00+07:00"

CLASSES = {
    "happy": "plain service questions and complaints (regressions)",
    "1-digression": "questions, greetings, complaints about the bot, stray buttons in the form",
    "2-multi-slot": "several slots given in one message",
    "3-correction": "corrections at the summary",
    "4-consent": "a ticket only on a clear yes",
    "5-short-question": "short questions are not yes/no",
    "6-follow-up": "follow-ups keep the service/aspect; two services in one message",
    "7-no-sticking": "an earlier service does not stick to a later complaint",
    "8-start": '"lapor" alone, "lapor pungli", "mau komplain"',
    "9-cancel-exit": "cancel with confirmation and undo; leaving the form with one message",
    "10-feedback": "typed ratings and comments after the star buttons",
    "11-honesty": "services the catalogue lacks, deadlines, a human contact",
}
FORM_SLOTS = {
    "description": "complaint_description",
    "location": "complaint_location",
    "category": "complaint_category",
    "privacy": "complaint_privacy",
    "confirmed": "complaint_confirmed",
}
# Responses that reject an answer, and the question they may answer (domain.yml).
VALIDATION_ERRORS = {
    "utter_description_too_short": "complaint_description",
    "utter_description_too_long": "complaint_description",
    "utter_location_too_short": "complaint_location",
    "utter_location_too_long": "complaint_location",
    "utter_category_invalid": "complaint_category",
    "utter_privacy_invalid": "complaint_privacy",
    "utter_confirm_invalid": "complaint_confirmed",
}
TURN_KEYS = {"say", "press", "payload", "consent", "expect", "note"}
EXPECT_KEYS = {
    "reply_any",
    "reply_all",
    "reply_none",
    "reply_regex",
    "reply_not_regex",
    "buttons_any",
    "offer_any",
    "requested_slot",
    "requested_slot_not",
    "form_active",
    "slots",
    "slot_contains",
    "slot_not_contains",
    "facts",
    "facts_none",
    "tickets",
    "reply_ticket_id",
}
CONVERSATION_KEYS = {"id", "class", "who", "title", "turns", "tickets", "ticket", "ratings", "note"}
TICKET_KEYS = {
    "category",
    "privacy",
    "location_contains",
    "location_none",
    "description_contains",
    "description_none",
    "service",
    "service_not",
    "office",
    "office_not",
}
RATING_KEYS = {"count", "score", "comment_contains"}
# Facts a reply must state, by aspect: the catalogue fields (all of them must appear).
ASPECTS = {
    "syarat": "requirements",
    "biaya": "cost",
    "lama": "duration",
    "prosedur": "procedure",
    "online": "online_channel",
    "alamat": "office.address",
    "jam": "office.hours",
    "kantor": "office.name",
    "telepon": "office.phone",
}


# -- loading ------------------------------------------------------------------------------


def load_conversations() -> list[dict[str, Any]]:
    """Every conversation of every YAML file in this folder, in file order."""
    conversations: list[dict[str, Any]] = []
    for path in sorted(HERE.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for conversation in data.get("conversations", []):
            conversation["_file"] = path.name
            conversations.append(conversation)
    return conversations


def load_known_failures() -> dict[str, str]:
    """Conversation id -> why it fails today (known_failures.txt, `id  # reason`)."""
    known: dict[str, str] = {}
    if not KNOWN_FAILURES.exists():
        return known
    for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines():
        entry, _, reason = line.partition("#")
        if entry.strip():
            known[entry.strip()] = reason.strip() or "fails today"
    return known


def domain_texts() -> dict[str, str]:
    """Fixed text of each response in domain.yml (up to its first placeholder)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    texts: dict[str, str] = {}
    for name, variants in (domain.get("responses") or {}).items():
        text = (variants[0].get("text") or "") if variants else ""
        texts[name] = text.split("{", 1)[0].strip()
    return texts


CONVERSATIONS = load_conversations()
KNOWN = load_known_failures()
DOMAIN_TEXTS = domain_texts()


def as_list(value: Any) -> list[Any]:
    """A scalar or a list, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def slot_name(name: str) -> str:
    """`location` is short for `complaint_location` (the form's slots)."""
    return FORM_SLOTS.get(name, name)


def fold(text: str) -> str:
    """Case- and whitespace-insensitive form for containment checks."""
    return " ".join(text.split()).casefold()


@dataclass
class ConversationStack:
    """Where the conversations are played and where their tickets land."""

    rasa_url: str
    rasa_token: str
    database_url: str
    engine: Engine


@pytest.fixture(scope="module")
def conversation_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConversationStack]:
    """Rasa (REST channel + HTTP API) and the action server on one fresh SQLite store.

    Started once for the whole suite (only this module uses it, so it stops before the
    rest of `make test` runs); every conversation uses its own sender id.
    """
    ensure_model()
    folder = tmp_path_factory.mktemp("conversations")
    database_url = f"sqlite:///{folder / 'store.db'}"
    prepare_database(database_url, seed="always")
    # The HTTP API behind a token, as in production (the REST channel needs none).
    token = uuid.uuid4().hex
    running = Servers(
        folder,
        database_url,
        rasa_auth_token=token,
        action_env={"APP_ENV": "test", "TEST_FIXED_NOW": PINNED_NOW},
    )
    engine = create_engine(database_url)
    try:
        running.start_actions()
        running.start_rasa()
        yield ConversationStack(running.rasa_url, token, database_url, engine)
    except Exception:
        for log in ("actions.log", "rasa.log"):
            path = folder / log
            if path.exists():
                print(f"--- {log}\n" + path.read_text(errors="replace")[-4000:])
        raise
    finally:
        running.stop_all()
        engine.dispose()


# -- playing --------------------------------------------------------------------------------


class Failed(Exception):
    """The first expectation a conversation did not meet."""

    def __init__(self, turn: int, said: str, expectation: str, detail: str, seen: dict[str, Any]):
        super().__init__(f"turn {turn} ({said!r}): {expectation}: {detail}")
        self.record = {
            "turn": turn,
            "said": said,
            "expectation": expectation,
            "detail": detail,
            **seen,
        }


@dataclass
class Keyboard:
    """Buttons under one bot message; gone once one of them is pressed (as on Telegram)."""

    buttons: list[dict[str, str]]
    used: bool = False


@dataclass
class Turn:
    """What the bot answered to one citizen message, and its state afterwards."""

    number: int
    said: str
    texts: list[str]
    buttons: list[dict[str, str]]
    tracker: dict[str, Any]
    requested_before: str | None
    tickets_before: int
    tickets_after: list[Ticket] = field(default_factory=list)

    @property
    def reply(self) -> str:
        return "\n".join(self.texts)

    @property
    def requested_slot(self) -> str | None:
        return (self.tracker.get("slots") or {}).get("requested_slot")

    @property
    def active_loop(self) -> str | None:
        return (self.tracker.get("active_loop") or {}).get("name")

    def seen(self) -> dict[str, Any]:
        return {
            "replies": self.texts,
            "buttons": [b.get("title") for b in self.buttons],
            "active_loop": self.active_loop,
            "requested_slot": self.requested_slot,
        }


class Player:
    """Plays one conversation and checks it turn by turn; raises Failed at the first miss."""

    def __init__(self, stack: ConversationStack, conversation: dict[str, Any]):
        self.stack = stack
        self.conversation = conversation
        self.sender = f"conv-{conversation['id']}-{uuid.uuid4().hex[:8]}"[:64]
        self.http = httpx.Client(base_url=stack.rasa_url, timeout=60)
        self.keyboards: list[Keyboard] = []
        self.turns: list[Turn] = []
        self.transcript: list[dict[str, Any]] = []

    # -- the store ---------------------------------------------------------------------

    def tickets(self) -> list[Ticket]:
        with Session(self.stack.engine) as s:
            return list(
                s.scalars(
                    select(Ticket)
                    .join(Citizen, Ticket.citizen_id == Citizen.id)
                    .where(Citizen.sender_id == self.sender)
                    .order_by(Ticket.id)
                )
            )

    def ratings(self) -> list[Rating]:
        with Session(self.stack.engine) as s:
            return list(
                s.scalars(
                    select(Rating)
                    .join(Citizen, Rating.citizen_id == Citizen.id)
                    .where(Citizen.sender_id == self.sender)
                    .order_by(Rating.id)
                )
            )

    def facts(self, service_id: str, aspect: str) -> list[str]:
        """The catalogue's value(s) for one aspect of a service, read from the store."""
        column = ASPECTS.get(aspect, aspect)
        with Session(self.stack.engine) as s:
            service = s.get(Service, service_id)
            assert service is not None, f"no service {service_id!r} in the catalogue"
            if column.startswith("office."):
                value = getattr(service.office, column.removeprefix("office."))
            else:
                value = getattr(service, column)
        assert value, f"the catalogue has no {aspect} for {service_id}: not a usable fact"
        return [str(v) for v in as_list(value)]

    # -- Rasa --------------------------------------------------------------------------

    def send(self, message: str) -> list[dict[str, Any]]:
        response = self.http.post(
            "/webhooks/rest/webhook", json={"sender": self.sender, "message": message}
        )
        response.raise_for_status()
        return list(response.json())

    def tracker(self) -> dict[str, Any]:
        response = self.http.get(
            f"/conversations/{self.sender}/tracker",
            params={"include_events": "NONE", "token": self.stack.rasa_token},
        )
        response.raise_for_status()
        return dict(response.json())

    def press(self, title: str, number: int) -> str:
        """The payload of the newest unused button titled `title` (exact first, then part)."""
        wanted = fold(title)
        for exact in (True, False):
            for keyboard in reversed(self.keyboards):
                if keyboard.used:
                    continue
                for button in keyboard.buttons:
                    shown = fold(str(button.get("title", "")).replace("✓", ""))
                    if shown == wanted if exact else wanted in shown:
                        keyboard.used = True
                        return str(button["payload"])
        on_screen = [b.get("title") for k in self.keyboards if not k.used for b in k.buttons]
        last = self.turns[-1].seen() if self.turns else {}
        raise Failed(
            number, f"[{title}]", "press", f"no button {title!r} on screen: {on_screen}", last
        )

    # -- the conversation --------------------------------------------------------------

    def play(self) -> None:
        requested_before: str | None = None
        tickets_before = 0
        for number, step in enumerate(self.conversation["turns"], start=1):
            if "say" in step:
                message = str(step["say"])
                said = message
            elif "press" in step:
                message = self.press(str(step["press"]), number)
                said = f"[{step['press']}] {message}"
            else:
                message = str(step["payload"])
                said = message
            try:
                replies = self.send(message)
            except httpx.HTTPError as error:
                raise Failed(number, said, "invariant: Rasa answers", repr(error), {}) from None
            texts = [str(r["text"]) for r in replies if r.get("text")]
            buttons = [b for r in replies for b in r.get("buttons") or []]
            self.transcript.append({"said": said, "bot": texts})
            for r in replies:
                if r.get("buttons"):
                    self.keyboards.append(Keyboard(list(r["buttons"])))
            turn = Turn(
                number, said, texts, buttons, self.tracker(), requested_before, tickets_before
            )
            turn.tickets_after = self.tickets()
            self.check_invariants(turn, step)
            self.check_expectations(turn, step.get("expect") or {})
            self.turns.append(turn)
            requested_before = turn.requested_slot if turn.active_loop else None
            tickets_before = len(turn.tickets_after)
        self.check_outcome()

    def fail(self, turn: Turn, expectation: str, detail: str) -> Failed:
        return Failed(turn.number, turn.said, expectation, detail, turn.seen())

    def check_invariants(self, turn: Turn, step: dict[str, Any]) -> None:
        if not turn.texts:
            raise self.fail(turn, "invariant: every message is answered", "no reply at all")
        error = DOMAIN_TEXTS.get("utter_technical_error")
        if error and error in turn.reply:
            raise self.fail(turn, "invariant: no technical error", "the bot apologised")
        for response, slot in VALIDATION_ERRORS.items():
            text = DOMAIN_TEXTS.get(response)
            if text and text in turn.reply and turn.requested_before != slot:
                raise self.fail(
                    turn,
                    "invariant: a validation error only answers the question asked",
                    f"{response} while the question pending was {turn.requested_before!r}",
                )
        new = len(turn.tickets_after) - turn.tickets_before
        if new > 1:
            raise self.fail(turn, "invariant: no duplicate ticket", f"{new} tickets in one turn")
        if new == 1:
            ticket = turn.tickets_after[-1]
            if not step.get("consent"):
                raise self.fail(
                    turn,
                    "invariant: no ticket without an explicit yes",
                    f"ticket {ticket.public_id} filed on a message that is not a clear yes",
                )
            summary = self.turns[-1].reply if self.turns else ""
            if ticket.location_text and fold(ticket.location_text) not in fold(summary):
                raise self.fail(
                    turn,
                    "invariant: the yes answers a summary",
                    f"the reply before the yes did not show the location "
                    f"{ticket.location_text!r} of ticket {ticket.public_id}",
                )
        keys = [(t.description, t.location_text) for t in turn.tickets_after]
        if len(keys) != len(set(keys)):
            raise self.fail(turn, "invariant: no duplicate ticket", "two identical tickets")

    def check_expectations(self, turn: Turn, expect: dict[str, Any]) -> None:
        reply = fold(turn.reply)
        if "reply_any" in expect:
            wanted = as_list(expect["reply_any"])
            if not any(fold(w) in reply for w in wanted):
                raise self.fail(turn, f"reply_any {wanted}", "none of them in the reply")
        for wanted in as_list(expect.get("reply_all")):
            if fold(wanted) not in reply:
                raise self.fail(turn, f"reply_all {wanted!r}", "missing from the reply")
        for unwanted in as_list(expect.get("reply_none")):
            if fold(unwanted) in reply:
                raise self.fail(turn, f"reply_none {unwanted!r}", "found in the reply")
        for pattern in as_list(expect.get("reply_regex")):
            if not re.search(pattern, turn.reply, re.IGNORECASE | re.DOTALL):
                raise self.fail(turn, f"reply_regex {pattern!r}", "no match in the reply")
        for pattern in as_list(expect.get("reply_not_regex")):
            match = re.search(pattern, turn.reply, re.IGNORECASE | re.DOTALL)
            if match:
                raise self.fail(turn, f"reply_not_regex {pattern!r}", f"matched {match[0]!r}")
        if "buttons_any" in expect:
            wanted = as_list(expect["buttons_any"])
            titles = [fold(str(b.get("title", ""))) for b in turn.buttons]
            if not any(fold(w) in t for w in wanted for t in titles):
                raise self.fail(turn, f"buttons_any {wanted}", "no such button")
        if "offer_any" in expect:
            wanted = as_list(expect["offer_any"])
            shown = [reply, *(fold(str(b.get("title", ""))) for b in turn.buttons)]
            if not any(fold(w) in t for w in wanted for t in shown):
                raise self.fail(turn, f"offer_any {wanted}", "neither in the reply nor a button")
        if "form_active" in expect:
            active = turn.active_loop is not None
            if active != bool(expect["form_active"]):
                raise self.fail(
                    turn, f"form_active {expect['form_active']}", f"active_loop is {active}"
                )
        if "requested_slot" in expect:
            wanted_slot = expect["requested_slot"]
            wanted_slot = slot_name(wanted_slot) if wanted_slot else None
            actual = turn.requested_slot if turn.active_loop else None
            if actual != wanted_slot:
                raise self.fail(turn, f"requested_slot {wanted_slot}", f"it is {actual!r}")
        if "requested_slot_not" in expect:
            unwanted = slot_name(expect["requested_slot_not"])
            if turn.active_loop and turn.requested_slot == unwanted:
                raise self.fail(turn, f"requested_slot_not {unwanted}", "it is")
        slots = turn.tracker.get("slots") or {}
        for name, value in (expect.get("slots") or {}).items():
            if slots.get(slot_name(name)) != value:
                raise self.fail(
                    turn, f"slots {name}={value!r}", f"it is {slots.get(slot_name(name))!r}"
                )
        for name, part in (expect.get("slot_contains") or {}).items():
            actual_value = slots.get(slot_name(name))
            if not isinstance(actual_value, str) or fold(part) not in fold(actual_value):
                raise self.fail(turn, f"slot_contains {name}~{part!r}", f"it is {actual_value!r}")
        for name, parts in (expect.get("slot_not_contains") or {}).items():
            actual_value = slots.get(slot_name(name))
            for part in as_list(parts):
                if isinstance(actual_value, str) and fold(part) in fold(actual_value):
                    raise self.fail(
                        turn, f"slot_not_contains {name}~{part!r}", f"it is {actual_value!r}"
                    )
        for fact in as_list(expect.get("facts")):
            for value in self.facts(fact["service"], fact["aspect"]):
                if fold(value) not in reply:
                    raise self.fail(
                        turn,
                        f"facts {fact['service']}/{fact['aspect']}",
                        f"the catalogue's {value!r} is not in the reply",
                    )
        for fact in as_list(expect.get("facts_none")):
            for value in self.facts(fact["service"], fact["aspect"]):
                if fold(value) in reply:
                    raise self.fail(
                        turn,
                        f"facts_none {fact['service']}/{fact['aspect']}",
                        f"the catalogue's {value!r} is in the reply",
                    )
        if "tickets" in expect and len(turn.tickets_after) != expect["tickets"]:
            raise self.fail(
                turn, f"tickets {expect['tickets']}", f"{len(turn.tickets_after)} filed so far"
            )
        if expect.get("reply_ticket_id"):
            ids = [t.public_id for t in turn.tickets_after]
            if not any(i in turn.reply for i in ids):
                raise self.fail(turn, "reply_ticket_id", f"none of {ids} in the reply")

    def check_outcome(self) -> None:
        """The store after the last turn: the tickets and ratings this citizen left."""
        last = self.turns[-1]
        tickets = self.tickets()
        spec = self.conversation.get("ticket")
        expected_count = self.conversation.get("tickets", 1 if spec else None)

        def fail(expectation: str, detail: str) -> Failed:
            return Failed(len(self.turns), "(end)", expectation, detail, last.seen())

        if expected_count is not None and len(tickets) != expected_count:
            raise fail(f"tickets {expected_count}", f"{len(tickets)} filed")
        if spec:
            ticket = tickets[-1]
            fields = {
                "category": ticket.category.value,
                "privacy": ticket.privacy.value,
                "service": ticket.service_id,
                "office": ticket.office_id,
            }
            for name, actual in fields.items():
                if name in spec and spec[name] != actual:
                    raise fail(f"ticket {name}={spec[name]!r}", f"it is {actual!r}")
                if f"{name}_not" in spec and actual in as_list(spec[f"{name}_not"]):
                    raise fail(f"ticket {name}_not {spec[f'{name}_not']!r}", f"it is {actual!r}")
            texts = {"location": ticket.location_text or "", "description": ticket.description}
            for name, text in texts.items():
                for part in as_list(spec.get(f"{name}_contains")):
                    if fold(part) not in fold(text):
                        raise fail(f"ticket {name}_contains {part!r}", f"it is {text!r}")
                for part in as_list(spec.get(f"{name}_none")):
                    if fold(part) in fold(text):
                        raise fail(f"ticket {name}_none {part!r}", f"it is {text!r}")
        rating_spec = self.conversation.get("ratings")
        if rating_spec:
            ratings = self.ratings()
            if "count" in rating_spec and len(ratings) != rating_spec["count"]:
                raise fail(f"ratings count {rating_spec['count']}", f"{len(ratings)} stored")
            if "score" in rating_spec and rating_spec["score"] not in [r.score for r in ratings]:
                raise fail(
                    f"ratings score {rating_spec['score']}",
                    f"scores stored: {[r.score for r in ratings]}",
                )
            comments = " ".join(r.comment or "" for r in ratings)
            for part in as_list(rating_spec.get("comment_contains")):
                if fold(part) not in fold(comments):
                    raise fail(f"ratings comment_contains {part!r}", f"comments: {comments!r}")


# -- the tests ------------------------------------------------------------------------------


def test_conversation_data_is_well_formed() -> None:
    """Unique ids, known classes and keys, every class covered, known failures exist."""
    ids = [c.get("id") for c in CONVERSATIONS]
    assert len(ids) >= 60, f"only {len(ids)} conversations"
    assert len(ids) == len(set(ids)), "duplicate conversation ids"
    for conversation in CONVERSATIONS:
        where = f"{conversation.get('_file')}:{conversation.get('id')}"
        assert set(conversation) - {"_file"} <= CONVERSATION_KEYS, where
        assert conversation.get("class") in CLASSES, where
        assert conversation.get("turns"), where
        for step in conversation["turns"]:
            assert set(step) <= TURN_KEYS, f"{where}: {set(step) - TURN_KEYS}"
            assert len({"say", "press", "payload"} & set(step)) == 1, f"{where}: {step}"
            assert set(step.get("expect") or {}) <= EXPECT_KEYS, f"{where}: {step}"
            for fact in as_list((step.get("expect") or {}).get("facts")):
                assert fact.get("aspect") in ASPECTS, f"{where}: {fact}"
        assert set(conversation.get("ticket") or {}) <= TICKET_KEYS, where
        assert set(conversation.get("ratings") or {}) <= RATING_KEYS, where
    assert {c["class"] for c in CONVERSATIONS} == set(CLASSES)
    assert set(KNOWN) <= set(ids), f"unknown ids in known_failures.txt: {set(KNOWN) - set(ids)}"


def _params() -> list[Any]:
    params = []
    for conversation in CONVERSATIONS:
        marks = []
        if conversation["id"] in KNOWN:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[conversation["id"]]))
        params.append(pytest.param(conversation, id=conversation["id"], marks=marks))
    return params


@pytest.mark.parametrize("conversation", _params())
def test_conversation(
    conversation: dict[str, Any],
    conversation_stack: ConversationStack,
    conversation_results: dict[str, dict[str, Any]],
) -> None:
    """One citizen's conversation, end to end, with its expectations and the invariants."""
    player = Player(conversation_stack, conversation)
    result: dict[str, Any] = {
        "id": conversation["id"],
        "class": conversation["class"],
        "file": conversation["_file"],
        "title": conversation.get("title", ""),
        "files_ticket": bool(conversation.get("ticket")),
        "passed": False,
        "failure": None,
    }
    try:
        player.play()
        result["passed"] = True
    except Failed as failed:
        result["failure"] = failed.record
        raise AssertionError(str(failed) + f"\nbot said: {failed.record.get('replies')}") from None
    finally:
        result["transcript"] = player.transcript
        conversation_results[conversation["id"]] = result
        player.http.close()
