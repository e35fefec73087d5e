"""`python -m bot officer ...` (accounts) and `python -m bot console` (the web server)."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.config import get_settings

ROLE_NAMES = {
    "officer": "petugas",
    "supervisor": "supervisor",
    "admin": "admin",
    "trainer": "pelatih",
}


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register the `officer` and `console` commands.

    Officers and admins read this CLI's help and messages, so they are in Indonesian like
    the console (argparse's own words, such as "usage", stay English).
    """
    officer = sub.add_parser("officer", help="kelola akun konsol petugas")
    osub = officer.add_subparsers(dest="officer_command", required=True, metavar="PERINTAH")
    create = osub.add_parser(
        "create",
        help="buat akun (kata sandi ditanyakan, atau dibaca dari standard input)",
        description="Buat akun konsol petugas. Kata sandi minimal 10 karakter.",
    )
    create.add_argument("--username", required=True, metavar="NAMA", help="nama pengguna")
    create.add_argument(
        "--role",
        required=True,
        choices=list(ROLE_NAMES),
        help="peran: officer (petugas), supervisor, admin, atau trainer (pelatih model bahasa)",
    )
    create.add_argument(
        "--unit",
        action="append",
        default=[],
        metavar="ID_UNIT",
        help="id unit dari katalog, mis. disdukcapil (boleh diulang; wajib untuk petugas)",
    )
    create.add_argument("--name", metavar="NAMA", help="nama tampilan (bawaan: nama pengguna)")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="baca kata sandi dari standard input (satu baris)",
    )
    create.set_defaults(func=_cmd_create)
    password = osub.add_parser(
        "set-password",
        help="ganti kata sandi, buka kunci akun dan akhiri semua sesinya",
        description="Ganti kata sandi sebuah akun; kuncinya dibuka dan semua sesinya diakhiri.",
    )
    password.add_argument("--username", required=True, metavar="NAMA", help="nama pengguna")
    password.add_argument(
        "--password-stdin",
        action="store_true",
        help="baca kata sandi dari standard input (satu baris)",
    )
    password.set_defaults(func=_cmd_set_password)
    osub.add_parser("list", help="daftar akun").set_defaults(func=_cmd_list)

    console = sub.add_parser("console", help="jalankan server web konsol petugas")
    console.add_argument(
        "--port", type=int, default=get_settings().console_port, help="port (bawaan: CONSOLE_PORT)"
    )
    console.add_argument(
        "--host", default=get_settings().console_host, help="alamat (bawaan: CONSOLE_HOST)"
    )
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
    from bot.store.db import get_engine, prepare_database
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
        print(f"Gagal: {exc}", file=sys.stderr)
        return 1
    print(f"Akun {args.username} dibuat (id {officer_id}, peran {ROLE_NAMES[args.role]}).")
    return 0


def _cmd_set_password(args: argparse.Namespace) -> int:
    from bot.officer.accounts import AccountError, set_password
    from bot.officer.passwords import WeakPassword
    from bot.store.db import get_engine, prepare_database

    prepare_database(seed="if-empty")
    try:
        set_password(get_engine(), args.username, _read_password(args.password_stdin), None)
    except (AccountError, WeakPassword, ValueError) as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return 1
    print(f"Kata sandi {args.username} diganti; kunci akun dibuka dan semua sesinya diakhiri.")
    return 0


def _cmd_list(_args: argparse.Namespace) -> int:
    from bot.officer.accounts import list_accounts
    from bot.store.db import get_engine, prepare_database

    prepare_database(seed="if-empty")
    items = list_accounts(get_engine())
    if not items:
        print("Belum ada akun. Buat dengan: python -m bot officer create --help")
        return 0
    print(f"{'NAMA PENGGUNA':20} {'PERAN':10} {'STATUS':9} UNIT")
    for a in items:
        state = "aktif" if a.active else "nonaktif"
        role = ROLE_NAMES.get(a.role.value, a.role.value)
        print(f"{a.username:20} {role:10} {state:9} {','.join(a.units) or '-'}")
    return 0


def _cmd_console(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.officer.web import create_app
    from bot.store.db import prepare_database

    prepare_database(seed="if-empty")
    settings = get_settings()
    print(
        f"Konsol petugas di http://{args.host}:{args.port} "
        f"(tautan di pengumuman memakai {settings.console_url})"
    )
    uvicorn.run(
        create_app(settings, notices=True),
        host=args.host,
        port=args.port,
        proxy_headers=True,
        ws="none",  # no websockets (the websockets pin of rasa-sdk is too old for uvicorn)
        log_level=settings.log_level.lower(),
    )
    return 0
