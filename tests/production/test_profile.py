"""The production profile's switch and files without starting it: what bot/production.py
refuses and derives (for the local Bot API stand-in and for a real bot token), what
scripts/dev-env.sh does with PROFILE, the Procfile's lines, the proxy's configuration
(checked by haproxy itself) and the lock store in endpoints.yml."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from honcho.environ import parse_procfile

from bot import production
from bot.config import Settings
from bot.telegram.app import WEBHOOK_PATH
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
# With a real bot token: the public webhook and its secret, set by the operator.
REAL_TELEGRAM = {
    "TELEGRAM_BOT_TOKEN": "123456:real-token-from-botfather",
    "TELEGRAM_WEBHOOK_URL": "https://aduan.example.go.id/telegram/webhook",
    "TELEGRAM_WEBHOOK_SECRET": "Hk3mP9qR2sT5vW8xZ1bC4dF7gJ0kL6nQ-_aYe",
}
PROCFILE = parse_procfile((ROOT / "Procfile.production").read_text()).processes


@pytest.fixture
def local(tmp_path: Path) -> dict[str, str]:
    """GOOD without a bot token (the local stand-in), its VAR_DIR in `tmp_path`."""
    return {**GOOD, "VAR_DIR": str(tmp_path / "var")}


def test_the_profile_derives_ports_replicas_and_the_lock_store(local: dict[str, str]) -> None:
    derived = production.environment(local)
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
    assert [derived[f"FRONTEND{n}_PORT"] for n in ("", "_1", "_2")] == ["8090", "8091", "8092"]
    chosen = production.environment({**local, "RASA_1_PORT": "6001", "SQL_POOL_SIZE": "2"})
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
        ({"FRONTEND_2_PORT": "8090"}, "ports must differ"),
        ({"FRONTEND_1_PORT": "x"}, "FRONTEND_1_PORT must be a port number"),
        ({"APP_ENV": "production"}, "APP_ENV=production needs TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_WEBHOOK_SECRET": "with spaces"}, "Telegram accepts 1-256 characters"),
    ],
)
def test_the_profile_refuses(
    change: dict[str, str], problem: str, local: dict[str, str], tmp_path: Path
) -> None:
    with pytest.raises(production.ProfileRefused) as refused:
        production.environment({**local, **change})
    assert any(problem in p for p in refused.value.problems), refused.value.problems
    assert not (tmp_path / "var").exists()  # nothing generated for a refused profile


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"TELEGRAM_WEBHOOK_URL": ""}, "TELEGRAM_WEBHOOK_URL must be set with TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_WEBHOOK_URL": "http://aduan.example.go.id/telegram/webhook"}, "https://"),
        ({"TELEGRAM_WEBHOOK_URL": "https:///telegram/webhook"}, "https://"),
        ({"TELEGRAM_WEBHOOK_SECRET": ""}, "TELEGRAM_WEBHOOK_SECRET must be set"),
        ({"TELEGRAM_WEBHOOK_SECRET": "short-secret"}, "at least 32 characters"),
        ({"TELEGRAM_WEBHOOK_SECRET": "change-me-" + "x" * 30}, "holds a placeholder"),
        ({"TELEGRAM_WEBHOOK_SECRET": "a" * 31 + "!"}, "Telegram accepts 1-256 characters"),
    ],
)
def test_with_a_real_bot_token_the_webhook_is_the_operators(
    change: dict[str, str], problem: str, tmp_path: Path
) -> None:
    """Telegram posts only to an https:// address the operator made public; its secret is
    theirs too (none is generated for a real bot)."""
    env = {**GOOD, **REAL_TELEGRAM, "VAR_DIR": str(tmp_path), **change}
    with pytest.raises(production.ProfileRefused) as refused:
        production.environment(env)
    assert any(problem in p for p in refused.value.problems), refused.value.problems


def test_with_a_real_bot_token_the_webhook_is_kept_and_nothing_generated(tmp_path: Path) -> None:
    env = {**GOOD, **REAL_TELEGRAM, "VAR_DIR": str(tmp_path / "var")}
    derived = production.environment(env)
    assert "TELEGRAM_WEBHOOK_URL" not in derived and "TELEGRAM_WEBHOOK_SECRET" not in derived
    assert (derived["FRONTEND_1_PORT"], derived["FRONTEND_2_PORT"]) == ("8091", "8092")
    assert not (tmp_path / "var").exists()


def test_the_local_stand_in_posts_to_the_proxy_with_a_secret_kept_in_var(
    local: dict[str, str], tmp_path: Path
) -> None:
    first = production.environment(local)
    assert first["TELEGRAM_WEBHOOK_URL"] == f"http://127.0.0.1:8090{WEBHOOK_PATH}"
    secret = first["TELEGRAM_WEBHOOK_SECRET"]
    kept = tmp_path / "var" / production.LOCAL_WEBHOOK_SECRET_FILE
    assert kept.read_text().strip() == secret
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # The front ends accept it as their webhook secret.
    settings = Settings(
        app_env="development",
        telegram_webhook_url=first["TELEGRAM_WEBHOOK_URL"],
        telegram_webhook_secret=secret,
    )
    assert settings.telegram_webhook_secret == secret
    again = production.environment({**local, "FRONTEND_PORT": "9000"})
    assert again["TELEGRAM_WEBHOOK_SECRET"] == secret  # kept across runs
    assert again["TELEGRAM_WEBHOOK_URL"] == f"http://127.0.0.1:9000{WEBHOOK_PATH}"
    chosen = production.environment({**local, "TELEGRAM_WEBHOOK_SECRET": "mine_0123456789"})
    assert chosen["TELEGRAM_WEBHOOK_SECRET"] == "mine_0123456789"
    kept.write_text("not a secret Telegram takes\n")
    assert production.environment(local)["TELEGRAM_WEBHOOK_SECRET"] != secret  # renewed


def test_the_webhook_path_is_the_front_ends() -> None:
    assert production.WEBHOOK_PATH == WEBHOOK_PATH


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


def test_dev_env_starts_the_production_procfile_only_with_a_complete_environment(
    tmp_path: Path,
) -> None:
    refused = dev_env({"PROFILE": "production", "RASA_AUTH_TOKEN": TOKEN}, "procfile")
    assert refused.returncode != 0
    assert "DATABASE_URL must be set" in refused.stderr and "REDIS_URL" in refused.stderr
    no_webhook = dev_env(
        {"PROFILE": "production", **GOOD, "TELEGRAM_BOT_TOKEN": "1:real"}, "procfile"
    )
    assert no_webhook.returncode != 0
    assert "TELEGRAM_WEBHOOK_URL must be set" in no_webhook.stderr
    assert "TELEGRAM_WEBHOOK_SECRET must be set" in no_webhook.stderr
    started = dev_env(
        {"PROFILE": "production", **GOOD, **REAL_TELEGRAM},
        "procfile",
        "processes",
        "RASA_URLS",
        "RASA_LOCK_STORE",
        "TELEGRAM_WEBHOOK_URL",
        "FRONTEND_PORT",
        "FRONTEND_2_PORT",
    )
    assert started.returncode == 0, started.stderr
    procfile, processes, urls, lock_store, webhook, proxy, second = started.stdout.splitlines()
    assert procfile == "Procfile.production"
    assert processes.split() == [p for p in PROCFILE if p != "botapi"]
    assert {"telegram1", "telegram2"} <= set(processes.split())
    assert urls == "http://127.0.0.1:5011,http://127.0.0.1:5012"
    assert lock_store == production.LOCK_STORE
    assert (webhook, proxy, second) == (REAL_TELEGRAM["TELEGRAM_WEBHOOK_URL"], "8090", "8092")
    var = tmp_path / "var"
    local = dev_env(
        {"PROFILE": "production", **GOOD, "VAR_DIR": str(var)},
        "procfile",
        "processes",
        "TELEGRAM_WEBHOOK_URL",
        "TELEGRAM_WEBHOOK_SECRET",
        "TELEGRAM_API_BASE_URL",
    )
    assert local.returncode == 0, local.stderr
    procfile, processes, webhook, secret, api = local.stdout.splitlines()
    assert (procfile, processes) == ("Procfile.production", "")  # all, botapi too
    assert webhook == f"http://127.0.0.1:8090{WEBHOOK_PATH}"
    assert secret == (var / production.LOCAL_WEBHOOK_SECRET_FILE).read_text().strip()
    assert api == "http://127.0.0.1:8081/bot"  # the front ends call the stand-in


def test_dev_env_keeps_make_run_as_it_was_and_refuses_an_unknown_profile() -> None:
    default = dev_env({"RASA_AUTH_TOKEN": TOKEN}, "procfile", "RASA_LOCK_STORE", "RASA_URLS")
    assert default.returncode == 0, default.stderr
    assert default.stdout.splitlines() == ["Procfile.local", "in_memory", ""]
    unknown = dev_env({"PROFILE": "staging", "RASA_AUTH_TOKEN": TOKEN}, "procfile")
    assert unknown.returncode != 0 and "PROFILE must be" in unknown.stderr


def test_every_production_line_runs_under_respawn_and_rasa_needs_its_token(
    local: dict[str, str],
) -> None:
    assert set(PROCFILE) == {
        "proxy",
        "rasa1",
        "rasa2",
        "actions1",
        "actions2",
        "console",
        "telegram1",
        "telegram2",
        "botapi",
    }
    for name, command in PROCFILE.items():
        command = command.removeprefix("sleep 2 && ")
        command = command.removeprefix(f"FRONTEND_PORT=${{FRONTEND_{name[-1]}_PORT:?}} ")
        assert command.startswith("scripts/respawn.sh "), name
    env = {"PATH": os.environ["PATH"], **production.environment(local)}
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


@pytest.mark.parametrize("name", ["telegram1", "telegram2"])
def test_each_front_end_listens_on_its_own_port_behind_the_proxy(
    name: str, local: dict[str, str]
) -> None:
    """A front end's FRONTEND_PORT (its HTTP port and replica name) is its FRONTEND_n_PORT,
    not the proxy's; the webhook URL and secret reach it unchanged."""
    derived = production.environment(local)
    probe = "printenv FRONTEND_PORT TELEGRAM_WEBHOOK_URL TELEGRAM_WEBHOOK_SECRET"
    command = PROCFILE[name].removeprefix("sleep 2 && ")
    command = command.replace("scripts/respawn.sh .venv/bin/python -m bot telegram", probe)
    printed = subprocess.run(
        ["sh", "-c", command],
        env={"PATH": os.environ["PATH"], **derived},
        capture_output=True,
        text=True,
    )
    assert printed.stdout.splitlines() == [
        derived[f"FRONTEND_{name[-1]}_PORT"],
        derived["TELEGRAM_WEBHOOK_URL"],
        derived["TELEGRAM_WEBHOOK_SECRET"],
    ]
    unset = {k: v for k, v in derived.items() if k != f"FRONTEND_{name[-1]}_PORT"}
    refused = subprocess.run(
        ["sh", "-c", command], env={"PATH": os.environ["PATH"], **unset}, capture_output=True
    )
    assert refused.returncode != 0  # never the proxy's port by default


