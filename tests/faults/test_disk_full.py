"""The disk of the SQLite default full (var/ on a small tmpfs, filled to the last byte)
while citizens talk and one confirms a complaint: the front end logs a clear error and
tells the citizens their message is kept, nothing is lost or answered twice once space
returns, the complaint is filed exactly once, and neither database is corrupt.

Read-only is not simulated: Linux refuses to remount a filesystem read-only while a
process holds a file on it open for writing (the running service always does), and the
processes run as root, for whom file modes do not count.
"""

from __future__ import annotations

import asyncio
import errno
import sqlite3
from pathlib import Path

import pytest

from tests.faults.conftest import FaultStack
from tests.utils.chat import TICKET
from tests.utils.citizens import (
    QUEUED,
    citizens,
    consented,
    fill_complaint_form,
    has,
    settle,
    tickets_of,
    until,
)

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="package")]


def fill(path: Path) -> int:
    """Write zeros to `path` until the filesystem is full; the bytes written."""
    written = 0
    chunk = b"\0" * (1 << 20)
    with path.open("wb", buffering=0) as handle:
        while True:
            try:
                written += handle.write(chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                if len(chunk) == 1:
                    return written
                chunk = chunk[: len(chunk) // 2]


def checkpoint(database: Path) -> None:
    """Empty the write-ahead log into the database file and truncate it, so that the next
    write needs new space on the disk (SQLite reuses a WAL file's space otherwise)."""
    with sqlite3.connect(database, timeout=30) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def integrity(database: Path) -> str:
    with sqlite3.connect(database, timeout=30) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


async def test_disk_full_then_space_returns(stack: FaultStack) -> None:
    if not stack.var.tmpfs:
        pytest.skip(f"needs a filesystem of its own to fill: {stack.var.reason}")
    people = await citizens(stack.api, [8401, 8402], per_citizen=4)
    reporter = await consented(stack.api, 8403)
    await fill_complaint_form(reporter)
    log_start = len(stack.supervised.tail(10**9))
    database = stack.var.path / "layanan.db"
    await asyncio.to_thread(checkpoint, database)
    filler = stack.var.path / "filler"
    await asyncio.to_thread(fill, filler)
    try:
        await reporter.press("Ya, kirim")
        await asyncio.gather(*(c.ask_all(upto=2) for c in people))

        def everyone_told() -> bool:
            return all(any(has(m, QUEUED) for m in c.user.replies()) for c in people) and any(
                has(m, QUEUED) for m in reporter.replies()
            )

        await until(everyone_told, 60, "every citizen told their message is kept")
        log = stack.supervised.tail(10**9)[log_start:]
        assert "database or disk is full" in log
    finally:
        filler.unlink()
    await asyncio.gather(*(c.ask_all() for c in people))

    def told_ticket() -> bool:
        return any(TICKET.search(m.text) for m in reporter.replies())

    await settle(people, stack.database_url, timeout=180, also=told_ticket)

    assert [p for c in people for p in c.problems()] == []
    filed = tickets_of(stack.database_url, "8403")
    assert len(filed) == 1, filed
    assert len([m for m in reporter.replies() if filed[0] in m.text]) == 1
    for name in ("layanan.db", "rasa_tracker.db"):
        assert await asyncio.to_thread(integrity, stack.var.path / name) == "ok", name
