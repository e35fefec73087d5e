"""Health of the NLU training data (`data/rasa/`): what a trainer should fix before training.

Every YAML file under the data directory is read (nlu.yml, nlu_entities.yml, reviewed.yml
and any other; stories and rules have no `nlu:` blocks and add nothing). Examples are
compared on `bot.training.export.example_key`, the normalised text the export and the
inbox use (entity annotations reduced to their text, lower case, no punctuation).

The report (`check`) lists:

- **few examples**: intents with fewer than `min_examples` examples (default 20), the
  intents of domain.yml with none at all included;
- **conflicts**: the same normalised text under two or more intents (the model is taught
  both answers);
- **near duplicates**: two examples of different intents whose RapidFuzz ratio is at least
  `similarity` (default 90, the inbox's and the export's threshold), but not equal;
- **unused lookup entries**: an entry of a lookup table that occurs (case-insensitive, as a
  whole word, as RegexEntityExtractor matches it) in no training example and in none of
  the `extra_texts` given (the console passes the review inbox's masked messages, i.e. what
  citizens wrote recently). Such an entry is not wrong, but nothing shows it works.
  Only entity tables count (a table named after an entity of domain.yml, e.g. `service`);
  a word-class table (`kata_tidak`, `kata_saran`, ...) is a RegexFeaturizer feature whose
  purpose is to cover regional and slang words the examples do not hold;
- **synonyms missing from the lookups**: a surface form of a synonym that no lookup table
  holds: RegexEntityExtractor never finds it in a message, so its synonym never applies;
- **values never annotated**: a synonym's value (a service id) that no example annotates,
  directly or through one of its surface forms: the intents have never seen that service.

Near duplicates: every text is compared (RapidFuzz, in C) only with the texts long enough
and short enough to reach the threshold; 1,700 examples take about 0.2 s.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import NluReviewItem
from bot.training.export import DATA_DIR, example_key, read_intent_examples
from bot.training.review import DOMAIN_PATH, domain_intents

MIN_EXAMPLES = 20
SIMILARITY = 90.0  # as bot.training.review and bot.training.export

# [text](entity), [text](entity:value), [text]{"entity": ..., "value": ...}
_ANNOTATED = re.compile(r"\[([^\]]+?)\](?:\(([^)]*)\)|(\{[^}]*\}))")


@dataclass(frozen=True)
class Example:
    """One intent example as written, and where."""

    intent: str
    text: str
    file: str  # path relative to the data directory


@dataclass(frozen=True)
class IntentCount:
    intent: str
    count: int


@dataclass(frozen=True)
class Conflict:
    """One normalised text under several intents."""

    key: str
    examples: tuple[Example, ...]

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})


@dataclass(frozen=True)
class NearDuplicate:
    """Two examples of different intents that are almost the same text."""

    score: float
    a: Example
    b: Example


@dataclass(frozen=True)
class LookupEntry:
    table: str
    entry: str
    file: str


@dataclass(frozen=True)
class SynonymForm:
    value: str
    form: str
    file: str


@dataclass
class TrainingData:
    """What the health checks read from the data directory."""

    examples: list[Example] = field(default_factory=list)
    lookups: list[LookupEntry] = field(default_factory=list)
    synonyms: list[SynonymForm] = field(default_factory=list)
    regexes: dict[str, list[str]] = field(default_factory=dict)  # name -> patterns
    files: list[str] = field(default_factory=list)


@dataclass
class HealthReport:
    """The result of `check`; every list sorted for display."""

    files: list[str]
    example_count: int
    intent_counts: dict[str, int]
    min_examples: int
    similarity: float
    few_examples: list[IntentCount]
    conflicts: list[Conflict]
    near_duplicates: list[NearDuplicate]
    unused_lookups: list[LookupEntry]
    lookup_count: int
    synonyms_not_in_lookups: list[SynonymForm]
    unannotated_values: list[str]
    extra_text_count: int = 0  # texts besides the examples searched for lookup entries

    @property
    def problem_count(self) -> int:
        """How many findings the report holds."""
        return (
            len(self.few_examples)
            + len(self.conflicts)
            + len(self.near_duplicates)
            + len(self.unused_lookups)
            + len(self.synonyms_not_in_lookups)
            + len(self.unannotated_values)
        )


def _block_examples(value: Any) -> list[str]:
    """The entries of a synonym, lookup or regex block (markdown list or YAML list)."""
    if isinstance(value, str):
        lines = (line.strip() for line in value.splitlines())
        return [line[2:].strip() for line in lines if line.startswith("- ")]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def load(data_dir: Path = DATA_DIR) -> TrainingData:
    """Every intent example, lookup entry, synonym form and regex under `data_dir`."""
    data = TrainingData()
    for path in sorted(data_dir.rglob("*.y*ml")):
        rel = path.relative_to(data_dir).as_posix()
        data.files.append(rel)
        for intent, texts in read_intent_examples(path).items():
            data.examples.extend(Example(intent, t, rel) for t in texts if t.strip())
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        blocks = loaded.get("nlu") if isinstance(loaded, dict) else None
        for block in blocks or []:
            if not isinstance(block, dict):
                continue
            entries = _block_examples(block.get("examples"))
            if isinstance(block.get("lookup"), str):
                data.lookups.extend(LookupEntry(block["lookup"], e, rel) for e in entries)
            elif isinstance(block.get("synonym"), str):
                data.synonyms.extend(SynonymForm(block["synonym"], e, rel) for e in entries)
            elif isinstance(block.get("regex"), str):
                data.regexes.setdefault(block["regex"], []).extend(entries)
    return data


def plain_text(example: str) -> str:
    """An example as the model sees it: annotations reduced to their text."""
    return _ANNOTATED.sub(r"\1", example)


def annotated_values(example: str) -> list[tuple[str, str]]:
    """(entity, value) of every annotation of an example; the value is the annotation's
    own value, else its text in lower case (which a synonym may then map)."""
    out = []
    for match in _ANNOTATED.finditer(example):
        text, short, as_json = match.groups()
        if short is not None:
            entity, _, value = short.partition(":")
            out.append((entity.strip(), (value or text).strip().lower()))
            continue
        try:
            spec = json.loads(as_json)
        except ValueError:
            continue
        if isinstance(spec, dict) and isinstance(spec.get("entity"), str):
            value = spec.get("value")
            out.append((spec["entity"], str(value if value is not None else text).lower()))
    return out


def few_examples(
    examples: Sequence[Example], min_examples: int, intents: Iterable[str] = ()
) -> list[IntentCount]:
    """Intents (of the examples, and `intents` with none) below `min_examples`, fewest first."""
    counts = Counter(e.intent for e in examples)
    for intent in intents:
        counts.setdefault(intent, 0)
    low = [IntentCount(i, n) for i, n in counts.items() if n < min_examples]
    return sorted(low, key=lambda c: (c.count, c.intent))


def conflicts(examples: Sequence[Example]) -> list[Conflict]:
    """Normalised texts found under more than one intent."""
    by_key: dict[str, list[Example]] = {}
    for e in examples:
        key = example_key(e.text)
        if key:
            by_key.setdefault(key, []).append(e)
    return [
        Conflict(key, tuple(found))
        for key, found in sorted(by_key.items())
        if len({e.intent for e in found}) > 1
    ]


def near_duplicates(examples: Sequence[Example], similarity: float) -> list[NearDuplicate]:
    """Pairs of different normalised texts under different intents with a RapidFuzz ratio of
    at least `similarity`, the closest first. Each (text, intent) counts once."""
    first: dict[tuple[str, str], Example] = {}
    for e in examples:
        key = example_key(e.text)
        if key:
            first.setdefault((key, e.intent), e)
    # Blocking by length: ratio = 100 * (1 - distance / (la + lb)) and distance >= lb - la,
    # so a text of length lb >= la can reach `similarity` only if lb <= la * (200 - s) / s.
    entries = sorted(first, key=lambda k: (len(k[0]), k))
    lengths = [len(k) for k, _ in entries]
    keys = [k for k, _ in entries]
    factor = (200.0 - similarity) / similarity if similarity > 0 else float("inf")
    found: list[NearDuplicate] = []
    for i, (key, intent) in enumerate(entries):
        end = bisect_right(lengths, len(key) * factor) if factor != float("inf") else len(keys)
        matches = process.extract(
            key, keys[i + 1 : end], scorer=fuzz.ratio, score_cutoff=similarity, limit=None
        )
        for other, score, offset in matches:
            other_intent = entries[i + 1 + offset][1]
            if other_intent == intent or other == key:
                continue
            a, b = first[(key, intent)], first[(other, other_intent)]
            if (a.intent, a.text) > (b.intent, b.text):
                a, b = b, a
            found.append(NearDuplicate(round(float(score), 1), a, b))
    return sorted(found, key=lambda d: (-d.score, d.a.intent, d.a.text, d.b.text))


def _word_pattern(entry: str) -> re.Pattern[str]:
    """How RegexEntityExtractor matches a lookup entry (use_word_boundaries, no case)."""
    return re.compile(rf"\b{re.escape(entry)}\b", re.IGNORECASE)


def domain_entities(path: Path) -> frozenset[str]:
    """The entity names of a domain file."""
    domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names = set()
    for entry in domain.get("entities") or []:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        if isinstance(name, str):
            names.add(name)
    return frozenset(names)


def unused_lookups(
    lookups: Sequence[LookupEntry],
    texts: Iterable[str],
    tables: frozenset[str] | None = None,
) -> list[LookupEntry]:
    """Lookup entries found in none of `texts`; only those of `tables` (None: every table)."""
    corpus = "\n".join(texts)
    unused = [
        e
        for e in lookups
        if e.entry
        and (tables is None or e.table in tables)
        and not _word_pattern(e.entry).search(corpus)
    ]
    return sorted(unused, key=lambda e: (e.table, e.entry))


def synonyms_not_in_lookups(
    synonyms: Sequence[SynonymForm], lookups: Sequence[LookupEntry]
) -> list[SynonymForm]:
    """Synonym surface forms no lookup table holds (their value itself is not a form)."""
    known = {e.entry.lower() for e in lookups}
    missing = [s for s in synonyms if s.form.lower() not in known]
    return sorted(missing, key=lambda s: (s.value, s.form))


def unannotated_values(examples: Sequence[Example], synonyms: Sequence[SynonymForm]) -> list[str]:
    """Synonym values that no example annotates, by the value or by one of its forms."""
    to_value = {s.form.lower(): s.value for s in synonyms}
    seen = set()
    for e in examples:
        for _entity, value in annotated_values(e.text):
            seen.add(to_value.get(value, value))
    return sorted({s.value for s in synonyms} - seen)


def check(
    data_dir: Path = DATA_DIR,
    *,
    min_examples: int = MIN_EXAMPLES,
    similarity: float = SIMILARITY,
    domain: Path | None = DOMAIN_PATH,
    extra_texts: Sequence[str] = (),
) -> HealthReport:
    """The health report of the training data under `data_dir`. `domain`: its intents
    without any example count as having 0, and only lookup tables named after its entities
    are checked for unused entries (None: only the data's intents, every table).
    `extra_texts`: messages besides the examples in which a lookup entry counts as used."""
    data = load(data_dir)
    has_domain = domain is not None and domain.is_file()
    intents = domain_intents(domain) if domain is not None and has_domain else ()
    entity_tables = domain_entities(domain) if domain is not None and has_domain else None
    counts = Counter(e.intent for e in data.examples)
    texts = [plain_text(e.text) for e in data.examples]
    return HealthReport(
        files=data.files,
        example_count=len(data.examples),
        intent_counts=dict(sorted(counts.items())),
        min_examples=min_examples,
        similarity=similarity,
        few_examples=few_examples(data.examples, min_examples, intents),
        conflicts=conflicts(data.examples),
        near_duplicates=near_duplicates(data.examples, similarity),
        unused_lookups=unused_lookups(data.lookups, [*texts, *extra_texts], entity_tables),
        lookup_count=len(data.lookups),
        synonyms_not_in_lookups=synonyms_not_in_lookups(data.synonyms, data.lookups),
        unannotated_values=unannotated_values(data.examples, data.synonyms),
        extra_text_count=len(extra_texts),
    )


def inbox_texts(engine: Engine) -> list[str]:
    """The masked texts of the review inbox (every status): what citizens wrote lately."""
    with Session(engine) as s:
        return [t for t in s.scalars(select(NluReviewItem.text)) if t]
