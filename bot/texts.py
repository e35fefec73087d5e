"""Every citizen-facing text outside the conversation, and the one date formatter.

The conversation itself (Rasa's responses, the main menu) is in domain.yml. Everything else
a citizen (or a unit's Telegram group) reads is in texts.yml next to this module, and this is
its only loader:

- `text(key, **values)` fills the Jinja2 template `messages.<key>`; a value the template
  names but the caller does not give is an error (StrictUndefined). Plain text: the Telegram
  front end escapes it before sending.
- `verified`, `followup_plan`, `info_request`, `reply`, `resolved`, `rejected`, `reopened`,
  `auto_closed`: what the citizen receives when an officer (or the system) acts on a ticket.
- `COMMANDS`: the Telegram commands with their menu descriptions, from one table.
- `CATEGORY_LABELS` and the other `*_LABELS`, `BUTTON_*`: names of stored codes and buttons.
- `format_date`: dates in Indonesian ("17 Agustus 2026"), for the front end, the actions and
  the console; `format_duration`: lengths of time ("10 jam 49 mnt", "3 menit").
- `fact_source`, `regional_fact`: where a catalogue answer comes from, and the note on a rule
  each region sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from jinja2 import Environment, StrictUndefined, Template

from bot.phrases import asks_the_citizen
from bot.store.models import Category, Privacy, TicketStatus

TEXTS_PATH = Path(__file__).with_name("texts.yml")

E = TypeVar("E", bound=Enum)


@dataclass(frozen=True)
class Command:
    """A Telegram command: its name, what it does and, for some, an example of its use."""

    command: str
    description: str
    example: str | None = None
    menu: str | None = None  # Telegram's menu text, when not `command_menu`'s
    aliases: tuple[str, ...] = ()  # other names handled the same, not in the menu


@lru_cache(maxsize=1)
def _file() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(TEXTS_PATH.read_text(encoding="utf-8"))
    return raw


def _lowerfirst(value: str) -> str:
    return value[:1].lower() + value[1:]


@lru_cache(maxsize=1)
def _templates() -> dict[str, Template]:
    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters["lowerfirst"] = _lowerfirst
    env.globals["commands"] = commands()
    return {key: env.from_string(value) for key, value in _file()["messages"].items()}


def text(key: str, **values: Any) -> str:
    """The message `key` with its placeholders filled. KeyError for an unknown key."""
    return str(_templates()[key].render(**values))


# -- Telegram commands ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def commands() -> tuple[Command, ...]:
    """The Telegram commands, in the order they are listed."""
    return tuple(
        Command(**{**entry, "aliases": tuple(entry.get("aliases", ()))})
        for entry in _file()["commands"]
    )


def command_menu() -> tuple[tuple[str, str], ...]:
    """(command, description) for Telegram's command menu (setMyCommands)."""
    return tuple(
        (c.command, c.menu or text("command_menu", description=c.description, example=c.example))
        for c in commands()
    )


COMMANDS = command_menu()


# -- Labels -----------------------------------------------------------------------------------


def labels(group: str) -> dict[str, str]:
    """The labels of `group` in texts.yml, code -> text."""
    return dict(_file()["labels"][group])


def _enum_labels(group: str, kind: type[E]) -> dict[E, str]:
    return {kind(code): label for code, label in labels(group).items()}


CATEGORY_LABELS: dict[Category, str] = _enum_labels("category", Category)
CATEGORY_SHORT_LABELS: dict[Category, str] = _enum_labels("category_short", Category)
PRIVACY_LABELS: dict[Privacy, str] = _enum_labels("privacy", Privacy)
PRIVACY_SHORT_LABELS: dict[Privacy, str] = _enum_labels("privacy_short", Privacy)
STATUS_LABELS: dict[TicketStatus, str] = _enum_labels("status", TicketStatus)
ASPECT_LABELS: dict[str, str] = labels("aspect")
ASPECT_BUTTON_LABELS: dict[str, str] = labels("aspect_button")
FORM_FIELD_LABELS: dict[str, str] = labels("form_field")
EDIT_BUTTON_LABELS: dict[str, str] = labels("edit_button")
FACT_ASPECT_LABELS: dict[str, str] = labels("fact_aspect")

_BUTTONS = labels("button")
BUTTON_SEND = _BUTTONS["send"]
BUTTON_CANCEL = _BUTTONS["cancel"]
BUTTON_CONFIRM_CANCEL = _BUTTONS["confirm_cancel"]
BUTTON_KEEP_GOING = _BUTTONS["keep_going"]
BUTTON_REPORT_PUNGLI = _BUTTONS["report_pungli"]
BUTTON_SEND_AS_ANSWER = _BUTTONS["send_as_answer"]
BUTTON_TALK_TO_OFFICER = _BUTTONS["talk_to_officer"]
BUTTON_MOVE_BETWEEN = _BUTTONS["move_between"]
BUTTON_MOVE_WITHIN = _BUTTONS["move_within"]
BUTTON_SKM_START = _BUTTONS["skm_start"]
BUTTON_SKM_LATER = _BUTTONS["skm_later"]
BUTTON_SKM_REFUSE = _BUTTONS["skm_refuse"]
BUTTON_SKM_SKIP = _BUTTONS["skm_skip"]
BUTTON_SKM_NO_COMMENT = _BUTTONS["skm_no_comment"]


