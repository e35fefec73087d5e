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
from bot.store.models import NluReviewItem, utcnow
from bot.training.inbox import FALLBACK_INTENT

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
REASONS = ("low_confidence", "fallback", "correction")

_PUNCTUATION = re.compile(r"[^\w\s]+|_")
_SPACES = re.compile(r"\s+")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class ReviewError(ValueError):
    """A decision that cannot be taken; the message is for the trainer (Indonesian)."""


def normalise(text: str) -> str:
    """Lower case, punctuation replaced by spaces, one space between words."""
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", text.lower())).strip()


@lru_cache(maxsize=4)
def domain_intents(path: Path = DOMAIN_PATH) -> tuple[str, ...]:
    """The intents of the domain an example may be trained under (not `nlu_fallback`)."""
    domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names = []
    for entry in domain.get("intents") or []:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        if isinstance(name, str) and name != FALLBACK_INTENT:
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
