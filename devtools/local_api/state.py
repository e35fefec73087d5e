"""In-memory state of the local Bot API server: the bot, chats, messages and updates."""

from __future__ import annotations

import asyncio
import collections
import copy
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import CHAT_NOT_FOUND, bad_request
from .media import FileStore

JSON = dict[str, Any]

# Update types delivered when allowed_updates is empty or was never set.
ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}
# How long a chat action ("typing…") is shown, as in Telegram clients.
CHAT_ACTION_SECONDS = 5.0


def now() -> int:
    """Current Unix time in whole seconds, the unit of every Bot API date."""
    return int(time.time())


class Notifier:
    """Wakes every waiter when something changes (a broadcast condition)."""

    def __init__(self) -> None:
        """Create a notifier; its event is made lazily inside the running loop."""
        self._event: asyncio.Event | None = None

    def _current(self) -> asyncio.Event:
        if self._event is None:
            self._event = asyncio.Event()
        return self._event

    def notify(self) -> None:
        """Wake all current waiters."""
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the next notification; False on timeout."""
        event = self._current()
        if timeout <= 0:
            return False
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True


@dataclass(frozen=True)
class BotIdentity:
    """Who the simulated bot is."""

    id: int
    first_name: str
    username: str

    def to_user(self) -> JSON:
        """Return the bot as a Bot API User object."""
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }


@dataclass
class ChatEvent:
    """Something the bot did in a chat: ``sent``, ``edited`` or ``deleted`` a message."""

    kind: str
    message_id: int
    time: float


@dataclass
class ChatState:
    """One chat (private or group) and all its messages."""

    chat: JSON
    chat_instance: str
    messages: dict[int, JSON] = field(default_factory=dict)
    bot_message_ids: list[int] = field(default_factory=list)
    deleted: set[int] = field(default_factory=set)
    reply_keyboards: dict[int, JSON] = field(default_factory=dict)
    reply_keyboard: JSON | None = None
    action: tuple[str, float] | None = None
    events: list[ChatEvent] = field(default_factory=list)
    version: int = 0
    blocked: bool = False
    started: bool = True
    next_message_id: int = 1

    @property
    def id(self) -> int:
        """The chat id."""
        return int(self.chat["id"])

    @property
    def is_private(self) -> bool:
        """Whether this is a private chat with one user."""
        return self.chat["type"] == "private"

    def new_message(self, sender: JSON, content: JSON) -> JSON:
        """Create and store a message with the next message_id."""
        message: JSON = {
            "message_id": self.next_message_id,
            "from": copy.deepcopy(sender),
            "chat": copy.deepcopy(self.chat),
            "date": now(),
        }
        message.update(content)
        self.next_message_id += 1
        self.messages[message["message_id"]] = message
        self.version += 1
        return message

    def live_message(self, message_id: int) -> JSON | None:
        """Return a message that exists and was not deleted."""
        if message_id in self.deleted:
            return None
        return self.messages.get(message_id)

    def record_bot_event(self, kind: str, message_id: int) -> None:
        """Remember a bot action so simulated users and the chat page see it."""
        if kind == "sent":
            self.bot_message_ids.append(message_id)
        self.events.append(ChatEvent(kind, message_id, time.monotonic()))
        self.version += 1

    def current_action(self) -> str | None:
        """The chat action the bot is showing now (e.g. ``typing``), if any."""
        if self.action is None:
            return None
        action, started = self.action
        if time.monotonic() - started > CHAT_ACTION_SECONDS:
            return None
        return action


@dataclass
class CallbackQueryRecord:
    """A callback query sent to the bot and its answer, once given."""

    id: str
    chat_id: int
    message_id: int
    user_id: int
    data: str | None
    answer: JSON | None = None


@dataclass
class WebhookConfig:
    """The webhook set with setWebhook."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None

    def to_info(self, pending: int) -> JSON:
        """Return the Bot API WebhookInfo object."""
        info: JSON = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": self.max_connections,
        }
        if self.ip_address:
            info["ip_address"] = self.ip_address
        if self.allowed_updates is not None:
            info["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        return info


class UpdateQueue:
    """Pending updates in order, with Telegram's offset and allowed_updates rules."""

    def __init__(self, first_update_id: int = 1) -> None:
        """Create an empty queue whose first update gets ``first_update_id``."""
        self._next_id = first_update_id
        self._pending: list[JSON] = []
        self._allowed: frozenset[str] = DEFAULT_UPDATE_TYPES

    def __len__(self) -> int:
        """Number of pending (unconfirmed) updates."""
        return len(self._pending)

    @property
    def pending(self) -> list[JSON]:
        """The pending updates (oldest first)."""
        return list(self._pending)

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Apply allowed_updates; None keeps the setting, [] restores the default."""
        if allowed is None:
            return
        self._allowed = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES

    def push(self, kind: str, payload: JSON) -> JSON | None:
        """Queue a new update unless its type is not allowed; return it."""
        if kind not in self._allowed:
            return None
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        self._pending.append(update)
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative offset keeps only the last -offset."""
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def take(self, limit: int) -> list[JSON]:
        """Return (without confirming) up to ``limit`` oldest updates."""
        return [copy.deepcopy(u) for u in self._pending[:limit]]

    def remove(self, update_id: int) -> None:
        """Drop one update (delivered by webhook)."""
        self._pending = [u for u in self._pending if u["update_id"] != update_id]

    def clear(self) -> None:
        """Drop all pending updates (drop_pending_updates)."""
        self._pending.clear()


class BotState:
    """Everything one simulated bot knows: chats, users, files, commands and updates."""

    def __init__(self, bot: BotIdentity, first_update_id: int = 1) -> None:
        """Create an empty state for ``bot``."""
        self.bot = bot
        self.files = FileStore(bot.id)
        self.updates = UpdateQueue(first_update_id)
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, JSON] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.settings: dict[Any, Any] = {}
        self.webhook: WebhookConfig | None = None
        self.update_signal = Notifier()
        self.chat_signal = Notifier()
        self.closing = False
        # Descriptions of the latest failed bot calls, for helpful timeout messages.
        self.recent_errors: collections.deque[str] = collections.deque(maxlen=20)
        self._query_ids = itertools.count(secrets.randbelow(10**6) * 10**12 + 10**17)

    # ------------------------------------------------------------------ chats

    def add_user(self, user: JSON, *, started: bool = True) -> ChatState:
        """Register a user and their private chat with the bot."""
        self.users[user["id"]] = user
        chat = self.chats.get(user["id"])
        if chat is None:
            keys = ("id", "first_name", "last_name", "username")
            chat_obj = {key: user[key] for key in keys if user.get(key) is not None}
            chat_obj["type"] = "private"
            chat = self._new_chat(chat_obj)
            chat.started = started
        return chat

    def add_group(
        self, chat_id: int, title: str, chat_type: str, username: str | None
    ) -> ChatState:
        """Register a group or supergroup the bot is a member of."""
        chat = self.chats.get(chat_id)
        if chat is None:
            chat_obj: JSON = {"id": chat_id, "title": title, "type": chat_type}
            if username:
                chat_obj["username"] = username
            chat = self._new_chat(chat_obj)
        return chat

    def _new_chat(self, chat_obj: JSON) -> ChatState:
        instance = str(secrets.randbits(63) - 2**62)
        chat = ChatState(chat=chat_obj, chat_instance=instance)
        self.chats[chat.id] = chat
        return chat

    def find_chat(self, chat_id: str | int | None) -> ChatState:
        """Resolve a chat_id parameter (number or @username) or fail with "chat not found"."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            for chat in self.chats.values():
                if not chat.is_private and str(chat.chat.get("username", "")).lower() == wanted:
                    return chat
            raise bad_request(CHAT_NOT_FOUND)
        try:
            number = int(chat_id) if chat_id is not None else None
        except (TypeError, ValueError):
            number = None
        found = self.chats.get(number) if number is not None else None
        if found is None:
            raise bad_request(CHAT_NOT_FOUND)
        return found

    # ---------------------------------------------------------------- updates

    def push_update(self, kind: str, payload: JSON) -> JSON | None:
        """Queue an update and wake getUpdates/webhook delivery."""
        update = self.updates.push(kind, copy.deepcopy(payload))
        self.update_signal.notify()
        return update

    def notify_chat(self) -> None:
        """Wake everyone waiting for bot activity in chats."""
        self.chat_signal.notify()

    def new_callback_query(self, chat: ChatState, message: JSON, user: JSON, data: str) -> JSON:
        """Create a callback query for a press on ``message`` and remember it."""
        query_id = str(next(self._query_ids))
        self.callback_queries[query_id] = CallbackQueryRecord(
            id=query_id,
            chat_id=chat.id,
            message_id=message["message_id"],
            user_id=user["id"],
            data=data,
        )
        return {
            "id": query_id,
            "from": copy.deepcopy(user),
            "message": copy.deepcopy(message),
            "chat_instance": chat.chat_instance,
            "data": data,
        }
