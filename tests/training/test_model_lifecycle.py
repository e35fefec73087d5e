"""The model lifecycle with real Rasa: a training started like the console starts it (a
deliberately worse NLU-only model, trained on two examples per intent and no lookup
tables), evaluated with `rasa test nlu` beside the served model on a small held-out set;
its activation refused, then allowed with a supervisor's reason and loaded into a running
Rasa server; rollback loading the previous model into that server again."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import Engine

from bot.store.db import get_engine, prepare_database
from bot.store.models import OfficerRole
from bot.training import activation, evaluation, registry
from bot.training.rasa_engine import Workspace, inputs_hash
from bot.training.training_run import Trainer
from devtools.devstack import MODEL, Servers, start_rasa_server, wait_http
from tests.utils import ROOT
from tests.utils.models import copy_workspace
from tests.utils.officer import add_officer

pytestmark = pytest.mark.rasa
TOKEN = "lifecycle-test-token"
HELD_OUT = "tests/nlu/test_nlu.yml"


@dataclass
class Setup:
    engine: Engine
    ws: Workspace
    rasa: activation.Rasa
    servers: Servers
    served: registry.ModelRow  # the project's model, adopted
    worse: registry.ModelRow  # trained here
    trainer_id: int
    supervisor_id: int


def _tiny_training_data(ws: Workspace) -> None:
    """Two examples per intent, no lookup tables or synonyms: a worse model."""
    blocks = yaml.safe_load((ROOT / "data" / "rasa" / "nlu.yml").read_text(encoding="utf-8"))
    tiny = []
    for block in blocks["nlu"]:
        if "intent" in block:
            lines = [x for x in block["examples"].splitlines() if x.strip().startswith("- ")]
            tiny.append({"intent": block["intent"], "examples": "\n".join(lines[:2]) + "\n"})
    shutil.rmtree(ws.data_dir)
    ws.data_dir.mkdir(parents=True)
    (ws.data_dir / "nlu.yml").write_text(
        yaml.safe_dump({"version": "3.1", "nlu": tiny}, allow_unicode=True), encoding="utf-8"
    )


def _small_held_out(ws: Workspace) -> None:
    """20 messages of the first held-out set, the only held-out set of this workspace."""
    blocks = yaml.safe_load((ROOT / HELD_OUT).read_text(encoding="utf-8"))["nlu"]
    small = []
    for block in [b for b in blocks if "intent" in b][:10]:
        lines = [x for x in block["examples"].splitlines() if x.strip().startswith("- ")]
        small.append({"intent": block["intent"], "examples": "\n".join(lines[:2]) + "\n"})
    target = ws.root / HELD_OUT
    target.parent.mkdir(parents=True)
    target.write_text(
        yaml.safe_dump({"version": "3.1", "nlu": small}, allow_unicode=True), encoding="utf-8"
    )


def served_file(rasa: activation.Rasa) -> str:
    status = httpx.get(f"{rasa.url}/status", params={"token": TOKEN}, timeout=30)
    status.raise_for_status()
    return Path(status.json()["model_file"]).name


def intent_of(rasa: activation.Rasa, text: str) -> str:
    parsed = httpx.post(
        f"{rasa.url}/model/parse", params={"token": TOKEN}, json={"text": text}, timeout=60
    )
    parsed.raise_for_status()
    return str(parsed.json()["intent"]["name"])


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    if not MODEL.is_file():
        pytest.skip("no trained model: run make train")
    folder = tmp_path_factory.mktemp("lifecycle")
    url = f"sqlite:///{folder / 'registry.db'}"
    prepare_database(url, seed="never")
    engine = get_engine(url)
    trainer_id = add_officer(engine, "tina", OfficerRole.TRAINER, [], "Tina")
    supervisor_id = add_officer(engine, "siti", OfficerRole.SUPERVISOR, [], "Siti")
    ws = copy_workspace(folder / "ws")
    shutil.copy(MODEL, ws.served_file)  # what `make train` left: the served model
    _tiny_training_data(ws)
    _small_held_out(ws)

    servers = Servers(folder, url, rasa_auth_token=TOKEN)
    # The project's model; a loaded machine may take longer than Servers.start_rasa waits.
    servers.rasa = start_rasa_server(
        servers.rasa_port, servers.action_port, folder / "rasa.log", auth_token=TOKEN
    )
    wait_http(f"{servers.rasa_url}/status?token={TOKEN}", 900, servers.rasa)
    try:
        trainer = Trainer(engine, ws, nlu_only=True)
        started = trainer.start(trainer_id)
        assert registry.running(engine) is not None
        with pytest.raises(registry.RegistryError):
            trainer.start(trainer_id)  # one at a time
        trainer.wait()
        worse = registry.get(engine, started.id)
        served = registry.active(engine)
        assert worse is not None and served is not None
        yield Setup(
            engine,
            ws,
            activation.Rasa(servers.rasa_url, TOKEN),
            servers,
            served,
            worse,
            trainer_id,
            supervisor_id,
        )
    finally:
        servers.stop_all()


def test_the_console_training_ends_ready_and_both_models_are_evaluated(setup: Setup) -> None:
    worse = registry.get(setup.engine, setup.worse.id)
    served = registry.get(setup.engine, setup.served.id)
    assert worse is not None and served is not None
    assert worse.status == registry.READY, worse.log_tail[-2000:]
    assert worse.progress == 100 and worse.training_seconds and worse.file_sha256
    assert worse.trained_by == "tina" and setup.ws.path_of(worse.file_name).is_file()
    for model in (worse, served):
        scores = model.metrics[HELD_OUT]
        assert 0 <= scores["accuracy"] <= 1 and 0 <= scores["macro_f1"] <= 1
        assert scores["entity_f1"] is None or 0 <= scores["entity_f1"] <= 1
        assert len(scores["predictions"]) == 20
        assert set(scores["per_intent"]) >= {e for _, e, _ in scores["predictions"]}
    assert served.metrics[HELD_OUT]["accuracy"] > worse.metrics[HELD_OUT]["accuracy"]
    comparison = evaluation.compare(served, worse)
    [one] = comparison.sets
    assert one.changed and all(c.old != c.new for c in one.changed)


def test_a_worse_model_is_refused_and_the_served_model_stays(setup: Setup) -> None:
    before = served_file(setup.rasa)
    with pytest.raises(activation.ActivationRefused, match="akurasi intent turun"):
        activation.activate(
            setup.engine, setup.ws, setup.rasa, setup.worse.id, setup.trainer_id, 0.01
        )
    with pytest.raises(registry.RegistryError, match="supervisor"):
        activation.activate(
            setup.engine,
            setup.ws,
            setup.rasa,
            setup.worse.id,
            setup.trainer_id,
            0.01,
            "saya yakin ini lebih baik sekali",
        )
    assert served_file(setup.rasa) == before
    active = registry.active(setup.engine)
    assert active is not None and active.id == setup.served.id


def test_a_supervisor_override_serves_it_and_rollback_restores_the_previous_model(
    setup: Setup,
) -> None:
    reason = "Perlu intent baru hari ini, diperbaiki besok"
    done = activation.activate(
        setup.engine,
        setup.ws,
        setup.rasa,
        setup.worse.id,
        setup.supervisor_id,
        0.01,
        reason,
        supervisor=True,
    )
    assert done.loaded and done.model.override_reason == reason
    assert served_file(setup.rasa) == setup.worse.file_name
    assert registry.file_sha256(setup.ws.served_file) == setup.worse.file_sha256
    assert setup.ws.stamp.read_text().strip() == setup.worse.data_hash

    back = activation.rollback(setup.engine, setup.ws, setup.rasa, setup.trainer_id)

    assert back.loaded and back.model.id == setup.served.id
    assert served_file(setup.rasa) == setup.served.file_name  # in the running server
    assert intent_of(setup.rasa, "syarat bikin KTP apa aja?") == "ask_requirements"
    assert registry.file_sha256(setup.ws.served_file) == setup.served.file_sha256
    assert setup.ws.stamp.read_text().strip() == inputs_hash(setup.ws)
    assert [h.kind for h in registry.history(setup.engine)] == ["rollback", "override", "adopt"]
