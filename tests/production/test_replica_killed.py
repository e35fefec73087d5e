"""One replica of each kind SIGKILLed under load on the production profile (issue 13).

The folder's production stack (tests/production/conftest.py, killed last of the folder),
the profile as `make run PROFILE=production` runs it without a Telegram token
(devtools/profile_stack.py on Procfile.production, every line under scripts/respawn.sh):
the local Bot API stand-in (`botapi`), the Telegram front ends, haproxy, 2 Rasa replicas
and 2 action servers, on two throwaway PostgreSQL databases and the Redis lock store.
Citizens talk on the stand-in's chat page, so every message goes stand-in -> proxy -> front
end -> proxy -> Rasa replica -> action server, the way of the fault suite (tests/faults),
with its citizens and checks (tests/utils/citizens.py):

- a Rasa replica killed while it holds a request, with a complaint confirmed and officers'
  replies queued while it is down;
- an action server killed at the worst moment of filing a ticket: it stored the ticket and
  Rasa has not heard back. Rasa reaches the proxy's action servers through the fault suite's
  ActionProxy (tests/utils/action_proxy.py), which kills the one that filed it (named in
  its log) and drops Rasa's request;
- a front end killed while the stand-in waits for its answer to an update, with an
  officers' batch being delivered from the outbox.

Afterwards every question was answered exactly once (a "try again" notice may come first),
every confirmed complaint exists once and its citizen is told its ticket id once, every
outbox message was delivered exactly once (delivery is at least once: a front end killed
mid-send may have sent what it was sending a second time, as many as it says it queued
again at its restart), and the killed replica is running again (a new process) and back
in the proxy's rotation. Rasa's trackers hold each question once, also after the Rasa
replica's death (the copies of a message waiting behind the dead replica's lock are
answered from the conversation: rasa_addons/once.py).

The citizens read their chats in the background (ChatPage), not with a blocking request
per look as tests/production/stand_in.py does.

Needs haproxy, PostgreSQL and Redis (skipped without them, a failure with CI=true).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
import pytest
import pytest_asyncio

from devtools.local_api import LocalBotApi, SimulatedUser
from devtools.profile_stack import ProfileStack
from tests.utils.action_proxy import ActionProxy
from tests.utils.chat import TICKET
from tests.utils.citizens import (
    Citizen,
    citizens,
    consented,
    enqueue_outbox,
    fill_complaint_form,
    outbox_problems,
    settle,
    tickets_of,
    until,
)

pytestmark = [pytest.mark.rasa, pytest.mark.postgres, pytest.mark.asyncio(loop_scope="module")]

BACK_TIMEOUT_S = 300.0  # a Rasa replica loads its model again in 20-60 s on a busy machine
POLL_S = 0.2
SLOW = 120.0
# deploy/haproxy.cfg: `inter 2s` (a health check of every server every 2 s).
CHECK_INTERVAL_S = 2.0
BACKENDS = {"rasa": "rasa_replicas", "actions": "action_servers", "telegram": "telegram_frontends"}
BATCH_EACH = 10  # officers' replies to each citizen queued at once (front end test)
# What a restarted front end logs about the sends its predecessor left unfinished.
REQUEUED = re.compile(r"(\d+) outbox messages interrupted by a restart are queued again")


# -- citizens on the stand-in's chat page ---------------------------------------------------


@dataclass
class PageMessage:
    """A message the bot sent, as the chat page shows it."""

    message_id: int
    text: str
    button_texts: list[str]


class PageUser:
    """A citizen on the chat page of the `botapi` process, with what tests/utils/citizens.py
    uses of devtools.local_api.SimulatedUser (the stand-in runs in its own process here)."""

    def __init__(self, page: ChatPage, user_id: int, first_name: str):
        self.page = page
        self.id = user_id
        self.chat_id = user_id  # a private chat's id is its user's
        self.first_name = first_name
        self._replies: list[PageMessage] = []
        self._version = -1
        self._cursor = 0  # the last message returned by wait_for_reply

    @property
    def _base(self) -> str:
        return f"/_local/chat/{self.id}"

    async def refresh(self) -> None:
        """Read the chat again."""
        answer = await self.page.client.get(
            f"{self._base}/messages", params={"name": self.first_name}
        )
        answer.raise_for_status()
        chat = answer.json()
        if chat["version"] < self._version:
            return  # an older read finished after a newer one
        self._version = chat["version"]
        self._replies = [
            PageMessage(
                int(m["message_id"]),
                str(m.get("text") or ""),
                [str(b.get("text", "")) for row in m.get("buttons") or [] for b in row],
            )
            for m in chat["messages"]
            if m.get("from_bot")
        ]

    async def _post(self, what: str, body: dict[str, Any]) -> httpx.Response:
        return await self.page.client.post(
            f"{self._base}/{what}", params={"name": self.first_name}, json=body
        )

    async def send_text(self, text: str) -> None:
        (await self._post("send", {"text": text})).raise_for_status()

    async def send_command(self, command: str) -> None:
        await self.send_text(command if command.startswith("/") else f"/{command}")

    async def press(self, button: str) -> None:
        """Press a button of the newest message that has it (or of the reply keyboard)."""
        answer = await self._post("press", {"button": button})
        if answer.status_code == 404:
            raise LookupError(answer.json().get("error"))
        answer.raise_for_status()

    def replies(self) -> list[PageMessage]:
        """The bot's messages as last read (the page refreshes every POLL_S)."""
        return list(self._replies)

    async def wait_for_reply(
        self, timeout: float = 10.0, predicate: Callable[[PageMessage], bool] | None = None
    ) -> PageMessage:
        """The next bot message not returned before (matching `predicate`; the ones before
        it that do not match are skipped), as SimulatedUser.wait_for_reply."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            with contextlib.suppress(httpx.HTTPError):
                await self.refresh()
            for message in self._replies:
                if message.message_id <= self._cursor:
                    continue
                if predicate is None or predicate(message):
                    self._cursor = message.message_id
                    return message
            if loop.time() > deadline:
                said = [m.text[:80] for m in self._replies[-5:]]
                raise TimeoutError(f"no reply for {self.id} within {timeout:g} s; last: {said}")
            await asyncio.sleep(POLL_S)


class ChatPage:
    """The stand-in's chat page for many citizens; reads every chat every POLL_S, so that
    `replies()` stays current for the citizens' synchronous checks."""

    def __init__(self, base_url: str):
        self.client = httpx.AsyncClient(base_url=base_url, timeout=30)
        self._users: dict[int, PageUser] = {}
        self._poller: asyncio.Task[None] | None = None

    def user(self, user_id: int, first_name: str = "Warga") -> PageUser:
        return self._users.setdefault(user_id, PageUser(self, user_id, first_name))

    def bot_messages(self, chat_id: int) -> list[PageMessage]:
        user = self._users.get(chat_id)
        return user.replies() if user else []

    async def refresh(self) -> None:
        for user in list(self._users.values()):
            await user.refresh()

    async def start(self) -> ChatPage:
        async def poll() -> None:
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    await self.refresh()
                await asyncio.sleep(POLL_S)

        self._poller = asyncio.create_task(poll())
        return self

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        await self.client.aclose()


