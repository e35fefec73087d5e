"""The trainer's review of the NLU inbox: similar messages grouped, and the decisions on them.

Grouping works on the masked texts of the items still to review (status `new`), newest
first, at most MAX_ITEMS of them (the page says when more wait). A text is normalised
(lower case, punctuation removed, runs of spaces made one); items with the same normalised
text form one group, and a normalised text whose RapidFuzz ratio to a group's first text is
at least SIMILARITY joins that group (near-duplicates: "syarat ktp apa aj" with "syarat ktp
apa aja"). Groups are sorted by size, then by their newest message.

A group's prediction is the intent predicted most often among its items (ties: the
alphabetically first), with the mean confidence of those items; its alternatives and
entities are those of the newest item with that prediction.

Decisions (`decide`) set, on the items still `new`, the status and the intent the example
is to be trained under:
- confirm: `confirmed`, the group's prediction (refused for `nlu_fallback`, which is no
  intent to train, and for an intent the domain does not have),
- relabel: `relabelled`, an intent of domain.yml,
- discard: `discarded`, no intent.

Entities (`mark_entity`): before deciding, a trainer marks a span of the group's text as an
entity the pipeline knows, `service` (with its catalogue id) or `ticket_id`; the mark is
stored on every item of the group still `new` whose masked text holds the span (the first
occurrence, case-insensitive, as a whole word or phrase), and travels with the decision
into the export (bot.training.export writes it as Rasa markup, `[KTP](service)`). A span
holds no placeholder and no bracket (`[NIK]`, `(`, `{`: Rasa's markup characters); a
ticket id is written `ADU-XXXXXX` in masked text. A new mark replaces the marks it
overlaps; `clear_entities` removes a group's marks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.store.models import NluReviewItem, Officer, Service, utcnow
from bot.training.inbox import BUTTON_ONLY_INTENTS, FALLBACK_INTENT, normalise

NEW = "new"
CONFIRMED = "confirmed"
RELABELLED = "relabelled"
DISCARDED = "discarded"
ACTIONS = ("confirm", "relabel", "discard")
MAX_ITEMS = 3000  # items grouped per page view; older ones wait for the next
SIMILARITY = 90.0  # RapidFuzz ratio (0-100) from which two normalised texts are one group
PAGE_SIZE = 20  # groups per page
VARIANTS = 3  # other wordings of a group shown besides its text
DOMAIN_PATH = PROJECT_ROOT / "domain.yml"
ENTITY_TYPES = ("service", "ticket_id")  # what a trainer may mark (domain.yml entities)
MAX_ENTITY_TEXT = 80
_MARKUP_CHARACTERS = re.compile(r"[\[\](){}\x00-\x1f]")
_TICKET = re.compile(r"ADU-[0-9A-Z]{6}", re.IGNORECASE)
REASONS = ("low_confidence", "fallback", "correction", "repeat", "not_helpful")

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class ReviewError(ValueError):
    """A decision that cannot be taken; the message is for the trainer (Indonesian)."""


@lru_cache(maxsize=4)
def domain_intents(path: Path = DOMAIN_PATH) -> tuple[str, ...]:
    """The intents of the domain an example may be trained under (not `nlu_fallback`, not
    the intents only a button sends)."""
    domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names = []
    for entry in domain.get("intents") or []:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        if isinstance(name, str) and name != FALLBACK_INTENT and name not in BUTTON_ONLY_INTENTS:
            names.append(name)
    return tuple(names)


@dataclass(frozen=True)
class Item:
    """A review item as the grouping needs it."""

    id: int
    text: str
    intent: str | None
    confidence: float | None
    alternatives: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    reasons: tuple[str, ...]
    at: datetime  # when the citizen wrote it (else when it was collected)
    marked: list[dict[str, Any]] = field(default_factory=list)  # the trainer's entities


@dataclass(frozen=True)
class Group:
    """Similar messages, decided together."""

    ids: tuple[int, ...]  # newest first
    text: str  # the newest wording of the group's first normalised text
    variants: tuple[str, ...]  # other wordings, at most VARIANTS
    intent: str | None
    confidence: float | None
    alternatives: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    reasons: dict[str, int]  # reason -> how many items have it
    latest: datetime
    marked: list[dict[str, Any]] = field(default_factory=list)  # on the group's text

    @property
    def count(self) -> int:
        """How many messages the group holds."""
        return len(self.ids)

    @property
    def key(self) -> str:
        """The ids as the page posts them back ("12,9,4")."""
        return ",".join(str(i) for i in self.ids)

    @property
    def confirmable(self) -> bool:
        """The prediction names an intent that can be trained."""
        return self.intent is not None and self.intent != FALLBACK_INTENT


@dataclass(frozen=True)
class GroupPage:
    """One page of groups."""

    groups: list[Group]
    page: int
    pages: int
    total_groups: int
    total_items: int  # items grouped (at most MAX_ITEMS)
    truncated: bool  # more than MAX_ITEMS items wait
    page_size: int = PAGE_SIZE


@dataclass(frozen=True)
class Decision:
    """What one `decide` call changed."""

    decided: int  # items now carrying the decision
    skipped_groups: int = 0  # groups whose prediction cannot be confirmed
    gone: int = 0  # ids no longer waiting (decided meanwhile, expired or deleted)
    labels: dict[str, int] = field(default_factory=dict)  # intent -> items


def _aware(value: datetime | None) -> datetime:
    if value is None:
        return _EPOCH
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _item(row: NluReviewItem) -> Item:
    return Item(
        id=row.id,
        text=row.text,
        intent=row.intent,
        confidence=row.confidence,
        alternatives=list(row.alternatives or []),
        entities=list(row.entities or []),
        reasons=tuple(r for r in (row.reasons or "").split(",") if r),
        at=_aware(row.message_at or row.created_at),
        marked=list(row.reviewed_entities or []),
    )


def load_new(engine: Engine, limit: int = MAX_ITEMS) -> tuple[list[Item], bool]:
    """The newest `limit` items still to review, and whether more wait."""
    with Session(engine) as s:
        rows = s.scalars(
            select(NluReviewItem)
            .where(NluReviewItem.status == NEW)
            .order_by(NluReviewItem.created_at.desc(), NluReviewItem.id.desc())
            .limit(limit + 1)
        ).all()
        items = [_item(r) for r in rows[:limit]]
    return items, len(rows) > limit


def prediction(items: Sequence[Item]) -> str | None:
    """The intent predicted most often (ties: alphabetically first; None when no item has
    one)."""
    counts = Counter(i.intent for i in items if i.intent)
    if not counts:
        return None
    return min(counts, key=lambda name: (-counts[name], name))


def _group(items: list[Item], first_key: str) -> Group:
    items = sorted(items, key=lambda i: (i.at, i.id), reverse=True)
    intent = prediction(items)
    predicted = [i for i in items if i.intent == intent]
    confidences = [i.confidence for i in predicted if i.confidence is not None]
    newest = predicted[0] if predicted else items[0]
    text = next(i.text for i in items if normalise(i.text) == first_key)
    variants: list[str] = []
    seen = {normalise(text)}
    for i in items:
        key = normalise(i.text)
        if key not in seen and len(variants) < VARIANTS:
            seen.add(key)
            variants.append(i.text)
    reasons = Counter(r for i in items for r in i.reasons)
    return Group(
        ids=tuple(i.id for i in items),
        text=text,
        variants=tuple(variants),
        intent=intent,
        confidence=sum(confidences) / len(confidences) if confidences else None,
        alternatives=newest.alternatives,
        entities=newest.entities,
        reasons={r: reasons[r] for r in sorted(reasons, key=_reason_order)},
        latest=items[0].at,
        marked=next((i.marked for i in items if i.text == text), []),
    )


def _reason_order(reason: str) -> tuple[int, str]:
    return (REASONS.index(reason) if reason in REASONS else len(REASONS), reason)


def group_items(items: Iterable[Item], similarity: float = SIMILARITY) -> list[Group]:
    """Items grouped by normalised text and near-duplicates, largest groups first, then
    the most recent."""
    exact: dict[str, list[Item]] = {}
    for item in items:
        exact.setdefault(normalise(item.text), []).append(item)

    def newest(key: str) -> datetime:
        return max(i.at for i in exact[key])

    # Larger exact groups first: they become the representatives near-duplicates join.
    keys = sorted(exact, key=lambda k: (-len(exact[k]), -newest(k).timestamp(), k))
    representatives: list[str] = []
    clusters: list[list[str]] = []
    for key in keys:
        match = (
            process.extractOne(key, representatives, scorer=fuzz.ratio, score_cutoff=similarity)
            if key and representatives
            else None
        )
        if match is not None and match[0]:
            clusters[match[2]].append(key)
        else:
            representatives.append(key)
            clusters.append([key])
    groups = [
        _group([i for key in cluster for i in exact[key]], cluster[0]) for cluster in clusters
    ]
    groups.sort(key=lambda g: (-g.count, -g.latest.timestamp(), g.ids[0]))
    return groups


SHORTLIST = 9  # intents a trainer picks with the keys 1-9


def shortlist(group: Group, intents: Sequence[str], size: int = SHORTLIST) -> list[str]:
    """The intents offered first for relabelling a group: its alternatives, then the
    domain's intents in order, never its own prediction, at most `size`."""
    names: list[str] = []
    candidates = [a.get("name") for a in group.alternatives] + list(intents)
    for name in candidates:
        if len(names) == size:
            break
        fits = isinstance(name, str) and name in intents and name != group.intent
        if fits and name not in names:
            names.append(str(name))
    return names


