"""Typed, bounded request parameters: what a route accepts is checked where the request comes
in, before any query runs. A path value out of bounds is a 404 (no such page), anything else
a 400 with an Indonesian explanation (see errors.py).

Bounds follow the database: row ids are INTEGER (PostgreSQL int4, 1..2^31-1), Telegram chat
ids BIGINT; dates stay within queue.DAY_MIN..DAY_MAX.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from bot.officer.queue import (
    CURSOR_MAX_CHARS,
    ROW_ID_MAX,
    BadFilter,
    parse_day,
)
from bot.officer.web.console import BadInput

BIGINT_MAX = 2**63 - 1
PAGE_MAX = 1_000_000
TEXT_MAX = 20_000  # longer than any field the domain accepts; they say so in their words
SHORT_MAX = 200


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_day(value)
        except BadFilter as exc:
            raise ValueError(str(exc)) from exc
    return value


RowId = Annotated[int, Field(ge=1, le=ROW_ID_MAX)]
OptionalRowId = Annotated[RowId | None, BeforeValidator(_blank_to_none)]
Day = Annotated[date, BeforeValidator(_day)]
OptionalDay = Annotated[Day | None, BeforeValidator(_blank_to_none)]
ChatId = Annotated[int, Field(ge=-BIGINT_MAX, le=BIGINT_MAX)]
_ROW_ID: TypeAdapter[int] = TypeAdapter(RowId)
_CHAT_ID: TypeAdapter[int] = TypeAdapter(ChatId)

# Path parameters
RowIdPath = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
KeyPath = Annotated[str, Path(min_length=1, max_length=40)]  # office and service ids
TicketIdPath = Annotated[str, Path(max_length=20)]  # ADU-XXXXXX, checked by the route
ActionPath = Annotated[str, Path(max_length=40)]

# Query parameters
PageNo = Annotated[int, Query(ge=1, le=PAGE_MAX)]
Cursor = Annotated[str, Query(max_length=CURSOR_MAX_CHARS)]
NextPath = Annotated[str, Query(max_length=2000)]
CannedQuery = Annotated[OptionalRowId, Query()]
DayQuery = Annotated[OptionalDay, Query()]


class ActionForm(BaseModel):
    """The fields of the ticket action forms (each action reads the ones it needs)."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field("", max_length=TEXT_MAX, title="Teks")
    note: str | None = Field(None, max_length=TEXT_MAX, title="Catatan")
    plan: str = Field("", max_length=TEXT_MAX, title="Rencana tindak lanjut")
    reason: str = Field("", max_length=SHORT_MAX, title="Alasan penolakan")
    duplicate_of: str | None = Field(None, max_length=SHORT_MAX, title="Nomor tiket asli")
    canned: OptionalRowId = Field(None, title="Balasan cepat")
    assignee: str = Field("", max_length=SHORT_MAX, title="Petugas")
    unit: str = Field("", max_length=SHORT_MAX, title="Unit tujuan")

    def assignee_id(self, own_id: int) -> tuple[bool, int | None]:
        """(understood, officer id or None for 'nobody') of the assignee field."""
        if self.assignee == "saya":
            return True, own_id
        if self.assignee == "-":
            return True, None
        try:
            return True, _ROW_ID.validate_python(self.assignee)
        except ValidationError:
            return False, None


class CannedForm(BaseModel):
    """A canned reply being saved (the text limits are canned.save_canned's)."""

    model_config = ConfigDict(extra="ignore")

    id: OptionalRowId = Field(None, title="Balasan cepat")
    title: str = Field("", max_length=TEXT_MAX, title="Judul")
    body: str = Field("", max_length=TEXT_MAX, title="Isi")
    active: str = Field("", max_length=10, title="Aktif")


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], form: Mapping[str, Any]) -> Model:
    """`form` as `model`, or BadInput naming the fields that are wrong (in Indonesian)."""
    try:
        return model.model_validate(dict(form))
    except ValidationError as exc:
        names = []
        for error in exc.errors():
            field = model.model_fields.get(str(error["loc"][0])) if error["loc"] else None
            label = field.title if field and field.title else str(error["loc"][0])
            if label not in names:
                names.append(label)
        raise BadInput("Isian tidak valid: " + ", ".join(names) + ".") from exc


def parse_chat_id(raw: str) -> int | None:
    """A Telegram chat id as typed by an admin (64-bit), else None."""
    try:
        chat_id = _CHAT_ID.validate_python(raw.strip())
    except ValidationError:
        return None
    return chat_id or None
