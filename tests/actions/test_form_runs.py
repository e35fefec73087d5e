"""Where the complaint form ran (actions/form_runs.py), the one definition behind a
ticket's transcript and the history an officer sees on taking a live chat."""

from __future__ import annotations

from typing import Any

from actions.file_complaint import form_conversation
from actions.form_runs import form_runs, latest_run_start


def user(text: str, at: float = 0.0) -> dict[str, Any]:
    return {"event": "user", "text": text, "timestamp": at}


def loop(name: str | None) -> dict[str, Any]:
    return {"event": "active_loop", "name": name}


RESTART = {"event": "restart"}


def test_a_run_begins_at_the_message_that_opened_it_and_ends_at_deactivation() -> None:
    events = [user("halo"), user("mau lapor"), loop("complaint_form"), user("isi"), loop(None)]
    (run,) = form_runs(events)
    assert (run.start, run.end, run.restarted) == (1, 5, False)
    assert latest_run_start(events) == 1


def test_a_restart_ends_a_running_form_and_forgets_it() -> None:
    events = [user("mau lapor"), loop("complaint_form"), user("RAHASIA"), RESTART, user("halo")]
    (run,) = form_runs(events)
    assert (run.start, run.end, run.restarted) == (0, 4, True)
    assert latest_run_start(events) is None
    assert form_conversation(events) == ()


def test_a_restart_after_a_finished_form_forgets_it_too() -> None:
    events = [user("mau lapor"), loop("complaint_form"), loop(None), RESTART, user("halo")]
    assert latest_run_start(events) is None


def test_the_latest_of_two_runs_counts_for_the_transcript() -> None:
    events = [
        user("lapor satu"),
        loop("complaint_form"),
        loop(None),
        user("lapor dua"),
        loop("complaint_form"),
        user("isi dua"),
    ]
    assert [(r.start, r.end) for r in form_runs(events)] == [(0, 3), (3, 6)]
    assert [text for _, _, text in form_conversation(events)] == ["lapor dua", "isi dua"]


def test_a_form_opened_without_a_message_starts_at_its_activation() -> None:
    events = [RESTART, loop("complaint_form"), user("isi")]
    assert latest_run_start(events) == 1
