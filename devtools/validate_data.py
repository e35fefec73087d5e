"""`rasa data validate --fail-on-warnings`, without the warnings that are expected here.

Rasa warns about every response no story or rule names, and every domain intent without
NLU examples. Here most responses are sent by the custom actions (`response="utter_..."`,
or an f-string such as `f"utter_form_explain_{slot}"`), and a few intents are only sent
by buttons (`bot.training.inbox.BUTTON_ONLY_INTENTS`). Those warnings are dropped; every
other warning is printed and fails the run, as does Rasa's own failure.

    .venv/bin/python -m devtools.validate_data
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bot.training.inbox import BUTTON_ONLY_INTENTS
from devtools.devstack import RASA, ROOT, TRAINING_DATA

CODE_DIRS = ("actions", "bot")
_WARNING = re.compile(r"UserWarning: (.*)")
_UNUSED_RESPONSE = re.compile(r"The utterance '([^']+)' is not used in any story or rule\.")
_INTENT_WITHOUT_EXAMPLES = re.compile(
    r"The intent '([^']+)' is listed in the domain file, but is not found in the NLU"
)
_LITERAL = re.compile(r"\b(utter_[a-z0-9_]+)\b")
_FSTRING_PREFIX = re.compile(r"f[\"'](utter_[a-z0-9_]*)\{")


def responses_sent_by_code(root: Path = ROOT) -> tuple[frozenset[str], tuple[str, ...]]:
    """Response names written in the Python code, and prefixes of names built there."""
    names: set[str] = set()
    prefixes: set[str] = set()
    for folder in CODE_DIRS:
        for path in (root / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            names.update(_LITERAL.findall(source))
            prefixes.update(_FSTRING_PREFIX.findall(source))
    return frozenset(names), tuple(sorted(prefixes))


def unexpected(warnings: list[str], root: Path = ROOT) -> list[str]:
    """The warnings that are neither a response sent by code nor a button-only intent."""
    names, prefixes = responses_sent_by_code(root)
    kept = []
    for warning in warnings:
        response = _UNUSED_RESPONSE.search(warning)
        if response and (response[1] in names or response[1].startswith(prefixes)):
            continue
        intent = _INTENT_WITHOUT_EXAMPLES.search(warning)
        if intent and intent[1] in BUTTON_ONLY_INTENTS:
            continue
        kept.append(warning)
    return kept


def main() -> int:
    command = [str(RASA), "data", "validate", "--fail-on-warnings", "--data", str(TRAINING_DATA)]
    command += ["--domain", str(ROOT / "domain.yml")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        print(output)
        return result.returncode
    warnings = [m[1].strip() for m in map(_WARNING.search, output.splitlines()) if m]
    left = unexpected(warnings)
    for warning in left:
        print(f"warning: {warning}")
    print(f"rasa data validate: {len(warnings) - len(left)} expected warnings, {len(left)} others")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
