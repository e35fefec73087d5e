"""Rasa's REST channel, loaded with two settings of the Rasa server for speed.

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

Tested in tests/rasa_addons/ (in .venv-rasa) and by every end-to-end test through Rasa.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.rest import RestInput
from rasa.shared.constants import DOCS_BASE_URL
from sqlalchemy import event
from sqlalchemy.engine import Engine


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


class RestChannel(RestInput):
    """Rasa's REST channel ("rest"); creating it applies the settings above."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestChannel:
        compiled_validation()
        sqlite_pragmas()
        return cls()