# -- the stack --------------------------------------------------------------------------------


@dataclass
class KillStack:
    profile: ProfileStack
    page: ChatPage
    actions: ActionProxy  # between the Rasa replicas and the proxy's action servers
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=30))

    @property
    def database_url(self) -> str:
        return self.profile.env["DATABASE_URL"]

    @property
    def api(self) -> LocalBotApi:
        """The chat page as the helpers of tests/utils/citizens.py take it (it offers what
        they use of LocalBotApi and SimulatedUser)."""
        return cast(LocalBotApi, self.page)

    async def servers(self, backend: str) -> dict[str, dict[str, str]]:
        """The proxy's statistics of each server of `backend`."""
        rows = (await self.http.get(f"{self.profile.stats_url}/stats;csv")).text.splitlines()
        header = rows[0].lstrip("# ").split(",")
        cells = [dict(zip(header, row.split(","), strict=False)) for row in rows[1:]]
        return {
            c["svname"]: c
            for c in cells
            if c.get("pxname") == backend and c.get("svname") not in ("FRONTEND", "BACKEND")
        }

    async def served(self, backend: str) -> dict[str, int]:
        """Requests the proxy has sent to each server of `backend` so far."""
        return {name: int(c.get("stot") or 0) for name, c in (await self.servers(backend)).items()}

    async def when_busy(self, backend: str, server: str, timeout: float = 120) -> int:
        """Wait until `server` holds a request; how many it holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                held = int((await self.servers(backend))[server].get("scur") or 0)
                if held:
                    return held
            await asyncio.sleep(0.01)
        raise TimeoutError(f"{server} held no request within {timeout:g} s")

    async def taken_twice(
        self, people: Sequence[Citizen], since: float
    ) -> dict[str, dict[str, list[tuple[float, Any]]]]:
        """Questions a citizen's conversation in Rasa holds more than once (Rasa took the
        message twice), each with when Rasa took it (seconds after `since`, a time.time())
        and the inbox row it came from (its metadata)."""
        found: dict[str, dict[str, list[tuple[float, Any]]]] = {}
        for c in people:
            answer = await self.http.get(
                f"{self.profile.rasa_url}/conversations/{c.sender_id}/tracker",
                params={"token": self.profile.token},
            )
            events = [e for e in answer.json().get("events") or [] if e.get("event") == "user"]
            for question, _marker in c.questions[: c.sent]:
                taken = [
                    (
                        round(float(e.get("timestamp") or 0) - since, 1),
                        (e.get("metadata") or {}).get("inbox_id"),
                    )
                    for e in events
                    if e.get("text") == question
                ]
                if len(taken) > 1:
                    found.setdefault(c.sender_id, {})[question] = taken
        return found

    async def kill_when_busy(self, backend: str, server: str) -> tuple[int, int]:
        """SIGKILL `server` of `backend` as soon as it holds a request; how many it held
        and its pid."""
        pid = self.pid(server)  # looked up first: the kill follows the look at once
        held = await self.when_busy(backend, server)
        os.kill(pid, signal.SIGKILL)
        return held, pid

    def pid(self, name: str) -> int:
        """The program of Procfile line `name` (not its respawn wrapper)."""
        pid = self.profile.pids().get(name)
        assert pid is not None, f"{name} is not running\n{self.profile.tail()}"
        return pid

    def kill(self, name: str) -> int:
        """SIGKILL the program of Procfile line `name`; its pid."""
        pid = self.pid(name)
        os.kill(pid, signal.SIGKILL)
        return pid

    def own_health_url(self, name: str) -> str:
        """Where the program of Procfile line `name` answers for itself, not via the proxy."""
        kind, number = name.rstrip("0123456789"), int(name[-1])
        env = self.profile.env
        if kind == "rasa":
            return f"{self.profile.replica_urls[number - 1]}/status?token={self.profile.token}"
        if kind == "actions":
            return f"http://127.0.0.1:{env[f'ACTIONS_{number}_PORT']}/health"
        return f"http://127.0.0.1:{env[f'FRONTEND_{number}_PORT']}/livez"

    async def back(self, name: str, killed: int) -> int:
        """Wait until respawn.sh started `name` again (a new process that answers for
        itself) and the proxy has it UP after a health check of the new process (one
        every CHECK_INTERVAL_S); its new pid. (Right after the kill the proxy still shows
        the dead one UP, or "UP 1/2", going down.)"""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + BACK_TIMEOUT_S
        answering_since: float | None = None
        while loop.time() < deadline:
            pid = await asyncio.to_thread(lambda: self.profile.pids().get(name))
            answers = False
            if pid not in (None, killed):
                with contextlib.suppress(httpx.HTTPError):
                    answers = (await self.http.get(self.own_health_url(name))).status_code == 200
            if not answers:
                answering_since = None
            else:
                answering_since = answering_since or loop.time()
                if loop.time() - answering_since > CHECK_INTERVAL_S + 0.5:
                    with contextlib.suppress(httpx.HTTPError):
                        status = (await self.servers(BACKENDS[name[:-1]]))[name]["status"]
                        if status == "UP":
                            assert pid is not None
                            return pid
            await asyncio.sleep(0.5)
        raise TimeoutError(f"{name} not back within {BACK_TIMEOUT_S:g} s")

    def filed_by(self, public_id: str, timeout: float = 5.0) -> str | None:
        """The action server whose log says it filed ticket `public_id` (honcho prefixes
        each line with its process name: `03:07:29 actions1.1  | ...`)."""
        line = re.compile(
            rf"^\S+ (actions\d+)(?:\.\d+)?\s*\|.*ticket {re.escape(public_id)} filed", re.M
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = line.search(self.profile.tail(400_000))
            if found:
                return found.group(1)
            time.sleep(0.02)
        return None


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(
    production_stack: ProfileStack, action_proxy: ActionProxy
) -> AsyncIterator[KillStack]:
    """The folder's production stack (tests/production/conftest.py), its ActionProxy
    passing Rasa's calls to the proxy's action servers, and the stand-in's chat page."""
    page = ChatPage(production_stack.local_api_url)
    running = KillStack(production_stack, page, action_proxy)
    try:
        await page.start()
        yield running
    except Exception:
        print("--- honcho (Procfile.production)\n" + production_stack.tail())
        raise
    finally:
        await page.close()
        await running.http.aclose()


