"""Rasa's REST channel, loaded with settings of the Rasa server for speed and resilience.

credentials.yml names this channel instead of `rest`; it is Rasa's RestInput unchanged
(its name is still "rest", so the URL stays /webhooks/rest/webhook). Creating it, which
`rasa run` does before it loads the model and opens the tracker store, applies:

- the action server's answers are checked against a schema compiled once. Rasa 3.6 checks
  every answer with `jsonschema.validate(result, schema)`, which first checks the fixed
  schema itself against JSON Schema's 2020-12 meta-schema, on every custom action call:
  profiled under load (bench/load.py --profile) 40-55% of the Rasa server's CPU time,
  more than the NLU and the policies together. The same schema, draft and error
  (`best_match`, as `jsonschema.validate` raises) with Rasa's message, 50 ms -> 3 ms.
- a SQLite tracker store runs in WAL mode with synchronous=NORMAL, as our store does
  (bot/store/db.py): Rasa writes the conversation on every message on its event loop,
  and the default rollback journal fsyncs two or three times per commit. A commit
  survives Rasa being killed; a power cut may lose the last ones. SQLite is the
  development store; PostgreSQL (production) is untouched.
- a SQL tracker store on PostgreSQL survives its connections being cut (a restart or a
  failover of the server): a pooled connection is tested before use (pool_pre_ping), and
  a read or save whose connection was lost under it is tried once more on a new one.
  Rasa's FailSafeTrackerStore otherwise carries on silently: a conversation it could not
  read is started afresh for that message (a confirmed complaint answered out of its
  form), a turn it could not save is kept in memory only (the form stays open).
- a message Rasa already took (its inbox id is in the conversation) is answered from the
  conversation instead of being taken again (rasa_addons/once.py).

Tested in tests/rasa_addons/ (in .venv-rasa) and by every end-to-end test through Rasa;
the tracker store's reconnection by tests/faults/test_postgres_cut.py.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from jsonschema import exceptions, validators
from rasa.core import tracker_store
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.rest import RestInput
from rasa.shared.constants import DOCS_BASE_URL
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from rasa_addons.once import answer_taken_messages_once


def compiled_validation() -> None:
    """Make RemoteAction check action server answers with a validator compiled once."""
    if getattr(RemoteAction, "_compiled_validator", None) is not None:
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate does every time
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = exceptions.best_match(validator.iter_errors(result))
        if error is not None:
            error.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._compiled_validator = validator
    RemoteAction._validate_action_result = _validate_action_result


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    # The journal mode is kept in the database file: once per engine is enough.
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA journal_mode=WAL").close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Per connection (Rasa's SQLite engine opens one per session: SQLAlchemy 1.4's
    # NullPool for a database file).
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL").close()
        dbapi_connection.execute("PRAGMA busy_timeout=5000").close()


def sqlite_pragmas() -> None:
    """WAL and synchronous=NORMAL on every SQLite database Rasa opens from now on."""
    if not event.contains(Engine, "first_connect", _sqlite_wal):
        event.listen(Engine, "first_connect", _sqlite_wal)
        event.listen(Engine, "connect", _sqlite_pragmas)


def _lost_connection(error: Exception) -> bool:
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def sql_tracker_store_reconnects() -> None:
    """Pre-ping Rasa's PostgreSQL pool; retry a tracker read or save once on a lost
    connection (both are safe to repeat: a save stores only the events the database
    does not have yet; an event broker, none configured here, would get them twice)."""
    store = tracker_store.SQLTrackerStore
    if getattr(store, "_reconnects", False):
        return
    engine_kwargs = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> dict[str, Any]:
        kwargs = engine_kwargs(url)
        if tracker_store.is_postgresql_url(url):
            kwargs["pool_pre_ping"] = True
        return kwargs

    read, save = store._retrieve, store.save

    async def _retrieve(self: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        try:
            return await read(self, sender_id, fetch_events_from_all_sessions)
        except DBAPIError as exc:
            if not _lost_connection(exc):
                raise
            return await read(self, sender_id, fetch_events_from_all_sessions)

    async def save_again(self: Any, tracker: Any) -> None:
        try:
            await save(self, tracker)
        except DBAPIError as exc:
            if not _lost_connection(exc):
                raise
            await save(self, tracker)

    tracker_store.create_engine_kwargs = create_engine_kwargs
    store._retrieve = _retrieve
    store.save = save_again
    store._reconnects = True


class RestChannel(RestInput):
    """Rasa's REST channel ("rest"); creating it applies the settings above."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestChannel:
        compiled_validation()
        sqlite_pragmas()
        sql_tracker_store_reconnects()
        answer_taken_messages_once()
        return cls()
