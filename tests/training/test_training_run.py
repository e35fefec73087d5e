"""Reading `rasa train`'s output into progress (bot.training.training_run): lines of a real
training log, progress-bar updates split on carriage returns, and any odd line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from bot.store.db import get_engine
from bot.store.models import NluModel, utcnow
from bot.training import evaluation, registry
from bot.training.rasa_engine import Workspace, train_command
from bot.training.registry import RegistryError
from bot.training.training_run import (
    TRAIN_SHARE,
    Heartbeat,
    Progress,
    component_count,
    evaluate_both,
    split_updates,
    training_percent,
)
from tests.utils.models import copy_workspace

# Lines as Rasa 3.6 writes them (taken from var/train.log of a real `make train`).
LOG = [
    "2026-11-30 13:28:43 INFO     rasa.cli.train  - Started validating domain and training data...",
    "\x1b[93m/x/rasa/shared/utils/io.py:100: UserWarning: The utterance 'utter_x' is not used",
    "2026-11-30 13:29:01 INFO     rasa.engine.training.hooks  - Starting to train component "
    "'MemoizationPolicy'.",
    "Processed trackers:   0%|          | 0/4 [00:00<?, ?it/s, # action=1]",
    "2026-11-30 13:29:03 INFO     rasa.engine.training.hooks  - Finished training component "
    "'MemoizationPolicy'.",
    "2026-11-30 13:29:05 INFO     rasa.engine.training.hooks  - Starting to train component "
    "'TEDPolicy'.",
    "Epochs:   5%|▌         | 1/20 [00:30<09:31, 30.06s/it]",
    "Epochs:  50%|█████     | 10/20 [00:40<00:31, 3.06s/it, t_loss=2.1, acc=0.8]",
    "2026-11-30 13:29:45 INFO     rasa.engine.training.hooks  - Finished training component "
    "'TEDPolicy'.",
    "Your Rasa model is trained and saved at 'models/layanan-aduan-20261130-141500.tar.gz'.",
]


def test_a_real_log_moves_progress_forward_through_its_phases() -> None:
    progress = Progress(components=4)
    seen = []
    for line in LOG:
        progress.feed(line)
        seen.append((progress.percent, progress.phase))
    percents = [p for p, _ in seen]
    assert percents == sorted(percents)
    assert seen[0] == (0, "memeriksa data latih")
    assert ("melatih TEDPolicy: epoch 50%") in [phase for _, phase in seen]
    # 1 of 4 components done and half of the second: 5 + 90 * 1.5 / 4
    assert seen[7][0] == 5 + int(90 * 1.5 / 4)
    assert progress.saved and progress.percent == 97 and progress.phase == "menyimpan model"
    assert "UserWarning" in progress.tail and "Processed trackers" not in progress.tail


def test_progress_bar_updates_are_split_on_carriage_returns() -> None:
    chunk = "Epochs:   0%|  | 0/60\rEpochs:  10%|  | 6/60\rEpochs:  20%|  | 12/60\n"
    assert split_updates(chunk) == [
        "Epochs:   0%|  | 0/60",
        "Epochs:  10%|  | 6/60",
        "Epochs:  20%|  | 12/60",
    ]
    progress = Progress(components=2)
    progress.feed("Starting to train component 'DIETClassifier'.")
    for update in split_updates(chunk):
        progress.feed(update)
    assert progress.epochs == 20 and progress.percent == 5 + int(90 * 0.2 / 2)


@given(st.lists(st.text(max_size=200), max_size=40), st.integers(min_value=1, max_value=30))
def test_any_output_keeps_progress_between_0_and_99_and_never_backwards(
    lines: list[str], components: int
) -> None:
    progress = Progress(components=components)
    last = 0
    for line in [*lines, *LOG[2:6], *lines]:
        for update in split_updates(line):
            progress.feed(update)
        assert last <= progress.percent <= 99
        assert len(progress.phase) < 300
        last = progress.percent


def test_components_are_counted_from_config_yml() -> None:
    assert component_count(Workspace()) >= 10  # 9 pipeline components, 3 policies


def test_the_command_trains_under_the_registry_file_name() -> None:
    ws = Workspace()
    full = train_command(ws, "layanan-aduan-20261130-141500.tar.gz")
    assert full[1] == "train" and "--force" in full
    assert full[full.index("--fixed-model-name") + 1] == "layanan-aduan-20261130-141500"
    assert full[full.index("--out") + 1] == str(ws.models_dir)
    nlu = train_command(ws, "m.tar.gz", nlu_only=True)
    assert nlu[1:3] == ["train", "nlu"] and "--domain" not in nlu


def stale(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        s.execute(
            sql_update(NluModel).values(heartbeat_at=utcnow() - registry.STALE_AFTER - timedelta(1))
        )


def test_the_heartbeat_ticks_while_a_quiet_subprocess_runs(
    database_url: str, tmp_path: Path
) -> None:
    engine = get_engine(database_url)
    row = registry.start_training(engine, copy_workspace(tmp_path), None)
    stale(engine)
    assert registry.running(engine) is None  # what 17 quiet minutes of evaluation did
    with Heartbeat(engine, row.id, every=3600) as ticker:
        assert ticker.alive and registry.running(engine) is not None
        stale(engine)
    assert not ticker.alive
    assert registry.running(engine) is not None  # beaten on the way out as well
    with pytest.raises(RegistryError, match="sedang berjalan"):
        registry.start_training(engine, copy_workspace(tmp_path / "again"), None)


def test_the_evaluation_says_which_set_of_how_many_and_skips_scored_sets(
    database_url: str, tmp_path: Path
) -> None:
    engine = get_engine(database_url)
    ws = copy_workspace(tmp_path)
    sets = []
    for name in ("test_nlu.yml", "heldout_2026_11.yml"):
        path = tmp_path / "tests" / "nlu" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'version: "3.1"\nnlu: []\n# {name}\n')
        sets.append(evaluation.HeldOutSet(f"tests/nlu/{name}", path))
    row = registry.start_training(engine, ws, None)
    registry.save_metrics(engine, row.id, {sets[0].name: {"set_sha256": sets[0].sha256()}})
    current = registry.get(engine, row.id)
    assert current is not None
    assert evaluation.pending(current, sets) == [sets[1]]
    sets[0].path.write_text("changed\n")  # a changed set is tested again
    assert evaluation.pending(current, sets) == sets
    assert (
        evaluation.evaluation_phase(2, 8, sets[1], "model baru")
        == "mengevaluasi pada set uji 2 dari 8: heldout_2026_11 (model baru)"
    )


def test_the_evaluation_is_its_own_stage_and_the_bar_moves_set_by_set(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """E24: the bar sat at 98 % through ~9 minutes of `rasa test nlu` after training. The
    training fills the first TRAIN_SHARE percent; each evaluated set moves the bar on, and
    the phase names the stage and the set."""
    engine = get_engine(database_url)
    ws = copy_workspace(tmp_path)
    sets = []
    for n in range(4):
        path = tmp_path / "tests" / "nlu" / f"heldout_{n}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'version: "3.1"\nnlu: []\n# {n}\n')
        sets.append(evaluation.HeldOutSet(f"tests/nlu/heldout_{n}.yml", path))
    served = registry.start_training(engine, ws, None)
    registry.finish_training(engine, served.id, True, 1.0, "siap", "", "0" * 64)
    new = registry.start_training(engine, copy_workspace(tmp_path / "new"), None)
    seen: list[tuple[int, str]] = []

    def fake_evaluate(  # type: ignore[no-untyped-def]
        engine_, ws_, model_id, model, sets_, before_set=None
    ):
        for held_out in sets_:
            assert before_set is not None
            before_set(held_out)
            row = registry.get(engine, new.id)
            assert row is not None
            seen.append((row.progress, row.phase))
        return {}

    monkeypatch.setattr(evaluation, "evaluate_model", fake_evaluate)
    monkeypatch.setattr(registry, "active", lambda _engine: registry.get(engine, served.id))
    evaluate_both(engine, ws, new.id, sets, "")

    percents = [p for p, _ in seen]
    assert len(percents) == 8  # four sets, new model then served
    assert percents == sorted(set(percents))  # moves at every set
    assert percents[0] >= TRAIN_SHARE and percents[-1] < 100
    assert seen[2][1] == (
        "tahap 2 dari 2, evaluasi: mengevaluasi pada set uji 3 dari 8: heldout_2 (model baru)"
    )
    assert seen[-1][1].endswith("set uji 8 dari 8: heldout_3 (model dipakai)")
    # The training itself ends below where the evaluation starts.
    assert [training_percent(p) for p in (0, 50, 97, 100)] == [0, 12, 24, TRAIN_SHARE]
