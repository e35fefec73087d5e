"""Worked tickets' categories as training examples for the category classifier.

A ticket's category is suggested from its story (bot.categories) and confirmed by the
citizen when filing (officers cannot change it yet). A **candidate** is a worked ticket
(verified, in progress, waiting for the citizen, or resolved) whose category differs from
what the classifier now suggests for its story: the classifier has something to learn
there. Trainers accept it (its final category), relabel it, or discard it, on
`/latih/kategori` or with `python -m bot categories review`; `export` adds the accepted and
relabelled ones to `data/categories/reviewed.yml`, which the classifier trains on.

Privacy: complaint texts are ticket data. Only public tickets become candidates: never an
anonymous or confidential one (a pungli report defaults to confidential), and never a
rejected one. The text is masked (bot.training.masking) before it is shown or written, and
neither the ticket id nor anything about the reporter is shown: a candidate is named by a
keyed hash of the ticket's row id. Decisions (that key, the action, the category, who,
when; no text) are kept in `VAR_DIR/category_review.json`; the text is read again from the
ticket when exported, so a ticket that stops qualifying is never written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.category_eval import HELD_OUT_PATH
from bot.category_model import DATA_DIR, CategoryModel, get_model, read_examples
from bot.store.models import Category, Privacy, Ticket, TicketStatus
from bot.training.masking import mask

WORKED = (
    TicketStatus.DIVERIFIKASI,
    TicketStatus.DIPROSES,
    TicketStatus.MENUNGGU_WARGA,
    TicketStatus.SELESAI,
)
ACTIONS = ("accept", "relabel", "discard")
DECISIONS_FILE = "category_review.json"
REVIEWED_FILE = "reviewed.yml"
HELD_OUT_SIMILARITY = 90.0
HEADER = (
    "# Complaint texts whose category officers set and trainers accepted, masked, written by\n"
    "# `python -m bot categories export` (bot/category_review.py). Same format as\n"
    "# complaints.yml; the export keeps what it finds here and only adds.\n"
)


@dataclass(frozen=True)
class Candidate:
    """A masked complaint text, the category its ticket ended with, and the suggestion."""

    key: str
    text: str
    final: Category
    suggested: Category


@dataclass
class ExportResult:
    added: list[tuple[str, Category]] = field(default_factory=list)
    duplicates: int = 0
    conflicts: list[tuple[str, Category, Category]] = field(default_factory=list)
    held_out: list[str] = field(default_factory=list)


def candidate_key(ticket_id: int, secret: str) -> str:
    """The name of a ticket's candidate: a keyed hash of its row id (not its ADU id)."""
    digest = hmac.new(secret.encode(), f"category:{ticket_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:20]


def normalise(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def _eligible(engine: Engine, secret: str) -> list[tuple[str, str, Category]]:
    """(key, masked text, final category) of every public worked ticket."""
    with Session(engine) as session:
        rows = session.execute(
            select(Ticket.id, Ticket.description, Ticket.category)
            .where(Ticket.privacy == Privacy.PUBLIC, Ticket.status.in_(WORKED))
            .order_by(Ticket.id)
        ).all()
    return [(candidate_key(i, secret), mask(d), c) for i, d, c in rows if d and d.strip()]


def read_decisions(var_dir: Path) -> dict[str, dict[str, str]]:
    path = var_dir / DECISIONS_FILE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def known_texts(data_dir: Path = DATA_DIR) -> dict[str, Category]:
    """Normalised text -> category of every training example."""
    known: dict[str, Category] = {}
    for name in ("complaints.yml", REVIEWED_FILE):
        for example in read_examples(data_dir / name):
            known.setdefault(normalise(example.text), example.category)
    return known


def candidates(
    engine: Engine,
    var_dir: Path,
    secret: str,
    model: CategoryModel | None = None,
    data_dir: Path = DATA_DIR,
) -> list[Candidate]:
    """Undecided candidates, oldest ticket first; texts already in the training data left out."""
    model = model or get_model(data_dir)
    decided = read_decisions(var_dir)
    known = known_texts(data_dir)
    rows = [
        (key, text, final)
        for key, text, final in _eligible(engine, secret)
        if key not in decided and normalise(text) not in known
    ]
    suggested = model.predict_many([text for _, text, _ in rows]) if rows else []
    return [
        Candidate(key, text, final, guess)
        for (key, text, final), guess in zip(rows, suggested, strict=True)
        if guess is not final
    ]


def decide(
    var_dir: Path,
    keys: Sequence[str],
    action: str,
    by: str,
    category: Category | None = None,
) -> int:
    """Record a decision on each key; returns how many were recorded."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if action == "relabel" and category is None:
        raise ValueError("relabel needs a category")
    decisions = read_decisions(var_dir)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for key in keys:
        decisions[key] = {
            "action": action,
            "category": category.value if action == "relabel" and category else "",
            "by": by,
            "at": now,
        }
    _write_atomic(var_dir / DECISIONS_FILE, json.dumps(decisions, indent=1, sort_keys=True))
    return len(keys)


def _held_out_texts(path: Path) -> list[str]:
    return [normalise(e.text) for e in read_examples(path)]


def export_reviewed(
    engine: Engine,
    var_dir: Path,
    secret: str,
    data_dir: Path = DATA_DIR,
    held_out_path: Path = HELD_OUT_PATH,
    dry_run: bool = False,
) -> ExportResult:
    """Add accepted and relabelled candidates to `data_dir/reviewed.yml`: the same text
    already trained under the same category is a duplicate, under another a conflict
    (reported, not written); near copies of held-out texts are kept out."""
    decisions = read_decisions(var_dir)
    known = known_texts(data_dir)
    held_out = _held_out_texts(held_out_path)
    result = ExportResult()
    chosen: dict[str, tuple[str, Category]] = {}
    for key, text, final in _eligible(engine, secret):
        decision = decisions.get(key)
        if not decision or decision.get("action") == "discard":
            continue
        label = Category(decision["category"]) if decision["action"] == "relabel" else final
        norm = normalise(text)
        earlier = known.get(norm) or (chosen[norm][1] if norm in chosen else None)
        if earlier is label:
            result.duplicates += 1
            continue
        if earlier is not None:
            result.conflicts.append((text, earlier, label))
            continue
        if held_out and process.extractOne(
            norm, held_out, scorer=fuzz.ratio, score_cutoff=HELD_OUT_SIMILARITY
        ):
            result.held_out.append(text)
            continue
        chosen[norm] = (text, label)
    result.added = list(chosen.values())
    if result.added and not dry_run:
        path = data_dir / REVIEWED_FILE
        rows = [{"text": e.text, "category": e.category.value} for e in read_examples(path)] + [
            {"text": t, "category": c.value} for t, c in result.added
        ]
        body = yaml.safe_dump({"examples": rows}, allow_unicode=True, sort_keys=False, width=10**6)
        _write_atomic(path, HEADER + body)
    return result


def report_lines(result: ExportResult, dry_run: bool = False) -> list[str]:
    verb = "would add" if dry_run else "added"
    lines = [f"categories: {verb} {len(result.added)} example(s) to {REVIEWED_FILE}"]
    lines += [f"  + {c.value}: {t}" for t, c in result.added]
    if result.duplicates:
        lines.append(f"  {result.duplicates} already in the training data")
    for text, earlier, label in result.conflicts:
        lines.append(f"  conflict: {text!r} is {earlier.value} in the data, decided {label.value}")
    for text in result.held_out:
        lines.append(f"  kept out (near a held-out text): {text!r}")
    return lines