def notices(people: Sequence[Citizen]) -> int:
    """'Try again' notices the citizens got."""
    return sum(c.notices_seen for c in people)


def told_ticket(user: SimulatedUser) -> Callable[[], bool]:
    return lambda: any(TICKET.search(m.text) for m in user.replies())


def ticket_mentions(user: SimulatedUser, public_id: str) -> list[str]:
    return [m.text for m in user.replies() if public_id in m.text]


def queue_replies(database_url: str, people: Sequence[Citizen], label: str) -> list[Any]:
    """An officer's reply to each citizen, queued in the outbox; (id, chat, text)."""
    queued = []
    for c in people:
        body = f"Balasan petugas untuk warga {c.sender_id}: {label}."
        queued.append((enqueue_outbox(database_url, c.user.chat_id, body), c.user.chat_id, body))
    return queued


# -- the tests ----------------------------------------------------------------------------------


async def test_a_rasa_replica_killed_with_messages_in_flight(stack: KillStack) -> None:
    api, db = stack.api, stack.database_url
    people = await citizens(api, range(9801, 9805), per_citizen=6)
    reporter = await consented(api, 9811)
    await fill_complaint_form(reporter)
    queued: list[Any] = []
    seen: dict[str, Any] = {}

    async def fault() -> None:
        await until(lambda: people[0].sent >= 1, SLOW, "the stream to start")
        seen["in_flight"], seen["killed"] = await stack.kill_when_busy("rasa_replicas", "rasa1")
        seen["at"] = time.time()
        # While rasa1 is down (and until the proxy's health check notices it): a complaint
        # confirmed, and officers' replies queued.
        await reporter.press("Ya, kirim")
        queued.extend(queue_replies(db, people[:2], "saat rasa1 mati"))
        seen["restarted"] = await stack.back("rasa1", seen["killed"])

    await asyncio.gather(*(c.ask_all(upto=4) for c in people), fault())
    # rasa1 is in the rotation again: the proxy sends it some of the last questions.
    before = await stack.served("rasa_replicas")
    await asyncio.gather(*(c.ask_all() for c in people))
    after = await stack.served("rasa_replicas")
    await settle(people, db, timeout=240, also=told_ticket(reporter))
    await stack.page.refresh()

    twice = await stack.taken_twice(people, seen["at"])
    print(
        f"rasa1 killed holding {seen['in_flight']} request(s); 'try again' notices: "
        f"{notices(people)}; served after its return: "
        f"{ {n: after[n] - before.get(n, 0) for n in after} }; taken more than once by "
        f"Rasa (seconds after the kill, inbox row): {twice}"
    )
    assert seen["restarted"] != seen["killed"]
    assert after["rasa1"] > before["rasa1"]
    assert [p for c in people for p in c.problems()] == []
    filed = tickets_of(db, str(reporter.id))
    assert len(filed) == 1, filed
    assert len(ticket_mentions(reporter, filed[0])) == 1, [m.text for m in reporter.replies()]
    assert outbox_problems(db, api, queued) == []
    # A conversation whose turn died with rasa1 stays locked until that turn's ticket
    # expires (Rasa's lock lifetime, LOCK_LIFETIME_S on this stack: conftest.py). The front
    # end gives up on each try after RASA_TIMEOUT_S and sends the message again, while the
    # requests it gave up stay at rasa2 waiting for the lock: once it is free, each copy is
    # answered from the conversation, not taken again (rasa_addons/once.py).
    assert twice == {}


