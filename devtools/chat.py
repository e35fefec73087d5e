"""A terminal chat with the running assistant over Rasa's REST channel (`make chat`).

Type a message and press Enter. When the assistant offers buttons, type the number of a
button to press it. Ctrl-D or "/keluar" ends the chat.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from typing import Any

import httpx

from bot.config import get_settings


def render(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Print the replies; return the buttons offered last, numbered from 1."""
    buttons: list[dict[str, str]] = []
    for reply in replies:
        if reply.get("text"):
            print(f"\n🤖 {reply['text']}")
        if reply.get("buttons"):
            buttons = reply["buttons"]
            for number, button in enumerate(buttons, start=1):
                print(f"   [{number}] {button['title']}")
    return buttons


def main(argv: list[str] | None = None) -> int:
    """Read lines from the terminal and show what the assistant answers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=get_settings().rasa_url)
    parser.add_argument("--sender", default=f"terminal-{uuid.uuid4().hex[:8]}")
    args = parser.parse_args(argv)
    endpoint = f"{args.url.rstrip('/')}/webhooks/rest/webhook"
    print("Layanan Aduan: ketik pesan Anda (angka untuk memilih tombol, /keluar untuk berhenti).")
    buttons: list[dict[str, str]] = []
    with httpx.Client(timeout=60) as client:
        while True:
            try:
                line = input("\n👤 ").strip()
            except EOFError:
                return 0
            if line in ("/keluar", "/quit"):
                return 0
            if line.isdigit() and 1 <= int(line) <= len(buttons):
                line = buttons[int(line) - 1]["payload"]
            try:
                response = client.post(endpoint, json={"sender": args.sender, "message": line})
                response.raise_for_status()
            except httpx.HTTPError as exc:
                print(f"(Rasa is not reachable at {endpoint}: {exc}. Is `make run` running?)")
                continue
            buttons = render(response.json()) or []


if __name__ == "__main__":
    sys.exit(main())
