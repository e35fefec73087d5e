"""The local Bot API stand-in of the production profile, which runs in a process of its own
(Procfile.production's `botapi`), seen through its chat page's endpoints
(devtools/local_api/chat_page.py) as the browser sees it.

StandIn and StandInUser offer the part of LocalBotApi and SimulatedUser that the helpers of
tests/utils/telegram.py and tests/utils/citizens.py use (`user`; `id`, `send_text`,
`send_command`, `press`, `replies`, `wait_for_reply`), so that those helpers drive a citizen
here as they do one of an in-process stand-in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class ChatMessage:
    """A message of the bot as the chat page shows it."""

    message_id: int
    text: str
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)

    @property
    def button_texts(self) -> list[str]:
        return [str(button.get("text", "")) for row in self.buttons for button in row]


class StandInUser:
    """One citizen of the stand-in's chat page (its Telegram user id)."""

    def __init__(self, client: httpx.Client, user_id: int, first_name: str) -> None:
        self.client = client
        self.user_id = user_id
        self.base = f"/_local/chat/{user_id}"
        self.params = {"name": first_name}
        replies = self.replies()
        # As SimulatedUser: only what the bot sends from now on is waited for.
        self._cursor = replies[-1].message_id if replies else 0

    @property
    def id(self) -> int:
        return self.user_id

    def replies(self) -> list[ChatMessage]:
        """Every message of the bot in this chat, oldest first."""
        answer = self.client.get(f"{self.base}/messages", params=self.params)
        answer.raise_for_status()
        return [
            ChatMessage(int(m["message_id"]), str(m["text"] or ""), m.get("buttons") or [])
            for m in answer.json()["messages"]
            if m["from_bot"]
        ]

    async def send_text(self, text: str) -> None:
        await self._post("send", {"text": text})

    async def send_command(self, command: str) -> None:
        await self._post("send", {"text": command if command.startswith("/") else f"/{command}"})

    async def press(self, button: str) -> None:
        """Press a button of the bot's newest message that has it; LookupError if none."""
        answer = await asyncio.to_thread(
            self.client.post, f"{self.base}/press", params=self.params, json={"button": button}
        )
        if answer.status_code == 404:
            raise LookupError(f"no button {button!r} for user {self.user_id}: {answer.text}")
        answer.raise_for_status()

    async def wait_for_reply(
        self, timeout: float = 10.0, predicate: Callable[[ChatMessage], bool] | None = None
    ) -> ChatMessage:
        """The next bot message not returned before (matching `predicate`; those before the
        match are skipped), as SimulatedUser.wait_for_reply."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for message in await asyncio.to_thread(self.replies):
                if message.message_id <= self._cursor:
                    continue
                if predicate is None or predicate(message):
                    self._cursor = message.message_id
                    return message
            if loop.time() > deadline:
                last = [m.text[:60] for m in self.replies()[-4:]]
                raise TimeoutError(
                    f"no reply for user {self.user_id} within {timeout:g} s; "
                    f"the bot's last messages, oldest first: {last}"
                )
            await asyncio.sleep(0.1)

    async def _post(self, endpoint: str, body: dict[str, Any]) -> None:
        answer = await asyncio.to_thread(
            self.client.post, f"{self.base}/{endpoint}", params=self.params, json=body
        )
        answer.raise_for_status()


class StandIn:
    """The stand-in at `url` (ProfileStack.local_api_url)."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=10)

    def user(self, user_id: int, first_name: str = "Warga") -> StandInUser:
        return StandInUser(self.client, user_id, first_name)

    def close(self) -> None:
        self.client.close()
