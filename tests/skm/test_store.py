"""The survey's storage (bot/store/skm.py) on SQLite and PostgreSQL: consent, the 30-day
rule, one answer per element, skip, pause and resume, refusal, the masked comment, the
respondent key; and the aggregates officers see (bot.skm)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot import skm
from bot.store.db import get_engine
from bot.store.models import (
    Category,
    Citizen,
    Privacy,
    SkmResponse,
    Ticket,
    TicketStatus,
    utcnow,
)
from bot.store.repository import ComplaintDraft, Repository
from bot.store.skm import OFFER_DAYS, SkmStore

KEY = "test-secret"


@pytest.fixture
def engine(database_url: str) -> Engine:
    return get_engine(database_url)


@pytest.fixture
def store(engine: Engine) -> SkmStore:
    return SkmStore(engine, KEY)


def citizen(engine: Engine, sender: str, consent: bool = True) -> None:
    with Session(engine) as s, s.begin():
        s.add(Citizen(sender_id=sender, consent_at=utcnow() if consent else None))


def answer_all(store: SkmStore, sender: str, survey: int, scores: list[int | None]) -> None:
    for position, score in enumerate(scores):
        assert store.answer(sender, survey, position, score) is not None


def test_no_offer_without_consent(store: SkmStore, engine: Engine) -> None:
    citizen(engine, "9101", consent=False)
    assert store.offer_for_service("9101", "ktp") is None
    assert store.start("9101", "ktp") == (None, "consent")
    assert store.offer_for_service("no-such-citizen", "ktp") is None


def test_offer_once_per_service_per_30_days(store: SkmStore, engine: Engine) -> None:
    citizen(engine, "9102")
    start = utcnow()
    first = store.offer_for_service("9102", "ktp", now=start)
    assert first is not None
    # Still open: nothing else is offered while it waits.
    assert store.offer_for_service("9102", "sim", now=start) is None
    assert store.refuse("9102", now=start)
    assert store.offer_for_service("9102", "ktp", now=start + timedelta(days=29)) is None
    assert store.start("9102", "ktp", now=start + timedelta(days=29)) == (None, "recent")
    assert store.offer_for_service("9102", "sim", now=start + timedelta(days=1)) is not None
    assert store.refuse("9102", now=start + timedelta(days=1))
    later = start + timedelta(days=OFFER_DAYS, minutes=1)
    assert store.offer_for_service("9102", "ktp", now=later) is not None


def test_answer_skip_pause_resume_finish(store: SkmStore, engine: Engine) -> None:
    citizen(engine, "9103")
    offered = store.offer_for_service("9103", "kk")
    survey, why = store.start("9103")
    assert survey is not None and survey.id == offered and why == "new"
    assert "Keluarga" in survey.subject
    assert store.answer("9103", survey.id, 0, 4) is not None
    assert store.answer("9103", survey.id, 1, None) is not None  # skipped
    # A stale button for an answered element changes nothing: one answer per element.
    view = store.answer("9103", survey.id, 0, 1)
    assert view is not None and view.answers[0] == 4 and view.position == 2
    assert store.pause("9103", survey.id) is not None
    resumed, why = store.start("9103")
    assert resumed is not None and resumed.id == survey.id and why == "resumed"
    assert resumed.position == 2 and resumed.answers[:2] == (4, None)
    for offset, score in enumerate([3, 3, 2, 3, 4, 3, 3], start=2):
        store.answer("9103", survey.id, offset, score)
    done = store.finish("9103", survey.id, "Antre lama, hubungi 0812-3456-7890 ya")
    assert done is not None and done.finished
    with Session(engine) as s:
        row = s.scalar(select(SkmResponse).where(SkmResponse.id == survey.id))
        assert row is not None
        assert row.status == "done" and row.u1 == 4 and row.u2 is None and row.u9 == 3
        assert row.comment == "Antre lama, hubungi [TELEPON] ya"
        assert "9103" not in row.respondent_key and len(row.respondent_key) == 64
        assert row.service_id == "kk" and row.office_id is not None


def test_another_citizen_cannot_touch_a_survey(store: SkmStore, engine: Engine) -> None:
    citizen(engine, "9104")
    citizen(engine, "9105")
    survey, _ = store.start("9104", "paspor")
    assert survey is not None
    assert store.answer("9105", survey.id, 0, 1) is None
    assert store.finish("9105", survey.id, "x") is None
    assert store.current("9104", survey.id) is not None
    assert store.current("9105", survey.id) is None


def test_scores_outside_1_to_4_never_stored(store: SkmStore, engine: Engine) -> None:
    citizen(engine, "9106")
    survey, _ = store.start("9106", "sim")
    assert survey is not None
    with pytest.raises(ValueError):
        store.answer("9106", survey.id, 0, 5)


def test_a_resolved_ticket_is_surveyed_first(
    store: SkmStore, engine: Engine, repo: Repository
) -> None:
    citizen(engine, "9107")
    ticket, _ = repo.file_ticket(
        "9107",
        ComplaintDraft(
            description="Antrean rekam KTP di kecamatan lama sekali, loket cuma satu.",
            location_text="Kecamatan Sukamaju",
            category=Category.ADMINDUK,
            privacy=Privacy.PUBLIC,
            service_id="ktp",
        ),
    )
    with Session(engine) as s, s.begin():
        row = s.scalar(select(Ticket).where(Ticket.public_id == ticket.public_id))
        assert row is not None
        row.status = TicketStatus.SELESAI
        row.closed_at = utcnow()
    survey, why = store.start("9107", "sim")
    assert survey is not None and why == "new" and survey.ticket_id == ticket.public_id
    store.finish("9107", survey.id, None)
    # The ticket is surveyed: next time the service talked about is.
    second, _ = store.start("9107", "sim")
    assert second is not None and second.ticket_id is None and "SIM" in second.subject


def _respondents(engine: Engine, n: int, scores: list[int | None], service: str) -> None:
    store = SkmStore(engine, KEY)
    for i in range(n):
        sender = f"95{service}{i}"
        citizen(engine, sender)
        survey, _ = store.start(sender, service)
        assert survey is not None
        answer_all(store, sender, survey.id, scores)
        store.finish(sender, survey.id, f"komentar rahasia {i}")


def test_aggregates_per_unit_and_service_with_suppression(engine: Engine) -> None:
    _respondents(engine, 5, [4, 4, 3, 4, 3, 3, 3, 3, 3], "ktp")
    _respondents(engine, 2, [1] * 9, "sim")
    month = skm.month_of(datetime.now(timezone(timedelta(hours=7))).date())
    with Session(engine) as s:
        overall, rows = skm.ikm_by_unit_and_service(s, month)
    assert overall.respondents == 7 and overall.ikm is not None
    ktp = next(r for r in rows if r.service_id == "ktp")
    assert ktp.summary.respondents == 5 and ktp.summary.ikm is not None
    # (4+4+3+4+3+3+3+3+3) / 9 x 25 = 30 / 9 x 25 = 83.33: B
    assert skm.published(ktp.summary.ikm) == skm.published(Fraction(30, 9) * 25)
    assert ktp.summary.grade == "B"
    sim = next(r for r in rows if r.service_id == "sim")
    assert sim.summary.respondents == 2 and sim.summary.suppressed and sim.summary.ikm is None
    units = [r for r in rows if r.service_id is None]
    assert {r.unit_id for r in units} == {ktp.unit_id, sim.unit_id}
    with Session(engine) as s:
        trend_rows = skm.monthly_trend(s, month, month)
    assert trend_rows[0][0] == month and trend_rows[0][1].respondents == 7
