"""The README's module map names every module of the product and of devtools, so a newcomer
goes from the README to the right file in one hop."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rows() -> list[tuple[str, str]]:
    """(path cell, holds cell) of every row of the module map."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| path | holds |") :].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|", 1)]
        rows.append((cells[0], cells[1]))
    return rows


def _named(row: tuple[str, str], stem: str) -> bool:
    return (
        re.search(rf"`{re.escape(stem)}(\.py)?`|\b{re.escape(stem)}\b", " ".join(row)) is not None
    )


def _missing() -> list[str]:
    rows = _rows()
    missing = []
    for package in ("bot", "actions", "devtools"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if path.name == "__init__.py" or "migrations" in rel.parts:
                continue
            if package == "devtools" and len(rel.parts) > 2:
                rel = Path(*rel.parts[:2])  # a subpackage (local_api/) is named as a whole
            if rel.parent == Path("bot"):
                ok = any(f"`{rel.as_posix()}`" in cell for cell, _ in rows)
            else:
                owner = (
                    f"`{rel.parts[0]}/`" if len(rel.parts) == 2 else f"`{'/'.join(rel.parts[:2])}/`"
                )
                ok = any(owner in row[0] and _named(row, rel.stem) for row in rows)
            if not ok:
                missing.append(rel.as_posix())
    return sorted(set(missing))


def test_every_module_is_in_the_module_map() -> None:
    assert _rows(), "the module map table was not found in README.md"
    assert _missing() == []