async def test_an_action_server_killed_after_it_stored_the_ticket(stack: KillStack) -> None:
    api, db = stack.api, stack.database_url
    reporter = await consented(api, 9821)
    people = await citizens(api, range(9822, 9825))
    await fill_complaint_form(reporter)
    queued: list[Any] = []
    seen: dict[str, Any] = {}

    def kill_the_filer() -> None:
        # The action server answered: the ticket is committed, Rasa has not heard back.
        filed = tickets_of(db, str(reporter.id))
        seen["name"] = stack.filed_by(filed[0]) if filed else None
        seen["killed"] = stack.kill(seen["name"]) if seen["name"] else None
        seen["at"] = time.time()

    stack.actions.trap("action_submit_complaint", kill_the_filer)

    async def file() -> None:
        await until(lambda: people[0].sent >= 1, SLOW, "the stream to start")
        await reporter.press("Ya, kirim")
        await stack.actions.wait_sprung(SLOW)
        assert seen["name"] is not None, (
            f"no action server logged the ticket\n{stack.profile.tail()}"
        )
        queued.extend(queue_replies(db, people[:2], f"saat {seen['name']} mati"))
        seen["restarted"] = await stack.back(seen["name"], seen["killed"])

    await asyncio.gather(*(c.ask_all() for c in people), file())
    await settle(people, db, timeout=240, also=told_ticket(reporter))
    await stack.page.refresh()

    twice = await stack.taken_twice(people, seen["at"])
    print(f"{seen['name']} killed after filing; 'try again' notices: {notices(people)}")
    assert seen["restarted"] != seen["killed"]
    filed = tickets_of(db, str(reporter.id))
    assert len(filed) == 1, filed
    mentions = ticket_mentions(reporter, filed[0])
    assert len(mentions) == 1, [m.text for m in reporter.replies()]
    # Told as a first filing: the citizen confirmed once.
    assert "sudah kami terima dengan nomor tiket" in mentions[0]
    assert [p for c in people for p in c.problems()] == []
    assert outbox_problems(db, api, queued) == []
    assert twice == {}  # no message reached Rasa twice


