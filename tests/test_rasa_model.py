"""Loading a trained model into the running Rasa server (`python -m bot model load`, called by
`make train`): a real Rasa server with an auth token, as in production."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.__main__ import main
from bot.rasa_model import Outcome, load_model, served_model
from devtools.devstack import MODEL, Servers, free_port
from tests.utils.stack import rasa_stack

pytestmark = pytest.mark.rasa
TOKEN = "model-load-test-token"


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


def test_a_trained_model_is_loaded_without_restart(servers: Servers, tmp_path: Path) -> None:
    copy = tmp_path / "retrained.tar.gz"
    copy.write_bytes(MODEL.read_bytes())
    pid = servers.rasa.pid

    result = load_model(servers.rasa_url, copy, TOKEN)

    assert result.outcome is Outcome.LOADED, result.detail
    assert Path(result.model_file).name == copy.name
    assert servers.rasa.pid == pid and servers.rasa.poll() is None
    assert any("KTP" in text for text in _answers(servers, "syarat bikin KTP apa aja?"))


def test_a_wrong_token_is_refused_and_the_model_stays(servers: Servers) -> None:
    before = served_model(servers.rasa_url, TOKEN)

    result = load_model(servers.rasa_url, MODEL, "not-the-token")

    assert result.outcome is Outcome.REFUSED
    assert served_model(servers.rasa_url, TOKEN) == before


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
