"""The trainers' data health page (/latih/kesehatan-data) and NLU report page (/latih/laporan)
over HTTP (real app, real database, the real training data): who may open them, what they
show, and that the report's pictures are served only from a run's known files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from bot.config import Settings
from bot.officer.web.console import NotFound
from bot.officer.web.routes_data_health import _picture
from bot.store.models import OfficerRole
from bot.training import health, report
from tests.officer.test_training_routes import add_item
from tests.utils.officer import People, add_officer

Client = Callable[..., TestClient]
RUN = "20261130-120000"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b"GAMBARUJI"
PAGES = (
    "/latih/kesehatan-data",
    "/latih/laporan",
    f"/latih/laporan/{RUN}/test_nlu/intent_confusion_matrix.png",
)


@pytest.fixture
def trainer(engine: Engine, people: People) -> int:
    return add_officer(engine, "tina", OfficerRole.TRAINER, [], "Tina Pelatih")


def reports_root(settings: Settings) -> Path:
    return settings.var_dir / "reports" / report.REPORT_DIR


def held_out_result() -> report.SetResult:
    return report.SetResult(
        name="test_nlu",
        kind="held_out",
        source="tests/nlu/test_nlu.yml",
        seconds=12.0,
        examples=271,
        accuracy=0.9741,
        macro_f1=0.9652,
        weighted_f1=0.9733,
        intents=[
            report.IntentScore("ask_office", 0.8, 0.75, 0.774, 16),
            report.IntentScore("greet", 1.0, 1.0, 1.0, 12),
        ],
        entities=[report.EntityScore("RegexEntityExtractor", "service", 1.0, 0.96, 0.9812, 80)],
        confused=[
            report.ConfusedPair(
                "ask_office", "ask_hours", 3, ["kantornya dimana <b>KALIMATUJI</b>"]
            )
        ],
        images=["intent_confusion_matrix.png"],
    )


@pytest.fixture
def run_dir(console_settings: Settings) -> Path:
    """A report run as `python -m bot nlu report` leaves it (summary written by the report
    module), with a file beside the pictures that must not be served."""
    root = reports_root(console_settings)
    folder = root / RUN
    (folder / "test_nlu").mkdir(parents=True)
    (folder / "test_nlu" / "intent_confusion_matrix.png").write_bytes(PNG)
    (folder / "test_nlu" / "intent_report.json").write_text('{"RAHASIA": 1}')
    failed = report.SetResult(
        name="cv", kind="cross_validation", source="data/rasa", error="rasa exited with 1: boom"
    )
    summary = report.Summary(
        run=RUN,
        created_at="2026-11-30T12:00:00+00:00",
        model="models/layanan-aduan.tar.gz",
        config="config.yml",
        folds=5,
        seconds=300.0,
        sets=[failed, held_out_result()],
    )
    report.write_summary(folder, summary)
    (root / "latest").symlink_to(RUN)
    return folder


def test_only_trainers_open_the_pages(app_client: Client, trainer: int, run_dir: Path) -> None:
    for username in ("budi", "sari", "siti", "admin"):
        c = app_client(username)
        for path in PAGES:
            r = c.get(path)
            assert r.status_code == 403, (username, path)
            assert "GAMBARUJI" not in r.text and "KALIMATUJI" not in r.text
        home = c.get("/", follow_redirects=True).text
        assert 'href="/latih/kesehatan-data"' not in home and 'href="/latih/laporan"' not in home
    anonymous = app_client()
    for path in PAGES:
        r = anonymous.get(path)
        assert r.status_code in (302, 303) and "/masuk" in r.headers["location"], path
    c = app_client("tina")
    page = c.get("/latih")
    assert 'href="/latih/kesehatan-data"' in page.text and 'href="/latih/laporan"' in page.text


def test_the_report_page_shows_the_latest_run(
    app_client: Client, trainer: int, run_dir: Path
) -> None:
    c = app_client("tina")
    page = c.get("/latih/laporan")
    assert page.status_code == 200
    text = page.text
    assert RUN in text and "Set uji test_nlu" in text and "tests/nlu/test_nlu.yml" in text
    assert "0.974" in text and "0.965" in text and "0.973" in text and "service 0.981" in text
    assert "ask_office" in text and "ask_hours" in text
    # Example texts are escaped, never markup.
    assert "&lt;b&gt;KALIMATUJI&lt;/b&gt;" in text and "<b>KALIMATUJI" not in text
    assert "Evaluasi gagal: cv" in text and "boom" in text
    src = f"/latih/laporan/{RUN}/test_nlu/intent_confusion_matrix.png"
    assert f'src="{src}"' in text
    picture = c.get(src)
    assert picture.status_code == 200 and picture.content == PNG
    assert picture.headers["content-type"] == "image/png"


def test_the_summary_html_is_one_page_with_its_pictures(run_dir: Path) -> None:
    html = (run_dir / "summary.html").read_text(encoding="utf-8")
    assert "<h1>Laporan NLU</h1>" in html and "0.974" in html and "service 0.981" in html
    assert 'src="test_nlu/intent_confusion_matrix.png"' in html
    assert "&lt;b&gt;KALIMATUJI" in html and "gagal: rasa exited with 1: boom" in html


@pytest.mark.parametrize(
    "path",
    [
        f"/latih/laporan/{RUN}/test_nlu/intent_report.json",  # not a picture
        f"/latih/laporan/{RUN}/test_nlu/summary.json",
        f"/latih/laporan/{RUN}/test_nlu/intent_histogram.png",  # not in the summary
        f"/latih/laporan/{RUN}/cv/intent_confusion_matrix.png",  # the set has no pictures
        f"/latih/laporan/{RUN}/lain/intent_confusion_matrix.png",  # no such set
        "/latih/laporan/latest/test_nlu/intent_confusion_matrix.png",  # not a run name
        "/latih/laporan/20261130-120001/test_nlu/intent_confusion_matrix.png",  # no such run
        f"/latih/laporan/{RUN}/..%2F..%2F..%2Fetc/passwd",
        f"/latih/laporan/{RUN}/test_nlu/..%2F..%2Fsummary.json",
        f"/latih/laporan/{RUN}/%2e%2e/intent_confusion_matrix.png",
        "/latih/laporan/..%2F..%2F..%2F/test_nlu/intent_confusion_matrix.png",
        f"/latih/laporan/{RUN}/test_nlu/intent_confusion_matrix.png%00.txt",
        f"/latih/laporan/{RUN}/test_nlu/" + "a" * 300 + ".png",
        f"/latih/laporan/{RUN}/test_nlu",
        f"/latih/laporan/{RUN}%0A/test_nlu/intent_confusion_matrix.png",  # $ before a newline
        f"/latih/laporan/{RUN}/test_nlu/intent_confusion_matrix.png%0A",
    ],
)
def test_pictures_are_served_only_from_the_runs_known_files(
    app_client: Client, trainer: int, run_dir: Path, path: str
) -> None:
    r = app_client("tina").get(path)
    assert r.status_code in (400, 404), (path, r.status_code)
    assert "RAHASIA" not in r.text and "root:" not in r.text


def test_a_picture_that_links_outside_the_reports_is_refused(
    app_client: Client, trainer: int, run_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "rahasia.png"
    outside.write_bytes(b"RAHASIADILUAR")
    (run_dir / "test_nlu" / "intent_histogram.png").symlink_to(outside)
    summary = report.read_summary(run_dir)
    assert summary is not None
    summary.sets[1].images.append("intent_histogram.png")
    report.write_summary(run_dir, summary)
    c = app_client("tina")
    r = c.get(f"/latih/laporan/{RUN}/test_nlu/intent_histogram.png")
    assert r.status_code == 404 and b"RAHASIADILUAR" not in r.content
    assert c.get(f"/latih/laporan/{RUN}/test_nlu/intent_confusion_matrix.png").status_code == 200


def test_the_report_page_without_any_run(
    app_client: Client, trainer: int, console_settings: Settings
) -> None:
    page = app_client("tina").get("/latih/laporan")
    assert page.status_code == 200 and "Belum ada laporan" in page.text
    assert "make nlu-report" in page.text
    # A run folder without a readable summary counts as no report.
    broken = reports_root(console_settings) / "20261130-130000"
    broken.mkdir(parents=True)
    (broken / "summary.json").write_text("{bukan json")
    page = app_client("tina").get("/latih/laporan")
    assert page.status_code == 200 and "Belum ada laporan" in page.text


def test_the_latest_run_without_the_link_is_the_newest_folder(tmp_path: Path) -> None:
    assert report.latest_run(tmp_path / "none") is None
    for name in ("20261129-100000", "20261130-090000", "catatan", "20261128-235959"):
        (tmp_path / name).mkdir()
    assert report.latest_run(tmp_path) == tmp_path / "20261130-090000"
    (tmp_path / "latest").symlink_to("20261129-100000")
    assert report.latest_run(tmp_path) == tmp_path / "20261129-100000"
    (tmp_path / "latest").unlink()
    (tmp_path / "latest").symlink_to("../../etc")
    assert report.latest_run(tmp_path) == tmp_path / "20261130-090000"


def test_the_data_health_page(app_client: Client, trainer: int, engine: Engine) -> None:
    c = app_client("tina")
    page = c.get("/latih/kesehatan-data")
    assert page.status_code == 200
    expected = health.check()
    text = page.text
    assert f"{expected.example_count} contoh" in text
    for section in ("sedikit-contoh", "konflik", "hampir-sama", "lookup", "sinonim"):
        assert f'id="{section}"' in text
    assert f"({len(expected.near_duplicates)})" in text
    for d in expected.near_duplicates[:3]:
        assert d.a.intent in text
    # The threshold is a parameter; bad values get a 400 page, never a 500.
    strict = c.get("/latih/kesehatan-data?min_contoh=10000")
    assert strict.status_code == 200
    few = len(health.check(min_examples=10_000).few_examples)
    assert f"Intent dengan contoh kurang dari 10000 ({few})" in strict.text
    for bad in ("0", "-1", "abc", "99999999999999999999", ""):
        r = c.get(f"/latih/kesehatan-data?min_contoh={bad}")
        assert r.status_code == 400, (bad, r.status_code)


def test_inbox_messages_count_as_use_of_a_lookup_entry(
    app_client: Client, trainer: int, engine: Engine
) -> None:
    unused = health.check().unused_lookups
    if not unused:
        pytest.skip("every lookup entry occurs in the training data")
    entry = unused[0]
    badge = f"{entry.table}: {entry.entry}"
    c = app_client("tina")
    assert badge in c.get("/latih/kesehatan-data").text
    add_item(engine, f"mau tanya soal {entry.entry} dong")
    assert badge not in c.get("/latih/kesehatan-data").text


PARTS = st.one_of(
    st.sampled_from(
        [
            f"{RUN}\n",
            "intent_confusion_matrix.png\n",
            RUN,
            "test_nlu",
            "cv",
            "intent_confusion_matrix.png",
            "intent_report.json",
            "..",
            ".",
            "latest",
            "summary.json",
            "%2e%2e",
            "/",
            "\x00",
            "",
        ]
    ),
    st.text(max_size=40),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(run=PARTS, evaluation=PARTS, name=PARTS)
def test_only_the_listed_picture_is_ever_served(
    run_dir: Path, console_settings: Settings, run: str, evaluation: str, name: str
) -> None:
    """Whatever the three path parts, the lookup gives the one picture the summary lists,
    or NotFound; never another file, never an exception of another kind."""
    root = reports_root(console_settings)
    picture = run_dir / "test_nlu" / "intent_confusion_matrix.png"
    try:
        found = _picture(root, run, evaluation, name)
    except NotFound:
        assert (run, evaluation, name) != (RUN, "test_nlu", "intent_confusion_matrix.png")
        return
    assert found == picture.resolve()
