"""A local stand-in for Telegram's Bot API servers, for tests and a browser chat.

Usage with python-telegram-bot::

    async with LocalBotApi() as api:
        bot = telegram.Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url)
        citizen = api.user(user_id=42, first_name="Siti")
        await citizen.send_command("/start")
        reply = await citizen.wait_for_reply()

Run ``python -m devtools.local_api --port 8081`` for a server with a chat page.
"""

from .entities import EntityParseError, format_text, parse_html
from .errors import ApiError
from .media import make_png
from .server import FAULT_KINDS, BotCall, Fault, LocalBotApi
from .simulated import BotMessage, SimulatedGroup, SimulatedUser

__all__ = [
    "FAULT_KINDS",
    "ApiError",
    "BotCall",
    "BotMessage",
    "EntityParseError",
    "Fault",
    "LocalBotApi",
    "SimulatedGroup",
    "SimulatedUser",
    "format_text",
    "make_png",
    "parse_html",
]
