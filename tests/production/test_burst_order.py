"""Two Rasa replicas behind the proxy serve one citizen's rapid burst in order (issue 13).

A citizen's 20 messages are sent without waiting for the answers, so that both replicas
hold some of them at once (the proxy sends each request to the replica with the fewest
open ones). Rasa's Redis lock store queues a conversation's messages by ticket, in the
order they reach a replica; each message is sent once the previous one holds its ticket
(seen in Redis), so "the order sent" is well defined while up to 20 are in flight.

Then Rasa's tracker (read through the proxy) must hold the 20 user messages in the order
sent, each followed by its own bot turn (the texts its HTTP request got back, then
action_listen) before the next one: no message lost, none interleaved with another.

Without the Redis lock store each replica locks only its own requests and two replicas
run two turns of the conversation at once. Measured with PROFILE_TEST_LOCK_STORE=in_memory
(nothing to observe in Redis, so the messages go 50 ms apart): see the commit that added
this test.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from devtools.profile_stack import ProfileStack
from tests.production.conftest import REDIS_URL

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]

# Twenty different questions a citizen may fire off: catalogue answers, no form opened.
BURST = [
    "syarat bikin ktp",
    "biaya sim a berapa",
    "berapa lama bikin paspor",
    "jam buka kantor samsat",
    "syarat akta kelahiran",
    "biaya kk baru",
    "alamat kantor disdukcapil",
    "prosedur perpanjang sim",
    "syarat skck",
    "biaya paspor",
    "berapa lama kk jadi",
    "syarat sim c",
    "biaya akta kelahiran",
    "jam buka disdukcapil",
    "prosedur bikin paspor",
    "syarat kartu keluarga",
    "berapa lama skck",
    "biaya skck",
    "syarat perpanjang paspor",
    "prosedur ktp hilang",
]
TICKET_WAIT_S = 60.0


def _tickets(raw: bytes | str | None) -> set[tuple[int, float]]:
    """The (number, expiry) of every ticket of a serialised TicketLock."""
    if not raw:
        return set()
    lock = json.loads(raw)
    return {(t["number"], t["expires"]) for t in map(json.loads, lock.get("tickets", []))}


async def burst(stack: ProfileStack, sender: str, texts: list[str]) -> list[list[str]]:
    """Send `texts` as one sender through the proxy, each once the one before holds its
    ticket in Redis (with the in-memory lock store: 50 ms later); the bot texts each got."""
    redis = aioredis.from_url(REDIS_URL)
    key = stack.redis_lock_key(sender)
    in_redis = stack.env["RASA_LOCK_STORE"] != "in_memory"
    seen: set[tuple[int, float]] = set()
    async with httpx.AsyncClient(base_url=stack.rasa_url, timeout=180) as http:

        async def say(text: str) -> list[str]:
            message = {"sender": sender, "message": text}
            reply = await http.post("/webhooks/rest/webhook", json=message)
            assert reply.status_code == 200, f"{text!r}: {reply.status_code} {reply.text[:300]}"
            return [m["text"] for m in reply.json() if m.get("text")]

        tasks = []
        try:
            for text in texts:
                task = asyncio.create_task(say(text))
                tasks.append(task)
                if not in_redis:
                    await asyncio.sleep(0.05)
                    continue
                deadline = time.monotonic() + TICKET_WAIT_S
                while not task.done():
                    issued = _tickets(await redis.get(key)) - seen
                    if issued:
                        seen |= issued
                        break
                    assert time.monotonic() < deadline, f"no ticket for {text!r} in Redis"
                    await asyncio.sleep(0.002)
            return list(await asyncio.gather(*tasks))
        finally:
            for task in tasks:
                task.cancel()
            await redis.aclose()


def turns(events: list[dict[str, Any]]) -> list[tuple[str, list[str], str | None]]:
    """Each user message of the tracker with the bot texts after it and the last action
    before the next user message."""
    found: list[tuple[str, list[str], str | None]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            found.append((event.get("text") or "", [], None))
        elif found and kind == "bot" and event.get("text"):
            found[-1][1].append(event["text"])
        elif found and kind == "action":
            found[-1] = (found[-1][0], found[-1][1], event.get("name"))
    return found


def test_a_burst_of_20_messages_is_answered_in_order_by_two_replicas(
    production_stack: ProfileStack,
) -> None:
    sender = f"burst-{uuid.uuid4().hex[:10]}"
    before = production_stack.requests_per_server("rasa_replicas")
    started = time.monotonic()
    replies = asyncio.run(burst(production_stack, sender, BURST))
    took = time.monotonic() - started
    after = production_stack.requests_per_server("rasa_replicas")
    served = {name: after[name] - before.get(name, 0) for name in after}
    assert sorted(served) == ["rasa1", "rasa2"] and min(served.values()) >= 5, served
    tracker = httpx.get(
        f"{production_stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": production_stack.token},
        timeout=30,
    ).json()
    got = turns(tracker["events"])
    said = [text for text, _bot, _last in got]
    assert said == BURST, f"user messages in the tracker, in order ({took:.0f} s): {said}"
    for index, ((text, bot, last), answered) in enumerate(zip(got, replies, strict=True)):
        assert answered, f"message {index} ({text!r}) got no answer"
        assert bot == answered, (
            f"message {index} ({text!r}): the tracker's bot turn after it {bot} is not what its "
            f"request got back {answered}"
        )
        assert last == "action_listen", f"message {index} ({text!r}): turn ends with {last}"
