"""Latency of one service question through the whole stack, next to Rasa alone.

Starts a local Telegram Bot API server, the real front end, Rasa and the action server on a
fresh SQLite database; a simulated citizen asks N questions. "Through the stack" is measured
from the update entering the Bot API server to the bot's answer reaching it (sendMessage);
"Rasa alone" is the same question posted straight to Rasa's REST channel.

Usage: .venv/bin/python bench/telegram_latency.py [N]
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds queue.py: keep that folder off the path so `import queue` (stdlib, used by
# the thread pools) is not that script.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import asyncio  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import httpx  # noqa: E402

from bot.store import prepare_database  # noqa: E402
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


async def main(n: int) -> None:
    """Run the benchmark."""
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
                user = api.user(user_id=777, first_name="Bench")
                await user.send_command("/start")
                await user.wait_for_reply(30, lambda m: "menyetujui" in m.text)
                await user.press("✅ Saya setuju")
                await user.wait_for_reply(30, lambda m: "bantu" in m.text)
                stack: list[float] = []
                for i in range(n + 2):  # the first two warm up
                    question = QUESTIONS[i % len(QUESTIONS)]
                    calls_before = len(api.calls)
                    started = time.time()
                    await user.send_text(question)
                    await user.wait_for_reply(30)
                    answered = next(
                        c.time
                        for c in api.calls[calls_before:]
                        if c.method == "sendMessage" and c.ok
                    )
                    if i >= 2:
                        stack.append(answered - started)
            finally:
                await frontend.stop()
        direct: list[float] = []
        async with httpx.AsyncClient(timeout=30) as client:
            for i in range(n + 2):
                started = time.perf_counter()
                response = await client.post(
                    f"{servers.rasa_url}/webhooks/rest/webhook",
                    json={"sender": "bench-direct", "message": QUESTIONS[i % len(QUESTIONS)]},
                )
                response.raise_for_status()
                if i >= 2:
                    direct.append(time.perf_counter() - started)
    finally:
        servers.stop_all()
    print(f"one service question, {n} runs each (2 warm-up runs discarded)")
    report("through the whole stack", stack)
    report("straight to Rasa's REST channel", direct)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 40))
