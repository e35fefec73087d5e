"""The front end's only way to the database: every call runs off the event loop.

The handlers, the outbox worker and the jobs all run on one asyncio event loop; a database
call made there would hold up every citizen's conversation while it waits for the disk or
the server. Each method here runs one method of the synchronous repositories of
`bot.store` (inbox, outbox, keyboards, drafts, consent, deletion, retention, the
repository and Rasa's tracker store) on a thread pool as large as the engine's connection
pool, and awaits it. The SQL keeps one code path, shared with the console and the actions.

Storing an update answers what handling it needs next (its inbox row, its sender's consent,
whether an earlier message of theirs waits for Rasa, whether a live chat with an officer
goes on): the handler gets them from its `Arrival` without another round trip, unless this
process changed a consent since, which may have made them stale (or, for the waiting
message, queued one of the sender's messages for a retry since). The live chat's answer is
used only while the update is handled (`handling`), once, and only when the sender had no
other update queued or handled while it was stored (the front end says so: an earlier turn
may open a chat); otherwise it is read again. An officer may also take a call-back request
at any moment: read at storing or at handling, the message that crosses that moment goes to
Rasa either way.

Nothing else in `bot/telegram` reaches the database (health.py's `SELECT 1` runs on a
thread too): tests/telegram/test_frontend_e2e.py fails when a handler runs SQL on the loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from bot import metrics
from bot.handoff.chats import CitizenNotice, LiveChats
from bot.store.consent import ConsentRepository
from bot.store.deletion import DeletionRepository
from bot.store.drafts import DraftRepository
from bot.store.inbox import (
    CLAIM_LEASE,
    DEFAULT_DEDUP_WINDOW,
    LIVE_CHAT_GOING_ON,
    InboxItem,
    InboxRepository,
    KeyboardRepository,
    UnfinishedUpdate,
)
from bot.store.outbox import DEFAULT_LEASE, OutboxItem, OutboxRepository
from bot.store.rasa_tracker import delete_conversation
from bot.store.repository import Repository, TicketView
from bot.store.retention import PurgeReport, purge

__all__ = ["Arrival", "AsyncStore", "InboxItem", "OutboxItem", "PurgeReport", "UnfinishedUpdate"]

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")
DEFAULT_THREADS = 5  # SQLAlchemy's default pool size
# The arrival of the update this task is handling (set by the front end's sender queues).
handling: contextvars.ContextVar[Arrival | None] = contextvars.ContextVar("handling", default=None)


def pool_size(engine: Engine) -> int:
    """How many connections the engine keeps: more threads would only wait for one."""
    pool = engine.pool
    return pool.size() if isinstance(pool, QueuePool) else DEFAULT_THREADS


@dataclass(frozen=True)
class Arrival:
    """An update as it was stored: its inbox row and whether its sender had consented, as
    of consent change number `consent_changes` of this process, and whether a message of
    theirs waited for Rasa, as of this process's `pending_changes`-th message left for a
    retry."""

    inbox_id: int
    consented: bool
    consent_changes: int
    pending: bool = True  # unknown: read again
    pending_changes: int = 0
    sender_id: str | None = None
    # A live chat going on when it was stored; None: unknown (read again).
    live_chat: bool | None = None


class AsyncStore:
    """The repositories the front end uses, awaited."""

    def __init__(
        self,
        engine: Engine,
        repository: Repository,
        rasa_tracker_url: str,
        bot_id: int = 0,
        dedup_window: timedelta = DEFAULT_DEDUP_WINDOW,
        replica: str = "",
        outbox_lease: timedelta = DEFAULT_LEASE,
        claim_lease: timedelta = CLAIM_LEASE,
    ):
        self.inbox = InboxRepository(engine, bot_id, dedup_window, claim_lease)
        # Claims outbox messages under this front end's replica name (bot.store.outbox).
        self.outbox = OutboxRepository(engine, replica, outbox_lease)
        self.outbox_lease = outbox_lease  # how long a claim on an outbox message lasts
        self.keyboards = KeyboardRepository(engine)
        self.drafts = DraftRepository(engine)
        self.consent = ConsentRepository(engine)
        self.deletion = DeletionRepository(engine)
        self.live = LiveChats(engine)
        self.repository = repository
        self.engine = engine
        self.rasa_tracker_url = rasa_tracker_url
        self.threads = pool_size(engine)
        self._executor: ThreadPoolExecutor | None = None
        # Consents recorded or forgotten by this process: an arrival read before the last
        # one may be stale (the citizen's earlier update in the queue changed it).
        self._consent_changes = 0
        # Messages this process left waiting for Rasa (`mark_pending`): an arrival that
        # found none before the last one is read again.
        self._pending_changes = 0

    async def _run(self, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="store")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(call, *args, **kwargs))

    def close(self) -> None:
        """Wait for running calls and stop the threads (a later call starts new ones)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    async def refresh_gauges(self) -> None:
        """Read the store's gauges for /metrics (tickets by status, outbox backlog)."""
        await self._run(metrics.refresh_store_gauges, self.engine)

    # -- inbox ------------------------------------------------------------------------------

    async def store_update(
        self,
        update_id: int,
        raw: dict[str, Any],
        kind: str,
        sender_id: str | None,
        chat_id: int | None,
    ) -> Arrival | None:
        """Store an incoming update: its inbox row and its sender's consent, or None for a
        duplicate."""
        changes = self._consent_changes  # before the read: a change during it counts
        pending_changes = self._pending_changes
        stored = await self._run(self.inbox.store_update, update_id, raw, kind, sender_id, chat_id)
        if stored is None:
            return None
        return Arrival(
            stored.inbox_id,
            stored.consented,
            changes,
            stored.pending,
            pending_changes,
            sender_id,
            stored.live_chat if sender_id is not None else None,
        )

    def _current(self, arrival: Arrival | None) -> Arrival | None:
        """The arrival, unless a consent changed here since it was read (a forgotten
        citizen's inbox rows are deleted too)."""
        if arrival is not None and arrival.consent_changes == self._consent_changes:
            return arrival
        return None

    async def inbox_id(self, update_id: int, arrival: Arrival | None = None) -> int | None:
        """The inbox row of the update being handled: from its arrival if still current."""
        current = self._current(arrival)
        if current is not None:
            return current.inbox_id
        return await self._run(self.inbox.inbox_id, update_id)

    async def has_pending(self, sender_id: str, arrival: Arrival | None = None) -> bool:
        """True when an earlier message of this sender still waits for Rasa. False from the
        arrival of the update being handled when none waited as it was stored and this
        process has left none waiting since (one that waited may have been answered since:
        that is read again)."""
        current = self._current(arrival)
        if (
            current is not None
            and not current.pending
            and current.pending_changes == self._pending_changes
        ):
            return False
        return await self._run(self.inbox.has_pending, sender_id)

    async def mark_done(self, inbox_id: int | None, kind: str | None = None) -> None:
        """The update was fully handled."""
        await self._run(self.inbox.mark_done, inbox_id, kind)

    async def mark_pending(
        self, inbox_id: int | None, payload: str, error: str, delay_s: float
    ) -> int:
        """Rasa did not answer: keep the message for the retry job. Returns attempts."""
        try:
            return await self._run(self.inbox.mark_pending, inbox_id, payload, error, delay_s)
        finally:  # after the write: an arrival that found nothing waiting is then stale
            self._pending_changes += 1

    async def hold(self, inbox_id: int | None, payload: str) -> None:
        """Keep a message until the citizen consents to the privacy notice."""
        await self._run(self.inbox.hold, inbox_id, payload)

    async def decline_held(self, sender_id: str) -> int:
        """Decline the citizen's held messages and forget their text."""
        return await self._run(self.inbox.decline_held, sender_id)

    async def release_held(self, sender_id: str) -> list[InboxItem]:
        """The held messages of a citizen, oldest first, now to be handled."""
        return await self._run(self.inbox.release_held, sender_id)

    async def pending_heads(self, now: datetime | None = None) -> list[InboxItem]:
        """For each sender, the oldest pending message, if it is due."""
        return await self._run(self.inbox.pending_heads, now)

    async def claim_pending(self, item: InboxItem) -> bool:
        """Take a waiting message to forward it; False when another front end took it."""
        return await self._run(self.inbox.claim_pending, item.id, item.due_at)

    async def claim_unfinished(self) -> list[UnfinishedUpdate]:
        """Updates whose handling was abandoned, claimed for handling again."""
        return await self._run(self.inbox.claim_unfinished)

    async def purge(
        self,
        raw_after: timedelta,
        delete_after: timedelta,
        outbox_after: timedelta,
        live_chat_after: timedelta | None = None,
    ) -> PurgeReport:
        """Apply the retention periods to the inbox, the outbox and ended live chats."""
        return await self._run(
            purge, self.engine, raw_after, delete_after, outbox_after, live_chat_after
        )

    # -- outbox -----------------------------------------------------------------------------

    async def queue_conversation(
        self,
        chat_id: int,
        messages: list[tuple[str, list[tuple[str, str]]]],
        done_inbox_id: int | None,
    ) -> list[OutboxItem]:
        """Close a citizen's message and queue the assistant's replies to it in one
        transaction; those to send now (claimed), or [] when they wait behind the chat's
        undelivered messages."""
        return await self._run(self.outbox.queue_conversation, chat_id, messages, done_inbox_id)

    async def claim_due(self) -> list[OutboxItem]:
        """Pending outbox messages whose time has come, marked as being sent."""
        return await self._run(self.outbox.claim_due)

    async def renew_outbox(self, outbox_ids: list[int]) -> set[int]:
        """Extend this front end's claims; the ids it still holds."""
        return await self._run(self.outbox.renew, outbox_ids)

    async def release_outbox(self, outbox_ids: list[int], delay_s: float) -> None:
        """Give claimed messages back, untried, due after `delay_s`."""
        await self._run(self.outbox.release, outbox_ids, delay_s)

    async def requeue_interrupted(self) -> int:
        """Messages this front end left "sending" when it died go back to pending."""
        return await self._run(self.outbox.requeue_interrupted)

    async def outbox_delivered(self, item: OutboxItem, message_id: int) -> None:
        """Delivered (as Telegram's message `message_id`): never sent again; its buttons
        are kept for presses first, in the same trip to a database thread."""
        await self._run(self._delivered, item, message_id)

    def _delivered(self, item: OutboxItem, message_id: int) -> None:
        if item.buttons:  # a press is looked up like the buttons of Rasa's replies
            try:
                self.keyboards.remember(
                    item.chat_id,
                    message_id,
                    [title for title, _ in item.buttons],
                    [payload for _, payload in item.buttons],
                )
            except Exception:  # delivered all the same: never send it twice
                log.exception("outbox %s: could not keep its keyboard", item.id)
        self.outbox.sent(item.id, message_id)

    async def outbox_retry(self, outbox_id: int, delay_s: float, error: str, give_up: bool) -> None:
        """Not delivered now: try again after `delay_s`, or give up."""
        await self._run(self.outbox.retry, outbox_id, delay_s, error, give_up)

    async def outbox_blocked(self, chat_id: int, error: str) -> None:
        """The citizen blocked the bot: mark them, stop retrying their messages."""
        await self._run(self.outbox.blocked, chat_id, error)

    # -- keyboards and drafts ---------------------------------------------------------------

    async def remember_keyboard(
        self, chat_id: int, message_id: int, titles: list[str], payloads: list[str]
    ) -> None:
        """Keep the payloads of a sent keyboard."""
        await self._run(self.keyboards.remember, chat_id, message_id, titles, payloads)

    async def use_button(
        self, chat_id: int, message_id: int, index: int, again: bool = False
    ) -> tuple[str, str] | None:
        """(title, payload) of the pressed button, once (`again`: the press being handled
        again after a crash, which used the keyboard the first time)."""
        return await self._run(self.keyboards.use_button, chat_id, message_id, index, again)

    async def add_draft_attachment(self, sender_id: str, **fields: Any) -> int:
        """Keep an attachment until the complaint it belongs to is filed."""
        return await self._run(self.drafts.add, sender_id, **fields)

    # -- the citizen ------------------------------------------------------------------------

    async def consented(self, sender_id: str, arrival: Arrival | None = None) -> bool:
        """True once the citizen agreed to the privacy notice: from the arrival of the
        update being handled if still current."""
        current = self._current(arrival)
        if current is not None:
            return current.consented
        return await self._run(self.consent.consented, sender_id)

    async def consent_asked(self, sender_id: str) -> bool:
        """True when the citizen was shown the privacy notice lately and did not agree."""
        return await self._run(self.consent.asked, sender_id)

    async def record_consent(self, sender_id: str, telegram_user_id: int, name: str | None) -> None:
        """Create or update the citizen with their consent time."""
        try:
            await self._run(self.consent.record, sender_id, telegram_user_id, name)
        finally:  # after the write: an arrival read before it committed is then stale
            self._consent_changes += 1

    async def delete_rasa_conversation(self, sender_id: str) -> int:
        """Delete the conversation Rasa keeps of this sender (UU PDP deletion)."""
        return await self._run(delete_conversation, self.rasa_tracker_url, sender_id)

    async def forget_citizen(self, sender_id: str) -> int:
        """UU PDP deletion in our store. Returns the number of tickets kept."""
        try:
            return await self._run(self.deletion.forget_citizen, sender_id)
        finally:  # consent and inbox rows are gone: arrivals read before are stale
            self._consent_changes += 1

    async def open_tickets(self, sender_id: str, limit: int = 10) -> list[TicketView]:
        """The sender's own tickets that are not closed, newest first."""
        return await self._run(self.repository.open_tickets_for_sender, sender_id, limit)

    async def answered_recently(self, sender_id: str, public_id: str) -> bool:
        """Whether the sender just sent a message to this ticket of theirs."""
        return await self._run(self.repository.answered_recently, sender_id, public_id)

    async def awaiting_answer(self, sender_id: str) -> list[str]:
        """The sender's open tickets where an officer waits for their answer."""
        return await self._run(self.repository.awaiting_answer, sender_id)

    async def answer_info_request(
        self, sender_id: str, public_id: str | None, text: str
    ) -> tuple[TicketView | None, bool]:
        """The citizen's answer to an officer's request for information (/jawab); without
        an id, to the one ticket waiting for it."""
        return await self._run(self.repository.answer_info_request, sender_id, public_id, text)

    # -- live chat with an officer (bot.handoff.chats) ---------------------------------------

    def _no_live_chat(self, sender_id: str) -> bool:
        """True when the arrival of the update being handled says that no live chat of
        this sender went on as it was stored, and may still be trusted (the module's
        docstring says when); it answers once."""
        arrival = handling.get()
        if arrival is None or arrival.sender_id != sender_id:
            return False
        handling.set(None)
        current = self._current(arrival)
        return (
            current is not None
            and current.live_chat is False
            and not current.pending
            and current.pending_changes == self._pending_changes
        )

    async def live_add_citizen_message(self, sender_id: str, body: str) -> bool:
        """Store the citizen's message in their live chat; False when none is going on."""
        if self._no_live_chat(sender_id):
            return False
        return await self._run(self._live_add, sender_id, body)

    def _live_add(self, sender_id: str, body: str) -> bool:
        # A plain indexed read first (0.1 ms against the ORM session's 0.5 on the
        # development machine, issue 12); only a chat going on takes the ORM path, which
        # reads it again under its lock.
        with self.engine.connect() as c:
            if c.execute(LIVE_CHAT_GOING_ON, {"b_sender_id": sender_id}).first() is None:
                return False
        return self.live.add_citizen_message(sender_id, body)

    async def live_active(self, sender_id: str) -> bool:
        """True while the citizen's live chat waits for an officer or is taken."""
        if self._no_live_chat(sender_id):
            return False
        return await self._run(self.live.active_for, sender_id) is not None

    async def live_end_by_citizen(self, sender_id: str) -> bool:
        """The citizen ends their live chat; False when none was going on."""
        return await self._run(self.live.end_by_citizen, sender_id)

    async def live_expire(self, timeout: timedelta) -> list[CitizenNotice]:
        """End the chats nobody took within `timeout`; the citizens to tell."""
        return await self._run(self.live.expire_waiting, timeout)

    async def live_typing_due(self) -> list[int]:
        """Telegram chats where an officer typed since "typing…" was last shown."""
        return await self._run(self.live.typing_due)
