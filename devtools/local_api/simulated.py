"""Simulated Telegram users who talk to the bot through the local Bot API server."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Any

from .entities import find_auto_entities, utf16_len
from .markup import inline_buttons
from .media import image_size, photo_sizes
from .state import JSON, BotState, ChatState, now

# Where a simulated user "is" when a location is requested without coordinates (Jakarta).
DEFAULT_LOCATION = (-6.2, 106.816666)
_STICKER_BYTES = b"RIFF\x1a\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\xff\x01\x00\xff\x01\x00"
_VOICE_BYTES = b"OggS\x00\x02" + bytes(58)
_DEFAULT_PHOTO_SIZE = (1280, 960)

Predicate = Callable[["BotMessage"], bool]


def make_user(
    user_id: int,
    first_name: str,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = "id",
) -> JSON:
    """Return a Bot API User object for a human user."""
    user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name:
        user["last_name"] = last_name
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


class BotMessage:
    """A live view of a message the bot sent: later edits and deletion show through."""

    def __init__(self, chat: ChatState, message_id: int) -> None:
        """View message ``message_id`` of ``chat``."""
        self._chat = chat
        self.message_id = message_id

    @property
    def raw(self) -> JSON:
        """The message as the Bot API returns it (current state, not a copy)."""
        return self._chat.messages[self.message_id]

    def to_dict(self) -> JSON:
        """A deep copy of :attr:`raw`."""
        return copy.deepcopy(self.raw)

    @property
    def chat_id(self) -> int:
        """Id of the chat the message is in."""
        return self._chat.id

    @property
    def text(self) -> str:
        """The text, or the caption of a media message ("" if none)."""
        return str(self.raw.get("text", self.raw.get("caption", "")))

    @property
    def entities(self) -> list[JSON]:
        """Entities of the text or caption."""
        return list(self.raw.get("entities") or self.raw.get("caption_entities") or [])

    @property
    def reply_markup(self) -> JSON | None:
        """The inline keyboard attached to the message, if any."""
        markup = self.raw.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    @property
    def buttons(self) -> list[list[JSON]]:
        """Inline keyboard rows (InlineKeyboardButton dicts)."""
        markup = self.reply_markup or {}
        return [list(row) for row in markup.get("inline_keyboard", [])]

    @property
    def button_texts(self) -> list[str]:
        """Texts of all inline buttons, row by row."""
        return [str(button["text"]) for button in inline_buttons(self.raw)]

    @property
    def reply_keyboard(self) -> JSON | None:
        """The ReplyKeyboardMarkup sent with this message (not part of the Message object)."""
        return self._chat.reply_keyboards.get(self.message_id)

    @property
    def photo(self) -> list[JSON] | None:
        """PhotoSize array of a photo message."""
        return self.raw.get("photo")

    @property
    def document(self) -> JSON | None:
        """Document of a file message."""
        return self.raw.get("document")

    @property
    def location(self) -> JSON | None:
        """Location of a location message."""
        return self.raw.get("location")

    @property
    def reply_to_message_id(self) -> int | None:
        """message_id of the message this one replies to."""
        reply = self.raw.get("reply_to_message")
        return int(reply["message_id"]) if reply else None

    @property
    def edited(self) -> bool:
        """Whether the bot edited the message after sending it."""
        return any(
            e.kind == "edited" and e.message_id == self.message_id for e in self._chat.events
        )

    @property
    def deleted(self) -> bool:
        """Whether the message was deleted."""
        return self.message_id in self._chat.deleted

    def __repr__(self) -> str:
        """Short description for assertion messages."""
        extra = f" buttons={self.button_texts}" if self.button_texts else ""
        return f"<BotMessage #{self.message_id} chat={self.chat_id} text={self.text!r}{extra}>"


class SimulatedUser:
    """A citizen chatting with the bot in one chat (their private chat or a group)."""

    def __init__(self, state: BotState, user: JSON, chat: ChatState) -> None:
        """Create a user; only messages the bot sends from now on count as replies."""
        self._state = state
        self.user = user
        self.chat = chat
        self._reply_cursor = len(chat.bot_message_ids)
        self._edit_cursor = len(chat.events)

    @property
    def id(self) -> int:
        """The user id."""
        return int(self.user["id"])

    @property
    def chat_id(self) -> int:
        """The chat this user writes in."""
        return self.chat.id

    @property
    def first_name(self) -> str:
        """The user's first name."""
        return str(self.user["first_name"])

    # ----------------------------------------------------------- sending

    async def send_text(self, text: str, *, reply_to: int | None = None) -> JSON:
        """Send a text message (commands, links, mentions get their entities)."""
        content: JSON = {"text": text}
        entities = find_auto_entities(text)
        if entities:
            content["entities"] = entities
        return await self._send(content, reply_to)

    async def send_command(self, command: str) -> JSON:
        """Send a command such as ``"/start"`` or ``"/lapor jalan rusak"``."""
        if not command.startswith("/"):
            command = "/" + command
        head = command.split(maxsplit=1)[0]
        entities = [e for e in find_auto_entities(command) if e["offset"] > 0]
        entities.insert(0, {"type": "bot_command", "offset": 0, "length": utf16_len(head)})
        return await self._send({"text": command, "entities": entities}, None)

    async def send_photo(self, data: bytes, caption: str | None = None) -> JSON:
        """Send a photo; it is stored and offered in several sizes (largest last)."""
        size = image_size(data) or _DEFAULT_PHOTO_SIZE
        content: JSON = {"photo": photo_sizes(self._state.files, data, size)}
        content.update(self._caption(caption))
        return await self._send(content, None)

    async def send_document(
        self,
        data: bytes,
        file_name: str = "dokumen.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> JSON:
        """Send a file as a document."""
        stored = self._state.files.add("document", data, mime_type=mime_type, file_name=file_name)
        document = {
            "file_name": file_name,
            "mime_type": mime_type,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }
        return await self._send({"document": document, **self._caption(caption)}, None)

    async def send_location(
        self, latitude: float = DEFAULT_LOCATION[0], longitude: float = DEFAULT_LOCATION[1]
    ) -> JSON:
        """Share a location."""
        return await self._send({"location": {"latitude": latitude, "longitude": longitude}}, None)

    async def send_sticker(self, emoji: str = "👍") -> JSON:
        """Send a (regular, static) sticker."""
        stored = self._state.files.add(
            "sticker", _STICKER_BYTES, mime_type="image/webp", size=(512, 512)
        )
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.file_size,
        }
        return await self._send({"sticker": sticker}, None)

    async def send_voice(self, data: bytes | None = None, duration: int = 3) -> JSON:
        """Send a voice note (OGG/Opus placeholder content unless ``data`` is given)."""
        stored = self._state.files.add("voice", data or _VOICE_BYTES, mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.file_size,
        }
        return await self._send({"voice": voice}, None)

    async def send_contact(
        self,
        phone_number: str = "+6281234567890",
        first_name: str | None = None,
        last_name: str | None = None,
        *,
        own: bool = True,
    ) -> JSON:
        """Share a contact; ``own=True`` shares the user's own number (with user_id)."""
        contact: JSON = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
        }
        if last_name:
            contact["last_name"] = last_name
        if own:
            contact["user_id"] = self.id
        return await self._send({"contact": contact}, None)

    async def edit_text(self, message_id: int, new_text: str) -> JSON:
        """Edit one of the user's own text messages (an ``edited_message`` update)."""
        message = self.chat.live_message(message_id)
        if message is None or message["from"]["id"] != self.id or "text" not in message:
            raise LookupError(
                f"user {self.id} has no text message {message_id} in chat {self.chat_id}"
            )
        message["text"] = new_text
        entities = find_auto_entities(new_text)
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        message["edit_date"] = now()
        self.chat.version += 1
        self._state.push_update("edited_message", message)
        self._state.notify_chat()
        await asyncio.sleep(0)
        return copy.deepcopy(message)

    async def press(self, button: str, *, message_id: int | None = None) -> JSON:
        """Press a button by its text or callback_data.

        Inline buttons of the bot's messages (newest first, or only ``message_id``) produce a
        ``callback_query`` update, returned as a dict. A button of the reply keyboard
        currently shown sends its text (or the location/contact it requests) and returns
        that message. Raises LookupError if there is no such button.
        """
        found = self._find_inline_button(button, message_id)
        if found is not None:
            message, data = found
            query = self._state.new_callback_query(self.chat, message, self.user, data)
            self._state.push_update("callback_query", query)
            await asyncio.sleep(0)
            return query
        keyboard_button = self._find_keyboard_button(button) if message_id is None else None
        if keyboard_button is not None:
            if keyboard_button.get("request_location"):
                return await self.send_location()
            if keyboard_button.get("request_contact"):
                return await self.send_contact()
            return await self.send_text(str(keyboard_button["text"]))
        raise LookupError(
            f"no button {button!r} in chat {self.chat_id}; buttons: {self.available_buttons()}"
        )

    def available_buttons(self) -> list[str]:
        """Texts of the inline buttons of live bot messages and of the reply keyboard."""
        texts = [t for message in self.replies() for t in message.button_texts]
        keyboard = self.chat.reply_keyboard or {}
        texts += [str(b["text"]) for row in keyboard.get("keyboard", []) for b in row]
        return texts

    def _find_inline_button(self, button: str, message_id: int | None) -> tuple[JSON, str] | None:
        ids = [message_id] if message_id is not None else reversed(self.chat.bot_message_ids)
        for candidate in ids:
            message = self.chat.live_message(candidate)
            if message is None:
                continue
            for item in inline_buttons(message):
                if button not in (item.get("text"), item.get("callback_data")):
                    continue
                if "callback_data" not in item:
                    kinds = [k for k in item if k != "text"]
                    raise ValueError(f"button {button!r} is a {kinds} button, not a callback one")
                return message, str(item["callback_data"])
        return None

    def _find_keyboard_button(self, button: str) -> JSON | None:
        keyboard = self.chat.reply_keyboard or {}
        for row in keyboard.get("keyboard", []):
            for item in row:
                if item.get("text") == button:
                    return dict(item)
        return None

    def _caption(self, caption: str | None) -> JSON:
        if not caption:
            return {}
        content: JSON = {"caption": caption}
        entities = find_auto_entities(caption)
        if entities:
            content["caption_entities"] = entities
        return content

    async def _send(self, content: JSON, reply_to: int | None) -> JSON:
        """Store a message from this user and queue the ``message`` update."""
        if reply_to is not None:
            target = self.chat.live_message(reply_to)
            if target is None:
                raise LookupError(f"no message {reply_to} in chat {self.chat_id}")
            reply = copy.deepcopy(target)
            reply.pop("reply_to_message", None)
            content = {"reply_to_message": reply, **content}
        message = self.chat.new_message(self.user, content)
        self.chat.started = True
        keyboard = self.chat.reply_keyboard
        if keyboard and keyboard.get("one_time_keyboard"):
            self.chat.reply_keyboard = None
        self._state.push_update("message", message)
        self._state.notify_chat()
        await asyncio.sleep(0)
        return copy.deepcopy(message)

    # ----------------------------------------------------------- reading

    def replies(self, *, include_deleted: bool = False) -> list[BotMessage]:
        """All messages the bot sent to this chat, oldest first (edits applied)."""
        return [
            BotMessage(self.chat, mid)
            for mid in self.chat.bot_message_ids
            if include_deleted or mid not in self.chat.deleted
        ]

    async def wait_for_reply(
        self, timeout: float = 10.0, predicate: Predicate | None = None
    ) -> BotMessage:
        """Wait for the next bot message in this chat (matching ``predicate``, if given).

        Messages are consumed in order: each call returns a message not returned before;
        with a predicate, the non-matching messages before the match are skipped.
        Raises TimeoutError (with the bot's recent API errors) if nothing comes in time.
        """
        return await self._wait(timeout, lambda: self._next_reply(predicate), "a reply")

    async def wait_for_edit(
        self, timeout: float = 10.0, predicate: Predicate | None = None
    ) -> BotMessage:
        """Wait for the bot to edit one of its messages in this chat."""
        return await self._wait(timeout, lambda: self._next_edit(predicate), "an edit")

    async def wait_for_callback_answer(self, query_id: str, timeout: float = 10.0) -> JSON:
        """Wait until the bot answers callback query ``query_id``; return the answer."""
        record = self._state.callback_queries[query_id]
        return await self._wait(timeout, lambda: record.answer, "a callback answer")

    async def _wait(self, timeout: float, probe: Callable[[], Any], what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = probe()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._timeout_message(what, timeout))
            await self._state.chat_signal.wait(remaining)

    def _next_reply(self, predicate: Predicate | None) -> BotMessage | None:
        ids = self.chat.bot_message_ids
        for index in range(self._reply_cursor, len(ids)):
            message = BotMessage(self.chat, ids[index])
            if message.deleted or (predicate is not None and not predicate(message)):
                continue
            self._reply_cursor = index + 1
            return message
        return None

    def _next_edit(self, predicate: Predicate | None) -> BotMessage | None:
        events = self.chat.events
        for index in range(self._edit_cursor, len(events)):
            if events[index].kind != "edited":
                continue
            message = BotMessage(self.chat, events[index].message_id)
            if predicate is not None and not predicate(message):
                continue
            self._edit_cursor = index + 1
            return message
        return None

    def _timeout_message(self, what: str, timeout: float) -> str:
        errors = list(self._state.recent_errors)[-5:]
        hint = f"; recent failed bot calls: {errors}" if errors else ""
        last = [m.text[:60] for m in self.replies()[-4:]]
        return (
            f"no {what} from the bot in chat {self.chat_id} within {timeout:g}s{hint}; "
            f"its last messages, oldest first: {last}"
        )

    # ------------------------------------------------------------ status

    def block(self) -> None:
        """Block the bot: its messages to this chat now fail with 403 Forbidden."""
        self.chat.blocked = True

    def unblock(self) -> None:
        """Unblock the bot."""
        self.chat.blocked = False

    def __repr__(self) -> str:
        """Short description."""
        return f"<SimulatedUser {self.id} {self.first_name!r} in chat {self.chat_id}>"


