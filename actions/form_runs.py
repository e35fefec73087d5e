"""Where the complaint form ran in a conversation's events: one definition for everything
that shows or hides a complaint's messages (the ticket's transcript, the history an officer
sees when taking a live chat)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FORM_NAME = "complaint_form"


@dataclass(frozen=True)
class FormRun:
    """Events[start:end] of one run of the complaint form: from the citizen's message that
    opened it to the event that ended it (the form's deactivation or a restart), or to the
    last event while it runs. `restarted` when a restart ended it."""

    start: int
    end: int
    restarted: bool = False


def _is_restart(event: dict[str, Any]) -> bool:
    kind = event.get("event")
    return kind == "restart" or (kind == "action" and event.get("name") == "action_restart")


def form_runs(events: Sequence[dict[str, Any]]) -> list[FormRun]:
    """Every run of the complaint form in `events`, in order."""
    runs: list[FormRun] = []
    start: int | None = None
    last_user: int | None = None
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "user":
            last_user = index
        elif kind == "active_loop":
            running = event.get("name") == FORM_NAME
            if running and start is None:
                start = last_user if last_user is not None else index
            elif not running and start is not None:
                runs.append(FormRun(start, index + 1))
                start = None
        elif _is_restart(event):
            if start is not None:
                runs.append(FormRun(start, index + 1, restarted=True))
                start = None
            last_user = None
    if start is not None:
        runs.append(FormRun(start, len(events)))
    return runs


def latest_run_start(events: Sequence[dict[str, Any]]) -> int | None:
    """Where the latest run of the form began, unless a restart came after it (a restart
    forgets it, and the citizen's earlier chats never belong to a later complaint)."""
    runs = form_runs(events)
    if not runs or runs[-1].restarted:
        return None
    last = runs[-1]
    if any(_is_restart(event) for event in events[last.end :]):
        return None
    return last.start
