"""compose.yaml and deploy/k8s/ are in step with the tested production profile.

Neither can run on these machines (no Docker, no cluster); what is tested is the profile
itself: Procfile.production, bot/production.py, deploy/haproxy.cfg and endpoints.yml
(tests/production/). These checks read the files only (PyYAML): the same programs with the
same flags as the Procfile's lines, every variable bot/production.py requires provided (and
accepted by bot/config.py in production), every variable endpoints.yml substitutes set for
Rasa, bot.production.REPLICAS replicas, and ports consistent with
bot.production.DEFAULT_PORTS and the proxy's configuration. Each check returns the problems
it finds, so that the last tests can show, on edited copies in a temporary folder, that a
removed variable or a changed count is caught.
"""

from __future__ import annotations

import functools
import re
import shlex
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from honcho.environ import parse_procfile

from bot import production
from bot.config import Settings

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
K8S = ROOT / "deploy" / "k8s"
PROCFILE = ROOT / "Procfile.production"
HAPROXY = ROOT / "deploy" / "haproxy.cfg"
ENDPOINTS = ROOT / "endpoints.yml"

# What an operator puts in .env (compose) or the Secret (Kubernetes): values of the right
# shape, none of them a placeholder that bot/config.py refuses.
OPERATOR_VALUES = {
    "POSTGRES_PASSWORD": "c5e0a9d2b7f4416e8a3b",
    "PUBLIC_HOST": "aduan.example.go.id",
    "SECRET_KEY": "q2Vn7Lr9Tz4Wm1Kd8Hs5Bf3Jc6Pg0Ya",
    "RASA_AUTH_TOKEN": "Zq4vN8cR2wX6mT0pL5sK9dJ3hF7gB1yA",
    "TELEGRAM_BOT_TOKEN": "7001002003:AAGm4Tq9Lr2Vn7Kd8Hs5Bf3Jc6Pg0YaWz",
    "TELEGRAM_WEBHOOK_URL": "https://aduan.example.go.id/telegram/webhook",
    "TELEGRAM_WEBHOOK_SECRET": "Hk3Nw8Qz1Vr6Tm2Lp9Xc4Bd7Fg0Js5Ya_Ue-RiOo",
    "DATABASE_URL": "postgresql://layanan:c5e0a9d2b7f4416e8a3b@db.internal:5432/layanan",
    "RASA_TRACKER_URL": "postgresql://rasa:c5e0a9d2b7f4416e8a3b@db.internal:5432/rasa_tracker",
    "RASA_LOCK_STORE_PASSWORD": "",
}
# Never in a manifest's plain configuration.
SECRET_NAMES = {
    "SECRET_KEY",
    "RASA_AUTH_TOKEN",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "DATABASE_URL",
    "RASA_TRACKER_URL",
    "RASA_LOCK_STORE_PASSWORD",
}
# The profile's processes besides the Telegram front ends (Procfile.production names them
# `telegram`, or `telegram1`... in webhook mode) and the local Bot API stand-in.
CORE = ("proxy", "rasa1", "rasa2", "actions1", "actions2", "console")
SETTINGS_NAMES = {field.upper() for field in Settings.model_fields}


# -- the tested profile ---------------------------------------------------------------------


def procfile() -> dict[str, str]:
    return parse_procfile(PROCFILE.read_text(encoding="utf-8")).processes


def _tokens(command: str | list[str], compose: bool) -> list[str]:
    if isinstance(command, list):
        if command[:2] != ["sh", "-c"] or len(command) != 3:
            return list(command)
        command = command[2]
    if compose:
        command = command.replace("$$", "$")
    tokens = shlex.split(command)
    if "&&" in tokens:  # `sleep 2 && ...`
        tokens = tokens[len(tokens) - tokens[::-1].index("&&") :]
    return tokens


def _is_assignment(token: str) -> bool:
    return re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", token) is not None


def program(command: str | list[str], compose: bool = False) -> list[str]:
    """The argv of the program a Procfile line or a container command runs: without
    `sleep N &&`, scripts/respawn.sh, `sh -c`, `exec` and VAR=value prefixes. Variables
    stay as written (`${RASA_1_PORT:?}`); compose's `$$` is read as `$`."""
    tokens = _tokens(command, compose)
    while tokens and (tokens[0] in ("scripts/respawn.sh", "exec") or _is_assignment(tokens[0])):
        tokens = tokens[1:]
    return tokens


