"""Module structure: no import cycles, and importing computes nothing expensive."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "actions", "devtools")


def module_names() -> dict[str, Path]:
    """Every module of our packages, by dotted name."""
    names: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names[".".join(parts)] = path
    return names


def import_graph() -> dict[str, set[str]]:
    """Which of our modules each module imports, function-local imports included (a cycle
    hidden inside a function is still a cycle). `from package import submodule` counts as
    an import of the submodule, not of the package."""
    modules = module_names()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(node, package)
                if not source:
                    continue
                submodules = {f"{source}.{a.name}" for a in node.names} & modules.keys()
                imported.update(submodules)
                if len(submodules) < len(node.names):
                    imported.add(source)
        # Importing a.b.c runs a/__init__.py and a/b/__init__.py first, except the packages
        # this module sits in: Python has already started those before it.
        own = set(_self_and_parents(name))
        with_parents = {p for m in imported for p in _self_and_parents(m)} - own
        graph[name] = {m for m in with_parents if m in modules}
    return graph


def _absolute(node: ast.ImportFrom, package: str) -> str:
    """The dotted module a `from ... import` names, relative imports resolved."""
    if node.level == 0:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _self_and_parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_check_sees_function_local_imports(tmp_path: Path) -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_importing_the_console_computes_no_password_hash() -> None:
    """argon2 costs tens of milliseconds per hash: not at import, only when verifying."""
    probe = (
        "import argon2\n"
        "calls = []\n"
        "original = argon2.PasswordHasher.hash\n"
        "def counting(self, *args, **kwargs):\n"
        "    calls.append(1)\n"
        "    return original(self, *args, **kwargs)\n"
        "argon2.PasswordHasher.hash = counting\n"
        "import bot.officer.web.app\n"
        "from bot.officer.passwords import verify_password\n"
        "at_import = len(calls)\n"
        "assert verify_password(None, 'any password at all') is False\n"
        "assert verify_password(None, 'another password') is False\n"
        "print(at_import, len(calls))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # None at import; one on the first unknown-user check, reused afterwards.
    assert result.stdout.split() == ["0", "1"]
