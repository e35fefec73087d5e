"""The front end reaches the database only through `bot.telegram.store.AsyncStore`, whose
every method runs its repository call on a worker thread (not on the event loop).

A static check, so it holds without Rasa; tests/telegram/test_frontend_e2e.py checks the
same at run time (no SQL statement runs on the loop's thread while the citizen talks).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TELEGRAM = ROOT / "bot" / "telegram"
# The facade; the wiring that builds it; the health check (its SELECT 1 runs on a thread).
MAY_TOUCH_THE_DATABASE = {"store.py", "app.py", "health.py"}
PURE_STORE_MODULES = {"bot.store.ids"}  # no database in them
REPOSITORIES = {"inbox", "outbox", "keyboards", "drafts", "consent", "deletion", "repository"}


def modules() -> dict[str, ast.Module]:
    return {p.name: ast.parse(p.read_text(encoding="utf-8")) for p in TELEGRAM.glob("*.py")}


def imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_store_facade_imports_the_database() -> None:
    offending = {
        name: sorted(
            m
            for m in imported(tree)
            if (m.startswith(("bot.store", "sqlalchemy")) and m not in PURE_STORE_MODULES)
        )
        for name, tree in modules().items()
        if name not in MAY_TOUCH_THE_DATABASE
    }
    assert {k: v for k, v in offending.items() if v} == {}


def test_every_store_call_is_awaited_and_goes_through_the_facade() -> None:
    """`x.store.method(...)` is awaited; nobody reaches past the facade to a repository
    (`x.store.inbox.method(...)` would run on the loop)."""
    problems: list[str] = []
    for name, tree in modules().items():
        if name == "store.py":
            continue
        awaited = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Await)}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and _is_store(node.value)
                and (node.attr in REPOSITORIES or node.attr == "engine")
            ):
                problems.append(f"{name}:{node.lineno} reaches store.{node.attr}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and _is_store(node.func.value)
                and node.func.attr != "close"
                and id(node) not in awaited
            ):
                problems.append(f"{name}:{node.lineno} store.{node.func.attr}() not awaited")
    assert problems == []


def _is_store(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "store") or (
        isinstance(node, ast.Name) and node.id == "store"
    )


def test_every_facade_method_runs_on_a_worker_thread() -> None:
    """Each public method of AsyncStore is async and awaits `self._run(...)`."""
    tree = modules()["store.py"]
    facade = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "AsyncStore")
    problems: list[str] = []
    for method in facade.body:
        if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if method.name.startswith("_") or method.name == "close":
            continue
        runs = [
            n
            for n in ast.walk(method)
            if isinstance(n, ast.Await)
            and isinstance(n.value, ast.Call)
            and isinstance(n.value.func, ast.Attribute)
            and n.value.func.attr == "_run"
        ]
        if not isinstance(method, ast.AsyncFunctionDef) or not runs:
            problems.append(method.name)
    assert problems == []