def assignments(command: str | list[str], compose: bool = False) -> dict[str, str]:
    """The VAR=value prefixes of a command (FRONTEND_PORT=${FRONTEND_1_PORT:?})."""
    found = {}
    for token in _tokens(command, compose):
        if _is_assignment(token):
            name, value = token.split("=", 1)
            found[name] = value
        elif token not in ("scripts/respawn.sh", "exec"):
            break
    return found


def head(argv: list[str]) -> list[str]:
    """The program and its subcommands: `argv` up to its first flag (`python -m` kept)."""
    end = next((i for i, t in enumerate(argv) if t.startswith("-") and t != "-m"), len(argv))
    return argv[:end]


def flags(argv: list[str]) -> dict[str, str | None]:
    """`--flag value` and bare `--flag` of an argv."""
    found: dict[str, str | None] = {}
    for i, token in enumerate(argv):
        if token.startswith("--"):
            nxt = argv[i + 1] if i + 1 < len(argv) else None
            found[token] = None if nxt is None or nxt.startswith("--") else nxt
    return found


def runs(argv: list[str], what: str) -> bool:
    """Whether `argv` runs `python -m bot <what>` or `rasa <what>`."""
    return head(argv)[-1:] == [what] and any("bot" in t or "rasa" in t for t in argv[:3])


def front_end_lines() -> dict[str, str]:
    return {n: c for n, c in procfile().items() if head(program(c))[-2:] == ["bot", "telegram"]}


def required_names() -> list[str]:
    """What bot/production.py refuses to start without for a real bot (with
    TELEGRAM_BOT_TOKEN), read from its own refusals, and the bot token itself."""
    try:
        production.environment({"TELEGRAM_BOT_TOKEN": OPERATOR_VALUES["TELEGRAM_BOT_TOKEN"]})
    except production.ProfileRefused as refused:
        return ["TELEGRAM_BOT_TOKEN", *(problem.split()[0] for problem in refused.problems)]
    raise AssertionError("bot/production.py accepts an empty environment")


def derived_problems(
    where: str, env: Mapping[str, str], scratch: Path, only: set[str] | None = None
) -> list[str]:
    """The values `env` gives to what bot/production.py derives (ports, replica URLs, lock
    store, pools; or `only` these) are the ones it derives from the rest of `env`. Required
    variables a process does not read are taken from OPERATOR_VALUES."""
    given = {
        "VAR_DIR": str(scratch),  # where the local stand-in's secret would be written
        **{k: OPERATOR_VALUES[k] for k in required_names() if k in OPERATOR_VALUES},
        **env,
    }
    if "REDIS_URL" not in given and "RASA_LOCK_STORE_HOST" in env:
        auth = (
            f"{env.get('RASA_LOCK_STORE_USERNAME', '')}:{env.get('RASA_LOCK_STORE_PASSWORD', '')}@"
        )
        given["REDIS_URL"] = (
            f"redis://{auth if auth != ':@' else ''}{env['RASA_LOCK_STORE_HOST']}:"
            f"{env.get('RASA_LOCK_STORE_PORT', '')}/{env.get('RASA_LOCK_STORE_DB', '')}"
        )
    try:
        names = set(production.environment(given))
        derived = production.environment({k: v for k, v in given.items() if k not in names})
    except production.ProfileRefused as refused:
        return [f"{where}: bot/production.py refuses it: {p}" for p in refused.problems]
    return [
        f"{where}: {name}={env[name]!r}, the profile derives {value!r}"
        for name, value in derived.items()
        if name in env and env[name] != value and (only is None or name in only)
    ]


