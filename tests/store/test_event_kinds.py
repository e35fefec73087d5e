"""TICKET_EVENT_KINDS lists every kind of ticket event the code writes (one list of each thing)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.store.models import TICKET_EVENT_KINDS

ROOT = Path(__file__).resolve().parents[2]
# TicketEvent(kind="...") and the workflow's self._event(s, ticket, viewer, "kind", ...).
WRITTEN = re.compile(r'kind="([a-z_]+)"|_event\(\s*s,\s*ticket,\s*\w+,\s*"([a-z_]+)"')


def _kinds_written() -> set[str]:
    found: set[str] = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("actions/**/*.py")]:
        for match in WRITTEN.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return found


def test_every_event_kind_written_is_listed() -> None:
    # attachments' kinds and live chats' kinds (LiveChat.kind), not ticket events
    written = _kinds_written() - {"photo", "document", "live", "callback"}
    assert written, "the scan found no event kinds: the pattern no longer matches the code"
    assert written <= set(TICKET_EVENT_KINDS), sorted(written - set(TICKET_EVENT_KINDS))
