"""The model lifecycle pages (`/latih/model`) over HTTP, real app and database: who may open
them, one training at a time, the comparison, activation refused for a worse model and
allowed with a supervisor's reason, rollback, CSRF. Rasa is not running here (the
activation then only records and copies the file): loading into a running Rasa server is
tested in tests/training/test_model_lifecycle.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import ConsoleAuditLog, OfficerRole
from bot.training import registry
from bot.training.rasa_engine import Workspace
from devtools.devstack import free_port
from tests.utils.models import copy_workspace
from tests.utils.officer import People, add_officer, csrf_of

Client = Callable[..., TestClient]
SET = "tests/nlu/test_nlu.yml"


def scores(accuracy: float, entity_f1: float, predicted: str) -> dict[str, Any]:
    return {
        SET: {
            "set_sha256": "s" * 64,
            "accuracy": accuracy,
            "macro_f1": accuracy,
            "entity_f1": entity_f1,
            "per_intent": {"ask_cost": accuracy, "greet": 1.0},
            "predictions": [
                ["biaya sim berapa", "ask_cost", predicted],
                ["halo", "greet", "greet"],
            ],
        }
    }


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return copy_workspace(tmp_path / "ws")


@pytest.fixture
def client(
    app_client: Client, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str | None], TestClient]:
    """Clients of an app whose models live in `ws` and whose Rasa does not answer."""
    from bot.config import get_settings

    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()

    def make(username: str | None) -> TestClient:
        c = app_client(username)
        c.app.state.model_workspace = ws  # type: ignore[attr-defined]
        c.app.state.console.settings = get_settings()  # type: ignore[attr-defined]
        return c

    return make


def model(engine: Engine, ws: Workspace, metrics: dict[str, Any], content: bytes) -> int:
    """A trained model row with its file."""
    row = registry.start_training(engine, ws, None)
    ws.path_of(row.file_name).write_bytes(content)
    registry.finish_training(engine, row.id, True, 70.0, "siap", "", "0" * 64)
    registry.save_metrics(engine, row.id, metrics)
    return row.id


@pytest.fixture
def served_and_worse(engine: Engine, ws: Workspace) -> tuple[int, int]:
    """A served model and a worse candidate (accuracy down 0.2 on the held-out set)."""
    served = model(engine, ws, scores(0.95, 0.98, "ask_cost"), b"served model")
    with Session(engine) as s, s.begin():
        registry.record_serving(s, served, "activate", None, None)
    ws.served_file.write_bytes(b"served model")
    worse = model(engine, ws, scores(0.75, 0.98, "greet"), b"worse model")
    return served, worse


def trainer(engine: Engine) -> str:
    add_officer(engine, "tina", OfficerRole.TRAINER, [], "Tina Pelatih")
    return "tina"


def test_only_trainers_and_supervisors_open_the_pages(
    client: Callable[[str | None], TestClient],
    engine: Engine,
    people: People,
    served_and_worse: tuple[int, int],
) -> None:
    trainer(engine)
    _, worse = served_and_worse
    for path in ("/latih/model", f"/latih/model/{worse}", "/latih/model/kemajuan"):
        for name in ("budi", "admin"):
            assert client(name).get(path).status_code == 403, (name, path)
        assert client(None).get(path).status_code in (302, 303)
        for name in ("tina", "siti"):
            assert client(name).get(path).status_code == 200, (name, path)
    page = client("tina").get("/latih/model").text
    assert 'action="/latih/model/latih"' in page and "Pulihkan model sebelumnya" not in page
    assert 'action="/latih/model/latih"' not in client("siti").get("/latih/model").text
    assert client("tina").get("/latih/model/999999").status_code == 404
    for name in ("siti", "budi"):  # only trainers start trainings
        c = client(name)
        assert c.post("/latih/model/latih", data={"csrf_token": csrf_of(c)}).status_code == 403


def test_the_comparison_shows_both_models_side_by_side_and_changed_messages(
    client: Callable[[str | None], TestClient], engine: Engine, served_and_worse: tuple[int, int]
) -> None:
    trainer(engine)
    _, worse = served_and_worse
    page = client("tina").get(f"/latih/model/{worse}").text
    assert "Set uji test_nlu" in page and SET not in page  # named as the report names it
    assert "Keputusan: gabungan 1 set uji (2 pesan)" in page
    assert "0.950" in page and "0.750" in page and "-0.200" in page
    assert "biaya sim berapa" in page and "halo" not in page.split("berubah")[1]
    assert "Aktivasi akan ditolak" in page


def test_a_second_training_is_refused_politely(
    client: Callable[[str | None], TestClient], engine: Engine, ws: Workspace
) -> None:
    trainer(engine)
    running = registry.start_training(engine, ws, None)
    c = client("tina")
    response = c.post("/latih/model/latih", data={"csrf_token": csrf_of(c)})
    assert response.status_code == 303
    page = c.get("/latih/model").text
    assert "Pelatihan lain sedang berjalan" in page
    assert f"Model {running.id}" in page and 'hx-get="/latih/model/kemajuan"' in page
    assert len(registry.all_models(engine)) == 1


def test_a_worse_model_is_refused_then_activated_with_a_supervisors_reason(
    client: Callable[[str | None], TestClient],
    engine: Engine,
    ws: Workspace,
    people: People,
    served_and_worse: tuple[int, int],
) -> None:
    trainer(engine)
    served, worse = served_and_worse
    tina = client("tina")
    url = f"/latih/model/{worse}/aktifkan"

    refused = tina.post(url, data={"csrf_token": csrf_of(tina)})
    assert refused.status_code == 303
    assert "lebih buruk" in tina.get(refused.headers["location"]).text
    # a trainer's reason does not override
    tina.post(url, data={"csrf_token": csrf_of(tina), "alasan": "saya yakin model ini lebih baik"})
    active = registry.active(engine)
    assert active is not None and active.id == served
    assert ws.served_file.read_bytes() == b"served model"

    siti = client("siti")
    short = siti.post(url, data={"csrf_token": csrf_of(siti), "alasan": "ok"})
    assert "minimal" in siti.get(short.headers["location"]).text
    assert siti.post(url, data={"alasan": "tanpa token csrf sama sekali"}).status_code == 403
    reason = "Intent baru pengaduan banjir dibutuhkan hari ini"
    done = siti.post(url, data={"csrf_token": csrf_of(siti), "alasan": reason})
    assert done.headers["location"] == "/latih/model"

    active = registry.active(engine)
    assert active is not None and active.id == worse and active.override_reason == reason
    assert active.activated_by == "siti"
    assert ws.served_file.read_bytes() == b"worse model"
    assert ws.stamp.read_text().strip() == active.data_hash
    with Session(engine) as s:
        log = s.scalars(select(ConsoleAuditLog).where(ConsoleAuditLog.action.like("nlu_%"))).all()
    assert [e.action for e in log] == ["nlu_model_override"]
    assert log[0].data is not None and log[0].data["reason"] == reason

    # one click back to the model served before
    page = tina.get("/latih/model").text
    assert "Pulihkan model sebelumnya" in page and reason in page
    back = tina.post("/latih/model/pulihkan", data={"csrf_token": csrf_of(tina)})
    assert back.status_code == 303
    active = registry.active(engine)
    assert active is not None and active.id == served
    assert ws.served_file.read_bytes() == b"served model"
    assert [h.kind for h in registry.history(engine)] == ["rollback", "override", "activate"]


def test_the_polled_fragment_carries_the_train_button_and_its_state(
    client: Callable[[str | None], TestClient], engine: Engine, ws: Workspace
) -> None:
    trainer(engine)
    c = client("tina")
    idle = c.get("/latih/model/kemajuan").text
    assert 'action="/latih/model/latih"' in idle and "disabled" not in idle
    running = registry.start_training(engine, ws, None)
    registry.report_progress(
        engine,
        running.id,
        40,
        "tahap 2 dari 2, evaluasi: mengevaluasi pada set uji 2 dari 8: "
        "heldout_2026_11 (model baru)",
        "",
    )
    busy = c.get("/latih/model/kemajuan").text
    assert '<button type="submit" disabled>Latih model baru</button>' in busy
    assert "mengevaluasi pada set uji 2 dari 8: heldout_2026_11 (model baru)" in busy
    assert "<strong>40%</strong>" in busy
    assert 'hx-get="/latih/model/kemajuan"' in busy
    registry.finish_training(engine, running.id, True, 60.0, "siap", "", "0" * 64)
    done = c.get("/latih/model/kemajuan").text  # the last poll: the button is back
    assert '<button type="submit">Latih model baru</button>' in done
    assert 'hx-get="/latih/model/kemajuan"' not in done
    assert 'action="/latih/model/latih"' not in client("siti").get("/latih/model/kemajuan").text