def test_the_front_ends_share_the_bots_telegram_send_limit(local: dict[str, str]) -> None:
    """AIORateLimiter counts per process: each front end of the profile gets its share of
    the one limit, so that together they stay under it (not 25/s each, 50/s in all)."""
    one_front_end = Settings.model_fields["telegram_overall_max_rate"].default
    front_ends = [n for n, c in PROCFILE.items() if c.endswith("-m bot telegram")]
    assert len(front_ends) == production.REPLICAS
    each = float(production.environment(local)["TELEGRAM_OVERALL_MAX_RATE"])
    assert each * len(front_ends) <= one_front_end
    assert each * len(front_ends) >= one_front_end * 0.9  # and not much less
    chosen = production.environment({**local, "TELEGRAM_OVERALL_MAX_RATE": "10"})
    assert chosen["TELEGRAM_OVERALL_MAX_RATE"] == "10"  # an operator's own share is kept


def test_haproxy_accepts_the_proxy_configuration(local: dict[str, str]) -> None:
    haproxy = haproxy_path()
    if haproxy is None:
        if IN_CI:
            pytest.fail("haproxy is required with CI=true (scripts/ensure-proxy.sh)")
        pytest.skip("haproxy is not installed (scripts/ensure-proxy.sh installs it as root)")

    def check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [haproxy, "-c", "-f", "deploy/haproxy.cfg"],
            cwd=ROOT,
            env={"PATH": os.environ["PATH"], **env},
            capture_output=True,
            text=True,
            timeout=30,
        )

    derived = production.environment(local)
    checked = check(derived)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert check({}).returncode != 0  # no port: refused, never a default address
    # The front ends' section: the proxy's webhook port and both front ends are its own.
    for name in ("FRONTEND_PORT", "FRONTEND_1_PORT", "FRONTEND_2_PORT"):
        without = check({k: v for k, v in derived.items() if k != name})
        assert without.returncode != 0, name


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


def test_the_profile_prints_shell_exports(local: dict[str, str]) -> None:
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "bot.production"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **local, "REDIS_URL": "redis://:a b'c@h:1/0"},
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
