"""The console over HTTP (real app, real database): sign-in, sessions, CSRF, permissions
of every role on every route, privacy of anonymous and confidential tickets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.officer.sessions import session_count
from bot.store.models import Attachment, Privacy, Ticket, TicketEvent, TicketStatus
from bot.tickets.workflow import Workflow
from tests.utils.officer import PASSWORD, People, TicketMaker, csrf_of, login, viewer

Client = Callable[..., TestClient]


def _status(engine: Engine, public_id: str) -> TicketStatus:
    with Session(engine) as s:
        status = s.scalar(select(Ticket.status).where(Ticket.public_id == public_id))
        assert status is not None
        return status


def test_unauthenticated_requests_go_to_login(app_client: Client, make_ticket: TicketMaker) -> None:
    c = app_client()
    tid = make_ticket()
    for path in ("/", "/antrean", f"/tiket/{tid}", "/laporan", "/admin/akun", "/lampiran/1"):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/masuk?next="), path
    r = c.post(f"/tiket/{tid}/verify", data={"csrf_token": "x"})
    assert r.status_code == 401
    assert c.get("/healthz").json() == {"status": "ok"}


def test_login_sets_hardened_cookie_and_logout_ends_session(
    app_client: Client, engine: Engine, people: People
) -> None:
    c = app_client()
    r = login(c, "budi")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("console_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert session_count(engine, people.officer) == 1
    page = c.get("/antrean")
    assert page.status_code == 200 and "Budi Santoso" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    token = csrf_of(c, "/antrean")
    assert c.post("/keluar", data={"csrf_token": token}).status_code == 303
    assert session_count(engine, people.officer) == 0
    assert c.get("/antrean").status_code == 303


def test_secure_cookie_in_production_settings(
    console_settings: Settings, engine: Engine, people: People
) -> None:
    from bot.officer.web import create_app

    settings = console_settings.model_copy(update={"console_cookie_secure": True})
    app = create_app(settings, engine)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        r = login(c, "budi")
        cookie = next(
            h for h in r.headers.get_list("set-cookie") if h.startswith("console_session=")
        )
        assert "Secure" in cookie


def test_wrong_password_and_lockout(app_client: Client, people: People) -> None:
    c = app_client()
    r = login(c, "budi", "salah-sandi-123")
    assert r.headers["location"].startswith("/masuk")
    assert "console_session" not in r.cookies
    for _ in range(5):
        login(c, "budi", "salah-sandi-123")
    r = login(c, "budi")  # right password, but locked for 15 minutes
    assert r.headers["location"].startswith("/masuk")
    assert login(app_client(), "nobody", PASSWORD).headers["location"].startswith("/masuk")


def test_login_form_needs_its_csrf_token(app_client: Client, people: People) -> None:
    c = app_client()
    c.get("/masuk")
    r = c.post("/masuk", data={"username": "budi", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403
    assert c.get("/antrean").status_code == 303


def test_login_redirects_only_to_local_paths(app_client: Client, people: People) -> None:
    import re

    c = app_client()
    page = c.get("/masuk?next=https://evil.example/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    r = c.post(
        "/masuk",
        data={
            "username": "budi",
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "//evil.example/",
        },
    )
    assert r.headers["location"] == "/"


def test_csrf_is_required_on_every_action(
    app_client: Client, engine: Engine, people: People, make_ticket: TicketMaker
) -> None:
    tid = make_ticket()
    c = app_client("budi")
    for data in ({}, {"csrf_token": "wrong"}):
        r = c.post(f"/tiket/{tid}/verify", data=data)
        assert r.status_code == 403 and "CSRF" in r.text
    assert _status(engine, tid) == TicketStatus.BARU
    # A token of another session does not work either.
    other = app_client("siti")
    r = c.post(f"/tiket/{tid}/verify", data={"csrf_token": csrf_of(other, "/antrean")})
    assert r.status_code == 403
    token = csrf_of(c, f"/tiket/{tid}")
    assert c.post(f"/tiket/{tid}/verify", data={"csrf_token": token}).status_code == 303
    assert _status(engine, tid) == TicketStatus.DIVERIFIKASI
    # The htmx header works as well as the form field.
    r = c.post(f"/tiket/{tid}/note", data={"text": "via htmx"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 303
    admin = app_client("admin")
    r = admin.post("/admin/libur", data={"date": "2027-12-31", "name": "x", "kind": "cuti_bersama"})
    assert r.status_code == 403


ROLE_PAGES = {
    # path template: (officer, supervisor, admin) expected status
    "/antrean": (200, 200, 403),
    "/antrean.csv": (403, 200, 403),
    "/tiket/{tid}": (200, 200, 403),
    "/tiket/{tid}/balasan-cepat": (200, 200, 403),
    "/laporan": (403, 200, 403),
    "/balasan-cepat": (403, 200, 403),
    "/admin/akun": (403, 403, 200),
    "/admin/akun/{admin_id}": (403, 403, 200),
    "/admin/unit": (403, 403, 200),
    "/admin/libur": (403, 403, 200),
    "/admin/audit": (403, 403, 200),
}


@pytest.mark.parametrize("path", list(ROLE_PAGES))
def test_every_page_for_every_role(
    app_client: Client, people: People, make_ticket: TicketMaker, path: str
) -> None:
    tid = make_ticket()
    url = path.format(tid=tid, admin_id=people.admin)
    for username, expected in zip(("budi", "siti", "admin"), ROLE_PAGES[path], strict=True):
        r = app_client(username).get(url)
        assert r.status_code == expected, (username, url, r.status_code)


POSTS = {
    # path: form, (officer, supervisor, admin) allowed
    "/tiket/{tid}/note": ({"text": "catatan"}, (True, True, False)),
    "/balasan-cepat": (
        {"title": "Salam", "body": "Terima kasih.", "active": "1"},
        (False, True, False),
    ),
    "/admin/unit/disdukcapil": ({"chat_id": "-1001"}, (False, False, True)),
    "/admin/libur": (
        {"date": "2027-12-30", "name": "Uji", "kind": "cuti_bersama"},
        (False, False, True),
    ),
    "/admin/akun": (
        {"username": "baru1", "password": PASSWORD, "role": "officer", "units": "satpas"},
        (False, False, True),
    ),
}


@pytest.mark.parametrize("path", list(POSTS))
def test_every_form_for_every_role(
    app_client: Client, people: People, make_ticket: TicketMaker, path: str
) -> None:
    tid = make_ticket()
    url = path.format(tid=tid)
    form, allowed = POSTS[path]
    for username, ok in zip(("budi", "siti", "admin"), allowed, strict=True):
        c = app_client(username)
        token = csrf_of(c)
        r = c.post(url, data={**form, "csrf_token": token})
        if ok:
            assert r.status_code == 303, (username, url, r.status_code)
        else:
            assert r.status_code in (403, 404), (username, url, r.status_code)


def test_officer_cannot_open_other_units_ticket(
    app_client: Client, people: People, make_ticket: TicketMaker
) -> None:
    tid = make_ticket()  # disdukcapil
    sari = app_client("sari")  # satpas
    assert sari.get(f"/tiket/{tid}").status_code == 404
    token = csrf_of(sari, "/antrean")
    assert (
        sari.post(f"/tiket/{tid}/note", data={"text": "x", "csrf_token": token}).status_code == 404
    )
    assert tid not in sari.get("/antrean?status=semua").text
    assert tid in app_client("budi").get("/antrean").text


def test_confidential_ticket_only_for_supervisor_and_assignee_and_views_logged(
    app_client: Client,
    engine: Engine,
    workflow: Workflow,
    people: People,
    make_ticket: TicketMaker,
) -> None:
    tid = make_ticket(privacy=Privacy.CONFIDENTIAL, description="Ada pungli di loket KK 50 ribu.")
    budi = app_client("budi")
    assert budi.get(f"/tiket/{tid}").status_code == 404
    assert tid not in budi.get("/antrean").text
    assert app_client("sari").get(f"/tiket/{tid}").status_code == 404
    siti = app_client("siti")
    assert siti.get(f"/tiket/{tid}").status_code == 200
    workflow.assign(viewer(engine, people.supervisor), tid, people.officer)
    page = budi.get(f"/tiket/{tid}")
    assert page.status_code == 200 and "pungli" in page.text
    with Session(engine) as s:
        views = s.scalars(
            select(TicketEvent.actor_id)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(Ticket.public_id == tid, TicketEvent.kind == "view")
            .order_by(TicketEvent.id)
        ).all()
    assert views == [str(people.supervisor), str(people.officer)]


def test_public_ticket_shows_reporter_and_transcript(
    app_client: Client, engine: Engine, make_ticket: TicketMaker, people: People
) -> None:
    from datetime import datetime, timezone

    at = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    tid = make_ticket(
        sender="4440001",
        name="Rina Kusuma",
        conversation=(
            (at, "warga", "halo, mau lapor antrean KTP"),
            (at, "asisten", "Di mana lokasinya?"),
        ),
    )
    page = app_client("budi").get(f"/tiket/{tid}")
    assert "Rina Kusuma" in page.text and "4440001" in page.text
    assert "halo, mau lapor antrean KTP" in page.text and "Di mana lokasinya?" in page.text


def test_anonymous_ticket_never_renders_reporter_data(
    app_client: Client,
    engine: Engine,
    workflow: Workflow,
    make_ticket: TicketMaker,
    people: People,
) -> None:
    from bot.store.inbox import InboxRepository

    InboxRepository(engine, bot_id=1).store_update(
        777, {"message": {"text": "saya Joko mau lapor"}}, "text", "9990001", 9990001
    )
    tid = make_ticket(privacy=Privacy.ANONYMOUS, sender="9990001", name="Joko Rahasia")
    workflow.reply(viewer(engine, people.officer), tid, "Terima kasih atas laporannya.")
    for username in ("budi", "siti"):
        c = app_client(username)
        for url in (f"/tiket/{tid}", "/antrean", f"/antrean?q={tid}"):
            text = c.get(url).text
            assert "Joko Rahasia" not in text and "9990001" not in text, (username, url)
            assert "saya Joko mau lapor" not in text
        assert "disembunyikan" in c.get(f"/tiket/{tid}").text
    csv_text = app_client("siti").get("/antrean.csv?status=semua").text
    assert tid in csv_text and "Joko" not in csv_text and "9990001" not in csv_text


def test_script_in_complaint_is_escaped(
    app_client: Client, make_ticket: TicketMaker, people: People
) -> None:
    tid = make_ticket(description='<script>alert("xss")</script> jalan rusak parah sekali')
    c = app_client("budi")
    for url in (f"/tiket/{tid}", "/antrean"):
        text = c.get(url).text
        assert '<script>alert("xss")</script>' not in text
        assert "&lt;script&gt;" in text


def test_actions_over_http_reach_the_outbox_and_show_delivery(
    app_client: Client, engine: Engine, make_ticket: TicketMaker, people: People
) -> None:
    from bot.store.outbox import OutboxRepository

    tid = make_ticket(sender="3330001")
    c = app_client("budi")
    token = csrf_of(c, f"/tiket/{tid}")
    r = c.post(f"/tiket/{tid}/reply", data={"csrf_token": token, "text": "Sedang kami cek."})
    assert r.status_code == 303
    page = c.get(f"/tiket/{tid}")
    assert "Balasan masuk antrean kirim." in page.text and "menunggu dikirim" in page.text
    outbox = OutboxRepository(engine)
    claimed = outbox.claim_due()
    assert len(claimed) == 1 and claimed[0].chat_id == 3330001 and tid in claimed[0].text
    outbox.sent(claimed[0].id, 42)
    assert "terkirim" in c.get(f"/tiket/{tid}").text
    # An illegal move over HTTP: refused with the state machine's message, nothing changes.
    r = c.post(f"/tiket/{tid}/resolve", data={"csrf_token": token, "text": "selesai"})
    assert r.status_code == 303
    page = c.get(f"/tiket/{tid}")
    assert "Tidak dapat menyelesaikan" in page.text
    assert _status(engine, tid) == TicketStatus.BARU


def test_canned_reply_fragment_and_use(
    app_client: Client, engine: Engine, make_ticket: TicketMaker, people: People
) -> None:
    from bot.officer.canned import save_canned

    canned_id = save_canned(
        engine, people.supervisor, None, "Terima kasih", "Terima kasih, <b>Kak</b>.", True
    )
    tid = make_ticket(sender="3330002")
    c = app_client("budi")
    fragment = c.get(f"/tiket/{tid}/balasan-cepat?canned={canned_id}")
    assert "Terima kasih, &lt;b&gt;Kak&lt;/b&gt;." in fragment.text
    token = csrf_of(c, f"/tiket/{tid}")
    c.post(f"/tiket/{tid}/reply", data={"csrf_token": token, "text": "", "canned": str(canned_id)})
    from bot.store.models import OutboxMessage

    with Session(engine) as s:
        texts = s.scalars(select(OutboxMessage.text).where(OutboxMessage.chat_id == 3330002)).all()
    assert texts == [
        f"Balasan petugas untuk laporan {tid}:\n\nTerima kasih, <b>Kak</b>.\n\n"
        # thanks ask nothing: the citizen answers with Telegram's reply, if at all (E9)
        'Ingin menanggapi? Balas pesan ini (tekan lama pesan ini, lalu "Balas"), kami '
        "teruskan kepada petugas."
    ]


def test_attachments_are_served_only_to_those_who_may_see_the_ticket(
    app_client: Client,
    engine: Engine,
    console_settings: Settings,
    make_ticket: TicketMaker,
    people: People,
    tmp_path: Path,
) -> None:
    folder = console_settings.attachments_dir / "123"
    folder.mkdir(parents=True)
    photo = folder / "foto.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0fake-jpeg")
    outside = tmp_path / "secret.txt"
    outside.write_text("not an attachment")
    tid = make_ticket()
    with Session(engine) as s, s.begin():
        ticket_id = s.scalar(select(Ticket.id).where(Ticket.public_id == tid))
        good = Attachment(
            ticket_id=ticket_id, kind="photo", path=str(photo), mime_type="image/jpeg"
        )
        bad = Attachment(
            ticket_id=ticket_id, kind="document", path=str(outside), mime_type="text/plain"
        )
        s.add_all([good, bad])
        s.flush()
        good_id, bad_id = good.id, bad.id
    budi = app_client("budi")
    r = budi.get(f"/lampiran/{good_id}")
    assert r.status_code == 200 and r.content.startswith(b"\xff\xd8")
    assert r.headers["content-type"] == "image/jpeg"
    assert f'src="/lampiran/{good_id}"' in budi.get(f"/tiket/{tid}").text
    assert budi.get(f"/lampiran/{bad_id}").status_code == 404  # outside the attachments folder
    assert app_client("sari").get(f"/lampiran/{good_id}").status_code == 404
    assert app_client("admin").get(f"/lampiran/{good_id}").status_code == 403


def test_map_link_for_coordinates(
    app_client: Client, make_ticket: TicketMaker, people: People
) -> None:
    tid = make_ticket(latitude=-6.2, longitude=106.816666)
    text = app_client("budi").get(f"/tiket/{tid}").text
    assert "https://www.openstreetmap.org/?mlat=-6.200000&amp;mlon=106.816666" in text


def test_deactivated_account_loses_its_session(
    app_client: Client, engine: Engine, people: People
) -> None:
    from bot.store.models import Officer

    c = app_client("budi")
    assert c.get("/antrean").status_code == 200
    with Session(engine) as s, s.begin():
        s.execute(update(Officer).where(Officer.id == people.officer).values(active=False))
    assert c.get("/antrean").status_code == 303
