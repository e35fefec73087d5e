"""Files kept by the local Bot API server: ids, paths, photo sizes and image helpers."""

from __future__ import annotations

import base64
import itertools
import mimetypes
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

# Telegram's thumbnail limits for photos ('s', 'm', 'x', 'y', 'w').
PHOTO_SIZE_LIMITS = (90, 320, 800, 1280, 2560)
# Bots may download files up to 20 MB with getFile.
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024

# Prefixes make ids look like Telegram's and say which kind of file they are.
_ID_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
}
_FOLDER = {"photo": "photos", "document": "documents", "sticker": "stickers", "voice": "voice"}


@dataclass
class StoredFile:
    """One file known to the server (uploaded by the bot or sent by a simulated user)."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes = field(repr=False)
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    width: int | None = None
    height: int | None = None
    # For photos: the PhotoSize array this size belongs to (resending reuses it).
    photo_group: list[dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def file_size(self) -> int:
        """Size of the content in bytes."""
        return len(self.data)

    def to_file(self) -> dict[str, Any]:
        """Return the Bot API ``File`` object answered by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


class FileStore:
    """All files of one server, by file_id and by download path."""

    def __init__(self, bot_id: int) -> None:
        """Create an empty store; ``bot_id`` makes ids differ between bots."""
        self._bot_id = bot_id
        self._counter = itertools.count(1)
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        mime_type: str | None = None,
        file_name: str | None = None,
        size: tuple[int, int] | None = None,
    ) -> StoredFile:
        """Store ``data`` as a new file of ``kind`` (photo, document, sticker, voice)."""
        number = next(self._counter)
        token = base64.urlsafe_b64encode(struct.pack(">QI", self._bot_id, number)).decode()
        unique = base64.urlsafe_b64encode(struct.pack(">I", number)).decode().rstrip("=")
        folder = _FOLDER.get(kind, "documents")
        stored = StoredFile(
            file_id=f"{_ID_PREFIX.get(kind, 'BQAC')}{token.rstrip('=')}",
            file_unique_id=f"AQAD{unique}",
            kind=kind,
            data=data,
            file_path=f"{folder}/file_{number}{_extension(kind, mime_type, file_name)}",
            mime_type=mime_type,
            file_name=file_name,
            width=size[0] if size else None,
            height=size[1] if size else None,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """Return the file with ``file_id`` or None."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """Return the file downloadable at ``file_path`` or None."""
        return self._by_path.get(file_path)


def _extension(kind: str, mime_type: str | None, file_name: str | None) -> str:
    """Pick a file extension for the download path."""
    if kind == "photo":
        return ".jpg"
    if kind == "sticker":
        return ".webp"
    if kind == "voice":
        return ".oga"
    if file_name and "." in file_name:
        suffix = "." + file_name.rsplit(".", 1)[1]
        if suffix[1:].isalnum() and len(suffix) <= 8:
            return suffix.lower()
    guessed = mimetypes.guess_extension(mime_type or "") if mime_type else None
    return guessed or ""


def photo_sizes(files: FileStore, data: bytes, size: tuple[int, int]) -> list[dict[str, Any]]:
    """Store a photo in Telegram's sizes and return the PhotoSize array, largest last.

    Every size downloads as the original bytes (no image library is used to resize);
    widths and heights are scaled like Telegram's thumbnails.
    """
    width, height = size
    longest = max(width, height, 1)
    largest = min(longest, PHOTO_SIZE_LIMITS[-1])
    limits = [limit for limit in PHOTO_SIZE_LIMITS if limit < largest] + [largest]
    result: list[dict[str, Any]] = []
    for limit in limits:
        scaled = (max(1, round(width * limit / longest)), max(1, round(height * limit / longest)))
        stored = files.add("photo", data, mime_type="image/jpeg", size=scaled)
        result.append(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": stored.file_size,
                "width": scaled[0],
                "height": scaled[1],
            }
        )
        stored.photo_group = result
    return result


def image_size(data: bytes) -> tuple[int, int] | None:
    """Return ``(width, height)`` of a PNG, GIF, JPEG, WebP or BMP image, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(int(width)), abs(int(height))
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Read the frame size from a JPEG's SOF marker."""
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return int(width), int(height)
        pos += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    """Read the canvas size of a WebP image."""
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def make_png(
    width: int = 640, height: int = 480, rgb: tuple[int, int, int] = (30, 120, 200)
) -> bytes:
    """Return a valid single-colour PNG image, handy as a test photo."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )
