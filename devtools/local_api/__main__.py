"""Command line: ``python -m devtools.local_api --port 8081 --token TOKEN``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Sequence

from .server import LocalBotApi


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m devtools.local_api",
        description="Local Telegram Bot API server with a browser chat page.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="TCP port (default 8081, 0 = free)")
    parser.add_argument("--token", default=None, help="bot token to advertise (any is accepted)")
    parser.add_argument("--strict-token", action="store_true", help="reject other tokens (401)")
    parser.add_argument("--bot-id", type=int, default=None, help="bot user id")
    parser.add_argument("--bot-username", default="layanan_aduan_bot", help="bot @username")
    parser.add_argument("--bot-name", default="Layanan Aduan", help="bot display name")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Run the server until SIGINT/SIGTERM."""
    api = LocalBotApi(
        token=args.token,
        host=args.host,
        port=args.port,
        bot_id=args.bot_id,
        bot_username=args.bot_username,
        bot_name=args.bot_name,
        strict_token=args.strict_token,
        # Like Telegram, never reuse update ids across restarts: the front end stores them
        # and treats a known id as an already handled update.
        first_update_id=int(time.time()),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with api:
        print(f"Local Telegram Bot API server for @{args.bot_username}", flush=True)
        print(f"  base_url      : {api.base_url}", flush=True)
        print(f"  base_file_url : {api.base_file_url}", flush=True)
        print(f"  token         : {api.token}", flush=True)
        print(f"  chat page     : {api.chat_url}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    print("Stopped.", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
