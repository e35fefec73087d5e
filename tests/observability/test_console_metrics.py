"""The console's /metrics, /livez and /readyz (real prometheus_client, FastAPI TestClient)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from bot import metrics
from bot.config import Settings
from bot.officer.web import create_app
from tests.officer.conftest import TicketMaker


def _samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def test_metrics_count_tickets_by_status_at_scrape_time(
    app_client: Callable[..., TestClient], make_ticket: TicketMaker
) -> None:
    client = app_client()
    before = _samples(client.get("/metrics").text)
    assert ("aduan_tickets", (("status", "baru"),)) not in before
    make_ticket()
    make_ticket()
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples[("aduan_tickets", (("status", "baru"),))] == 2
    # The process-wide definitions are exposed too.
    assert ("aduan_fallbacks_total", ()) in samples
    assert ("aduan_outbox_backlog", ()) in samples


def test_readiness_false_when_the_database_is_unreachable(console_settings: Settings) -> None:
    unreachable = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    client = TestClient(create_app(console_settings, unreachable))
    assert client.get("/livez").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"ok": False, "database": False}


def test_readiness_true_with_the_database(app_client: Callable[..., TestClient]) -> None:
    ready = app_client().get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] is True


def test_counters_are_rendered_with_their_labels() -> None:
    metrics.MESSAGES_RECEIVED.labels("text").inc()
    body, _ = metrics.render()
    assert ("aduan_messages_received_total", (("kind", "text"),)) in _samples(body.decode())
