"""scripts/dev-env.sh as the make targets source it: ports chosen in .env reach every URL
derived from them (Make's own defaults must not win over .env)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from devtools.devstack import ROOT


def environment_of_make(tmp_path: Path, dotenv: str, *names: str) -> list[str]:
    """The values of `names` inside a make recipe that sources dev-env.sh, like `make health`."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "dev-env.sh", tmp_path / "scripts" / "dev-env.sh")
    (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    echo = " ".join(f"$${name}" for name in names)
    recipe = f"probe: ; @source scripts/dev-env.sh && echo {echo}"
    done = subprocess.run(
        ["make", "-s", "-C", str(tmp_path), "--eval", recipe, "probe"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
def test_ports_in_dotenv_reach_the_urls_derived_from_them(tmp_path: Path) -> None:
    dotenv = "ACTION_SERVER_PORT=15055\nRASA_PORT=15005\nRASA_AUTH_TOKEN=t\n"
    assert environment_of_make(
        tmp_path, dotenv, "ACTION_ENDPOINT_URL", "RASA_URL", "RASA_TRACKER_URL"
    ) == [
        "http://127.0.0.1:15055/webhook",
        "http://127.0.0.1:15005",
        "sqlite:///var/rasa_tracker.db",
    ]


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
def test_an_explicit_url_in_dotenv_is_kept(tmp_path: Path) -> None:
    dotenv = "ACTION_ENDPOINT_URL=http://actions:6000/webhook\nRASA_AUTH_TOKEN=t\n"
    assert environment_of_make(tmp_path, dotenv, "ACTION_ENDPOINT_URL") == [
        "http://actions:6000/webhook"
    ]
