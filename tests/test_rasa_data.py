"""The Rasa training data is one folder, data/rasa/, passed whole to Rasa.

A new file there (reviewed examples, say) is trained, validated and tested with no edit
anywhere else, so nothing but Rasa training data may sit in it, and no tool may list its
files one by one again.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA_DATA = ROOT / "data" / "rasa"
RASA_KEYS = {"nlu", "responses", "stories", "rules"}
TOOLS = (
    "Makefile",
    "bot/training/rasa_engine.py",
    "scripts/test.sh",
    "devtools/devstack.py",
    "bench/compare_pipelines.sh",
    "bench/train.sh",
)


def _keys(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    assert isinstance(data, dict), path
    return set(data) - {"version"}


def test_every_file_in_the_folder_is_rasa_training_data() -> None:
    files = [p for p in sorted(RASA_DATA.rglob("*")) if p.is_file()]
    assert {p.name for p in files} >= {"nlu.yml", "nlu_entities.yml", "stories.yml", "rules.yml"}
    for path in files:
        assert path.suffix in (".yml", ".yaml"), path
        keys = _keys(path)
        assert keys and keys <= RASA_KEYS, (path, keys)


def test_no_rasa_training_data_outside_the_folder() -> None:
    for path in sorted((ROOT / "data").glob("*.y*ml")):
        assert not _keys(path) & RASA_KEYS, path


def test_the_tools_pass_the_folder_not_its_files() -> None:
    for name in TOOLS:
        text = (ROOT / name).read_text(encoding="utf-8")
        for data_file in ("nlu.yml", "nlu_entities.yml", "stories.yml", "rules.yml"):
            assert f"/{data_file}" not in text, (name, data_file)
