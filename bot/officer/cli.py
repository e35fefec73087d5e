"""`python -m bot officer ...` (accounts) and `python -m bot console` (the web server)."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.config import get_settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the `officer` and `console` commands."""
    officer = sub.add_parser("officer", help="manage officer console accounts")
    osub = officer.add_subparsers(dest="officer_command", required=True)
    create = osub.add_parser("create", help="create an account (password prompted or stdin)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=["officer", "supervisor", "admin"])
    create.add_argument(
        "--unit", action="append", default=[], help="office id of a unit (repeatable)"
    )
    create.add_argument("--name", help="display name (default: the username)")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    create.set_defaults(func=_cmd_create)
    password = osub.add_parser("set-password", help="set a new password and unlock the account")
    password.add_argument("--username", required=True)
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(func=_cmd_set_password)
    osub.add_parser("list", help="list accounts").set_defaults(func=_cmd_list)

    console = sub.add_parser("console", help="run the officer console web server")
    console.add_argument("--port", type=int, default=get_settings().console_port)
    console.add_argument("--host", default=get_settings().console_host)
    console.set_defaults(func=_cmd_console)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Kata sandi: ")
    if first != getpass.getpass("Ulangi kata sandi: "):
        raise ValueError("Kata sandi tidak sama.")
    return first


def _cmd_create(args: argparse.Namespace) -> int:
    from bot.officer.accounts import AccountError, create_account
    from bot.officer.passwords import WeakPassword
    from bot.store import prepare_database
    from bot.store.db import get_engine
    from bot.store.models import OfficerRole

    prepare_database(seed="if-empty")
    try:
        password = _read_password(args.password_stdin)
        officer_id = create_account(
            get_engine(),
            args.username,
            password,
            OfficerRole(args.role),
            args.unit,
            args.name,
        )
    except (AccountError, WeakPassword, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"account {args.username} created (id {officer_id}, role {args.role})")
    return 0


def _cmd_set_password(args: argparse.Namespace) -> int:
    from bot.officer.accounts import AccountError, set_password
    from bot.officer.passwords import WeakPassword
    from bot.store.db import get_engine

    try:
        set_password(get_engine(), args.username, _read_password(args.password_stdin), None)
    except (AccountError, WeakPassword, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"password of {args.username} set; its sessions were ended")
    return 0


def _cmd_list(_args: argparse.Namespace) -> int:
    from bot.officer.accounts import list_accounts
    from bot.store.db import get_engine

    for a in list_accounts(get_engine()):
        state = "active" if a.active else "inactive"
        print(f"{a.username:20} {a.role.value:10} {state:8} {','.join(a.units)}")
    return 0


def _cmd_console(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.officer.web import create_app
    from bot.store import prepare_database

    prepare_database(seed="if-empty")
    settings = get_settings()
    print(f"officer console at http://{args.host}:{args.port} (links use {settings.console_url})")
    uvicorn.run(
        create_app(settings, notices=True),
        host=args.host,
        port=args.port,
        proxy_headers=True,
        ws="none",  # no websockets (the websockets pin of rasa-sdk is too old for uvicorn)
        log_level=settings.log_level.lower(),
    )
    return 0
