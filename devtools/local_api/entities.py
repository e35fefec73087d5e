"""Telegram text formatting: the HTML parser and the entities Telegram finds by itself.

The product formats every text with ``parse_mode=HTML``, so that is the only markup parsed
here; MarkdownV2 and legacy Markdown get a clear 400 instead of a silent plain text. The
parser follows TDLib's ``parse_html`` byte for byte (it works on the UTF-8 encoding, so
reported byte offsets match Telegram's), raises :class:`EntityParseError` with Telegram's own
messages (the server prefixes them with ``"Bad Request: can't parse entities: "``) and returns
MessageEntity dicts whose offsets and lengths are counted in UTF-16 code units, as the Bot API
does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

Entity = dict[str, Any]

_SPACES = frozenset(b" \t\r\n\v\f\x00")
# Modes Telegram knows but the product never sends (it formats with HTML only).
_NOT_PARSED_MODES = {"markdown": "Markdown", "markdownv2": "MarkdownV2"}


class EntityParseError(ValueError):
    """The markup of a message could not be parsed (Telegram's "can't parse entities")."""


def utf16_len(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units (Telegram's entity unit)."""
    return len(text.encode("utf-16-le")) // 2


def _is_space(byte: int) -> bool:
    """TDLib's ``is_space``: ASCII whitespace or the terminating NUL."""
    return byte in _SPACES


def _utf16_units(byte: int) -> int:
    """UTF-16 units contributed by a UTF-8 byte (0 for continuation bytes)."""
    if (byte & 0xC0) == 0x80:
        return 0
    return 2 if byte >= 0xF0 else 1


class _Bytes:
    """A UTF-8 buffer that answers 0 past its end, like TDLib's NUL-terminated strings."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")
        self.size = len(self.data)

    def at(self, index: int) -> int:
        """Return the byte at ``index`` or 0 beyond the end."""
        return self.data[index] if 0 <= index < self.size else 0


def check_link(url: str) -> str:
    """Normalise a link like TDLib's ``get_checked_link``; return "" if it is not valid."""
    if not url or any(ch.isspace() for ch in url):
        return ""
    lowered = url.lower()
    if lowered.startswith(("tg:", "ton:")):
        return url
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://", url)
    if match:
        if match.group(1).lower() not in ("http", "https"):
            return ""
    else:
        url = "http://" + url
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return ""
    if not host or ("." not in host and host != "localhost"):
        return ""
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, parts.query, parts.fragment))


def _make_entity(kind: str, offset: int, length: int, argument: str = "") -> Entity:
    """Build a Bot API MessageEntity dict for a TDLib entity kind."""
    entity: Entity = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        entity["url"] = argument
    elif kind == "pre" and argument:
        entity["language"] = argument
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = argument
    return entity


# TDLib's order for entities with the same span (lower first).
_TYPE_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Sort entities like TDLib: by offset, longer first, then by type priority."""
    return sorted(
        entities,
        key=lambda e: (e["offset"], -e["length"], _TYPE_PRIORITY.get(e["type"], 50)),
    )


# --------------------------------------------------------------------------- HTML

_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_HTML_SIMPLE = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_HTML_ENTITIES = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_SURROGATE_ERROR = (
    "Text contains invalid Unicode characters after decoding HTML entities, "
    "check for unmatched surrogate code units"
)


def _decode_html_entity(buf: _Bytes, pos: int) -> tuple[int, int]:
    """Decode ``&...;`` at ``pos``; return ``(code point, next position)`` or ``(0, pos)``."""
    end = pos + 1
    code = 0
    if buf.at(pos + 1) == ord("#"):
        end += 1
        if buf.at(pos + 2) == ord("x"):
            end += 1
            while chr(buf.at(end)) in "0123456789abcdefABCDEF" and buf.at(end):
                code = code * 16 + int(chr(buf.at(end)), 16)
                end += 1
        else:
            while ord("0") <= buf.at(end) <= ord("9"):
                code = code * 10 + buf.at(end) - ord("0")
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while chr(buf.at(end)).isascii() and chr(buf.at(end)).isalpha():
            end += 1
        code = _NAMED_HTML_ENTITIES.get(buf.data[pos + 1 : end], 0)
        if code == 0:
            return 0, pos
    return code, end + 1 if buf.at(end) == ord(";") else end


@dataclass
class _OpenTag:
    """An HTML start tag waiting for its end tag."""

    name: str
    argument: str
    utf16_offset: int
    out_pos: int


@dataclass
class _HtmlState:
    """Mutable state of the HTML parser."""

    buf: _Bytes
    out: bytearray = field(default_factory=bytearray)
    utf16: int = 0
    entities: list[Entity] = field(default_factory=list)
    nested: list[_OpenTag] = field(default_factory=list)


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML; return the plain text and its entities."""
    state = _HtmlState(_Bytes(text))
    buf = state.buf
    i = 0
    while i < buf.size:
        byte = buf.data[i]
        if byte == ord("&"):
            code, next_i = _decode_html_entity(buf, i)
            if code:
                if 0xD800 <= code <= 0xDFFF:
                    raise EntityParseError(_SURROGATE_ERROR)
                state.utf16 += 2 if code > 0xFFFF else 1
                state.out += chr(code).encode("utf-8")
                i = next_i
                continue
        if byte != ord("<"):
            state.utf16 += _utf16_units(byte)
            state.out.append(byte)
            i += 1
            continue
        i = _html_end_tag(state, i) if buf.at(i + 1) == ord("/") else _html_start_tag(state, i)
    if state.nested:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{state.nested[-1].name}"'
        )
    for entity in state.entities:
        entity.pop("_language", None)
    return state.out.decode("utf-8"), sort_entities(state.entities)


