"""Reviewed NLU inbox items written to the training data (`python -m bot nlu export`).

An item is exported when a trainer confirmed it (trained under the predicted intent) or
relabelled it (under the chosen intent), and it has not been exported yet; discarded items
and items still to review are left out. Its masked text goes to `data/rasa/reviewed.yml`
(Rasa 3.1 NLU format: one `nlu:` block per intent, examples sorted), merged with what the
file already holds: earlier examples are never dropped.

Before anything is written, every example is compared with every intent example of every
file under the data directory (reviewed.yml included) and with the rest of the export, on
normalised text (`example_key`: entity annotations `[x](entity)` reduced to `x`, lower
case, punctuation removed, one space between words, as the inbox groups messages):

- the same text under the same intent is a duplicate: not written again, the items are
  marked exported (the example is in the data);
- the same text under two intents (the export against the data, or inside the export) is a
  conflict: not written, not marked, returned in `ExportResult.conflicts` for a trainer to
  settle (every export reports it again until the data or the decision changes);
- a text whose RapidFuzz ratio to a message of a held-out set (tests/nlu/*.yml,
  bench/nlu_fresh.yml) is at least 90 is kept out as well (`ExportResult.held_out`):
  training on it would make those sets measure memory instead of generalisation.

Placeholders of bot.training.masking: Rasa reads NLU examples as markdown, where `[x]`
followed by `(entity)`, `{...}` or `[...]` is an entity annotation. `[NIK]` alone is plain
text to Rasa 3.6, but `[NIK][TELEPON]` becomes "NIK" and `[NIK](ktp)` an entity `ktp`, so
the bracketed placeholders are written as words (`NIK_DISAMARKAN`, `TELEPON_DISAMARKAN`,
`EMAIL_DISAMARKAN`, `PLAT_DISAMARKAN`, `ANGKA_DISAMARKAN`; tokens no citizen writes, so the
model does not confuse a masked number with the word "NIK"), and any other square bracket
in a citizen's text becomes a parenthesis. `ADU-XXXXXX` has no bracket and stays as it is
(it matches the `ticket_id` regex, like a real ticket id).

Entities a trainer marked on /latih (bot.training.review.mark_entity: `service` with its
catalogue id, `ticket_id`) are written as Rasa markup around their span, as nlu.yml
annotates: `[KTP](service)` when the span is the service's id or one of its synonyms in the
data directory, else `[ktp elektronik]{"entity": "service", "value": "ktp"}` (so the value
is the catalogue id); `[ADU-XXXXXX](ticket_id)`. Spans never hold a placeholder or a
bracket (review refuses them), so the placeholder rule above leaves the markup intact; a
span glued to a placeholder's word gets a space. Messages without marks carry no entity
annotation (the pipeline finds entities with regexes and lookup tables).

The items are marked (`exported_at`) only after the file is written, so a failure in
between leaves them to the next export, which finds them in the file as duplicates.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.store.models import NluReviewItem, utcnow
from bot.training import masking
from bot.training.heldout import held_out_sets
from bot.training.review import CONFIRMED, RELABELLED, decided_rows, mark_new, normalise

DATA_DIR = PROJECT_ROOT / "data" / "rasa"
FILE_NAME = "reviewed.yml"
HELD_OUT_SIMILARITY = 90.0  # as the NLU gate's check that held-out and training share nothing
PLACEHOLDER_WORDS = {
    masking.NIK: "NIK_DISAMARKAN",
    masking.PHONE: "TELEPON_DISAMARKAN",
    masking.EMAIL: "EMAIL_DISAMARKAN",
    masking.PLATE: "PLAT_DISAMARKAN",
    masking.NUMBER: "ANGKA_DISAMARKAN",
}
# One read-modify-write of reviewed.yml at a time in this process (the console's export and
# undo).
_file_lock = threading.Lock()
HEADER = (
    "# Citizen messages reviewed by trainers in the console (/latih), masked, written by\n"
    "# `python -m bot nlu export` (bot/training/export.py). Examples may be edited or removed\n"
    "# by hand; the export keeps what it finds here and only adds.\n"
)

# Rasa's entity annotation: [text](entity...), [text]{"entity": ...} or [text][{...}].
_ANNOTATION = re.compile(r"\[([^\]]+?)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
_SPACES = re.compile(r"\s+")
_MARK = "\x00"  # around a placeholder's word while it is put in
_OPEN, _CLOSE = "\ue000", "\ue001"  # around a marked entity while placeholders are put in
_MARKED = re.compile(f"{_OPEN}([^{_OPEN}{_CLOSE}]*){_CLOSE}")
_GLUED = re.compile(r"(?<=\w)\x00+(?=\w)")


@dataclass(frozen=True)
class Conflict:
    """A text found under more than one intent: not exported."""

    text: str  # as it would have been written
    export: dict[str, list[int]]  # intent -> ids of the items exported under it
    existing: dict[str, list[str]]  # intent -> files of the data directory holding it

    @property
    def intents(self) -> list[str]:
        """Every intent the text is found under."""
        return sorted(set(self.export) | set(self.existing))


@dataclass(frozen=True)
class HeldOut:
    """A text too close to a held-out message: not exported."""

    text: str
    intent: str
    ids: list[int]
    held_out_text: str
    source: str  # the held-out file


@dataclass
class ExportResult:
    """What an export wrote, or (dry run) would write."""

    path: Path
    added: dict[str, list[str]] = field(default_factory=dict)  # intent -> new examples
    exported_ids: list[int] = field(default_factory=list)  # items marked (written or dupes)
    duplicates: int = 0  # items whose text the data already had under their intent
    conflicts: list[Conflict] = field(default_factory=list)
    held_out: list[HeldOut] = field(default_factory=list)
    dry_run: bool = False

    @property
    def added_count(self) -> int:
        """How many examples were (or would be) added to the file."""
        return sum(len(v) for v in self.added.values())


def _spans(masked: str, marks: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The marks that still fit the text, in order, none overlapping another."""
    out: list[dict[str, Any]] = []
    for mark in sorted(marks, key=lambda m: (m.get("start", -1), m.get("end", -1))):
        start, end = mark.get("start"), mark.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
            continue
        span = masked[start:end]
        if end > len(masked) or span != mark.get("text") or re.search(r"[\[\](){}]", span):
            continue
        if out and start < out[-1]["end"]:
            continue
        out.append(mark)
    return out


