"""Citizens on the production profile's two Telegram front ends (issue 13): the profile as
`make run PROFILE=production` runs it without a token (tests/production/conftest.py), the
local Bot API stand-in posting each update with the webhook's secret to the proxy, which
hands it to either front end, which forwards it through the proxy to either Rasa replica.

Two citizens start the bot, agree to the privacy notice and ask catalogue questions on the
stand-in's chat page (tests/production/stand_in.py, driven by the helpers of
tests/utils/citizens.py). Every question is answered exactly once, every update of theirs
was stored once and handled, and both front ends took updates: the proxy sent each some
(its statistics), and each stored some, together every one once (each front end's own
`aduan_messages_received_total`, counted at its own port, not through the proxy).
(The outbox cannot tell: the assistant's replies are deleted from it once sent.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.store.models import InboxMessage
from bot.telegram.app import SECRET_HEADER
from devtools.local_api import LocalBotApi
from devtools.profile_stack import ProfileStack
from tests.production.stand_in import StandIn
from tests.utils.citizens import SLOW, citizens, settle

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]

USER_IDS = (8801, 8802)
QUESTIONS_EACH = 4
FRONT_ENDS = ("telegram1", "telegram2")


def stored_by(stack: ProfileStack) -> dict[str, float]:
    """Updates each front end stored so far (its own metrics, read at its own port)."""
    found = {}
    for name in FRONT_ENDS:
        port = stack.env[f"FRONTEND_{name[-1]}_PORT"]
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        found[name] = sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "aduan_messages_received_total"
        )
    return found


@pytest.fixture
def stand_in(production_stack: ProfileStack) -> Iterator[StandIn]:
    chat = StandIn(production_stack.local_api_url)
    yield chat
    chat.close()


async def test_citizens_are_answered_once_through_both_front_ends(
    production_stack: ProfileStack, stand_in: StandIn, store_engine: Engine
) -> None:
    before = production_stack.requests_per_server("telegram_frontends")
    stored_before = stored_by(production_stack)
    # StandIn offers what these helpers use of LocalBotApi (tests/production/stand_in.py).
    people = await citizens(cast(LocalBotApi, stand_in), USER_IDS, QUESTIONS_EACH)
    for person in people:
        await person.ask_all()
    await settle(people, production_stack.env["DATABASE_URL"], timeout=SLOW)
    assert [problem for person in people for problem in person.problems()] == []
    assert all(person.sent == QUESTIONS_EACH for person in people)

    after = production_stack.requests_per_server("telegram_frontends")
    took = {name: after[name] - before.get(name, 0) for name in after}
    assert sorted(took) == list(FRONT_ENDS) and min(took.values()) >= 1, took
    stored_after = stored_by(production_stack)
    by_front_end = {name: stored_after[name] - stored_before[name] for name in FRONT_ENDS}
    senders = [str(user_id) for user_id in USER_IDS]
    with Session(store_engine) as s:
        stored = s.execute(
            select(InboxMessage.update_id, func.count())
            .where(InboxMessage.sender_id.in_(senders))
            .group_by(InboxMessage.update_id)
        ).all()
    # /start, the consent button and the questions of each citizen, each stored once
    # (settle saw every one of them handled), by one front end or the other.
    assert len(stored) >= len(USER_IDS) * (2 + QUESTIONS_EACH)
    assert {count for _update, count in stored} == {1}
    assert min(by_front_end.values()) >= 1, by_front_end
    assert sum(by_front_end.values()) == len(stored), (by_front_end, len(stored))
    print(f"webhook requests per front end {took}; updates stored by each {by_front_end}")


def test_the_proxy_passes_no_update_without_the_webhook_secret(
    production_stack: ProfileStack,
) -> None:
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 8899, "type": "private", "first_name": "Palsu"},
            "from": {"id": 8899, "is_bot": False, "first_name": "Palsu"},
            "text": "/start",
        },
    }
    for headers in ({}, {SECRET_HEADER: "not-the-secret"}):
        refused = httpx.post(production_stack.webhook_url, json=update, headers=headers, timeout=30)
        assert refused.status_code == 403, headers
