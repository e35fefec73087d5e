"""The model files and the Rasa engine as our tools drive them (bot.training.rasa_engine):
the inputs hash and `make train`'s skip rule, a training that fails, and loading a trained
model into the running Rasa server (`python -m bot model load`, after `make train`): a real
Rasa server with an auth token, as in production."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.__main__ import main
from bot.training.rasa_engine import (
    RASA,
    Outcome,
    inputs_hash,
    load_model,
    served_model,
    train_served,
)
from devtools.devstack import MODEL, Servers, free_port
from tests.utils.models import copy_workspace
from tests.utils.stack import rasa_stack

TOKEN = "model-load-test-token"


def test_the_data_hash_is_the_one_sha256sum_computes(tmp_path: Path) -> None:
    """Stamps written by the shell script that trained before (scripts/train.sh) stay valid."""
    ws = copy_workspace(tmp_path)
    (ws.data_dir / "reviewed.yml").write_text('version: "3.1"\nnlu: []\n')
    shell = subprocess.run(
        [
            "bash",
            "-c",
            "{ sha256sum config.yml domain.yml; find data/rasa -type f -print0 | LC_ALL=C sort -z"
            " | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert inputs_hash(ws) == shell.stdout.strip()
    before = inputs_hash(ws)
    (ws.data_dir / "reviewed.yml").write_text('version: "3.1"\nnlu: []\n# edit\n')
    assert inputs_hash(ws) != before


def test_the_served_file_is_up_to_date_only_for_the_inputs_its_stamp_names(
    tmp_path: Path,
) -> None:
    ws = copy_workspace(tmp_path)
    assert not ws.up_to_date()  # no model yet
    ws.stamp.write_text(inputs_hash(ws) + "\n")
    assert not ws.up_to_date()  # a stamp without the file it answers for
    ws.served_file.write_bytes(b"model")
    assert ws.up_to_date()
    nlu = ws.data_dir / "nlu.yml"
    nlu.write_text(nlu.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # an edit
    assert not ws.up_to_date()
    new_file = ws.data_dir / "reviewed.yml"  # a new data file counts too
    ws.stamp.write_text(inputs_hash(ws) + "\n")
    assert ws.up_to_date()
    new_file.write_text('version: "3.1"\nnlu: []\n')
    assert not ws.up_to_date()


# A pipeline that trains in seconds: the project's data and domain, a small model.
QUICK_CONFIG = """recipe: default.v1
language: id
assistant_id: quick-test
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: LogisticRegressionClassifier
policies:
  - name: RulePolicy
"""


@pytest.mark.rasa
@pytest.mark.skipif(not RASA.is_file(), reason="the Rasa engine is not installed (.venv-rasa)")
def test_a_training_writes_the_served_file_and_the_stamp_of_its_inputs(tmp_path: Path) -> None:
    ws = copy_workspace(tmp_path)
    ws.config.write_text(QUICK_CONFIG)
    assert not ws.up_to_date()

    trained = train_served(ws)

    assert trained.ok, trained.log_tail
    assert ws.served_file.is_file() and ws.up_to_date()
    assert ws.stamp.read_text().strip() == inputs_hash(ws)
    assert "Your Rasa model is trained and saved" in ws.train_log.read_text(encoding="utf-8")


@pytest.mark.rasa
@pytest.mark.skipif(not RASA.is_file(), reason="the Rasa engine is not installed (.venv-rasa)")
def test_a_failed_training_shows_rasas_words_and_writes_no_stamp(tmp_path: Path) -> None:
    ws = copy_workspace(tmp_path)
    ws.config.write_text("recipe: default.v1\nlanguage: id\npipeline:\n  - name: NoSuchComponent\n")

    trained = train_served(ws)

    assert not trained.ok
    assert "NoSuchComponent" in trained.log_tail
    assert "NoSuchComponent" in ws.train_log.read_text(encoding="utf-8")
    assert not ws.stamp.exists() and not ws.up_to_date()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with rasa_stack(tmp_path_factory.mktemp("model-load"), rasa_auth_token=TOKEN) as running:
        yield running


def _answers(servers: Servers, text: str) -> list[str]:
    response = httpx.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        json={"sender": "model-load", "message": text},
        timeout=60,
    )
    response.raise_for_status()
    return [m.get("text", "") for m in response.json()]


@pytest.mark.rasa
def test_a_trained_model_is_loaded_without_restart(servers: Servers, tmp_path: Path) -> None:
    copy = tmp_path / "retrained.tar.gz"
    copy.write_bytes(MODEL.read_bytes())
    pid = servers.rasa.pid

    result = load_model(servers.rasa_url, copy, TOKEN)

    assert result.outcome is Outcome.LOADED, result.detail
    assert Path(result.model_file).name == copy.name
    assert servers.rasa.pid == pid and servers.rasa.poll() is None
    assert any("KTP" in text for text in _answers(servers, "syarat bikin KTP apa aja?"))


@pytest.mark.rasa
def test_a_wrong_token_is_refused_and_the_model_stays(servers: Servers) -> None:
    before = served_model(servers.rasa_url, TOKEN)

    result = load_model(servers.rasa_url, MODEL, "not-the-token")

    assert result.outcome is Outcome.REFUSED
    assert served_model(servers.rasa_url, TOKEN) == before


@pytest.mark.rasa
def test_a_broken_model_file_fails_and_the_served_model_stays(
    servers: Servers, tmp_path: Path
) -> None:
    before = served_model(servers.rasa_url, TOKEN)
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a model")

    result = load_model(servers.rasa_url, broken, TOKEN)

    assert result.outcome is Outcome.FAILED
    assert served_model(servers.rasa_url, TOKEN) == before
    assert _answers(servers, "halo")


@pytest.mark.rasa
def test_cli_without_a_running_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.config import get_settings

    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    try:
        assert main(["model", "load", "--model", str(MODEL), "--if-running"]) == 0
        assert "not running" in capsys.readouterr().out
        assert main(["model", "load", "--model", str(MODEL)]) == 1
    finally:
        get_settings.cache_clear()
