"""Command line: `python -m bot <command>`.

migrate           apply database migrations (--seed-if-empty: seed an empty catalogue)
seed              insert what data/services.yml and data/holidays.yml add; never overwrites edits
catalogue import  replace the database's catalogue with data/services.yml (diff, then confirm)
actions           migrate, seed on first start, then run the Rasa action server
telegram          run the Telegram front end
health            check what the service depends on (Telegram, Rasa, actions, database)
model train       train the served model unless nothing changed, then load it (make train)
model load        load a trained model into the running Rasa server (no restart)
nlu export        add reviewed inbox examples to data/rasa/reviewed.yml (--dry-run: show only)
nlu report        cross-validation and every held-out set, reports under var/reports/nlu-report
nlu train|models|activate|rollback  the model lifecycle (registry, held-out gate, no restart)
categories        complaint category classifier: review candidates, export, eval
officer           manage officer console accounts (create, set-password, list)
console           run the officer console (web)
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import threading
from pathlib import Path

from bot.config import get_settings
from bot.logging_config import configure_logging


def _cmd_migrate(args: argparse.Namespace) -> int:
    from bot.store.db import prepare_database

    prepare_database(seed="if-empty" if args.seed_if_empty else "never")
    print("database is up to date")
    return 0


def _cmd_seed(_args: argparse.Namespace) -> int:
    from bot.store.db import prepare_database

    path = get_settings().catalogue_path
    result = prepare_database(seed="always")
    assert result is not None  # seed="always" always seeds
    if result.empty:
        print(f"catalogue: nothing to add from {path}")
    else:
        print(f"catalogue: added from {path}:")
        if result.offices:
            print(f"  offices: {', '.join(result.offices)}")
        if result.services:
            print(f"  services: {', '.join(result.services)}")
        for service_id, alias in result.aliases:
            print(f"  alias {alias!r} of {service_id}")
        for label, facts in (
            ("facts of {}", result.facts),
            (
                "facts of {} without a source (stored text differs from the file)",
                result.unsourced_facts,
            ),
        ):
            aspects: dict[str, list[str]] = {}
            for service_id, aspect in facts:
                aspects.setdefault(service_id, []).append(aspect)
            for service_id, names in aspects.items():
                print(f"  {label.format(service_id)}: {', '.join(names)}")
        if result.unsourced_facts:
            print("  check them in the console: /admin/layanan/perlu-diperiksa")
    for service_id, alias, holder in result.taken_aliases:
        print(f"  alias {alias!r} of {service_id} skipped: the database gives it to {holder}")
    print(
        "Stored offices and services were left as they are "
        "(python -m bot catalogue import replaces them with the file)."
    )
    from bot.store.db import get_engine
    from bot.tickets.holidays import seed_holidays

    settings = get_settings()
    days = seed_holidays(get_engine(settings.database_url), settings.holidays_path)
    if days:
        print(f"holidays: added from {settings.holidays_path}: {', '.join(map(str, days))}")
    else:
        print(f"holidays: nothing to add from {settings.holidays_path}")
    return 0


def _cmd_catalogue_import(args: argparse.Namespace) -> int:
    from bot.store.catalogue import (
        Catalogue,
        CatalogueImportError,
        catalogue_diff,
        import_catalogue,
    )
    from bot.store.db import get_engine, prepare_database

    path = get_settings().catalogue_path
    catalogue = Catalogue.from_file(path)
    prepare_database(seed="never")
    engine = get_engine()
    diff = catalogue_diff(engine, catalogue)
    if diff.empty:
        print(f"catalogue: the database already matches {path}; nothing to import")
        return 0
    print(f"Importing {path} changes the database's catalogue (old -> new):")
    for line in diff.lines():
        print(line)
    if not args.yes:
        try:
            answer = input("Replace the catalogue with the file? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("catalogue: nothing changed")
            return 1
    try:
        import_catalogue(engine, catalogue, expected=diff, source=str(path))
    except CatalogueImportError as exc:
        print(f"catalogue: nothing changed: {exc}", file=sys.stderr)
        return 1
    print("catalogue: imported")
    return 0


def _warm_category_model() -> None:
    from bot.category_model import get_model

    try:
        get_model()
    except Exception:  # the first suggestion trains it again and reports the error there
        logging.getLogger("actions").exception("category model: training at start failed")


def _cmd_actions(args: argparse.Namespace) -> int:
    from rasa_sdk import endpoint

    from bot.store.db import prepare_database

    prepare_database(seed="if-empty")
    # Train the category classifier now (a few seconds), not inside a citizen's first complaint.
    threading.Thread(target=_warm_category_model, name="category-model", daemon=True).start()
    os.environ.setdefault("SANIC_HOST", args.host)
    # /metrics and /readyz beside rasa_sdk's /health (bot/metrics.py).
    from bot.metrics import add_action_server_routes
    from bot.store.db import get_engine

    create_app = endpoint.create_app
    endpoint.create_app = lambda *a, **k: add_action_server_routes(
        create_app(*a, **k), get_engine()
    )
    endpoint.run("actions", port=args.port)
    return 0


def _cmd_telegram(_args: argparse.Namespace) -> int:
    import asyncio

    from bot.telegram.app import TelegramFrontend

    settings = get_settings()
    if not settings.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set (make run starts a local Bot API server then)")
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(TelegramFrontend(settings).run_forever())
    return 0


def _cmd_health(_args: argparse.Namespace) -> int:
    import asyncio
    import json

    from telegram import Bot

    from bot.telegram import health

    settings = get_settings()

    async def report() -> dict[str, object]:
        bot = Bot(
            settings.telegram_bot_token or "0:none",
            base_url=settings.telegram_api_base_url,
            base_file_url=settings.telegram_api_file_url,
        )
        return await health.check(
            bot,
            settings.rasa_url,
            settings.action_endpoint_url,
            settings.database_url,
            settings.rasa_auth_token,
        )

    result = asyncio.run(report())
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


def _cmd_model_train(args: argparse.Namespace) -> int:
    from bot.training.rasa_engine import Workspace, train_served

    ws = Workspace()
    model = ws.served_file.relative_to(ws.root)
    if not args.force and ws.up_to_date():
        print(f"==> model is up to date ({model})")
        return 0
    log = ws.train_log.relative_to(ws.root)
    print(f"==> training the Rasa model (70–80 s on 2 cores; log in {log})", flush=True)
    trained = train_served(ws)
    if not trained.ok:
        print(trained.log_tail, end="")
        print(f"error: training failed; full log in {log}", file=sys.stderr)
        return 1
    print(f"==> trained {model} in {trained.seconds:.0f} s", flush=True)
    # A running `make run` serves the new model at once (no restart); otherwise nothing to
    # do. The training stands whatever the load says.
    _load_model(ws.served_file, if_running=True)
    return 0


def _cmd_model_load(args: argparse.Namespace) -> int:
    from bot.training.rasa_engine import Workspace

    model = Path(args.model) if args.model else Workspace().served_file
    if not model.is_file():
        print(f"no model at {model}: train one first (make train)", file=sys.stderr)
        return 1
    return _load_model(model, args.if_running)


def _load_model(model: Path, if_running: bool) -> int:
    """Load `model` into every Rasa replica (RASA_URLS, else RASA_URL) and say what
    happened."""
    from bot.training.rasa_engine import Outcome, load_model_everywhere

    settings = get_settings()
    where = ", ".join(settings.rasa_replica_urls)
    result = load_model_everywhere(settings.rasa_replica_urls, model, settings.rasa_auth_token)
    if result.outcome is Outcome.LOADED:
        print(f"Rasa at {where} now serves {result.model_file or model}")
        if result.detail:
            print(f"  {result.detail}; it serves the served file when it starts")
        return 0
    if result.outcome is Outcome.NOT_RUNNING:
        print(f"Rasa is not running at {where}; it serves {model} when it starts")
        return 0 if if_running else 1
    print(f"Rasa did not load {model}: {result.detail}", file=sys.stderr)
    return 1


def _cmd_nlu_export(args: argparse.Namespace) -> int:
    from bot.store.db import get_engine, prepare_database
    from bot.training.export import export_reviewed, report_lines

    prepare_database(seed="never")
    result = export_reviewed(get_engine(), dry_run=args.dry_run)
    for line in report_lines(result):
        print(line)
    return 0


def _cmd_nlu_report(args: argparse.Namespace) -> int:
    from bot.training.report import REPORT_DIR, ReportError, report_lines, run_report

    root = get_settings().var_dir / "reports" / REPORT_DIR
    try:
        run_dir, summary = run_report(
            root, folds=args.folds, skip_cv=args.skip_cv, progress=lambda m: print(m, flush=True)
        )
    except ReportError as exc:
        print(exc, file=sys.stderr)
        return 1
    for line in report_lines(run_dir, summary):
        print(line)
    return 1 if summary.failed else 0


def _cmd_categories(args: argparse.Namespace) -> int:
    from bot.category_cli import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    """Every command of the module docstring, with its options."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument(
        "--seed-if-empty", action="store_true", help="load the catalogue into an empty database"
    )
    migrate.set_defaults(func=_cmd_migrate)
    sub.add_parser(
        "seed",
        help="insert what data/services.yml and data/holidays.yml add; never overwrites edits",
        description="Insert the offices, services and aliases of CATALOGUE_PATH that the "
        "database lacks. Stored offices and services (edited in the console) stay as they are.",
    ).set_defaults(func=_cmd_seed)
    catalogue = sub.add_parser("catalogue", help="the service catalogue (import)")
    catalogue_sub = catalogue.add_subparsers(
        dest="catalogue_command", required=True, metavar="COMMAND"
    )
    catalogue_import = catalogue_sub.add_parser(
        "import",
        help="replace the database's catalogue with data/services.yml (diff, then confirm)",
        description="Print how CATALOGUE_PATH differs from the database's catalogue, then, "
        "once confirmed, make the database match the file: the console's edits are "
        "overwritten and what the file lacks is removed.",
    )
    catalogue_import.add_argument(
        "--yes", action="store_true", help="import without asking (the diff is still printed)"
    )
    catalogue_import.set_defaults(func=_cmd_catalogue_import)
    actions = sub.add_parser("actions", help="run the action server")
    actions.add_argument("--port", type=int, default=get_settings().action_server_port)
    actions.add_argument("--host", default="127.0.0.1")
    actions.set_defaults(func=_cmd_actions)
    sub.add_parser("telegram", help="run the Telegram front end").set_defaults(func=_cmd_telegram)
    sub.add_parser("health", help="check what the service depends on").set_defaults(
        func=_cmd_health
    )
    model = sub.add_parser("model", help="the model the running Rasa server serves (train, load)")
    model_sub = model.add_subparsers(dest="model_command", required=True, metavar="COMMAND")
    model_train = model_sub.add_parser(
        "train",
        help="train models/layanan-aduan.tar.gz unless its inputs are unchanged, then load "
        "it into the running Rasa server (make train)",
        description="Train the model `make run` serves from config.yml, domain.yml and every "
        "file under data/rasa/, unless none of them changed since the last training (the "
        "stamp models/.layanan-aduan.inputs holds their hash); then load it into the Rasa "
        "server at RASA_URL when one runs (no restart). Rasa's output: var/train.log.",
    )
    model_train.add_argument(
        "--force", action="store_true", help="train even when nothing changed (make retrain)"
    )
    model_train.set_defaults(func=_cmd_model_train)
    model_load = model_sub.add_parser(
        "load",
        help="load a trained model into the running Rasa server (no restart)",
        description="Ask every Rasa server of RASA_URLS (else the one at RASA_URL; token "
        "RASA_AUTH_TOKEN) to serve MODEL (default: the served file in MODELS_DIR).",
    )
    model_load.add_argument("--model", default=None)
    model_load.add_argument(
        "--if-running", action="store_true", help="succeed quietly when Rasa is not running"
    )
    model_load.set_defaults(func=_cmd_model_load)
    nlu = sub.add_parser("nlu", help="the trainers' NLU data (export)")
    nlu_sub = nlu.add_subparsers(dest="nlu_command", required=True, metavar="COMMAND")
    nlu_export = nlu_sub.add_parser(
        "export",
        help="write reviewed NLU inbox examples to data/rasa/reviewed.yml",
        description="Add the confirmed and relabelled review items not yet exported to "
        "data/rasa/reviewed.yml, deduplicated against every example under data/rasa/; texts "
        "found under two intents or too close to a held-out message are printed, not written.",
    )
    nlu_export.add_argument(
        "--dry-run", action="store_true", help="print what would be added; write nothing"
    )
    nlu_export.set_defaults(func=_cmd_nlu_export)
    nlu_report = nlu_sub.add_parser(
        "report",
        help="cross-validation and every held-out set; reports under var/reports/nlu-report",
        description="Run Rasa's k-fold cross-validation of config.yml on data/rasa and test "
        "the trained model on every held-out set; write Rasa's reports, summary.json and "
        "summary.html to VAR_DIR/reports/nlu-report/<time>/ (latest: the newest run).",
    )
    nlu_report.add_argument("--folds", type=int, default=5, help="cross-validation folds (>= 2)")
    nlu_report.add_argument(
        "--skip-cv", action="store_true", help="only the held-out sets, no cross-validation"
    )
    nlu_report.set_defaults(func=_cmd_nlu_report)
    from bot.training.cli import add_commands as add_model_commands

    add_model_commands(nlu_sub)
    from bot.category_cli import add_arguments

    add_arguments(sub).set_defaults(func=_cmd_categories)
    from bot.officer.cli import add_commands

    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run one command."""
    args = build_parser().parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