class SimulatedGroup:
    """A group chat the bot is a member of; its members are simulated users."""

    def __init__(self, state: BotState, chat: ChatState) -> None:
        """Wrap group ``chat``."""
        self._state = state
        self.chat = chat
        self._members: dict[int, SimulatedUser] = {}

    @property
    def chat_id(self) -> int:
        """The (negative) group chat id."""
        return self.chat.id

    @property
    def title(self) -> str:
        """The group title."""
        return str(self.chat.chat["title"])

    def user(
        self,
        user_id: int,
        first_name: str = "Warga",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
    ) -> SimulatedUser:
        """Return a member who writes into this group."""
        member = self._members.get(user_id)
        if member is None:
            known = self._state.users.get(user_id)
            user = known or make_user(user_id, first_name, last_name, username, language_code)
            self._state.users.setdefault(user_id, user)
            member = SimulatedUser(self._state, user, self.chat)
            self._members[user_id] = member
        return member

    def bot_messages(self) -> list[BotMessage]:
        """Messages the bot sent to the group, oldest first."""
        return [
            BotMessage(self.chat, m)
            for m in self.chat.bot_message_ids
            if m not in self.chat.deleted
        ]

    def __repr__(self) -> str:
        """Short description."""
        return f"<SimulatedGroup {self.chat_id} {self.title!r}>"


