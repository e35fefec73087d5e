"""rasa_addons.channel, the REST channel credentials.yml names, run where Rasa runs
(.venv-rasa): the URL of Rasa's own channel, the same validation of the action server's
answers (the same error for a bad answer), and a SQLite tracker store in WAL mode with
synchronous=NORMAL."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from devtools.devstack import ROOT, engine_env

pytestmark = pytest.mark.rasa
PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

SCRIPT = """
import json, sys
import sqlalchemy
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa_addons.channel import RestChannel

def error_of(action, answer):
    try:
        action._validate_action_result(answer)
    except ValidationError as exc:
        return exc.message
    return None

action = RemoteAction("action_ask", None)
bad = {"events": [{"event": "slot", "name": "x"}], "responses": "not a list"}
good = {"events": [{"event": "slot", "name": "x", "value": 1}],
        "responses": [{"text": "halo", "buttons": [{"title": "Ya", "payload": "/affirm"}]}]}
rasa_error = error_of(action, bad)
channel = RestChannel.from_credentials(None)
engine = sqlalchemy.create_engine("sqlite:///" + sys.argv[1])
with engine.connect() as connection:
    modes = [connection.exec_driver_sql(f"PRAGMA {p}").scalar()
             for p in ("journal_mode", "synchronous")]
print(json.dumps({
    "name": channel.name(), "prefix": channel.url_prefix(),
    "rasa_error": rasa_error, "error": error_of(action, bad), "good": error_of(action, good),
    "modes": modes,
}))
"""


def test_the_channel_is_rasas_rest_channel_with_compiled_validation(tmp_path: Path) -> None:
    if not PYTHON.exists():
        pytest.skip("the Rasa engine is not installed (.venv-rasa)")
    done = subprocess.run(
        [str(PYTHON), "-c", SCRIPT, str(tmp_path / "tracker.db")],
        cwd=ROOT,
        env=engine_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["name"], result["prefix"]) == ("rest", "rest")  # /webhooks/rest/webhook
    assert result["rasa_error"] and "Failed to validate Action server response" in result["error"]
    assert result["error"] == result["rasa_error"]
    assert result["good"] is None
    assert result["modes"] == ["wal", 1]  # 1: NORMAL


def test_credentials_name_the_channel() -> None:
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert list(credentials) == ["rasa_addons.channel.RestChannel"]