def _markup(mark: dict[str, Any], span: str, synonyms: dict[str, str]) -> str:
    entity = str(mark.get("entity"))
    value = mark.get("value")
    if entity != "service" or not isinstance(value, str):
        return f"[{span}]({entity})"
    lowered = span.lower()
    if lowered in (value, value.replace("_", " ")) or synonyms.get(lowered) == value:
        return f"[{span}](service)"
    return f'[{span}]{{"entity": "service", "value": "{value}"}}'


def example_text(
    masked: str,
    marks: Iterable[dict[str, Any]] = (),
    synonyms: dict[str, str] | None = None,
) -> str:
    """A masked message as an example line: placeholders as words (set apart from the words
    next to them), no square brackets but those of the marked entities' markup, one line.
    `synonyms`: surface form (lower case) -> value, from the data's synonym blocks."""
    masked = masked.replace(_MARK, "").replace(_OPEN, "").replace(_CLOSE, "")
    spans = _spans(masked, marks)
    for mark in reversed(spans):
        start, end = mark["start"], mark["end"]
        masked = f"{masked[:start]}{_OPEN}{masked[start:end]}{_CLOSE}{masked[end:]}"
    for placeholder, word in PLACEHOLDER_WORDS.items():
        masked = masked.replace(placeholder, f"{_MARK}{word}{_MARK}")
    # A space where a placeholder word would run into another word ("[NIK][TELEPON]").
    masked = _GLUED.sub(" ", masked).replace(_MARK, "")
    masked = masked.replace("[", "(").replace("]", ")")
    if spans:
        masked = re.sub(f"(?<=\\w){_OPEN}", f" {_OPEN}", masked)
        masked = re.sub(f"{_CLOSE}(?=\\w)", f"{_CLOSE} ", masked)
        found = iter(spans)
        masked = _MARKED.sub(lambda m: _markup(next(found), m.group(1), synonyms or {}), masked)
    return _SPACES.sub(" ", masked).strip()


