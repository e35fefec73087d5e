"""The product's wheel: bot/ and actions/ with every file they need, no development tools.

devtools/ (the local Bot API stand-in and its chat page, the test stack, the terminal chat)
is for development and tests only: the wheel must not ship it and the product must not
import it.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from setuptools.config.pyprojecttoml import apply_configuration
from setuptools.dist import Distribution

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("bot", "actions")
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc")
DEVTOOLS_MODULE = re.compile(r"^devtools(\.[A-Za-z_]\w*)*$")


def product_files() -> set[str]:
    """Every file under bot/ and actions/ (caches aside), as paths inside the wheel."""
    return {
        path.relative_to(ROOT).as_posix()
        for package in PRODUCT
        for path in (ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The files of the wheel setuptools builds from the project (devtools/ included in the
    source tree, as in a clone). Built from a copy so that the working tree gets no build/
    or egg-info; no index is asked, the build uses the setuptools of .venv."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for package in (*PRODUCT, "devtools"):
        shutil.copytree(ROOT / package, source / package, ignore=CACHES)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    command += ["--no-index", "--disable-pip-version-check", "-q", "-w", str(work / "out")]
    subprocess.run([*command, str(source)], check=True, capture_output=True, timeout=300)
    (wheel,) = (work / "out").glob("layanan_aduan-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if ".dist-info/" not in name}


def test_package_discovery_finds_the_product_and_not_devtools() -> None:
    dist = apply_configuration(Distribution(), str(ROOT / "pyproject.toml"))
    packages = set(dist.packages or [])
    assert {name.split(".")[0] for name in packages} == set(PRODUCT)
    regular = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for package in PRODUCT
        for init in (ROOT / package).rglob("__init__.py")
    }
    assert regular <= packages, f"not packaged: {sorted(regular - packages)}"


def test_the_wheel_ships_every_product_file_and_no_development_tool(
    wheel_files: set[str],
) -> None:
    assert {name.split("/")[0] for name in wheel_files} == set(PRODUCT)
    missing = product_files() - wheel_files
    assert not missing, f"files the installed product would lack: {sorted(missing)}"


def devtools_references(root: Path, packages: tuple[str, ...]) -> list[str]:
    """Where code under ``packages`` names a devtools module: imports, and strings that are
    a module name (``import_module("devtools.x")``, ``[python, "-m", "devtools.x"]``)."""
    found: list[str] = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module or ""]
                elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                    names = [node.value]
                else:
                    continue
                if any(DEVTOOLS_MODULE.match(name) for name in names):
                    found.append(f"{path.relative_to(root).as_posix()}:{node.lineno}")
    return found


def test_product_code_never_imports_devtools() -> None:
    assert devtools_references(ROOT, PRODUCT) == []


def test_the_import_check_sees_each_way_of_naming_devtools(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "uses.py").write_text(
        "import devtools.devstack\n"
        "from devtools.local_api import LocalBotApi\n"
        "import importlib\n"
        "chat = importlib.import_module('devtools.chat')\n"
        "command = ['python', '-m', 'devtools.local_api']\n",
        encoding="utf-8",
    )
    (tmp_path / "pkg" / "clean.py").write_text(
        '"""Run `python -m devtools.local_api` for a local Bot API."""\n'
        "import devtoolsmith\n"
        "from .devtools import helper\n",
        encoding="utf-8",
    )
    assert devtools_references(tmp_path, ("pkg",)) == [
        "pkg/uses.py:1",
        "pkg/uses.py:2",
        "pkg/uses.py:4",
        "pkg/uses.py:5",
    ]