def settings_problems(
    where: str, env: Mapping[str, str], monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Our processes' settings accept `env` as the environment (APP_ENV=production refuses
    placeholders, SQLite, webhook mode without a good secret)."""
    for name in SETTINGS_NAMES:
        monkeypatch.delenv(name, raising=False)
    values = {k.lower(): v for k, v in env.items() if k in SETTINGS_NAMES}
    try:
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    except ValueError as exc:
        return [f"{where}: bot/config.py refuses it: {exc}"]
    if settings.app_env != "production":
        return [f"{where}: APP_ENV is {settings.app_env!r}, not production"]
    return []


def endpoints_variables() -> set[str]:
    return set(re.findall(r"\$\{(\w+)\}", ENDPOINTS.read_text(encoding="utf-8")))


def command_variables(argv: list[str]) -> set[str]:
    """Variables a command cannot run without (`${NAME:?...}`)."""
    return set(re.findall(r"\$\{(\w+):\?", " ".join(argv)))


def haproxy_variables() -> set[str]:
    """The variables deploy/haproxy.cfg reads without a default."""
    return set(re.findall(r"\$\{(\w+)\}", HAPROXY.read_text(encoding="utf-8")))


def haproxy_checks() -> dict[str, str]:
    """The health check path of each backend by its servers' name (rasa, actions, ...)."""
    checks: dict[str, str] = {}
    for section in re.split(r"\n(?=\S)", HAPROXY.read_text(encoding="utf-8")):
        check = re.search(r"option httpchk GET (\S+)", section)
        servers = re.findall(r"^\s+server ([a-z]+)\d*\s", section, re.M)
        if section.startswith("backend") and check and servers:
            checks[servers[0]] = check.group(1)
    return checks


def haproxy_binds() -> set[str]:
    """The variables of the ports haproxy listens on for the processes behind it."""
    return set(re.findall(r'bind "127\.0\.0\.1:\$\{(\w+)\}"', HAPROXY.read_text("utf-8")))


# -- compose.yaml ---------------------------------------------------------------------------


