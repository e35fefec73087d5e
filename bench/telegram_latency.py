"""Latency of one service question through the whole stack, next to Rasa alone.

Starts a local Telegram Bot API server, the real front end, Rasa and the action server on a
fresh SQLite database; a simulated citizen asks N questions (with --citizens K, K citizens
ask at once: whether one conversation holds up the others). "Through the stack" is measured
from the update entering the Bot API server to the bot's answer reaching it (sendMessage);
"Rasa alone" is the same question posted straight to Rasa's REST channel (K senders at once).

Usage: .venv/bin/python bench/telegram_latency.py [N] [--citizens K]
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds queue.py: keep that folder off the path so `import queue` (stdlib, used by
# the thread pools) is not that script.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from sqlalchemy import Engine, event  # noqa: E402

from bot.store.db import prepare_database  # noqa: E402
from bot.telegram.app import TelegramFrontend  # noqa: E402
from devtools.devstack import Servers, ensure_model  # noqa: E402
from devtools.local_api import LocalBotApi  # noqa: E402

QUESTIONS = (
    "syarat bikin KTP apa aja?",
    "biaya SKCK berapa?",
    "berapa lama bikin paspor?",
    "cara daftar NIB gimana?",
    "kantor samsat buka jam berapa?",
)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def report(name: str, values: list[float]) -> None:
    """Print median and p95 in milliseconds."""
    ms = [v * 1000 for v in values]
    print(
        f"{name:34s} n={len(ms):3d}  median {statistics.median(ms):7.1f} ms"
        f"  p95 {percentile(ms, 95):7.1f} ms  max {max(ms):7.1f} ms"
    )


class LoopSqlTimer:
    """Time spent in SQL statements on the event loop's thread (every engine): while one
    runs, the front end serves nobody else. Statements on worker threads are not counted."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self._started: dict[int, float] = {}

    def __enter__(self) -> LoopSqlTimer:
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(Engine, "before_cursor_execute", self._before)
        event.remove(Engine, "after_cursor_execute", self._after)

    @staticmethod
    def _on_loop() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def _before(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        if self._on_loop():
            self._started[id(cursor)] = time.perf_counter()

    def _after(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        started = self._started.pop(id(cursor), None)
        if started is not None:
            self.count += 1
            self.seconds += time.perf_counter() - started


async def ask_through_the_stack(api: LocalBotApi, user: Any, n: int) -> list[float]:
    """One citizen asks n + 2 questions in turn; seconds until each answer (warm-up out)."""
    times: list[float] = []
    for i in range(n + 2):  # the first two warm up
        calls_before = len(api.calls)
        started = time.time()
        await user.send_text(QUESTIONS[i % len(QUESTIONS)])
        await user.wait_for_reply(60)
        answered = next(
            c.time
            for c in api.calls[calls_before:]
            if c.method == "sendMessage"
            and c.ok
            and str(c.params.get("chat_id")) == str(user.chat_id)
        )
        if i >= 2:
            times.append(answered - started)
    return times


async def ask_rasa(client: httpx.AsyncClient, rasa_url: str, sender: str, n: int) -> list[float]:
    """The same questions straight to Rasa's REST channel."""
    times: list[float] = []
    for i in range(n + 2):
        started = time.perf_counter()
        response = await client.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": QUESTIONS[i % len(QUESTIONS)]},
        )
        response.raise_for_status()
        if i >= 2:
            times.append(time.perf_counter() - started)
    return times


async def main(n: int, citizens: int) -> None:
    """Run the benchmark: `citizens` citizens at once, n questions each."""
    ensure_model()
    folder = Path(tempfile.mkdtemp(prefix="bench-telegram-"))
    database_url = f"sqlite:///{folder / 'bench.db'}"
    prepare_database(database_url, seed="always")
    servers = Servers(folder, database_url)
    servers.start_actions()
    servers.start_rasa()
    try:
        async with LocalBotApi() as api:
            settings = servers.frontend_settings(api, folder, app_env="development")
            frontend = TelegramFrontend(settings)
            await frontend.start()
            try:
                users = []
                for k in range(citizens):
                    user = api.user(user_id=777 + k, first_name=f"Bench{k}")
                    await user.send_command("/start")
                    await user.wait_for_reply(30, lambda m: "menyetujui" in m.text)
                    await user.press("✅ Saya setuju")
                    await user.wait_for_reply(30, lambda m: "bantu" in m.text)
                    users.append(user)
                with LoopSqlTimer() as on_loop:
                    per_user = await asyncio.gather(
                        *(ask_through_the_stack(api, u, n) for u in users)
                    )
            finally:
                await frontend.stop()
        async with httpx.AsyncClient(timeout=60) as client:
            per_sender = await asyncio.gather(
                *(
                    ask_rasa(client, servers.rasa_url, f"bench-direct-{k}", n)
                    for k in range(citizens)
                )
            )
    finally:
        servers.stop_all()
    stack = [t for times in per_user for t in times]
    direct = [t for times in per_sender for t in times]
    who = "one citizen" if citizens == 1 else f"{citizens} citizens at once"
    print(f"one service question, {who}, {n} runs each (2 warm-up runs discarded)")
    report("through the whole stack", stack)
    report("straight to Rasa's REST channel", direct)
    messages = len(stack) + 2 * citizens
    print(
        f"SQL on the front end's event loop: {on_loop.count / messages:.1f} statements,"
        f" {on_loop.seconds * 1000 / messages:.2f} ms per message"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=40, help="questions per citizen")
    parser.add_argument("--citizens", type=int, default=1, help="citizens asking at once")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.citizens))