class Simulation:
    """The simulated people around one bot: the same object for the same user or group id.

    The server (:class:`~.server.LocalBotApi`) and the chat page both reach users through it,
    so the chat page needs neither the server nor its HTTP front.
    """

    def __init__(self, state: BotState) -> None:
        """Simulate people for the bot whose state is ``state``."""
        self.state = state
        self._users: dict[int, SimulatedUser] = {}
        self._groups: dict[int, SimulatedGroup] = {}

    def user(
        self,
        user_id: int = 10001,
        first_name: str = "Warga",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        *,
        started: bool = True,
    ) -> SimulatedUser:
        """Return the simulated user ``user_id`` in their private chat with the bot.

        The same object is returned for the same id. ``started=False`` models a user who
        never opened the bot (sending to them fails with 403).
        """
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user = make_user(user_id, first_name, last_name, username, language_code)
        chat = self.state.add_user(user, started=started)
        simulated = SimulatedUser(self.state, user, chat)
        self._users[user_id] = simulated
        return simulated

    def group(
        self,
        chat_id: int = -1001000000001,
        title: str = "Grup Warga",
        *,
        username: str | None = None,
    ) -> SimulatedGroup:
        """Return a simulated group (a supergroup if the id starts with -100)."""
        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
        group = SimulatedGroup(
            self.state, self.state.add_group(chat_id, title, chat_type, username)
        )
        self._groups[chat_id] = group
        return group
