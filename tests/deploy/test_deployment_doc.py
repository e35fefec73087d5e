"""docs/deployment.md names what exists: the alert rules' metrics are ours (bot/metrics.py)
or haproxy's and the blackbox exporter's, and every `python -m bot ...` command it gives is
a command of the command line."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import bot.metrics
from bot.__main__ import build_parser

DOC = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def our_metric_names() -> set[str]:
    """The sample names our processes expose."""
    families = [f for f in REGISTRY.collect() if f.name.startswith("aduan_")]
    families += list(bot.metrics.TicketsByStatus(lambda: []).collect())
    return {f.name + suffix for f in families for suffix in SUFFIXES[f.type]}


def alert_rules() -> list[dict[str, str]]:
    text = DOC.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "groups:" in b]
    assert len(blocks) == 1, "one block of Prometheus rules in the runbook"
    return [rule for group in yaml.safe_load(blocks[0])["groups"] for rule in group["rules"]]


def test_the_alert_rules_name_metrics_that_exist() -> None:
    names = our_metric_names()
    used = set()
    for rule in alert_rules():
        for name in re.findall(r"\b(aduan_[a-z_]+)", rule["expr"]):
            assert name in names, f"{rule['alert']}: {name} is not a metric of bot/metrics.py"
            used.add(name)
        others = re.findall(r"\b((?:haproxy|probe)_[a-z_]+)", rule["expr"])
        assert set(others) <= {"haproxy_backend_active_servers", "probe_success"}, others
    # The alarms the issue asks for: outbox backlog, reply latency, fallbacks, tickets.
    assert {
        "aduan_outbox_backlog",
        "aduan_reply_latency_seconds_bucket",
        "aduan_fallbacks_total",
        "aduan_tickets",
    } <= used


def test_every_command_of_the_doc_exists() -> None:
    parser = build_parser()
    commands = re.findall(r"python -m bot ([a-z][a-z -]*)", DOC.read_text(encoding="utf-8"))
    assert commands
    for command in commands:
        words = command.split()
        action = parser._subparsers._group_actions[0]  # type: ignore[union-attr]
        assert words[0] in action.choices, f"python -m bot {command}"
        sub = action.choices[words[0]]
        if sub._subparsers is not None:  # a command with subcommands: the next word is one
            subcommands = sub._subparsers._group_actions[0].choices
            assert words[1:2] and words[1] in subcommands, f"python -m bot {command}"
