"""bench/load.py runs: a few seconds of its mix through the front end and straight to
Rasa, on the Telegram tests' stack; its options choose the Rasa tier. Nothing here
measures: figures are bench/'s."""

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
    parse_args,
)
from bot.telegram.app import TelegramFrontend
from devtools.devstack import Servers
from devtools.local_api import LocalBotApi


@pytest.mark.rasa
@pytest.mark.asyncio(loop_scope="module")
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


def test_the_production_profile_option_chooses_the_replicas() -> None:
    two = parse_args(["--production-profile", "--max"])
    assert (two.replicas, two.database_url, two.redis_url) == (
        2,
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "redis://127.0.0.1:6379/1",
    )
    assert parse_args(["--production-profile", "--replicas", "1"]).replicas == 1
    single = parse_args(["--rate", "10"])
    assert not single.production_profile and single.replicas is None
    assert single.database_url is None  # SQLite, as before


@pytest.mark.parametrize(
    "argv",
    [
        ["--replicas", "1"],  # without --production-profile
        ["--production-profile", "--replicas", "3"],
        ["--production-profile", "--database-url", "sqlite:///bench.db"],
        ["--production-profile", "--tracker-url", "postgresql://postgres@127.0.0.1/t"],
    ],
)
def test_the_production_profile_option_refuses(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv)