def example_key(text: str) -> str:
    """What two examples are compared on: annotations reduced to their text, then
    bot.training.review.normalise (lower case, no punctuation, one space)."""
    return normalise(_ANNOTATION.sub(r"\1", text))


def _examples(value: Any) -> list[str]:
    """The example texts of an NLU block's `examples` (a markdown list, or a list of
    `{text: ...}`)."""
    if isinstance(value, str):
        lines = (line.strip() for line in value.splitlines())
        return [line[2:].strip() for line in lines if line.startswith("- ")]
    if isinstance(value, list):
        return [str(e.get("text", "")) if isinstance(e, dict) else str(e) for e in value]
    return []


def read_intent_examples(path: Path) -> dict[str, list[str]]:
    """intent -> examples, as written, of one NLU file (empty when it has none)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        return out
    for block in data.get("nlu") or []:
        if isinstance(block, dict) and isinstance(block.get("intent"), str):
            out.setdefault(block["intent"], []).extend(_examples(block.get("examples")))
    return out


def read_synonyms(data_dir: Path) -> dict[str, str]:
    """Surface form (lower case) -> value of every synonym block under `data_dir`."""
    out: dict[str, str] = {}
    for path in sorted(data_dir.rglob("*.y*ml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        blocks = data.get("nlu") if isinstance(data, dict) else None
        for block in blocks or []:
            if isinstance(block, dict) and isinstance(block.get("synonym"), str):
                for form in _examples(block.get("examples")):
                    out.setdefault(form.strip().lower(), block["synonym"])
    return out


def _other_blocks(path: Path) -> list[dict[str, Any]]:
    """The NLU blocks of a file that are not intent examples (kept as they are)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    blocks = data.get("nlu") if isinstance(data, dict) else None
    return [b for b in blocks or [] if isinstance(b, dict) and "intent" not in b]


def _existing(data_dir: Path) -> dict[str, dict[str, list[str]]]:
    """key -> intent -> files, for every intent example under `data_dir`."""
    out: dict[str, dict[str, list[str]]] = {}
    for path in sorted(data_dir.rglob("*.y*ml")):
        for intent, texts in read_intent_examples(path).items():
            for text in texts:
                files = out.setdefault(example_key(text), {}).setdefault(intent, [])
                if path.name not in files:
                    files.append(path.name)
    return out


def _held_out_texts(paths: Iterable[Path]) -> dict[str, tuple[str, str]]:
    """key -> (text, file name) of every message of the held-out sets."""
    out: dict[str, tuple[str, str]] = {}
    for path in paths:
        if path.is_file():
            for texts in read_intent_examples(path).values():
                for text in texts:
                    out.setdefault(example_key(text), (text, path.name))
    return out


@dataclass
class _Candidate:
    key: str
    texts: list[str]  # example texts, newest item first
    by_intent: dict[str, list[int]]  # intent -> item ids


def _candidates(engine: Engine, synonyms: dict[str, str]) -> list[_Candidate]:
    with Session(engine) as s:
        rows = s.execute(
            select(
                NluReviewItem.id,
                NluReviewItem.text,
                NluReviewItem.reviewed_intent,
                NluReviewItem.reviewed_entities,
            )
            .where(
                NluReviewItem.status.in_((CONFIRMED, RELABELLED)),
                NluReviewItem.reviewed_intent.is_not(None),
                NluReviewItem.exported_at.is_(None),
            )
            .order_by(NluReviewItem.id.desc())
        ).all()
    out: dict[str, _Candidate] = {}
    for item_id, masked, intent, marks in rows:
        text = example_text(masked, marks or (), synonyms)
        key = example_key(text)
        if not key:
            continue
        candidate = out.setdefault(key, _Candidate(key, [], {}))
        candidate.texts.append(text)
        candidate.by_intent.setdefault(intent, []).append(item_id)
    return list(out.values())


