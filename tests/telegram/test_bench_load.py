"""bench/load.py runs: a few seconds of its mix through the front end and straight to
Rasa, on the Telegram tests' stack. Nothing here measures: figures are bench/'s."""

from __future__ import annotations

import random

import pytest

from bench.load import (
    Citizen,
    OpenLoop,
    Phase,
    RestChannel,
    TelegramChannel,
    consent,
    figures,
)
from bot.telegram.app import TelegramFrontend
from devtools.devstack import Servers
from devtools.local_api import LocalBotApi

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]


async def test_the_load_benchmark_runs_both_paths(
    api: LocalBotApi, frontend: TelegramFrontend, servers: Servers
) -> None:
    telegram = TelegramChannel(api, think=0.5, answer_timeout=60)
    rest = RestChannel(servers.rasa_url, servers.rasa_auth_token)
    try:
        citizens = [Citizen(k, str(7_650 + k)) for k in range(3)]
        await consent(api, citizens, 7_650)
        rest_citizens = [Citizen(k, f"bench-smoke-{k}") for k in range(3)]
        rows = []
        for channel, who in ((rest, rest_citizens), (telegram, citizens)):
            phase = Phase(channel, who, OpenLoop(3, random.Random(1)), 0.5, 1, warmup=0)
            await phase.run(4)
            rows.append(figures(phase, "3/s", {}, None, 0.0))
    finally:
        await rest.close()
    for row in rows:
        assert row.turns > 0 and row.answered == row.turns, row
        assert not row.errors, row.errors
