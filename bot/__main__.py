"""Command line: `python -m bot <command>`.

migrate         apply database migrations
seed            (re)load data/services.yml into the database
actions         migrate, seed on first start, then run the Rasa action server
console         run the officer console (web)
officer         manage officer console accounts (create, set-password, list)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from bot.config import get_settings
from bot.logging_config import configure_logging


def _cmd_migrate(args: argparse.Namespace) -> int:
    from bot.store import prepare_database

    prepare_database(seed="if-empty" if args.seed_if_empty else "never")
    print("database is up to date")
    return 0


def _cmd_seed(_args: argparse.Namespace) -> int:
    from bot.store import prepare_database

    prepare_database(seed="always")
    print(f"catalogue loaded from {get_settings().catalogue_path}")
    return 0


def _cmd_actions(args: argparse.Namespace) -> int:
    from rasa_sdk import endpoint

    from bot.store import prepare_database

    prepare_database(seed="if-empty")
    os.environ.setdefault("SANIC_HOST", args.host)
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


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run one command."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.add_argument(
        "--seed-if-empty", action="store_true", help="load the catalogue into an empty database"
    )
    migrate.set_defaults(func=_cmd_migrate)
    sub.add_parser("seed", help="load data/services.yml into the database").set_defaults(
        func=_cmd_seed
    )
    actions = sub.add_parser("actions", help="run the action server")
    actions.add_argument("--port", type=int, default=get_settings().action_server_port)
    actions.add_argument("--host", default="127.0.0.1")
    actions.set_defaults(func=_cmd_actions)
    sub.add_parser("telegram", help="run the Telegram front end").set_defaults(func=_cmd_telegram)
    sub.add_parser("health", help="check what the service depends on").set_defaults(
        func=_cmd_health
    )
    from bot.officer.cli import add_commands

    add_commands(sub)
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
