"""The held-out NLU sets: messages the model is evaluated on and never trained on.

One list for everything that evaluates the model or keeps data out of training: the first
set `tests/nlu/test_nlu.yml` (the NLU gate's), every later set `tests/nlu/heldout_*.yml`
(found by name, so a new set needs no edit anywhere) and `bench/nlu_fresh.yml`.
"""

from __future__ import annotations

from pathlib import Path

from bot.config import PROJECT_ROOT


def held_out_sets(root: Path = PROJECT_ROOT) -> list[Path]:
    """The held-out sets that exist under `root`: test_nlu.yml first, then the
    heldout_*.yml sets by name, then bench/nlu_fresh.yml."""
    nlu_tests = root / "tests" / "nlu"
    paths = [
        nlu_tests / "test_nlu.yml",
        *sorted(nlu_tests.glob("heldout_*.yml")),
        root / "bench" / "nlu_fresh.yml",
    ]
    return [p for p in paths if p.is_file()]