def _html_start_tag(state: _HtmlState, begin: int) -> int:
    """Parse a start tag at ``begin``; return the position after its ``>``."""
    buf = state.buf
    i = begin + 1
    while not _is_space(buf.at(i)) and buf.at(i) != ord(">"):
        i += 1
    if buf.at(i) == 0:
        raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
    tag = buf.data[begin + 1 : i].decode("utf-8", "replace").lower()
    if tag not in _HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
    argument = ""
    while buf.at(i) != ord(">"):
        while buf.at(i) != 0 and _is_space(buf.at(i)):
            i += 1
        if buf.at(i) == ord(">"):
            break
        i, name, value = _html_attribute(buf, i, tag, begin)
        argument = _html_tag_argument(tag, name, value, argument)
    if tag == "span" and argument != "spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    state.nested.append(_OpenTag(tag, argument, state.utf16, len(state.out)))
    return i + 1


def _html_attribute(buf: _Bytes, i: int, tag: str, begin: int) -> tuple[int, str, str | None]:
    """Parse one attribute; return ``(position, name, value or None)``."""
    name_begin = i
    while not _is_space(buf.at(i)) and chr(buf.at(i)) not in "=>/\"'":
        i += 1
    name = buf.data[name_begin:i].decode("utf-8", "replace")
    if not name:
        raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
    while buf.at(i) != 0 and _is_space(buf.at(i)):
        i += 1
    if buf.at(i) != ord("="):
        if buf.at(i) == 0:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        return i, name, None
    i += 1
    while buf.at(i) != 0 and _is_space(buf.at(i)):
        i += 1
    if buf.at(i) == 0:
        raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
    if chr(buf.at(i)) not in "'\"":
        token_begin = i
        while buf.at(i) and (
            (chr(buf.at(i)).isascii() and chr(buf.at(i)).isalnum()) or chr(buf.at(i)) in ".-"
        ):
            i += 1
        value = buf.data[token_begin:i].decode("ascii").lower()
        if not _is_space(buf.at(i)) and buf.at(i) != ord(">"):
            raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
    else:
        i, value = _html_quoted_value(buf, i)
    if buf.at(i) == 0:
        raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
    return i, name, value


def _html_quoted_value(buf: _Bytes, i: int) -> tuple[int, str]:
    """Parse a quoted attribute value starting at its quote; decode HTML entities in it."""
    quote = buf.at(i)
    i += 1
    value = bytearray()
    while buf.at(i) != quote and buf.at(i) != 0:
        if buf.at(i) == ord("&"):
            code, next_i = _decode_html_entity(buf, i)
            if code:
                value += chr(code).encode("utf-8", "surrogatepass")
                i = next_i
                continue
        value.append(buf.at(i))
        i += 1
    if buf.at(i) == quote:
        i += 1
    return i, value.decode("utf-8", "replace")


def _html_tag_argument(tag: str, name: str, value: str | None, current: str) -> str:
    """Return the entity argument an attribute gives to its tag (TDLib's rules)."""
    if tag == "blockquote" and name == "expandable":
        return "1"
    if value is None:
        return current
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    return current


def _html_end_tag(state: _HtmlState, begin: int) -> int:
    """Parse an end tag at ``begin``; close the innermost open tag; return the next position."""
    buf = state.buf
    if not state.nested:
        raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
    i = begin + 1
    while not _is_space(buf.at(i)) and buf.at(i) != ord(">"):
        i += 1
    end_name = buf.data[begin + 2 : i].decode("utf-8", "replace").lower()
    while buf.at(i) != 0 and _is_space(buf.at(i)):
        i += 1
    if buf.at(i) != ord(">"):
        raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
    open_tag = state.nested[-1]
    if end_name and end_name != open_tag.name:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {begin}, expected "</{open_tag.name}>", '
            f'found "</{end_name}>"'
        )
    if state.utf16 > open_tag.utf16_offset:
        _html_close_entity(state, open_tag)
    state.nested.pop()
    return i + 1


