"""`python -m bot categories review|export|eval`: the category classifier's trainer commands
(bot.category_review, bot.category_eval)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.store.models import Category


def add_arguments(sub: Any) -> argparse.ArgumentParser:
    """The `categories` command and its subcommands, under `sub` (argparse subparsers)."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "categories", help="complaint category classifier: review candidates, export, eval"
    )
    commands = parser.add_subparsers(dest="categories_command", required=True, metavar="COMMAND")
    review = commands.add_parser(
        "review",
        help="list candidates (masked texts of public worked tickets the model gets wrong)",
        description="Without options: list the undecided candidates. With --accept, "
        "--relabel or --discard: record a decision on the named candidates.",
    )
    review.add_argument("--accept", nargs="+", metavar="KEY", default=[])
    review.add_argument("--discard", nargs="+", metavar="KEY", default=[])
    review.add_argument(
        "--relabel", nargs="+", metavar="KEY=CATEGORY", default=[], help="e.g. 3f9a...=pungli"
    )
    review.add_argument("--by", default="cli", help="who decides (stored with the decision)")
    export = commands.add_parser(
        "export", help="add accepted and relabelled candidates to data/categories/reviewed.yml"
    )
    export.add_argument("--dry-run", action="store_true", help="print only; write nothing")
    evaluate = commands.add_parser(
        "eval", help="held-out accuracy and per-category F1 (--cv: cross-validation too)"
    )
    evaluate.add_argument("--cv", action="store_true", help="also cross-validate (5 folds x 3)")
    return parser


def _review(args: argparse.Namespace) -> int:
    from bot.category_review import candidates, decide
    from bot.config import get_settings
    from bot.store.db import get_engine, prepare_database

    settings = get_settings()
    decided = 0
    if args.accept:
        decided += decide(settings.var_dir, args.accept, "accept", args.by)
    if args.discard:
        decided += decide(settings.var_dir, args.discard, "discard", args.by)
    for item in args.relabel:
        key, _, value = item.partition("=")
        try:
            category = Category(value.strip().lower())
        except ValueError:
            print(f"unknown category {value!r}: one of {', '.join(c.value for c in Category)}")
            return 2
        decided += decide(settings.var_dir, [key.strip()], "relabel", args.by, category)
    if decided:
        print(f"{decided} decision(s) recorded; `python -m bot categories export` writes them")
        return 0
    prepare_database(seed="never")
    found = candidates(get_engine(), settings.var_dir, settings.secret_key)
    print(f"{len(found)} candidate(s)")
    for c in found:
        print(f"{c.key}  final={c.final.value}  model={c.suggested.value}  {c.text}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from bot.category_review import export_reviewed, report_lines
    from bot.config import get_settings
    from bot.store.db import get_engine, prepare_database

    settings = get_settings()
    prepare_database(seed="never")
    result = export_reviewed(
        get_engine(), settings.var_dir, settings.secret_key, dry_run=args.dry_run
    )
    for line in report_lines(result, args.dry_run):
        print(line)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from bot.category_eval import cross_validate, evaluate, read_held_out, report_lines
    from bot.category_model import training_examples

    examples = training_examples()
    held_out = read_held_out()
    if held_out:
        for line in report_lines("held-out set", evaluate(examples, held_out)):
            print(line)
    else:
        print("no held-out set (tests/categories/heldout.yml)")
    if args.cv:
        for line in report_lines("cross-validation, 5 folds x 3", cross_validate(examples)):
            print(line)
    return 0


def run(args: argparse.Namespace) -> int:
    commands = {"review": _review, "export": _export, "eval": _eval}
    return commands[args.categories_command](args)
