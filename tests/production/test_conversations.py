"""Citizens' conversations end to end on the production profile (issue 13): the whole
conversation suite of tests/conversations (its player, expectations and known failures),
through haproxy to 2 Rasa replicas and 2 action servers, on PostgreSQL (our store and
Rasa's tracker store) with the Redis lock store. What the profile can break: a complaint
form held open over several turns while its turns alternate between the replicas (the
form's state lives only in the tracker store), tickets filed through the proxied action
servers into PostgreSQL, status questions read back from the store in the middle of a
form, ratings stored after the star buttons. A conversation listed in
tests/conversations/known_failures.txt is a strict xfail here too: the profile must not
change what the assistant says.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from devtools.profile_stack import ProfileStack
from tests.conversations import test_conversations as suite

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]

BY_ID = {c["id"]: c for c in suite.CONVERSATIONS}
PARAMS = [
    pytest.param(
        c["id"],
        id=c["id"],
        marks=[pytest.mark.xfail(strict=True, reason=suite.KNOWN[c["id"]])]
        if c["id"] in suite.KNOWN
        else [],
    )
    for c in suite.CONVERSATIONS
]


@pytest.mark.parametrize("conversation_id", PARAMS)
def test_conversation_on_the_production_profile(
    conversation_id: str, production_stack: ProfileStack, store_engine: Engine
) -> None:
    stack = suite.ConversationStack(
        production_stack.rasa_url,
        production_stack.token,
        production_stack.env["DATABASE_URL"],
        store_engine,
    )
    conversation: dict[str, Any] = BY_ID[conversation_id]
    player = suite.Player(stack, conversation)
    try:
        player.play()
    except suite.Failed as failed:
        raise AssertionError(str(failed) + f"\nbot said: {failed.record.get('replies')}") from None
    finally:
        player.http.close()
