"""One process of `make run` dying: scripts/respawn.sh (around every Procfile line) starts
it again, gives up on a command that keeps failing at once, and stops with honcho. The
front end killed under `make run` comes back and answers what was sent meanwhile, once.
(Rasa and the action server dying under `make run` are test_rasa_killed.py and
test_action_server_killed.py.)"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from devtools.devstack import ROOT
from tests.faults.conftest import FaultStack
from tests.utils.citizens import citizens, settle
from tests.utils.supervised import _processes, is_frontend

RESPAWN = ROOT / "scripts" / "respawn.sh"


def children(pid: int, argv: list[str] | None = None) -> list[int]:
    """Child processes of `pid` (running `argv`, if given)."""
    return [
        p
        for p, (ppid, args) in _processes().items()
        if ppid == pid and (argv is None or args == argv)
    ]


def wait_for(check, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise TimeoutError("condition not met")


def test_every_procfile_line_runs_under_respawn() -> None:
    for name in ("Procfile", "Procfile.local"):
        for line in (ROOT / name).read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                command = line.split(":", 1)[1].strip().removeprefix("sleep 2 && ")
                assert command.startswith("scripts/respawn.sh "), (name, line)


def test_a_killed_command_is_started_again() -> None:
    wrapper = subprocess.Popen([str(RESPAWN), "sleep", "60"], start_new_session=True)
    try:
        first = wait_for(lambda: children(wrapper.pid, ["sleep", "60"]))[0]
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: [c for c in children(wrapper.pid, ["sleep", "60"]) if c != first])
    finally:
        os.killpg(wrapper.pid, signal.SIGKILL)
        wrapper.wait()


def test_sigterm_stops_command_and_wrapper_without_a_restart() -> None:
    wrapper = subprocess.Popen([str(RESPAWN), "sleep", "60"], start_new_session=True)
    try:
        # The command itself, not a subshell the wrapper forks before its trap is set.
        child = wait_for(lambda: children(wrapper.pid, ["sleep", "60"]))[0]
        wrapper.send_signal(signal.SIGTERM)  # only the wrapper: it passes it on
        assert wrapper.wait(timeout=10) == 128 + signal.SIGTERM
        wait_for(lambda: not Path(f"/proc/{child}").exists())
    finally:
        if wrapper.poll() is None:
            os.killpg(wrapper.pid, signal.SIGKILL)
            wrapper.wait()


def test_a_command_that_keeps_failing_at_once_is_given_up() -> None:
    done = subprocess.run(
        [str(RESPAWN), "sh", "-c", "echo starting; exit 3"],
        env={**os.environ, "RESPAWN_MAX_QUICK": "3", "RESPAWN_DELAY_S": "1"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 3  # honcho then stops the service, the reason on screen
    assert done.stdout.count("starting") == 3
    assert "giving up" in done.stderr


@pytest.mark.rasa
@pytest.mark.asyncio(loop_scope="package")
async def test_front_end_killed_comes_back_and_answers_what_came_meanwhile(
    stack: FaultStack,
) -> None:
    people = await citizens(stack.api, [8501, 8502], per_citizen=4)
    await asyncio.gather(*(c.ask_all(upto=1) for c in people))
    await settle(people, stack.database_url)
    killed = stack.kill_frontend()
    # Sent while no front end runs: Telegram keeps them until one asks again.
    await asyncio.gather(*(c.ask_all(upto=3, patience=0.5) for c in people))
    await stack.wait_up(stack.frontend_health_url, "the front end, restarted")
    assert stack.supervised.pid_of(is_frontend) not in (None, killed)
    await asyncio.gather(*(c.ask_all() for c in people))
    await settle(people, stack.database_url)
    assert [p for c in people for p in c.problems()] == []
    assert stack.supervised.running()
