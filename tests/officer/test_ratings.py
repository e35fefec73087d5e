"""Citizens' ratings in the console (issue 7, section 3): on the ticket page ("Penilaian
warga") for those who may see the ticket, and as figures in the reports (per unit, per
period, average and distribution 1..5), never the comment text of a confidential or
anonymous ticket and never who gave a rating. SQLite and PostgreSQL, the real app."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from bot.officer.reports import build_report
from bot.store.models import OfficerRole, Privacy, Rating
from bot.store.repository import Repository
from bot.tickets.deadlines import HolidayCalendar
from bot.tickets.workflow import Workflow
from tests.utils.officer import People, TicketMaker, add_officer, viewer

Client = Callable[..., TestClient]
HOLIDAYS = Path(__file__).resolve().parents[2] / "data" / "holidays.yml"
RESOLUTION = "Loket tambahan dibuka dan antrean kini tertib."


def section(html: str, heading: str) -> str:
    """The card of the page whose <h2> is `heading` ('' when absent)."""
    match = re.search(r"<h2>" + re.escape(heading) + r"</h2>(.*?)</section>", html, re.S)
    return match.group(1) if match else ""


def resolved_ticket(
    make_ticket: TicketMaker,
    workflow: Workflow,
    engine: Engine,
    people: People,
    sender: str,
    **kwargs: object,
) -> str:
    public_id = make_ticket(sender=sender, **kwargs)
    supervisor = viewer(engine, people.supervisor)
    workflow.verify(supervisor, public_id)
    workflow.resolve(supervisor, public_id, RESOLUTION)
    return public_id


def rate(engine: Engine, sender: str, score: int | None, comment: str | None) -> str | None:
    """Rate the way the assistant does after a resolution: the ticket just closed."""
    repo = Repository(engine, HolidayCalendar.from_file(HOLIDAYS))
    candidates = repo.ratable_tickets(sender)
    assert len(candidates) == 1
    _, linked = repo.add_rating(sender, score, comment, candidates[0].public_id)
    return linked


def test_ticket_page_shows_the_rating_to_those_who_may_see_the_ticket(
    app_client: Client,
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
) -> None:
    ticket = resolved_ticket(make_ticket, workflow, engine, people, "710001")
    before = section(app_client("budi").get(f"/tiket/{ticket}").text, "Penilaian warga")
    assert "Belum ada penilaian" in before
    assert rate(engine, "710001", 2, "nilai 2, petugasnya lambat sekali") == ticket
    for username in ("budi", "siti"):  # officer of the unit, supervisor
        page = app_client(username).get(f"/tiket/{ticket}")
        ratings = section(page.text, "Penilaian warga")
        assert "2/5" in ratings and "nilai 2, petugasnya lambat sekali" in ratings, username
    # An officer of another unit cannot open the ticket, so never reads the rating.
    other = app_client("sari").get(f"/tiket/{ticket}")
    assert other.status_code == 404 and "petugasnya lambat" not in other.text


def test_a_confidential_tickets_rating_only_for_supervisor_and_assignee(
    app_client: Client,
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
) -> None:
    add_officer(engine, "dedi", OfficerRole.OFFICER, ["disdukcapil"], "Dedi")
    ticket = make_ticket(
        sender="710002",
        privacy=Privacy.CONFIDENTIAL,
        description="Oknum loket meminta uang rokok 100 ribu agar KTP cepat jadi.",
    )
    supervisor = viewer(engine, people.supervisor)
    workflow.assign(supervisor, ticket, people.officer)
    workflow.verify(supervisor, ticket)
    workflow.resolve(supervisor, ticket, RESOLUTION)
    rate(engine, "710002", 5, "Terima kasih, oknumnya sudah ditindak. KOMENTAR-RAHASIA")
    for username in ("siti", "budi"):  # supervisor, assigned officer
        page = app_client(username).get(f"/tiket/{ticket}")
        assert "KOMENTAR-RAHASIA" in section(page.text, "Penilaian warga"), username
    # Another officer of the same unit, an officer of another unit, an admin: no ticket.
    for username in ("dedi", "sari", "admin"):
        page = app_client(username).get(f"/tiket/{ticket}")
        assert page.status_code in (403, 404), username
        assert "KOMENTAR-RAHASIA" not in page.text, username


def test_an_anonymous_tickets_rating_shows_no_identity(
    app_client: Client,
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
) -> None:
    ticket = resolved_ticket(
        make_ticket,
        workflow,
        engine,
        people,
        "710003",
        privacy=Privacy.ANONYMOUS,
        name="Ratna Kusumawati",
    )
    rate(engine, "710003", 4, "Sudah beres, terima kasih.")
    page = app_client("siti").get(f"/tiket/{ticket}").text
    ratings = section(page, "Penilaian warga")
    assert "4/5" in ratings and "Sudah beres, terima kasih." in ratings
    for identity in ("Ratna", "Kusumawati", "710003"):
        assert identity not in page


def test_report_rating_figures_per_unit_and_period(
    app_client: Client,
    engine: Engine,
    people: People,
    workflow: Workflow,
    make_ticket: TicketMaker,
) -> None:
    ktp = [
        resolved_ticket(make_ticket, workflow, engine, people, f"72000{i}", service_id="ktp")
        for i in range(3)
    ]
    sim = resolved_ticket(
        make_ticket,
        workflow,
        engine,
        people,
        "720009",
        service_id="sim",
        privacy=Privacy.ANONYMOUS,
        description="Ujian praktik SIM C dipersulit petugas.",
    )
    confidential = resolved_ticket(
        make_ticket,
        workflow,
        engine,
        people,
        "720010",
        service_id="sim",
        privacy=Privacy.CONFIDENTIAL,
        description="Calo di Satpas meminta 750 ribu untuk SIM tanpa ujian.",
    )
    for sender, score in (("720000", 5), ("720001", 4), ("720002", 1)):
        rate(engine, sender, score, None)
    rate(engine, "720009", 2, "KOMENTAR-ANONIM petugasnya lambat sekali")
    rate(engine, "720010", 3, "KOMENTAR-RAHASIA calonya masih ada")
    # A rating given long before the period is not counted.
    with Session(engine) as s, s.begin():
        s.execute(
            update(Rating)
            .where(Rating.score == 1)
            .values(created_at=datetime.now(timezone.utc) - timedelta(days=200))
        )
    today = date.today()
    report = build_report(engine, today - timedelta(days=7), today + timedelta(days=1), today)
    assert report.ratings.count == 4
    assert report.ratings.distribution == (0, 1, 1, 1, 1)
    assert report.ratings.average == 3.5
    units = {r.label: r for r in report.ratings_by_unit}
    assert len(units) == 2
    ktp_unit = next(r for r in units.values() if r.count == 2)
    assert ktp_unit.distribution == (0, 0, 0, 1, 1) and ktp_unit.average == 4.5
    sim_unit = next(r for r in units.values() if r.count == 2 and r is not ktp_unit)
    assert sim_unit.distribution == (0, 1, 1, 0, 0) and sim_unit.comments == 2
    assert sum(r.count for r in report.ratings_by_week) == 4

    page = app_client("siti").get(
        "/laporan", params={"dari": (today - timedelta(days=7)).isoformat()}
    )
    assert page.status_code == 200
    ratings = section(page.text, "Penilaian warga")
    assert "3,5" in ratings and "4 penilaian" in ratings
    # Aggregates only: no comment of a confidential or anonymous ticket, no identity.
    for secret in ("KOMENTAR-RAHASIA", "KOMENTAR-ANONIM", "720009", "720010", "Andi Wijaya"):
        assert secret not in page.text
    assert {ktp[0], sim, confidential}.isdisjoint(re.findall(r"ADU-\w{6}", ratings))


def test_general_feedback_appears_in_the_report(
    app_client: Client, engine: Engine, people: People
) -> None:
    repo = Repository(engine, HolidayCalendar.from_file(HOLIDAYS))
    repo.add_rating("730001", 4, "Botnya membantu, tapi jam layanan perlu diperpanjang.", None)
    today = date.today()
    report = build_report(engine, today - timedelta(days=7), today + timedelta(days=1), today)
    assert report.ratings.count == 1
    assert [f.text for f in report.general_feedback] == [
        "Botnya membantu, tapi jam layanan perlu diperpanjang."
    ]
    page = app_client("siti").get("/laporan")
    assert "jam layanan perlu diperpanjang" in section(page.text, "Masukan umum warga")
    assert "730001" not in page.text
