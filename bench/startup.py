"""Start-up time: from `make run` to the first answered message, with a trained model.

Runs what `make run` runs once its venvs and model are up to date (`python -m bot migrate
--seed-if-empty`, then scripts/run.sh: honcho on Procfile.local with the local Telegram Bot
API server, since no TELEGRAM_BOT_TOKEN is set), on free ports and a fresh store in a
temporary folder (var/ and a running `make run` are left alone). A citizen uses the chat
page's endpoints as the browser does: /start as soon as the local Bot API server answers,
"✅ Saya setuju" on the privacy notice, then a service question; a question sent before Rasa
is up is kept by the front end and answered when it is. Prints the time of each milestone
from the start, then stops the service (SIGINT to honcho, as Ctrl-C does).

    .venv/bin/python bench/startup.py [--runs 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds queue.py: keep that folder off the path (see bench/load.py).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

from devtools.devstack import MODEL, free_port  # noqa: E402

QUESTION = "berapa biaya SKCK?"
ANSWER = "Biaya Surat Keterangan Catatan Kepolisian"
USER_ID = 4242


def environment(folder: Path) -> dict[str, str]:
    """`make run`'s environment on free ports and a store in `folder`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'layanan.db'}",
        RASA_TRACKER_URL=f"sqlite:///{folder / 'rasa_tracker.db'}",
        VAR_DIR=str(folder),
        RASA_AUTH_TOKEN=secrets.token_urlsafe(16),
        RASA_PORT=str(free_port()),
        ACTION_SERVER_PORT=str(free_port()),
        FRONTEND_PORT=str(free_port()),
        CONSOLE_PORT=str(free_port()),
        LOCAL_BOT_API_PORT=str(free_port()),
    )
    for name in ("ACTION_ENDPOINT_URL", "RASA_URL"):
        env.pop(name, None)  # derived from the ports by scripts/dev-env.sh
    return env


class Citizen:
    """One citizen on the chat page's endpoints of the local Bot API server."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}/_local/chat/{USER_ID}"
        self.client = httpx.Client(timeout=5)

    def send(self, text: str) -> bool:
        try:
            return self.client.post(f"{self.base}/send", json={"text": text}).status_code == 200
        except httpx.HTTPError:
            return False

    def press(self, button: str) -> bool:
        try:
            response = self.client.post(f"{self.base}/press", json={"button": button})
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def bot_texts(self) -> list[str]:
        """The texts of the bot's messages in the chat (chat_page.chat_snapshot)."""
        try:
            snapshot: Any = self.client.get(f"{self.base}/messages").json()
        except (httpx.HTTPError, ValueError):
            return []
        return [str(m["text"]) for m in snapshot["messages"] if m["from_bot"]]


def wait(what: Callable[[], bool], deadline: float, poll: float = 0.1) -> None:
    while not what():
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(poll)


def one_run(timeout: float) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    env = environment(folder)
    log = (folder / "run.log").open("wb")
    marks: dict[str, float] = {}
    started = time.monotonic()
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "bot", "migrate", "--seed-if-empty"],
        cwd=ROOT, env=env, check=True, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    marks["migrated and seeded"] = time.monotonic() - started
    honcho = subprocess.Popen(
        [str(ROOT / "scripts" / "run.sh")],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    citizen = Citizen(int(env["LOCAL_BOT_API_PORT"]))
    deadline = started + timeout
    try:
        wait(lambda: citizen.send("/start"), deadline)
        marks["local Bot API server up"] = time.monotonic() - started
        wait(lambda: any("menyetujui" in t for t in citizen.bot_texts()), deadline)
        marks["front end answers /start"] = time.monotonic() - started
        wait(lambda: citizen.press("✅ Saya setuju"), deadline)
        wait(lambda: citizen.send(QUESTION), deadline)
        wait(lambda: any(ANSWER in t for t in citizen.bot_texts()), deadline, poll=0.05)
        marks["first question answered (Rasa)"] = time.monotonic() - started
    except TimeoutError:
        print(f"  no answer within {timeout:g} s; log: {folder / 'run.log'}")
    finally:
        with_rasa = "Rasa server is up" in (folder / "run.log").read_text(errors="replace")
        os.killpg(honcho.pid, signal.SIGINT)
        try:
            honcho.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait()
        log.close()
    if not with_rasa:
        print(f"  Rasa never said it was up; log: {folder / 'run.log'}")
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    if not MODEL.exists():
        raise SystemExit(f"no trained model at {MODEL}: run `make train` first")
    results: list[dict[str, float]] = []
    for run in range(args.runs):
        load = os.getloadavg()[0]
        marks = one_run(args.timeout)
        results.append(marks)
        line = ", ".join(f"{k} {v:.1f} s" for k, v in marks.items())
        print(f"run {run + 1} (load {load:.1f} at start): {line}")
    keys = [k for k in results[0] if all(k in r for r in results)]
    print("median over runs: " + ", ".join(
        f"{k} {statistics.median(r[k] for r in results):.1f} s" for k in keys
    ))  # fmt: skip


if __name__ == "__main__":
    main()