def interpolate(value: str, values: Mapping[str, str]) -> str:
    """Compose's interpolation: `${NAME}`, `${NAME:-default}`, `${NAME:?error}`; `$$` stays
    (the container's shell reads it)."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$$"
        name, op, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if values.get(name):
            return values[name]
        if op.endswith("?"):
            raise KeyError(f"{name} ({rest})")
        return rest if op.endswith("-") else ""

    return re.sub(r"\$\$|\$\{(\w+)(:?[-?])?([^}]*)\}", one, value)


def compose_env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    return {k: interpolate("" if v is None else str(v), OPERATOR_VALUES) for k, v in env.items()}


def compose_problems(path: Path, monkeypatch: pytest.MonkeyPatch, scratch: Path) -> list[str]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    services: dict[str, Any] = document["services"]
    lines = procfile()
    problems = []
    argv = {name: program(s.get("command") or [], compose=True) for name, s in services.items()}
    fronts = [n for n, a in argv.items() if runs(a, "telegram")]

    # The same programs as Procfile.production's lines, under the same names.
    named = [n for n in front_end_lines() if n != "telegram"]
    for name in (*CORE, *named):
        if name not in services:
            problems.append(f"compose.yaml has no service {name} (Procfile.production has)")
            continue
        want, got = program(lines[name]), argv[name]
        if name == "proxy":
            want, got = want[1:], got[1:]  # ${HAPROXY_PATH:-haproxy} is the image's haproxy
        if got != want:
            problems.append(f"{name}: compose runs {got}, Procfile.production {want}")
        command = services[name].get("command") or []
        if assignments(command, compose=True) != assignments(lines[name]):
            problems.append(
                f"{name}: sets {assignments(command, compose=True)}, Procfile "
                f"{assignments(lines[name])}"
            )
    for name, line in front_end_lines().items():
        problems += [
            f"{front}: runs {argv[front]}, Procfile's {name} {program(line)}"
            for front in fronts
            if argv[front] != program(line)
        ]
    if any("devtools" in " ".join(a) for a in argv.values()):
        problems.append("compose.yaml runs a development tool (the local Bot API stand-in)")
    for what in ("run", "actions", "telegram"):
        count = sum(runs(a, what) for a in argv.values())
        if count != production.REPLICAS:
            problems.append(f"{count} services run {what}, the profile {production.REPLICAS}")

    # One network namespace for the profile's processes, as they share 127.0.0.1 there.
    modes = {services[n].get("network_mode") for n in (*CORE, *fronts) if n in services}
    holder = str(next(iter(modes), "")).removeprefix("service:")
    if len(modes) != 1 or holder not in services:
        problems.append(f"the profile's processes are not in one namespace: {modes}")

    # Environment: required, derived, endpoints.yml, our settings in production.
    ours = [n for n, a in argv.items() if head(a)[1:3] == ["-m", "bot"]]
    rasa = [n for n, a in argv.items() if runs(a, "run")]
    for name in (*rasa, *ours):
        try:
            env = compose_env(services[name])
        except KeyError as missing:
            problems.append(f"{name}: compose.yaml refers to {missing}, which has no value")
            continue
        if name in rasa:
            need = endpoints_variables() | command_variables(argv[name]) | {"RASA_TRACKER_URL"}
        else:
            need = set(required_names())
            problems += settings_problems(name, env, monkeypatch)
        problems += [f"{name}: {v} is not set" for v in sorted(need) if v not in env]
        problems += derived_problems(name, env, scratch)

    # Ports: the proxy gets every variable of deploy/haproxy.cfg, with the profile's values.
    proxy = services.get("proxy", {})
    proxy_env = compose_env(proxy) if proxy else {}
    for var in sorted(haproxy_variables()):
        if var not in proxy_env:
            problems.append(f"proxy: {var} (deploy/haproxy.cfg) is not set")
        elif var in production.DEFAULT_PORTS and proxy_env[var] != production.DEFAULT_PORTS[var]:
            problems.append(
                f"proxy: {var}={proxy_env[var]}, {production.DEFAULT_PORTS[var]} in the profile"
            )
    wanted = f"{proxy.get('working_dir', '')}/{argv.get('proxy', [''])[-1]}"
    mounts = [str(v).split(":") for v in proxy.get("volumes", [])]
    if not any(m[0] == "./deploy/haproxy.cfg" and m[1] == wanted for m in mounts):
        problems.append(f"proxy: deploy/haproxy.cfg is not mounted at {wanted}")

    # The TLS terminator sends the webhook to the proxy's front end port.
    if "FRONTEND_PORT" in haproxy_binds():
        tls = services.get("tls", {})
        caddyfile = document.get("configs", {}).get("caddyfile", {}).get("content", "")
        route = re.search(
            r"handle /telegram/webhook \{\s*reverse_proxy 127\.0\.0\.1:(\S+)", caddyfile
        )
        port = route and interpolate(route.group(1).replace("{$$", "${"), compose_env(tls))
        if tls.get("network_mode") != f"service:{holder}" or port != proxy_env.get("FRONTEND_PORT"):
            problems.append(
                f"tls: /telegram/webhook goes to {port}, the proxy's FRONTEND_PORT is "
                f"{proxy_env.get('FRONTEND_PORT')}"
            )
    return problems


# -- deploy/k8s/ ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _documents(text: str) -> tuple[dict[str, Any], ...]:
    return tuple(d for d in yaml.load_all(text, Loader=SafeLoader) if d)


def k8s_objects(folder: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(folder.glob("*.yaml")):
        if path.name not in ("kustomization.yaml", "secret.example.yaml"):
            yield from _documents(path.read_text(encoding="utf-8"))


def k8s_find(folder: Path, kind: str, name: str) -> dict[str, Any]:
    for obj in k8s_objects(folder):
        if obj["kind"] == kind and obj["metadata"]["name"] == name:
            return obj
    return {}


def example_secret(folder: Path) -> dict[str, str]:
    example = _documents((folder / "secret.example.yaml").read_text(encoding="utf-8"))[0]
    return {k: str(v) for k, v in example["stringData"].items()}


def container_env(
    folder: Path, container: dict[str, Any], secret: Mapping[str, str]
) -> dict[str, str]:
    """A container's environment: its ConfigMaps, the Secret (with `secret`'s values for
    the keys secret.example.yaml documents) and its own entries."""
    keys = set(example_secret(folder))
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(k8s_find(folder, "ConfigMap", source["configMapRef"]["name"])["data"])
        if "secretRef" in source:
            env.update({k: v for k, v in secret.items() if k in keys})
    for item in container.get("env", []):
        ref = item.get("valueFrom", {}).get("secretKeyRef", {})
        if "value" in item:
            env[item["name"]] = str(item["value"])
        elif ref.get("key") in keys:
            env[item["name"]] = secret[ref["key"]]
    return env


def only_container(obj: dict[str, Any]) -> dict[str, Any]:
    containers = obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
    return containers[0] if len(containers) == 1 else {}


def k8s_problems(folder: Path, monkeypatch: pytest.MonkeyPatch, scratch: Path) -> list[str]:
    problems: list[str] = []
    lines = procfile()
    ports = production.DEFAULT_PORTS
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    present = {p.name for p in folder.glob("*.yaml")} - {
        "kustomization.yaml",
        "secret.example.yaml",
    }
    if set(kustomization["resources"]) != present:
        problems.append(
            f"kustomization.yaml lists {kustomization['resources']}, the folder "
            f"has {sorted(present)}"
        )
    config = k8s_find(folder, "ConfigMap", "layanan-aduan-env").get("data", {})
    problems += [f"ConfigMap holds the secret {n}" for n in sorted(SECRET_NAMES & set(config))]

    # The programs of Procfile.production; each pod listens on its own address at the port
    # of its Service, which is the proxy's port in the profile.
    front_line = next(iter(front_end_lines()))
    workloads = {
        "rasa": (
            "StatefulSet",
            "rasa1",
            production.REPLICAS,
            {"--interface": "0.0.0.0", "--port": "${RASA_PORT:?}"},
        ),
        "actions": (
            "Deployment",
            "actions1",
            production.REPLICAS,
            {"--host": "0.0.0.0", "--port": "${ACTION_SERVER_PORT:?}"},
        ),
        "telegram": ("StatefulSet", front_line, production.REPLICAS, {}),
        "console": ("Deployment", "console", 1, {}),
    }
    containers: dict[str, dict[str, Any]] = {}
    for name, (kind, line, replicas, differ) in workloads.items():
        obj = k8s_find(folder, kind, name)
        container = only_container(obj)
        if not container:
            problems.append(f"no {kind} {name} with one container")
            continue
        containers[name] = container
        if obj["spec"].get("replicas") != replicas:
            problems.append(
                f"{kind} {name}: {obj['spec'].get('replicas')} replicas, not {replicas}"
            )
        want, got = program(lines[line]), program(container["command"])
        if head(want) != head(got) or {**flags(want), **differ} != flags(got):
            problems.append(f"{name}: runs {got}, Procfile's {line} {want} (may differ: {differ})")

    # Environment: each process gets what it reads of the profile's required variables (our
    # settings; endpoints.yml and its command for Rasa), and each of them reaches a process.
    pieces = {"REDIS_URL": set(production.lock_store_environment("redis://h:6379/0"))}
    reached: set[str] = set()
    for name, container in containers.items():
        env = container_env(folder, container, OPERATOR_VALUES)
        reached |= {v for v in required_names() if env.get(v) or pieces.get(v, {""}) <= set(env)}
        if name == "rasa":
            need = endpoints_variables() | command_variables(program(container["command"]))
            for var in ("RASA_AUTH_TOKEN", "RASA_TRACKER_URL"):
                if not any(
                    i["name"] == var and "secretKeyRef" in i.get("valueFrom", {})
                    for i in container.get("env", [])
                ):
                    problems.append(f"rasa: {var} does not come from the Secret")
        else:
            need = set(required_names()) & SETTINGS_NAMES
            problems += settings_problems(name, env, monkeypatch)
            placeholders = container_env(folder, container, example_secret(folder))
            if not settings_problems(name, placeholders, monkeypatch):
                problems.append(f"{name}: secret.example.yaml's placeholders would be accepted")
        problems += [f"{name}: {v} is not set" for v in sorted(need - set(env))]
        # URLs name Services here, not 127.0.0.1 (`expected` below).
        only = set(production.DEFAULT_PORTS) | set(production.RASA_SQL_POOL) | pieces["REDIS_URL"]
        problems += derived_problems(name, env, scratch, only)
    problems += [
        f"no process gets {v} (or its pieces)" for v in required_names() if v not in reached
    ]
    rasa_set = k8s_find(folder, "StatefulSet", "rasa").get("spec", {})
    expected = {
        "RASA_URL": f"http://rasa:{ports['RASA_PORT']}",
        "ACTION_ENDPOINT_URL": f"http://actions:{ports['ACTION_SERVER_PORT']}/webhook",
        "RASA_URLS": ",".join(
            f"http://rasa-{i}.{rasa_set.get('serviceName')}:{ports['RASA_PORT']}"
            for i in range(production.REPLICAS)
        ),
    }
    problems += [
        f"ConfigMap: {k}={config.get(k)!r}, expected {v!r}"
        for k, v in expected.items()
        if config.get(k) != v
    ]

    # Services, container ports and readiness: the proxy's ports and health checks.
    checks = haproxy_checks()
    for name, port_var, server in (
        ("rasa", "RASA_PORT", "rasa"),
        ("actions", "ACTION_SERVER_PORT", "actions"),
        ("telegram", "FRONTEND_PORT", "telegram"),
    ):
        port = int(config.get(port_var) or ports.get(port_var, "8090"))
        service = k8s_find(folder, "Service", name).get("spec", {})
        if [p["port"] for p in service.get("ports", [])] != [port]:
            problems.append(f"Service {name}: ports {service.get('ports')}, {port_var} is {port}")
        container = containers.get(name, {})
        if [p["containerPort"] for p in container.get("ports", [])] != [port]:
            problems.append(f"{name}: containerPort is not {port_var} {port}")
        probe = container.get("readinessProbe", {}).get("httpGet", {}).get("path")
        if server in checks and probe != checks[server]:
            problems.append(
                f"{name}: readiness {probe}, deploy/haproxy.cfg checks {checks[server]}"
            )
    return problems


# -- the tests ------------------------------------------------------------------------------


def test_the_profile_has_what_these_checks_compare() -> None:
    assert set(CORE) <= set(procfile())
    assert front_end_lines()
    assert {"DATABASE_URL", "RASA_TRACKER_URL", "REDIS_URL", "RASA_AUTH_TOKEN"} <= set(
        required_names()
    )
    assert {"rasa", "actions"} <= set(haproxy_checks())
    assert {"RASA_PORT", "ACTION_SERVER_PORT"} <= haproxy_binds()


def test_compose_runs_the_tested_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert compose_problems(COMPOSE, monkeypatch, tmp_path) == []


def test_kubernetes_manifests_run_the_tested_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert k8s_problems(K8S, monkeypatch, tmp_path) == []


def _edit(source: Path, target: Path, old: str, new: str) -> None:
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    target.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("  REDIS_URL: redis://redis:6379/0\n", "", "REDIS_URL is not set"),
        ('  RASA_LOCK_STORE_DB: "0"\n', "", "RASA_LOCK_STORE_DB is not set"),
        ('  RASA_LOCK_STORE_PORT: "6379"\n', '  RASA_LOCK_STORE_PORT: "6380"\n', "derives '6379'"),
        ('  RASA_2_PORT: "5012"\n', '  RASA_2_PORT: "5013"\n', "RASA_2_PORT='5013'"),
        ("  SECRET_KEY: ${SECRET_KEY:?set SECRET_KEY in .env}\n", "", "SECRET_KEY"),
        (
            "--credentials credentials.yml\n        --interface 127.0.0.1 --port $${RASA_2_PORT",
            "\n        --interface 127.0.0.1 --port $${RASA_2_PORT",
            "rasa2: compose runs",
        ),
        ("FRONTEND_PORT=$${FRONTEND_2_PORT:?}", "FRONTEND_PORT=$${FRONTEND_1_PORT:?}", "telegram2"),
    ],
)
def test_the_compose_check_catches_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, problem: str
) -> None:
    if "FRONTEND_2_PORT" in old and "telegram2" not in procfile():
        pytest.skip("Procfile.production has no numbered front ends yet")
    edited = tmp_path / "compose.yaml"
    _edit(COMPOSE, edited, old, new)
    problems = compose_problems(edited, monkeypatch, tmp_path)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("file", "old", "new", "problem"),
    [
        ("rasa.yaml", "  replicas: 2\n", "  replicas: 1\n", "StatefulSet rasa: 1 replicas"),
        ("configmap.yaml", '  RASA_LOCK_STORE_PORT: "6379"\n', "", "RASA_LOCK_STORE_PORT"),
        ("configmap.yaml", '  SQL_POOL_SIZE: "5"\n', '  SQL_POOL_SIZE: "50"\n', "SQL_POOL_SIZE"),
        ("rasa.yaml", "rasa run --enable-api\n", "rasa run\n", "rasa: runs"),
        (
            "actions.yaml",
            "{path: /health, port: http}\n            periodSeconds: 2",
            "{path: /readyz, port: http}\n            periodSeconds: 2",
            "readiness /readyz",
        ),
        (
            "secret.example.yaml",
            "  DATABASE_URL: postgresql",
            "  DATABASE_URI: postgresql",
            "DATABASE_URL is not set",
        ),
        (
            "configmap.yaml",
            "RASA_URLS: http://rasa-0.rasa-replicas:5005,http://rasa-1.rasa-replicas:5005",
            "RASA_URLS: http://rasa:5005",
            "RASA_URLS",
        ),
    ],
)
def test_the_kubernetes_check_catches_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file: str, old: str, new: str, problem: str
) -> None:
    folder = tmp_path / "k8s"
    shutil.copytree(K8S, folder)
    _edit(K8S / file, folder / file, old, new)
    problems = k8s_problems(folder, monkeypatch, tmp_path)
    assert any(problem in p for p in problems), problems
