"""A model workspace for tests: a copy of the project's training inputs (config.yml,
domain.yml, data/rasa/) under a temporary folder, with its own models/ folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.training.rasa_engine import Workspace
from tests.utils import ROOT


def copy_workspace(folder: Path) -> Workspace:
    """The project's training inputs copied to `folder`, models/ empty."""
    shutil.copytree(ROOT / "data" / "rasa", folder / "data" / "rasa")
    for name in ("config.yml", "domain.yml"):
        shutil.copy(ROOT / name, folder / name)
    (folder / "models").mkdir()
    return Workspace(root=folder)