def _html_close_entity(state: _HtmlState, tag: _OpenTag) -> None:
    """Append the entity produced by a closed, non-empty tag."""
    offset = tag.utf16_offset
    length = state.utf16 - offset
    entities = state.entities
    if tag.name in _HTML_SIMPLE:
        entities.append(_make_entity(_HTML_SIMPLE[tag.name], offset, length))
    elif tag.name == "tg-emoji":
        if not tag.argument.isdigit() or int(tag.argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(_make_entity("custom_emoji", offset, length, tag.argument))
    elif tag.name == "a":
        url = tag.argument or state.out[tag.out_pos :].decode("utf-8")
        checked = check_link(url)
        if checked:
            entities.append(_make_entity("text_link", offset, length, checked))
    elif tag.name == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and (last["offset"], last["length"]) == (offset, length)
            and last.get("_language")
        ):
            entities[-1] = _make_entity("pre", offset, length, last["_language"])
        else:
            entities.append(_make_entity("pre", offset, length))
    elif tag.name == "code":
        _html_close_code(state, tag, offset, length)
    elif tag.name == "blockquote":
        kind = "expandable_blockquote" if tag.argument else "blockquote"
        entities.append(_make_entity(kind, offset, length))


def _html_close_code(state: _HtmlState, tag: _OpenTag, offset: int, length: int) -> None:
    """Close ``<code>``: a language class inside ``<pre>`` makes the pre block's language."""
    parent = state.nested[-2] if len(state.nested) >= 2 else None
    inside_pre = parent is not None and parent.name == "pre" and parent.utf16_offset == offset
    if inside_pre and tag.argument:
        state.entities.append({**_make_entity("code", offset, length), "_language": tag.argument})
        return
    state.entities.append(_make_entity("code", offset, length))


# ------------------------------------------------------------ automatic entities

_AUTO_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("url", re.compile(r"(?<![\w@])(?:https?://)[^\s<>\"]+[^\s<>\".,;:!?)\]'’]")),
    ("email", re.compile(r"(?<![\w.])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)


def find_auto_entities(text: str) -> list[Entity]:
    """Find entities Telegram detects by itself: commands, URLs, e-mails, mentions, hashtags."""
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            offset = utf16_len(text[:start])
            found.append(_make_entity(kind, offset, utf16_len(match.group(0))))
    return sort_entities(found)


def merge_auto_entities(text: str, entities: list[Entity]) -> list[Entity]:
    """Add automatically detected entities that do not overlap explicit ones."""
    result = list(entities)
    for auto in find_auto_entities(text):
        start, end = auto["offset"], auto["offset"] + auto["length"]
        overlaps = any(
            start < e["offset"] + e["length"] and e["offset"] < end
            for e in entities
            if e["type"] in ("code", "pre", "text_link", "text_mention", "custom_emoji")
        )
        if not overlaps:
            result.append(auto)
    return sort_entities(result)


# -------------------------------------------------------------------- entry point


@dataclass(frozen=True)
class FormattedText:
    """A message text after markup parsing and whitespace trimming."""

    text: str
    entities: list[Entity]


def format_text(text: str, parse_mode: str | None, entities: list[Entity] | None) -> FormattedText:
    """Parse ``text`` with ``parse_mode`` (or take explicit ``entities``) and trim it.

    Raises:
        EntityParseError: if the HTML is malformed, or for Markdown and MarkdownV2, which
            Telegram knows but the product never sends (the stand-in does not parse them).
        ValueError: if ``parse_mode`` is not one Telegram knows.
    """
    mode = (parse_mode or "").strip().lower()
    if entities is not None:
        plain, parsed = text, [dict(e) for e in entities]
    elif mode == "html":
        plain, parsed = parse_html(text)
    elif mode in _NOT_PARSED_MODES:
        raise EntityParseError(
            f"parse_mode {_NOT_PARSED_MODES[mode]} is not supported by the local Bot API"
            " stand-in: the product formats with HTML"
        )
    elif mode == "":
        plain, parsed = text, []
    else:
        raise ValueError(f"unsupported parse_mode {parse_mode!r}")
    plain, parsed = _trim(plain, parsed)
    return FormattedText(plain, merge_auto_entities(plain, parsed))


def _trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip leading/trailing whitespace like Telegram, clipping entities to the new text."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    result: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result
