"""Rasa's RedisLockStore with each change of a conversation's lock made atomic.

Several Rasa servers serving the same conversations (the production profile) keep one
conversation's turns one after another with a ticket lock in Redis: a message takes a
ticket, waits until its ticket is the first one, runs its turn and gives its ticket back.
Rasa 3.6's RedisLockStore changes the lock by reading it, changing it in the server and
writing it back (issue a ticket, drop expired ones while waiting, give one back, delete the
lock when nobody waits), so two servers changing one conversation's lock at the same time
overwrite each other: a ticket is lost or a returned one comes back, and the conversation
stops until the tickets expire (60 s), then the waiting messages fail. Rasa knows it
(RasaHQ/rasa#9213; its fix, ConcurrentRedisLockStore, RasaHQ/rasa#11256, was reverted from
the open-source edition). Measured with tests/production/test_burst_order.py (a citizen's
20 messages at once, 2 replicas behind haproxy): Rasa's RedisLockStore stalled 2 bursts of
15 (HTTP 504 after 120 s); this store none (see the commit that added it).

Here each of those changes runs as one Redis transaction on the lock's key (WATCH, read,
change, MULTI/EXEC; retried when another server changed the key meanwhile: redis-py's
`Redis.transaction`). Everything else, the key layout (`<prefix>:lock:<conversation>`), the
ticket lock itself and the waiting, is Rasa's. endpoints.yml names this class as the lock
store's type (RASA_LOCK_STORE) with the same settings as Rasa's `redis` type.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

Result = TypeVar("Result")


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose read-change-write steps are Redis transactions."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        """Rasa creates a lock store named by its module path with `endpoint_config`;
        `url` is the Redis host, as for Rasa's own `redis` type."""
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(
        self,
        conversation_id: str,
        change: Callable[[TicketLock], Result],
        create: bool = False,
        delete_when_free: bool = False,
    ) -> Result | None:
        """Apply `change` to the stored lock in one transaction; None when there is no
        lock (unless `create`). With `delete_when_free` a lock nobody waits for is deleted."""
        key = self.key_prefix + conversation_id

        def attempt(pipe: Any) -> Result | None:
            raw = pipe.get(key)  # watched: executed at once, before MULTI
            if raw:
                lock = TicketLock.from_dict(json.loads(raw))
            elif create:
                lock = self.create_lock(conversation_id)
            else:
                return None
            result = change(lock)
            pipe.multi()
            if delete_when_free and not lock.is_someone_waiting():
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)  # type: ignore[no-any-return]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket behind every other one of the conversation (Rasa's, atomically)."""
        try:
            ticket = self._change(
                conversation_id, lambda lock: lock.issue_ticket(lock_lifetime), create=True
            )
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e
        assert ticket is not None
        return ticket

    def update_lock(self, conversation_id: str) -> None:
        """Drop the expired tickets (Rasa's, atomically)."""
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Give a ticket back (Rasa's, atomically)."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give a ticket back and delete the lock if nobody else waits, in one step (Rasa
        does these in three, so a ticket issued between them was deleted with the lock)."""
        self._change(
            conversation_id,
            lambda lock: lock.remove_ticket_for(ticket_number),
            delete_when_free=True,
        )
