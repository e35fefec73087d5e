"""The Telegram modules share one database (conftest's session stack), where a citizen's
consent and history outlive a module: two modules using the same Telegram user id see
each other's citizen (a consented one is never asked for consent again). Each module
keeps its own ids."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

USER_ID = re.compile(r"consented_user\(\s*\w+,\s*(\d+)\)|user_id=(\d+)")


def test_no_user_id_is_used_by_two_modules() -> None:
    modules: dict[str, set[str]] = defaultdict(set)
    for path in Path(__file__).parent.glob("test_*.py"):
        for match in USER_ID.finditer(path.read_text(encoding="utf-8")):
            modules[match[1] or match[2]].add(path.name)
    shared = {uid: sorted(names) for uid, names in modules.items() if len(names) > 1}
    assert modules, "no user ids found: the pattern no longer matches the tests"
    assert shared == {}, f"user ids used by several modules: {shared}"
