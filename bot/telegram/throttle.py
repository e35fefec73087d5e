"""Per-chat rate limiting: a flood from one chat is slowed politely, without losing a word
and without slowing anyone else.

Every sender has a token bucket (`CHAT_RATE_BURST` updates at once, then one more every
`CHAT_RATE_INTERVAL_S`). An update that finds the bucket empty waits in its sender's queue
(each sender's queue is drained by its own task, so no other chat waits); the first such
wait sends one notice, and no other until the sender was quiet long enough to fill the
bucket again. Nothing is dropped: every update was stored in the inbox before it was
queued. Private text messages that waited are coalesced: when the token comes, the text
and every text queued behind it (up to `COALESCE_MAX_CHARS`) go to Rasa as one message,
lines in order, and the inbox rows of the texts taken along are closed as 'coalesced'. A
flood of 100 messages in 10 seconds thus gets a few answers and one notice, not 100
answers, while its words all reach the conversation (a story typed in many short
messages arrives whole). Other updates (photos, commands, buttons) are handled one per
token, in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Bot, Update
from telegram.ext import filters

# What a coalesced turn may hold: the complaint form's longest story.
COALESCE_MAX_CHARS = 4000
# Plain text in a private chat, as the text handler takes it: only these are coalesced.
COALESCIBLE = (
    filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
)


@dataclass
class _Bucket:
    tokens: float
    updated: float
    noticed: bool = False


class ChatThrottle:
    """Token buckets by sender: `burst` updates at once, one more every `interval_s`.

    An `interval_s` of 0 turns the limit off.
    """

    def __init__(
        self, burst: int, interval_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst = max(int(burst), 1)
        self.interval_s = max(float(interval_s), 0.0)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def _refill(self, key: str) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        elif self.interval_s > 0:
            bucket.tokens = min(
                float(self.burst), bucket.tokens + (now - bucket.updated) / self.interval_s
            )
            bucket.updated = now
        if bucket.tokens >= self.burst:
            bucket.noticed = False  # quiet long enough: a new flood gets a new notice
        return bucket

    def wait_s(self, key: str) -> float:
        """Seconds until `key` may go on (0: now)."""
        if self.interval_s <= 0:
            return 0.0
        bucket = self._refill(key)
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) * self.interval_s

    def take(self, key: str) -> None:
        """Spend one token of `key` (after `wait_s` said 0, or after waiting that long)."""
        if self.interval_s <= 0:
            return
        bucket = self._refill(key)
        bucket.tokens = max(bucket.tokens - 1, 0.0)

    def first_wait(self, key: str) -> bool:
        """True once per flood: whether to send the notice now."""
        bucket = self._refill(key)
        if bucket.noticed:
            return False
        bucket.noticed = True
        return True

    def forget_idle(self) -> None:
        """Drop the buckets that are full again (they hold nothing a new one would not)."""
        for key in [k for k in self._buckets if self._refill(k).tokens >= self.burst]:
            del self._buckets[key]


def coalescible(update: Update) -> bool:
    """Whether the update is plain text in a private chat (what a flood is coalesced of)."""
    return bool(COALESCIBLE.check_update(update))


def coalesce(updates: list[Update], bot: Bot) -> Update:
    """One update carrying the texts of `updates` (coalescible, in order), one per line:
    the first update with the joined text (its id keeps its inbox row)."""
    if len(updates) == 1:
        return updates[0]
    first = updates[0]
    data = first.to_dict()
    texts = [u.message.text for u in updates if u.message is not None and u.message.text]
    data["message"]["text"] = "\n".join(texts)
    data["message"].pop("entities", None)
    merged = Update.de_json(data, bot)
    assert merged is not None
    return merged
