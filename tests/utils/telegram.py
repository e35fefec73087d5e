"""A citizen on the local Telegram Bot API server (devtools.local_api), talking to our
front end."""

from __future__ import annotations

from devtools.local_api import BotMessage, LocalBotApi, SimulatedUser

REPLY_TIMEOUT = 30


async def reply_with(
    user: SimulatedUser, fragment: str, timeout: float = REPLY_TIMEOUT
) -> BotMessage:
    """The next bot message containing `fragment` (earlier ones are skipped)."""
    return await user.wait_for_reply(timeout, lambda m: fragment.lower() in m.text.lower())


async def consented_user(api: LocalBotApi, user_id: int) -> SimulatedUser:
    """A citizen who started the bot and agreed to the privacy notice."""
    user = api.user(user_id=user_id, first_name=f"Warga{user_id}")
    await user.send_command("/start")
    await reply_with(user, "Apakah Anda menyetujui")
    await user.press("✅ Saya setuju")
    await reply_with(user, "Ada yang bisa saya bantu")
    return user
