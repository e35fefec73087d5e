"""The production profile's switch and files without starting it: what bot/production.py
refuses and derives, what scripts/dev-env.sh does with PROFILE, the Procfile's lines, the
proxy's configuration (checked by haproxy itself) and the lock store in endpoints.yml."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from honcho.environ import parse_procfile

from bot import production
from bot.config import Settings
from bot.training.rasa_engine import Outcome, load_model_everywhere
from devtools.devstack import ROOT, engine_env, free_port
from devtools.profile_stack import haproxy_path
from tests.utils.db import IN_CI

TOKEN = "Zq4vN8cR2wX6mT0pL5sK9dJ3hF7gB1yA"
GOOD = {
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/layanan",
    "RASA_TRACKER_URL": "postgresql+psycopg2://rasa:pw@db:5432/rasa_tracker",
    "REDIS_URL": "redis://:s%40cret@127.0.0.1:6380/2",
    "RASA_AUTH_TOKEN": TOKEN,
}
PROCFILE = parse_procfile((ROOT / "Procfile.production").read_text()).processes


def test_the_profile_derives_ports_replicas_and_the_lock_store() -> None:
    derived = production.environment(GOOD)
    assert derived["RASA_LOCK_STORE"] == "rasa_addons.lock_store.AtomicRedisLockStore"
    assert [derived[f"RASA_LOCK_STORE_{p}"] for p in ("HOST", "PORT", "DB", "PASSWORD")] == [
        "127.0.0.1",
        "6380",
        "2",
        "s@cret",
    ]
    assert derived["RASA_URL"] == "http://127.0.0.1:5005"
    assert derived["RASA_URLS"] == "http://127.0.0.1:5011,http://127.0.0.1:5012"
    assert derived["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:5055/webhook"
    assert (derived["SQL_POOL_SIZE"], derived["SQL_MAX_OVERFLOW"]) == ("5", "5")
    chosen = production.environment({**GOOD, "RASA_1_PORT": "6001", "SQL_POOL_SIZE": "2"})
    assert chosen["RASA_URLS"].startswith("http://127.0.0.1:6001,")
    assert chosen["SQL_POOL_SIZE"] == "2"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"DATABASE_URL": ""}, "DATABASE_URL must be set"),
        ({"DATABASE_URL": "sqlite:///var/layanan.db"}, "DATABASE_URL must point at PostgreSQL"),
        ({"RASA_TRACKER_URL": "sqlite:///x.db"}, "RASA_TRACKER_URL must point at PostgreSQL"),
        ({"REDIS_URL": ""}, "REDIS_URL must be set"),
        ({"REDIS_URL": "rediss://h:6379/0"}, "REDIS_URL must be redis://"),
        ({"REDIS_URL": "redis://h:6379/x"}, "database must be a number"),
        ({"RASA_AUTH_TOKEN": ""}, "RASA_AUTH_TOKEN must be set"),
        ({"RASA_AUTH_TOKEN": "change-me-please-0123456789"}, "RASA_AUTH_TOKEN holds a placeholder"),
        ({"RASA_AUTH_TOKEN": "short"}, "at least 16 characters"),
        ({"RASA_2_PORT": "5011"}, "ports must differ"),
    ],
)
def test_the_profile_refuses(change: dict[str, str], problem: str) -> None:
    with pytest.raises(production.ProfileRefused) as refused:
        production.environment({**GOOD, **change})
    assert any(problem in p for p in refused.value.problems), refused.value.problems


def dev_env(env: dict[str, str], *names: str) -> subprocess.CompletedProcess[str]:
    """Source scripts/dev-env.sh (as make run does) in the project and print `names`."""
    echo = " ".join(f'"${{{name}:-}}"' for name in names)
    return subprocess.run(
        ["bash", "-c", f"source scripts/dev-env.sh && printf '%s\\n' {echo}"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_dev_env_starts_the_production_procfile_only_with_a_complete_environment() -> None:
    refused = dev_env({"PROFILE": "production", "RASA_AUTH_TOKEN": TOKEN}, "procfile")
    assert refused.returncode != 0
    assert "DATABASE_URL must be set" in refused.stderr and "REDIS_URL" in refused.stderr
    started = dev_env(
        {"PROFILE": "production", **GOOD, "TELEGRAM_BOT_TOKEN": "1:real"},
        "procfile",
        "processes",
        "RASA_URLS",
        "RASA_LOCK_STORE",
    )
    assert started.returncode == 0, started.stderr
    procfile, processes, urls, lock_store = started.stdout.splitlines()
    assert procfile == "Procfile.production"
    assert processes.split() == [p for p in PROCFILE if p != "botapi"]
    assert urls == "http://127.0.0.1:5011,http://127.0.0.1:5012"
    assert lock_store == production.LOCK_STORE
    local = dev_env({"PROFILE": "production", **GOOD}, "procfile", "processes")
    assert local.stdout.splitlines() == ["Procfile.production", ""]  # all, botapi too


def test_dev_env_keeps_make_run_as_it_was_and_refuses_an_unknown_profile() -> None:
    default = dev_env({"RASA_AUTH_TOKEN": TOKEN}, "procfile", "RASA_LOCK_STORE", "RASA_URLS")
    assert default.returncode == 0, default.stderr
    assert default.stdout.splitlines() == ["Procfile.local", "in_memory", ""]
    unknown = dev_env({"PROFILE": "staging", "RASA_AUTH_TOKEN": TOKEN}, "procfile")
    assert unknown.returncode != 0 and "PROFILE must be" in unknown.stderr


def test_every_production_line_runs_under_respawn_and_rasa_needs_its_token() -> None:
    assert {"proxy", "rasa1", "rasa2", "actions1", "actions2", "console", "telegram"} <= set(
        PROCFILE
    )
    for name, command in PROCFILE.items():
        assert command.removeprefix("sleep 2 && ").startswith("scripts/respawn.sh "), name
    env = {"PATH": os.environ["PATH"], **production.environment(GOOD)}
    for name in ("rasa1", "rasa2"):
        printed = subprocess.run(
            ["sh", "-c", "printf '%s\\n' " + PROCFILE[name]],
            env={**env, "RASA_AUTH_TOKEN": TOKEN},
            capture_output=True,
            text=True,
        )
        arguments = printed.stdout.splitlines()
        assert arguments[arguments.index("--auth-token") + 1] == TOKEN
        assert arguments[arguments.index("--port") + 1] == env[f"RASA_{name[-1]}_PORT"]
        assert arguments[arguments.index("--model") + 1] == "models/layanan-aduan.tar.gz"
        refused = subprocess.run(
            ["sh", "-c", "printf '%s\\n' " + PROCFILE[name]], env=env, capture_output=True
        )
        assert refused.returncode != 0 and b"RASA_AUTH_TOKEN" in refused.stderr


def test_haproxy_accepts_the_proxy_configuration() -> None:
    haproxy = haproxy_path()
    if haproxy is None:
        if IN_CI:
            pytest.fail("haproxy is required with CI=true (scripts/ensure-proxy.sh)")
        pytest.skip("haproxy is not installed (scripts/ensure-proxy.sh installs it as root)")
    env = {"PATH": os.environ["PATH"], **production.environment(GOOD)}
    checked = subprocess.run(
        [haproxy, "-c", "-f", "deploy/haproxy.cfg"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    unset = subprocess.run(
        [haproxy, "-c", "-f", "deploy/haproxy.cfg"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert unset.returncode != 0  # no port: refused, never a default address


def test_endpoints_take_the_lock_store_from_the_environment() -> None:
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert endpoints["lock_store"]["type"] == "${RASA_LOCK_STORE}"
    env = engine_env()
    assert env["RASA_LOCK_STORE"] == "in_memory"  # one Rasa server: as before
    for value in endpoints["lock_store"].values():
        assert value.startswith("${") and value[2:-1] in env  # Rasa refuses an unset one


def test_rasa_urls_name_every_replica_else_rasa_url() -> None:
    one = Settings(app_env="test", rasa_url="http://rasa:5005")
    assert one.rasa_replica_urls == ["http://rasa:5005"]
    two = Settings(app_env="test", rasa_urls=" http://a:5011, http://b:5012 ,")
    assert two.rasa_replica_urls == ["http://a:5011", "http://b:5012"]


def test_loading_where_no_replica_runs_says_so(tmp_path: Path) -> None:
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"not loaded")
    urls = [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"]
    result = load_model_everywhere(urls, model, "token")
    assert result.outcome is Outcome.NOT_RUNNING
    assert all(url in result.detail for url in urls)


def test_the_profile_prints_shell_exports() -> None:
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "bot.production"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **GOOD, "REDIS_URL": "redis://:a b'c@h:1/0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    exported = dict(
        shlex.split(line.removeprefix("export "))[0].split("=", 1)
        for line in done.stdout.splitlines()
    )
    assert exported["RASA_LOCK_STORE_PASSWORD"] == "a b'c"
