"""The data validation's filter (devtools/validate_data.py): Rasa's warnings about
responses sent by actions and about button-only intents are expected; any other fails."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.training.inbox import BUTTON_ONLY_INTENTS
from devtools.validate_data import ROOT, unexpected

UNUSED = "The utterance '{}' is not used in any story or rule."
NO_EXAMPLES = (
    "The intent '{}' is listed in the domain file, but is not found in the NLU training data."
)


def test_responses_sent_by_actions_and_button_intents_are_expected() -> None:
    warnings = [
        UNUSED.format("utter_skm_intro"),  # response="utter_skm_intro" in actions/
        UNUSED.format("utter_form_explain_complaint_location"),  # f"utter_form_explain_{slot}"
        NO_EXAMPLES.format("skm"),
    ]
    assert unexpected(warnings) == []


def test_other_warnings_are_kept() -> None:
    warnings = [
        UNUSED.format("utter_nobody_sends_this"),
        NO_EXAMPLES.format("ask_cost"),
        "Issue found in 'data/rasa/stories.yml': something else",
    ]
    assert unexpected(warnings) == warnings


def test_button_only_intents_are_in_the_domain_have_no_examples_and_are_sent_by_code() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    trained = {
        block.get("intent")
        for path in (ROOT / "data/rasa").rglob("*.yml")
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []
    }
    code = " ".join(
        p.read_text(encoding="utf-8") for d in ("actions", "bot") for p in (ROOT / d).rglob("*.py")
    )
    for intent in BUTTON_ONLY_INTENTS:
        assert intent in domain["intents"]
        assert intent not in trained
        assert re.search(rf"[\"'/]{intent}\b", code), f"no code sends /{intent}"


def test_the_filter_reads_this_repository(tmp_path: Path) -> None:
    (tmp_path / "actions").mkdir()
    (tmp_path / "bot").mkdir()
    (tmp_path / "actions" / "a.py").write_text('say(response="utter_only_here")\n')
    warnings = [UNUSED.format("utter_only_here"), UNUSED.format("utter_skm_intro")]
    assert unexpected(warnings, tmp_path) == [UNUSED.format("utter_skm_intro")]
