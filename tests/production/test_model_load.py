"""A model reaches every Rasa replica (issue 13): `python -m bot model load` and the console's
activation load it into each server of RASA_URLS, not only the one the proxy picks, and a
replica that fails leaves the others serving the model served before."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.training.rasa_engine import Outcome, load_model_everywhere, served_model
from devtools.devstack import MODEL, ROOT
from devtools.profile_stack import ProfileStack

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]


def serving(stack: ProfileStack) -> list[str | None]:
    return [served_model(url, stack.token) for url in stack.replica_urls]


def test_model_load_reaches_every_replica(production_stack: ProfileStack, tmp_path: Path) -> None:
    copy = tmp_path / "layanan-aduan-replicas.tar.gz"
    shutil.copy(MODEL, copy)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "model", "load", "--model", str(copy)],
        cwd=ROOT,
        env={**production_stack.env, "RASA_URL": production_stack.rasa_url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert serving(production_stack) == [copy.name, copy.name]
    for url in production_stack.replica_urls:
        assert url in done.stdout
    # Both still answer through the proxy.
    reply = httpx.post(
        f"{production_stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": "model-load-check", "message": "syarat ktp"},
        timeout=60,
    )
    assert reply.status_code == 200 and reply.json()


def test_a_replica_that_fails_leaves_the_others_on_the_model_served_before(
    production_stack: ProfileStack, tmp_path: Path
) -> None:
    before = tmp_path / "served-before.tar.gz"
    candidate = tmp_path / "candidate.tar.gz"
    shutil.copy(MODEL, before)
    shutil.copy(MODEL, candidate)
    first, second = production_stack.replica_urls
    # The second "replica" answers 404 to PUT /model: Rasa, at a path it does not serve.
    result = load_model_everywhere(
        [first, f"{second}/not-rasa"], candidate, production_stack.token, restore=before
    )
    assert result.outcome is Outcome.FAILED
    assert f"{second}/not-rasa" in result.detail
    assert served_model(first, production_stack.token) == before.name
