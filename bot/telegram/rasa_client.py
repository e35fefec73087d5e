"""The bridge to Rasa: its REST channel and HTTP API, over one shared httpx client.

With a token (RASA_AUTH_TOKEN, `rasa run --auth-token`) every request carries it as
`?token=`, Rasa's way: the HTTP API answers 401 without it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) did not answer usefully."""


@dataclass(frozen=True)
class FormState:
    """Which form is active in a conversation, and which slot it asks for."""

    active_loop: str | None
    requested_slot: str | None


class RasaClient:
    """Sends citizens' messages to Rasa; the sender id is the Telegram user id."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 15.0,
        client: httpx.AsyncClient | None = None,
        auth_token: str = "",
    ):
        self.base_url = base_url.rstrip("/")
        self._token: dict[str, str] = {"token": auth_token} if auth_token else {}
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._owns_client = client is None

    async def close(self) -> None:
        """Close the shared HTTP client."""
        if self._owns_client:
            await self._client.aclose()

    async def send(
        self, sender_id: str, message: str, expect_reply: bool = True
    ) -> list[dict[str, Any]]:
        """Post a message to the REST channel and return Rasa's replies.

        Every turn of our assistant says something; no reply at all means the turn failed
        (typically the action server is down, which Rasa only logs), so it counts as
        unavailable and the message is retried.
        """
        try:
            response = await self._client.post(
                f"{self.base_url}/webhooks/rest/webhook",
                params=self._token,
                json={"sender": sender_id, "message": message},
            )
        except httpx.HTTPError as exc:
            raise RasaUnavailable(_without_token(exc)) from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"HTTP {response.status_code}: {response.text[:200]}")
        replies = response.json()
        if not isinstance(replies, list):
            raise RasaUnavailable(f"unexpected reply: {str(replies)[:200]}")
        if expect_reply and not replies:
            raise RasaUnavailable("no reply: the action server may be down")
        return replies

    async def form_state(self, sender_id: str) -> FormState:
        """The active form and requested slot of a conversation (HTTP API)."""
        try:
            response = await self._client.get(
                f"{self.base_url}/conversations/{sender_id}/tracker",
                params={"include_events": "NONE", **self._token},
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailable(_without_token(exc)) from exc
        tracker = response.json()
        loop = (tracker.get("active_loop") or {}).get("name")
        requested = (tracker.get("slots") or {}).get("requested_slot")
        return FormState(loop, requested if loop else None)

    async def set_slots(self, sender_id: str, slots: dict[str, Any]) -> None:
        """Set slots in a conversation without a message (e.g. shared coordinates)."""
        events = [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
        try:
            response = await self._client.post(
                f"{self.base_url}/conversations/{sender_id}/tracker/events",
                params={"include_events": "NONE", **self._token},
                json=events,
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RasaUnavailable(_without_token(exc)) from exc

    async def reachable(self) -> bool:
        """True when the Rasa server answers and has a model loaded."""
        try:
            response = await self._client.get(
                f"{self.base_url}/status", params=self._token, timeout=3
            )
            return response.status_code == 200 and bool(response.json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            return False


def _without_token(exc: httpx.HTTPError) -> str:
    """The error for logs and the inbox, without the token (httpx quotes the URL)."""
    message = f"{type(exc).__name__}: {exc}"
    return re.sub(r"token=[^&\s'\"]+", "token=***", message)
