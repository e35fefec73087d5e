"""Parameters of a Bot API call, read from a query string, JSON, form or multipart body."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import ApiError, bad_request

# Fields whose form value is a JSON-serialised object or array.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
        "commands",
        "scope",
        "allowed_updates",
        "media",
        "message_ids",
    }
)
# Fields that are integers in the Bot API (chat_id may also be an @username).
INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "max_connections",
        "user_id",
        "live_period",
    }
)
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        """Size of the upload in bytes."""
        return len(self.data)


class Params:
    """Typed access to the parameters of one call, raising Telegram's errors."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadedFile] | None = None):
        """Wrap decoded ``values`` (strings from forms, any JSON type) and uploaded ``files``."""
        self.values = values
        self.files = files or {}

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        """Read the parameters of an HTTP request the way the Bot API server does."""
        values: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        ctype = request.content_type
        if request.can_read_body:
            if ctype == "application/json":
                values.update(await _read_json(request))
            elif ctype.startswith("multipart/"):
                await _read_multipart(request, values, files)
            else:
                values.update(await request.post())
        return cls(values, files)

    def has(self, name: str) -> bool:
        """Whether ``name`` was given (as a value or a file)."""
        return name in self.files or self.values.get(name) is not None

    def get_str(self, name: str, default: str | None = None) -> str | None:
        """Return ``name`` as a string (None if absent)."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        return json.dumps(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        """Return ``name`` as an integer, 400 if it is not one."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be a valid Number') from None

    def get_float(self, name: str) -> float | None:
        """Return ``name`` as a float, 400 if it is not a number."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be a valid Number') from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        """Return ``name`` as a boolean (``true``/``false``/``1``/``0``)."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad_request(f'field "{name}" must be of type Boolean')

    def get_json(self, name: str, error: str | None = None) -> Any:
        """Return ``name`` decoded from JSON (objects in JSON bodies pass through)."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error or f"can't parse {name} JSON object") from None

    def require(self, name: str, message: str | None = None) -> str:
        """Return ``name`` as a non-empty string or fail with ``<name> is empty``."""
        value = self.get_str(name)
        if value is None or value == "":
            raise bad_request(message or f"{name} is empty")
        return value

    def file(self, name: str) -> UploadedFile | str | None:
        """Return an upload for ``name``: a file part, an ``attach://`` part or a string id/URL."""
        if name in self.files:
            return self.files[name]
        value = self.get_str(name)
        if value and value.startswith("attach://"):
            attached = self.files.get(value[len("attach://") :])
            if attached is None:
                raise bad_request(f"file {value} not found")
            return attached
        return value or None

    def snapshot(self) -> dict[str, Any]:
        """Return the parameters with JSON and integer fields decoded, for ``api.calls``."""
        result: dict[str, Any] = {}
        for name, value in self.values.items():
            result[name] = _decode_for_record(name, value)
        for name, upload in self.files.items():
            result[name] = upload
        return result


def _decode_for_record(name: str, value: Any) -> Any:
    """Decode a raw value for recording (best effort, never raises)."""
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    return value


async def _read_json(request: web.Request) -> dict[str, Any]:
    """Read a JSON object body."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "Bad Request: can't parse JSON encoded request") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Bad Request: JSON request must be an object")
    return body


async def _read_multipart(
    request: web.Request, values: dict[str, Any], files: dict[str, UploadedFile]
) -> None:
    """Read a multipart body into plain values and file parts."""
    reader = await request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader) or not part.name:
            continue
        data = await part.read(decode=True)
        if part.filename is not None:
            content_type = part.headers.get("Content-Type")
            files[part.name] = UploadedFile(part.name, part.filename, content_type, bytes(data))
        else:
            charset = part.get_charset(default="utf-8")
            values[part.name] = bytes(data).decode(charset, "replace")