def list_groups(engine: Engine, page: int = 1, page_size: int = PAGE_SIZE) -> GroupPage:
    """Page `page` (from 1) of the groups of items still to review. A page past the last
    is empty."""
    items, truncated = load_new(engine)
    groups = group_items(items)
    pages = max(1, -(-len(groups) // page_size))
    start = (page - 1) * page_size
    return GroupPage(
        groups=groups[start : start + page_size],
        page=page,
        pages=pages,
        total_groups=len(groups),
        total_items=len(items),
        truncated=truncated,
        page_size=page_size,
    )


def decide(
    engine: Engine,
    groups: Sequence[Sequence[int]],
    action: str,
    actor_id: int,
    intent: str | None = None,
    intents: Sequence[str] | None = None,
) -> Decision:
    """Take one decision on the items of `groups` still waiting for review (see the module
    docstring). `intents`: the intents allowed (default: those of domain.yml)."""
    if action not in ACTIONS:
        raise ReviewError("Tindakan tidak dikenal.")
    allowed = tuple(intents) if intents is not None else domain_intents()
    if action == "relabel" and intent not in allowed:
        raise ReviewError("Pilih intent yang ada di domain.")
    wanted = sorted({i for ids in groups for i in ids})
    now = utcnow()
    decided = skipped = 0
    labels: Counter[str] = Counter()
    with Session(engine) as s, s.begin():
        rows = {
            r.id: r
            for r in s.scalars(
                select(NluReviewItem)
                .where(NluReviewItem.id.in_(wanted), NluReviewItem.status == NEW)
                .with_for_update()
            )
        }
        for ids in groups:
            members = [rows[i] for i in dict.fromkeys(ids) if i in rows]
            if not members:
                continue
            if action == "discard":
                status, label = DISCARDED, None
            elif action == "relabel":
                status, label = RELABELLED, intent
            else:
                label = prediction([_item(r) for r in members])
                if label is None or label not in allowed:
                    skipped += 1
                    continue
                status = CONFIRMED
            for row in members:
                row.status = status
                row.reviewed_intent = label
                row.reviewed_by = actor_id
                row.reviewed_at = now
                del rows[row.id]
            decided += len(members)
            if label:
                labels[label] += len(members)
    gone = len(wanted) - decided - _still_new(engine, wanted)
    return Decision(decided, skipped, max(0, gone), dict(labels))


def _still_new(engine: Engine, ids: list[int]) -> int:
    if not ids:
        return 0
    with Session(engine) as s:
        return len(
            s.scalars(
                select(NluReviewItem.id).where(
                    NluReviewItem.id.in_(ids), NluReviewItem.status == NEW
                )
            ).all()
        )


# -- entities ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marked:
    """What one `mark_entity` call changed."""

    marked: int  # items now carrying the mark
    missing: int  # items of the groups whose text does not hold the span


def services(engine: Engine) -> list[tuple[str, str]]:
    """(catalogue id, name) of every service, by name: the values a `service` mark takes."""
    with Session(engine) as s:
        rows = s.execute(select(Service.id, Service.name).order_by(Service.name)).all()
    return [(str(sid), str(name)) for sid, name in rows]


def find_span(text: str, span: str) -> tuple[int, int] | None:
    """Where `span` first stands in `text` as a whole word or phrase, ignoring case."""
    match = re.search(r"(?<!\w)" + re.escape(span) + r"(?!\w)", text, re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def check_mark(entity: str, span: str, value: str | None, known: Sequence[str]) -> str | None:
    """The mark's value once checked (a catalogue id, None for a ticket id); ReviewError
    with the trainer's message when the mark cannot be taken. `known`: the catalogue ids."""
    if entity not in ENTITY_TYPES:
        raise ReviewError("Jenis entitas tidak dikenal.")
    if not span or len(span) > MAX_ENTITY_TEXT:
        raise ReviewError(
            f"Tulis teks entitas persis seperti di pesan (1-{MAX_ENTITY_TEXT} huruf)."
        )
    if _MARKUP_CHARACTERS.search(span):
        raise ReviewError(
            "Teks entitas tidak boleh memuat data yang disamarkan atau tanda kurung ([ ] ( ) { })."
        )
    if entity == "ticket_id":
        if not _TICKET.fullmatch(span):
            raise ReviewError("Nomor tiket ditulis ADU- dan 6 huruf/angka, misalnya ADU-XXXXXX.")
        return None
    if value not in known:
        raise ReviewError("Pilih layanan dari katalog.")
    return value


def mark_entity(
    engine: Engine,
    groups: Sequence[Sequence[int]],
    entity: str,
    span: str,
    value: str | None = None,
    known_services: Sequence[str] | None = None,
) -> Marked:
    """Mark `span` as `entity` (`value`: the catalogue id of a service) on the items of
    `groups` still to review whose text holds it (see the module docstring). ReviewError
    when the mark is invalid or no item holds the span."""
    span = span.strip()
    known = (
        tuple(known_services) if known_services is not None else [s[0] for s in services(engine)]
    )
    value = check_mark(entity, span, value, known)
    wanted = sorted({i for ids in groups for i in ids})
    marked = missing = 0
    with Session(engine) as s, s.begin():
        rows = s.scalars(
            select(NluReviewItem)
            .where(NluReviewItem.id.in_(wanted), NluReviewItem.status == NEW)
            .with_for_update()
        ).all()
        for row in rows:
            found = find_span(row.text, span)
            if found is None:
                missing += 1
                continue
            start, end = found
            mark = {
                "entity": entity,
                "value": value,
                "text": row.text[start:end],
                "start": start,
                "end": end,
            }
            kept = [
                m
                for m in row.reviewed_entities or []
                if m.get("end", 0) <= start or m.get("start", 0) >= end
            ]
            row.reviewed_entities = sorted([*kept, mark], key=lambda m: m["start"])
            marked += 1
    if not marked:
        raise ReviewError(f"Teks \u201c{span}\u201d tidak ada dalam pesan grup ini.")
    return Marked(marked, missing)


def clear_entities(engine: Engine, groups: Sequence[Sequence[int]]) -> int:
    """Remove the marks of the items of `groups` still to review; how many had some."""
    wanted = sorted({i for ids in groups for i in ids})
    cleared = 0
    with Session(engine) as s, s.begin():
        for row in s.scalars(
            select(NluReviewItem).where(NluReviewItem.id.in_(wanted), NluReviewItem.status == NEW)
        ):
            if row.reviewed_entities:
                row.reviewed_entities = None
                cleared += 1
    return cleared


# -- decided items ----------------------------------------------------------------------------

DECIDED_SHOWN = 30  # decided groups listed, newest decision first


@dataclass(frozen=True)
class DecidedGroup:
    """Similar messages decided together (one decision, one text group): what the trainer
    sees to check, and undoes at once."""

    ids: tuple[int, ...]
    text: str
    count: int
    status: str  # confirmed, relabelled, discarded
    intent: str | None  # the intent it is trained under (None when discarded)
    predicted: str | None  # what the model predicted
    by: str | None  # the trainer's username
    at: datetime  # when it was decided
    exported: int  # how many of its items are in an export already

    @property
    def key(self) -> str:
        """The ids as the page posts them back ("12,9,4")."""
        return ",".join(str(i) for i in self.ids)


def list_decided(engine: Engine, limit: int = DECIDED_SHOWN) -> list[DecidedGroup]:
    """The latest decisions, newest first, each split into its groups of similar texts;
    at most `limit` groups (taken from the newest MAX_ITEMS decided items)."""
    with Session(engine) as s:
        rows = s.scalars(
            select(NluReviewItem)
            .where(NluReviewItem.status != NEW, NluReviewItem.reviewed_at.is_not(None))
            .order_by(NluReviewItem.reviewed_at.desc(), NluReviewItem.id.desc())
            .limit(MAX_ITEMS)
        ).all()
        names: dict[int | None, str] = {
            officer_id: username
            for officer_id, username in s.execute(
                select(Officer.id, Officer.username).where(
                    Officer.id.in_({r.reviewed_by for r in rows if r.reviewed_by is not None})
                )
            ).all()
        }
        decisions: dict[tuple[Any, ...], list[NluReviewItem]] = {}
        for row in rows:
            at = _aware(row.reviewed_at)
            key = (at, row.reviewed_by, row.status, row.reviewed_intent)
            decisions.setdefault(key, []).append(row)
        out: list[DecidedGroup] = []
        for (at, by, status, intent), members in decisions.items():
            exported = {r.id for r in members if r.exported_at is not None}
            for group in group_items([_item(r) for r in members]):
                out.append(
                    DecidedGroup(
                        ids=group.ids,
                        text=group.text,
                        count=group.count,
                        status=status,
                        intent=intent,
                        predicted=group.intent,
                        by=names.get(by),
                        at=at,
                        exported=len(exported.intersection(group.ids)),
                    )
                )
                if len(out) == limit:
                    return out
    return out


def decided_rows(session: Session, ids: Sequence[int]) -> list[NluReviewItem]:
    """The decided items among `ids`, locked for an undo in the caller's transaction."""
    return list(
        session.scalars(
            select(NluReviewItem)
            .where(NluReviewItem.id.in_(list(ids)), NluReviewItem.status != NEW)
            .with_for_update()
        )
    )


def mark_new(rows: Iterable[NluReviewItem]) -> None:
    """Clear the decision of `rows` (the trainer's entity marks stay)."""
    for row in rows:
        row.status = NEW
        row.reviewed_intent = None
        row.reviewed_by = None
        row.reviewed_at = None
        row.exported_at = None