# -- Dates ------------------------------------------------------------------------------------


def format_date(
    value: date, *, weekday: bool = False, short: bool = False, time: bool = False
) -> str:
    """'17 Agustus 2026'.

    weekday: 'Senin, 17 Agustus 2026'. short: three-letter month and weekday names
    ('Sen, 17 Agu 2026'). time (a datetime, already in the time zone to show): '17 Agu 2026
    14:05'. A datetime without `time` is shown by its date as it stands (no conversion).
    """
    names = _file()["dates"]
    month = names["months"][value.month - 1]
    day_name = names["weekdays"][value.weekday()]
    if short:
        month, day_name = month[:3], day_name[:3]
    shown = f"{value.day} {month} {value.year}"
    if weekday:
        shown = f"{day_name}, {shown}"
    if time:
        shown += f" {value:%H:%M}"
    return shown


def format_month(year: int, month: int, *, short: bool = False) -> str:
    """'Maret 2026'; short: 'Mar 2026' (the same names as `format_date`)."""
    name = _file()["dates"]["months"][month - 1]
    return f"{name[:3] if short else name} {year}"


# -- Durations --------------------------------------------------------------------------------

_DURATION_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def format_duration(seconds: float | None, *, long: bool = False) -> str:
    """'10 jam 49 mnt', '2 mnt 5 dtk', '45 dtk', '2 hari 3 jam': the two largest units, in
    whole numbers (a zero second unit left out); long: 'menit' and 'detik' ('3 menit').
    '-' when there is nothing to measure."""
    if seconds is None:
        return "-"
    names = _file()["durations"]["long" if long else "short"]
    total = rest = round(abs(seconds))
    parts: list[str] = []
    for unit, size in _DURATION_UNITS:
        count, rest = divmod(rest, size)
        if count or (parts and len(parts) < 2):
            parts.append(f"{count} {names[unit]}")
        if len(parts) == 2:
            break
    if parts and parts[-1].startswith("0 "):
        parts.pop()
    shown = " ".join(parts) or f"0 {names['second']}"
    return f"-{shown}" if seconds < 0 and total else shown


# -- Where a catalogue answer comes from -------------------------------------------------------


def fact_source(source: str | None, checked: date | None) -> str:
    """'Sumber: PP No. 45 Tahun 2024 · diperiksa 20 Nov 2026'; '' when no source is recorded."""
    if not source:
        return ""
    shown = format_date(checked, short=True) if checked else None
    return text("fact_source", source=source, checked=shown)


def regional_fact(office: str, value: str) -> str:
    """A fact each region sets, said for the office it applies to."""
    return text("fact_regional", office=office, value=value, multiline="\n" in value)


# -- To the citizen when an officer (or the system) acts on a ticket --------------------------


def _ticket_text(key: str, **values: Any) -> str:
    return text(key, **values).strip()


def verified(public_id: str, unit: str | None, followup_due: date) -> str:
    """The complaint was verified and forwarded."""
    return _ticket_text(
        "ticket_verified",
        public_id=public_id,
        unit=unit,
        followup_due=format_date(followup_due, weekday=True),
    )


def followup_plan(public_id: str, plan: str, resolve_due: date | None) -> str:
    """The officer started the follow-up: its plan and the resolution's deadline (the plan
    the verification notice promised)."""
    return _ticket_text(
        "ticket_followup_plan",
        public_id=public_id,
        plan=plan,
        resolve_due=format_date(resolve_due, weekday=True) if resolve_due else None,
    )


def info_request(public_id: str, question: str, reply_due: date) -> str:
    """The officer needs more information; the citizen answers with /jawab."""
    return _ticket_text(
        "ticket_info_request",
        public_id=public_id,
        question=question,
        reply_due=format_date(reply_due, weekday=True),
    )


def reply(public_id: str, text: str) -> str:
    """A free reply of the officer: inviting the answer in plain words when it asks
    something, else a Telegram reply (bot/telegram/answers.py takes both)."""
    return _ticket_text("ticket_reply", public_id=public_id, text=text, asks=asks_the_citizen(text))


def resolved(public_id: str, resolution: str) -> str:
    """The complaint was resolved."""
    return _ticket_text("ticket_resolved", public_id=public_id, resolution=resolution)


def rejected(public_id: str, reason: str, duplicate_of: str | None) -> str:
    """The complaint cannot be followed up."""
    return _ticket_text(
        "ticket_rejected", public_id=public_id, reason=reason, duplicate_of=duplicate_of
    )


def reopened(public_id: str) -> str:
    """The complaint was reopened."""
    return _ticket_text("ticket_reopened", public_id=public_id)


def auto_closed(public_id: str, days: int) -> str:
    """Closed because the citizen did not answer a request for information in time."""
    return _ticket_text("ticket_auto_closed", public_id=public_id, days=days)


def answer_outcome(asked_id: str | None, answered_id: str | None, resumed: bool) -> str:
    """What the citizen reads after answering an officer's request (`/jawab` or the
    "Kirim sebagai jawaban" button): `asked_id` the ticket id they named (None: none named),
    `answered_id` the ticket the answer went to (None: no ticket took it)."""
    if answered_id is not None:
        return text("answer_received" if resumed else "answer_noted", public_id=answered_id)
    if asked_id is None:
        return text("answer_usage")
    return text("answer_not_found", public_id=asked_id)