def _sorted_examples(texts: Iterable[str]) -> list[str]:
    return sorted(set(texts), key=lambda t: (example_key(t), t))


def render(examples: dict[str, list[str]], others: Sequence[dict[str, Any]] = ()) -> str:
    """An NLU file (Rasa 3.1 format) of intent -> examples, intents and examples sorted,
    then `others` (NLU blocks that are not intents: synonyms, lookups, regexes)."""
    blocks: list[dict[str, Any]] = [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in _sorted_examples(texts))}
        for intent, texts in sorted(examples.items())
        if texts
    ]
    blocks.extend(others)
    body = yaml.dump(
        {"version": "3.1", "nlu": blocks},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=10_000,
    )
    return HEADER + body


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks (`examples: |`), as Rasa's files are."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _write(path: Path, text: str) -> None:
    """Replace `path` at once (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_reviewed(
    engine: Engine,
    data_dir: Path | None = None,
    *,
    dry_run: bool = False,
    held_out: Sequence[Path] | None = None,
) -> ExportResult:
    """Write the reviewed items not yet exported to `data_dir`/reviewed.yml (default
    DATA_DIR; see the module docstring); with `dry_run`, only say what would be written.
    `held_out`: the held-out sets to keep out (default: those of bot.training.heldout)."""
    data_dir = DATA_DIR if data_dir is None else data_dir
    held_out = held_out_sets() if held_out is None else held_out
    path = data_dir / FILE_NAME
    result = ExportResult(path=path, dry_run=dry_run)
    existing = _existing(data_dir)
    held = _held_out_texts(held_out)
    held_keys = list(held)
    to_mark: list[int] = []
    for candidate in sorted(_candidates(engine, read_synonyms(data_dir)), key=lambda c: c.key):
        # The newest wording, or the newest with marked entities (only markup has "[").
        text = next((t for t in candidate.texts if "[" in t), candidate.texts[0])
        found = existing.get(candidate.key, {})
        intents = set(candidate.by_intent) | set(found)
        if len(intents) > 1:
            result.conflicts.append(
                Conflict(
                    text=text,
                    export={i: sorted(ids) for i, ids in sorted(candidate.by_intent.items())},
                    existing=dict(sorted(found.items())),
                )
            )
            continue
        [(intent, ids)] = candidate.by_intent.items()
        if found:
            result.duplicates += len(ids)
            to_mark.extend(ids)
            continue
        near = (
            process.extractOne(
                candidate.key, held_keys, scorer=fuzz.ratio, score_cutoff=HELD_OUT_SIMILARITY
            )
            if held_keys
            else None
        )
        if near is not None:
            held_text, source = held[near[0]]
            result.held_out.append(HeldOut(text, intent, sorted(ids), held_text, source))
            continue
        result.added.setdefault(intent, []).append(text)
        to_mark.extend(ids)
    result.exported_ids = sorted(to_mark)
    if dry_run:
        return result
    if result.added:
        with _file_lock:
            merged = read_intent_examples(path) if path.is_file() else {}
            for intent, texts in result.added.items():
                merged.setdefault(intent, []).extend(texts)
            _write(path, render(merged, _other_blocks(path) if path.is_file() else ()))
    if to_mark:
        now = utcnow()
        with Session(engine) as s, s.begin():
            s.execute(
                update(NluReviewItem)
                .where(NluReviewItem.id.in_(to_mark), NluReviewItem.exported_at.is_(None))
                .values(exported_at=now)
            )
    return result


def report_lines(result: ExportResult) -> list[str]:
    """What the CLI prints about an export."""
    verb = "would add" if result.dry_run else "added"
    lines = [f"{result.path}: {verb} {result.added_count} examples"]
    for intent, texts in sorted(result.added.items()):
        lines.append(f"  {intent}: {len(texts)}")
    if result.duplicates:
        lines.append(f"already in the data (not written again): {result.duplicates} items")
    if result.conflicts:
        lines.append(
            f"conflicts, not written ({len(result.conflicts)}): the same text under "
            "several intents; settle them in the data or the review"
        )
        for c in result.conflicts:
            where = [f"{i} (items {', '.join(map(str, ids))})" for i, ids in c.export.items()]
            where += [f"{i} ({', '.join(files)})" for i, files in c.existing.items()]
            lines.append(f"  {c.text!r}: {'; '.join(where)}")
    if result.held_out:
        lines.append(
            f"too close to a held-out message, not written ({len(result.held_out)}): "
            "held-out sets must stay unseen"
        )
        for h in result.held_out:
            lines.append(f"  {h.text!r} ({h.intent}) ~ {h.held_out_text!r} in {h.source}")
    return lines


# -- undo -------------------------------------------------------------------------------------


@dataclass
class UndoResult:
    """What `undo` changed."""

    undone: int = 0  # items back in the inbox
    removed: dict[str, list[str]] = field(default_factory=dict)  # intent -> examples removed
    # Exported examples `undo` could not take out: the text under its intent in another
    # file of the data (written by hand, or there before): (text, intent, files).
    kept: list[tuple[str, str, list[str]]] = field(default_factory=list)


def undo(engine: Engine, ids: Sequence[int], data_dir: Path | None = None) -> UndoResult:
    """Put the decided items of `ids` back in the inbox. An item already exported also
    leaves `data_dir`/reviewed.yml: its example line under its intent is removed, unless
    another exported item that stays decided has the same example (then the line is still
    that item's). An example found under its intent only in another file is not touched
    (`UndoResult.kept`): the export did not write it there."""
    data_dir = DATA_DIR if data_dir is None else data_dir
    path = data_dir / FILE_NAME
    result = UndoResult()
    with _file_lock, Session(engine) as s, s.begin():
        rows = decided_rows(s, ids)
        if not rows:
            return result
        synonyms = read_synonyms(data_dir)
        leaving: dict[tuple[str, str], str] = {}  # (intent, key) -> text
        for row in rows:
            if row.exported_at is not None and row.reviewed_intent:
                text = example_text(row.text, row.reviewed_entities or (), synonyms)
                leaving.setdefault((row.reviewed_intent, example_key(text)), text)
        if leaving:
            staying = s.execute(
                select(
                    NluReviewItem.text,
                    NluReviewItem.reviewed_intent,
                    NluReviewItem.reviewed_entities,
                ).where(
                    NluReviewItem.exported_at.is_not(None),
                    NluReviewItem.id.not_in([r.id for r in rows]),
                    NluReviewItem.reviewed_intent.in_({i for i, _ in leaving}),
                )
            ).all()
            for text, intent, marks in staying:
                leaving.pop((intent, example_key(example_text(text, marks or (), synonyms))), None)
        if leaving:
            _remove_examples(data_dir, path, leaving, result)
        mark_new(rows)
        result.undone = len(rows)
    return result


def _remove_examples(
    data_dir: Path, path: Path, leaving: dict[tuple[str, str], str], result: UndoResult
) -> None:
    examples = read_intent_examples(path) if path.is_file() else {}
    changed = False
    for (intent, key), text in sorted(leaving.items()):
        before = examples.get(intent, [])
        after = [t for t in before if example_key(t) != key]
        if len(after) < len(before):
            examples[intent] = after
            result.removed.setdefault(intent, []).append(text)
            changed = True
            continue
        files = _existing(data_dir).get(key, {}).get(intent, [])
        if files:
            result.kept.append((text, intent, files))
    if changed:
        _write(path, render(examples, _other_blocks(path)))
