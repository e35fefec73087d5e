"""The model registry (bot.training.registry) on SQLite and PostgreSQL: one training at a
time, stale trainings, the served file adopted on first use, what a rollback restores."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.store.db import get_engine
from bot.store.models import NluModel, utcnow
from bot.training import registry
from bot.training.rasa_engine import Workspace, inputs_hash
from bot.training.registry import RegistryError
from tests.utils.models import copy_workspace


def workspace(tmp_path: Path) -> Workspace:
    return copy_workspace(tmp_path)


def test_only_one_training_at_a_time_and_a_dead_one_is_failed(
    database_url: str, tmp_path: Path
) -> None:
    engine = get_engine(database_url)
    ws = workspace(tmp_path)
    first = registry.start_training(engine, ws, None)
    assert first.status == registry.TRAINING and first.file_name.startswith("layanan-aduan-")
    assert first.data_hash == inputs_hash(ws)
    assert registry.running(engine) is not None
    with pytest.raises(RegistryError, match="sedang berjalan"):
        registry.start_training(engine, ws, None)

    with Session(engine) as s, s.begin():  # its process stopped reporting long ago
        s.execute(
            update(NluModel).values(heartbeat_at=utcnow() - registry.STALE_AFTER - timedelta(1))
        )
    assert registry.running(engine) is None
    second = registry.start_training(engine, ws, None)
    assert second.file_name != first.file_name
    failed = registry.get(engine, first.id)
    assert failed is not None and failed.status == registry.FAILED


def test_progress_metrics_and_the_end_of_a_training(database_url: str, tmp_path: Path) -> None:
    engine = get_engine(database_url)
    row = registry.start_training(engine, workspace(tmp_path), None)
    registry.report_progress(engine, row.id, 140, "melatih DIETClassifier", "x" * 9000)
    current = registry.get(engine, row.id)
    assert current is not None and current.progress == 100
    assert len(current.log_tail) == registry.LOG_TAIL_CHARS
    registry.save_metrics(engine, row.id, {"a.yml": {"accuracy": 0.9}})
    registry.save_metrics(engine, row.id, {"b.yml": {"accuracy": 0.8}})
    registry.finish_training(engine, row.id, True, 81.5, "siap", "log", "f" * 64)
    done = registry.get(engine, row.id)
    assert done is not None and done.status == registry.READY and done.training_seconds == 81.5
    assert set(done.metrics) == {"a.yml", "b.yml"} and done.file_sha256 == "f" * 64


def test_the_served_file_is_adopted_and_rollback_walks_the_history(
    database_url: str, tmp_path: Path
) -> None:
    engine = get_engine(database_url)
    ws = workspace(tmp_path)
    assert registry.adopt_served(engine, ws) is None  # nothing trained yet
    ws.served_file.write_bytes(b"model made by make train")
    ws.stamp.write_text("a" * 64 + "\n")

    adopted = registry.adopt_served(engine, ws)

    assert adopted is not None and adopted.status == registry.ACTIVE
    assert adopted.data_hash == "a" * 64 and adopted.file_name != ws.served_file.name
    assert ws.path_of(adopted.file_name).read_bytes() == b"model made by make train"
    assert registry.adopt_served(engine, ws) == registry.active(engine)  # once
    assert registry.previous(engine) is None

    new = registry.start_training(engine, ws, None)
    registry.finish_training(engine, new.id, True, 1.0, "siap", "", "b" * 64)
    with Session(engine) as s, s.begin():
        registry.record_serving(s, new.id, "activate", None, None)
    active = registry.active(engine)
    assert active is not None and active.id == new.id
    old = registry.get(engine, adopted.id)
    assert old is not None and old.status == registry.RETIRED
    previous = registry.previous(engine)
    assert previous is not None and previous.id == adopted.id
    assert [h.kind for h in registry.history(engine)] == ["activate", "adopt"]


def utc(at: datetime) -> datetime:
    """SQLite returns naive UTC times."""
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def test_a_listing_writes_nothing_and_adoption_keeps_the_files_date(
    database_url: str, tmp_path: Path
) -> None:
    from bot.training import cli

    engine = get_engine(database_url)
    ws = workspace(tmp_path)
    ws.served_file.write_bytes(b"model made by make train")
    written = datetime(2026, 11, 2, 8, 30, tzinfo=timezone.utc)
    os.utime(ws.served_file, (written.timestamp(), written.timestamp()))

    assert cli.listing(engine) == ["belum ada model"]
    assert registry.all_models(engine) == [] and registry.history(engine) == []
    assert sorted(p.name for p in ws.models_dir.iterdir()) == [ws.served_file.name]

    adopted = registry.adopt_served(engine, ws)  # on train, activate, rollback
    assert adopted is not None and adopted.activated_at is not None
    assert utc(adopted.activated_at) == written  # not now
    [entry] = registry.history(engine)
    assert entry.kind == "adopt" and utc(entry.created_at) == written
    [line] = cli.listing(engine)
    assert f"{adopted.id:4d}  aktif " in line


def test_statuses_have_one_indonesian_name(database_url: str, tmp_path: Path) -> None:
    from bot.training import activation

    assert [registry.status_name(s) for s in registry.STATUSES] == [
        "sedang dilatih",
        "gagal",
        "siap",
        "aktif",
        "pensiun",
    ]
    engine = get_engine(database_url)
    ws = workspace(tmp_path)
    row = registry.start_training(engine, ws, None)
    with pytest.raises(RegistryError) as refused:
        activation.activate(engine, ws, activation.Rasa("http://127.0.0.1:9"), row.id, None, 0.01)
    assert str(refused.value) == "Model berstatus 'sedang dilatih' tidak bisa diaktifkan."
