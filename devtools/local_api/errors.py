"""Errors answered by the local Bot API server, in Telegram's wording and JSON shape."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer of a Bot API method: ``{"ok": false, "error_code": ..., ...}``."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        """Create an error with an HTTP status, Telegram's description and optional parameters."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        """Return the error body exactly as Telegram sends it."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str) -> ApiError:
    """Return a ``400 Bad Request: <message>`` error."""
    return ApiError(400, f"Bad Request: {message}")


def forbidden(message: str) -> ApiError:
    """Return a ``403 Forbidden: <message>`` error."""
    return ApiError(403, f"Forbidden: {message}")


def conflict(message: str) -> ApiError:
    """Return a ``409 Conflict: <message>`` error."""
    return ApiError(409, f"Conflict: {message}")


def too_many_requests(retry_after: int) -> ApiError:
    """Return Telegram's flood-control error with ``parameters.retry_after``."""
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


def internal_server_error() -> ApiError:
    """Return the 500 error Telegram sends when something breaks on its side."""
    return ApiError(500, "Internal Server Error")


def not_found() -> ApiError:
    """Return the 404 error Telegram sends for unknown paths."""
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    """Return the 401 error Telegram sends for a wrong bot token."""
    return ApiError(401, "Unauthorized")


CHAT_NOT_FOUND = "chat not found"
MESSAGE_TEXT_EMPTY = "message text is empty"
BOT_BLOCKED = "bot was blocked by the user"
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
OTHER_GET_UPDATES = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
