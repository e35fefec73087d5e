"""The front end's /metrics, /livez after a real message through the real stack."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.telegram.app import TelegramFrontend
from devtools.local_api import LocalBotApi
from tests.utils.telegram import consented_user, reply_with

pytestmark = [pytest.mark.rasa, pytest.mark.asyncio(loop_scope="module")]


async def test_metrics_after_a_real_message(api: LocalBotApi, frontend: TelegramFrontend) -> None:
    base = f"http://127.0.0.1:{frontend.port}"
    user = await consented_user(api, 5901)
    await user.send_text("berapa biaya SKCK?")
    await reply_with(user, "Biaya")
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{base}/livez")).status_code == 200
        response = await client.get(f"{base}/metrics")
    assert response.status_code == 200
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }
    assert samples[("aduan_messages_received_total", (("kind", "message"),))] >= 1
    assert samples[("aduan_reply_latency_seconds_count", ())] >= 1
    assert ("aduan_outbox_backlog", ()) in samples
    assert ("aduan_inbox_failed", ()) in samples