async def test_a_front_end_killed_while_it_holds_an_update(stack: KillStack) -> None:
    """telegram1 killed while the stand-in waits for its answer to a citizen's update (a
    front end answers the webhook once it handled the update) and while both front ends
    deliver an officers' batch from the outbox."""
    api, db = stack.api, stack.database_url
    people = await citizens(api, range(9831, 9835), per_citizen=5)
    queued: list[Any] = []
    seen: dict[str, Any] = {}

    async def fault() -> None:
        await until(lambda: people[0].sent >= 1, SLOW, "the stream to start")
        for n in range(BATCH_EACH):
            queued.extend(queue_replies(db, people, f"pesan {n:02d} dari {BATCH_EACH}"))
        seen["log_at"] = len(stack.profile.tail(10**9))
        seen["in_flight"], seen["killed"] = await stack.kill_when_busy(
            "telegram_frontends", "telegram1"
        )
        seen["at"] = time.time()
        seen["restarted"] = await stack.back("telegram1", seen["killed"])

    await asyncio.gather(*(c.ask_all() for c in people), fault())
    await settle(people, db, timeout=240)
    await stack.page.refresh()

    delivered = {
        body: sum(1 for m in api.bot_messages(chat_id) if body in m.text)
        for _id, chat_id, body in queued
    }
    problems = [p for c in people for p in c.problems()]
    # Delivery is at least once (bot/store/outbox.py): a message whose send was under way
    # at the kill may arrive twice (Telegram had it, the dead process had not recorded it;
    # Telegram takes no idempotency key). The restarted front end says how many it queued
    # again; nothing else may arrive twice, nothing may be missing.
    requeued = sum(map(int, REQUEUED.findall(stack.profile.tail(10**9)[seen["log_at"] :])))
    twice = [b for b, times in delivered.items() if times > 1]
    twice += [p for p in problems if p.endswith("answered 2 times")]
    print(
        f"telegram1 killed holding {seen['in_flight']} update(s); 'try again' notices: "
        f"{notices(people)}; queued again at its restart: {requeued}; arrived twice: {twice}"
    )
    assert seen["restarted"] != seen["killed"]
    assert [b for b, times in delivered.items() if times == 0] == []
    assert [p for p in problems if p not in twice] == []
    assert len(twice) <= requeued, (twice, requeued)
    assert await stack.taken_twice(people, seen["at"]) == {}  # no message reached Rasa twice
