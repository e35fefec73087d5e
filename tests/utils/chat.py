"""A citizen talking to Rasa's REST channel (the stack of tests/utils/stack.py)."""

from __future__ import annotations

import re
from typing import Any

import httpx

TICKET = re.compile(r"ADU-[0-9A-HJKMNP-TV-Z]{6}")


class Chat:
    """One citizen (`sender`) talking to Rasa's REST channel at `rasa_url`."""

    def __init__(self, rasa_url: str, sender: str):
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = sender

    def say(self, message: str) -> list[dict[str, Any]]:
        """Rasa's replies to `message`, as the REST channel returns them."""
        response = httpx.post(
            self.url, json={"sender": self.sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def texts(self, message: str) -> list[str]:
        """The texts of the replies, one per message."""
        return [m.get("text", "") for m in self.say(message)]

    def text(self, message: str) -> str:
        """The texts of the replies, one per line."""
        return "\n".join(self.texts(message))

    def file(self, story: str, location: str, privacy: str) -> str:
        """A whole complaint: story, place, the suggested category, privacy, yes.
        Returns the ticket id the assistant announced."""
        assert "lokasinya" in self.text(story)
        question = self.say(location)
        category = next(b["payload"] for m in question for b in m.get("buttons", []))
        self.say(category)
        self.say(f'/inform{{"complaint_privacy": "{privacy}"}}')
        filed = TICKET.search(self.text("/affirm"))
        assert filed, "no ticket id in the reply"
        return filed.group(0)
