"""The one list of our Prometheus metrics (prometheus_client, pinned in requirements/app.in).

Each process (front end, action server, console) exposes its own default registry at
`/metrics`; several processes of one kind are scraped separately, so no multiprocess mode.

Front end: messages received by kind, reply latency, Rasa errors, outbox backlog, inbox
failures. Action server: intents answered, fallbacks, tickets filed. Console: tickets by
status, read from the database at scrape time (TicketsByStatus, a short sync session; the
console's routes run in a thread pool, never on an event loop).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine

# -- front end (bot/telegram) ---------------------------------------------------------------
MESSAGES_RECEIVED = Counter(
    "aduan_messages_received", "Telegram updates received, by kind", ["kind"]
)
REPLY_LATENCY = Histogram(
    "aduan_reply_latency_seconds",
    "Update received until the first reply is queued",
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60),
)
RASA_ERRORS = Counter("aduan_rasa_errors", "Failed calls of Rasa's HTTP API")
OUTBOX_BACKLOG = Gauge("aduan_outbox_backlog", "Outbox rows not yet sent (pending)")
INBOX_FAILED = Gauge("aduan_inbox_failed", "Inbox rows with status failed")

# -- action server (actions/) ---------------------------------------------------------------
INTENTS = Counter("aduan_intents", "Action calls, by the intent of the latest message", ["intent"])
FALLBACKS = Counter("aduan_fallbacks", "Turns that ended in nlu_fallback")
TICKETS_FILED = Counter("aduan_tickets_filed", "Tickets filed by the action server")


class TicketsByStatus(Collector):
    """aduan_tickets{status=...}: counted from the store at each scrape."""

    def __init__(self, count_by_status: Callable[[], Iterable[tuple[str, int]]]) -> None:
        self._count = count_by_status

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily("aduan_tickets", "Tickets by status", labels=["status"])
        for status, count in self._count():
            family.add_metric([status], count)
        yield family


def tickets_by_status_from_engine(engine: Engine) -> list[tuple[str, int]]:
    """Ticket counts by status in one short session (sync: call off the event loop)."""
    from sqlalchemy import func, select

    from bot.store.models import Ticket

    with engine.connect() as connection:
        rows = connection.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
        return [(getattr(status, "value", str(status)), int(n)) for status, n in rows]


def refresh_store_gauges(engine: Engine) -> None:
    """Set the outbox backlog and inbox failures from the store (sync: run in a thread)."""
    from sqlalchemy import func, select

    from bot.store.models import InboxMessage, OutboxMessage

    with engine.connect() as connection:
        backlog = connection.scalar(select(func.count()).where(OutboxMessage.status == "pending"))
        failed = connection.scalar(select(func.count()).where(InboxMessage.status == "failed"))
    OUTBOX_BACKLOG.set(backlog or 0)
    INBOX_FAILED.set(failed or 0)


def render(registry: CollectorRegistry = REGISTRY) -> tuple[bytes, str]:
    """The exposition text of `registry` and its content type."""
    return generate_latest(registry), CONTENT_TYPE_LATEST


def add_action_server_routes(app: Any, engine: Engine) -> Any:
    """/metrics and /readyz on rasa_sdk's Sanic app (its own /health is the liveness).

    /readyz answers 503 when the database does not; the check runs in a thread, never
    blocking the event loop.
    """
    import asyncio

    from sanic import response
    from sqlalchemy import text

    def database_ok() -> bool:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    async def metrics_route(_request: Any) -> Any:
        body, content_type = render()
        return response.raw(body, content_type=content_type)

    async def readyz(_request: Any) -> Any:
        ok = await asyncio.get_running_loop().run_in_executor(None, database_ok)
        return response.json({"ok": ok, "database": ok}, status=200 if ok else 503)

    app.add_route(metrics_route, "/metrics", methods=["GET"])
    app.add_route(readyz, "/readyz", methods=["GET"])
    return app


def count_intent(latest_message: dict[str, Any]) -> None:
    """Count an action call under the intent of the latest message."""
    name = ((latest_message or {}).get("intent") or {}).get("name")
    if name:
        INTENTS.labels(name).inc()
