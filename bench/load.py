"""Load benchmark: N citizens through the whole Telegram path, next to Rasa alone.

Starts the local Telegram Bot API server (devtools.local_api, in this process), the real
front end (`python -m bot telegram`, TelegramFrontend in its own process, as `make run`
starts it), the Rasa server and the action server (devtools.devstack.Servers) on a fresh
store (SQLite by default; --database-url for PostgreSQL). With --production-profile the Rasa
side is the production profile's tier instead (devtools.profile_stack.ProfileStack,
Procfile.production under honcho): haproxy before --replicas Rasa servers (1 or 2) and as
many action servers, on throwaway PostgreSQL databases (--database-url's server, default
127.0.0.1:5432) and Rasa's Redis lock store (--redis-url); the front end and the REST
channel reach Rasa through the proxy. N simulated citizens (default 200) consent once, then
run sessions drawn from a mix of what citizens come for:

- 60% a service question (one to three messages: a question, sometimes a follow-up);
- 25% a complaint filed through the whole form, until the ticket id arrives (story,
  place, the category and privacy buttons, "Ya, kirim": about five messages);
- 10% a status check (their own ticket when they filed one);
- 5% something else (a greeting, thanks, a question outside the service).

The mix is of sessions; the share of messages is printed (complaints are longer).

Every message is sent twice in the run, by two sets of citizens with the same scripts:
once straight to Rasa's REST channel ("rasa"), once through the local Bot API server and
the front end ("telegram"), at the same rate, one phase after the other. Latency through
the front end runs from the update entering the Bot API server to the bot's reply arriving
there: "first" is the first answer (not the "Pilihan: ..." echo of a pressed button),
"turn" the last message of the turn. A turn is over when the bot has been quiet for
--think seconds (the citizen reads at least that long before writing again). Straight to
Rasa both are the REST call's round trip.

Open loop (--rate R[,R2,...]): messages are offered at R per second (Poisson arrivals) to
the citizen who has waited longest for their turn; an offer finding every citizen busy
(waiting for an answer or reading) is counted as "missed". Closed loop (--max): as fast as
it goes with --in-flight messages outstanding at once.

Prints per phase: messages per second achieved, latency p50/p95/p99, errors (busy and
throttle notices, failed calls, empty answers), unanswered messages, CPU seconds per
message of each process (with the production profile: proxy, rasa1, rasa2, actions1,
actions2; PostgreSQL and Redis are not counted), and the ratio of the whole path to Rasa
alone. Figures, never a pass/fail test; run on a quiet machine (the 1-minute load average
is printed).

    .venv/bin/python bench/load.py --rate 10,30 [--duration 60] [-n 200]
    .venv/bin/python bench/load.py --max [--in-flight 16]
    .venv/bin/python bench/load.py --rate 10 --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/load.py --rate 10 --profile var/bench/profile   # py-spy + Rasa timings
    .venv/bin/python bench/load.py --rate 10 --profile DIR --no-py-spy    # timings only
    .venv/bin/python bench/load.py --rate 10 --frontend-root /tmp/old      # another front end

With --profile, each Telegram turn is also laid out along the front end's steps (bench/
frontend_timing/sitecustomize.py in the front-end process): the mean wall time per turn of
the inbox write, the live-chat check, the Rasa call, the outbox write, each Bot API call and
the gaps between them, and the Bot API stand-in's own time per call.
    .venv/bin/python bench/load.py --production-profile --replicas 2 --rate 10,20 --duration 45
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds queue.py: keep that folder off the path so `import queue` (stdlib, used by
# the thread pools) is not that script.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import collections  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Awaitable, Callable, Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

from bot.store.db import dispose_engines, prepare_database  # noqa: E402
from bot.texts import text as bot_text  # noqa: E402
from devtools.devstack import (  # noqa: E402
    MODEL,
    Servers,
    engine_env,
    free_port,
    start_rasa_server,
    stop,
    wait_http,
)
from devtools.local_api import LocalBotApi, SimulatedUser  # noqa: E402
from devtools.profile_stack import (  # noqa: E402
    DEFAULT_REDIS_URL,
    ProfileStack,
    throwaway_databases,
)

TICKET = re.compile(r"ADU-[0-9A-HJKMNP-TV-Z]{6}")
RASA_TIMING_DIR = ROOT / "bench" / "rasa_timing"
FRONTEND_TIMING_DIR = ROOT / "bench" / "frontend_timing"
POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/postgres"  # --production-profile's default

# -- what citizens say ----------------------------------------------------------------------

QUESTIONS = (
    "syarat bikin KTP apa aja kak?",
    "berapa biaya SKCK?",
    "biaya bikin paspor berapa?",
    "berapa lama bikin SIM?",
    "biaya NPWP berapa?",
    "syarat akta kelahiran apa saja?",
    "berapa lama proses paspor?",
    "biaya KIA berapa?",
    "syarat bikin NIB apa?",
    "lama proses PBG berapa hari?",
    "biaya perpanjang STNK berapa?",
    "syarat SKTM apa?",
    "bang skck skrg brp duit sih",
    "kak kalo bikin paspor baru jadinya berapa hari ya?",
    "samsat buka hari sabtu gak ya? mau bayar pajak motor tahunan",
    "gimana sih cara daftar npwp? baru pertama kali kerja nih",
    "Bu, iuran BPJS kesehatan mandiri per bulannya berapa ya sekarang?",
    "kk saya hilang gimana",
)
FOLLOW_UPS = (
    "kalau biayanya berapa?",
    "berapa lama jadinya?",
    "syaratnya apa aja?",
    "kantornya di mana ya?",
    "kalau SIM?",
)
STORIES = (
    "Jalan di depan rumah saya berlubang besar sudah tiga bulan dan belum diperbaiki, "
    "kemarin ada motor jatuh.",
    "Sampah menumpuk di TPS dekat rumah sejak minggu lalu, baunya menyengat dan belum "
    "diangkut petugas.",
    "Lampu penerangan jalan di depan masjid mati sudah dua minggu dan malam hari gelap sekali.",
    "Saya mau lapor, antrean perekaman KTP di kecamatan sangat panjang, sudah menunggu "
    "lima jam tidak dipanggil.",
    "mau komplain, saluran air di gang kami tersumbat jadi tiap hujan banjir sampai masuk rumah",
    "Pengurusan akta kelahiran anak saya belum selesai padahal sudah tiga minggu sejak "
    "berkas lengkap.",
    "Parkir liar di depan sekolah membuat macet setiap pagi dan anak-anak susah menyeberang.",
)
PLACES = (
    "Jl. Melati No. 5, Kelurahan Sukamaju",
    "Jl. Kenanga No. 3, Kelurahan Sukamaju",
    "Kampung Sukadamai RT 02 RW 05",
    "depan SDN 3 Cibubur",
    "Gang Mawar dekat pasar Cempaka",
)
OTHER = (
    "halo",
    "selamat pagi kak",
    "terima kasih ya",
    "oke makasih infonya",
    "cuaca besok cerah gak ya?",
    "siapa presiden pertama indonesia?",
)
KINDS = ("service", "complaint", "status", "other")
WEIGHTS = (60, 25, 10, 5)  # percent of sessions

# -- turns and their replies ----------------------------------------------------------------


@dataclass
class Reply:
    """One bot message of a turn."""

    at: float  # time.time() when it reached the Bot API server (or Rasa's answer came)
    text: str
    buttons: list[tuple[str, str]]  # (title, payload or callback data)
    message_id: int | None = None
    kind: str = "answer"  # answer | echo | notice


@dataclass
class Turn:
    """One message of a citizen and what the bot answered."""

    session: str
    sent_at: float
    sender: str = ""  # the conversation's id at Rasa
    replies: list[Reply] = field(default_factory=list)
    error: str | None = None
    event: asyncio.Event = field(default_factory=asyncio.Event)
    # Called once the first answer is in (closed loop: the next message may go).
    on_answer: Callable[[], None] | None = None

    def answer_in(self) -> None:
        if self.on_answer is not None:
            callback, self.on_answer = self.on_answer, None
            callback()

    @property
    def answers(self) -> list[Reply]:
        return [r for r in self.replies if r.kind == "answer"]

    @property
    def answered(self) -> bool:
        return bool(self.answers)

    @property
    def first(self) -> float | None:
        answers = self.answers
        return answers[0].at - self.sent_at if answers else None

    @property
    def last(self) -> float | None:
        answers = self.answers
        return answers[-1].at - self.sent_at if answers else None

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.answers)


class Channel:
    """How a citizen's message reaches Rasa."""

    name = ""

    async def send(self, citizen: Citizen, turn: Turn, text: str) -> None:
        raise NotImplementedError

    async def press(self, citizen: Citizen, turn: Turn, reply: Reply, title: str) -> None:
        raise NotImplementedError


class RestChannel(Channel):
    """Straight to Rasa's REST channel, one shared connection pool."""

    name = "rasa"

    def __init__(self, rasa_url: str, token: str) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.params = {"token": token} if token else {}
        self.client = httpx.AsyncClient(
            timeout=120, limits=httpx.Limits(max_connections=400, max_keepalive_connections=400)
        )

    async def send(self, citizen: Citizen, turn: Turn, text: str) -> None:
        try:
            response = await self.client.post(
                self.url, params=self.params, json={"sender": citizen.sender, "message": text}
            )
            at = time.time()
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            turn.error = f"{type(exc).__name__}: {exc}"[:200]
            return
        if not replies:
            turn.error = "empty answer"
        for reply in replies:
            buttons = [
                (str(b.get("title")), str(b.get("payload"))) for b in reply.get("buttons") or []
            ]
            turn.replies.append(Reply(at, str(reply.get("text") or ""), buttons))
        turn.answer_in()

    async def press(self, citizen: Citizen, turn: Turn, reply: Reply, title: str) -> None:
        payload = next(p for t, p in reply.buttons if t == title)
        await self.send(citizen, turn, payload)

    async def close(self) -> None:
        await self.client.aclose()


class TelegramChannel(Channel):
    """Through the local Bot API server and the front end. Every sendMessage the bot
    makes is attributed to the turn running in its chat."""

    name = "telegram"

    def __init__(self, api: LocalBotApi, think: float, answer_timeout: float) -> None:
        self.api = api
        self.think = think
        self.answer_timeout = answer_timeout
        self.current: dict[int, Turn] = {}
        self.stray = 0  # bot messages outside any turn
        self.failed_calls: collections.Counter[str] = collections.Counter()
        self.calls: collections.Counter[str] = collections.Counter()
        # Seconds the stand-in took to answer each method (its own work, not the front end's).
        self.served: collections.Counter[str] = collections.Counter()
        self.counting = False
        # chat id -> when getUpdates handed over an update of that chat (while counting)
        self.polled: dict[str, list[float]] = collections.defaultdict(list)
        self.notices = {
            bot_text("queued_notice"): "busy notice",
            bot_text("throttled"): "throttle notice",
            bot_text("empty_reply"): "empty answer",
        }
        self.echo_prefix = bot_text("button_chosen", title="").strip()
        original = api.execute

        async def execute(name: str, params: Any, *, token: str | None = None) -> Any:
            arrived = time.time()
            status, body = await original(name, params, token=token)
            method = api._canonical(name)
            if self.counting:
                self.calls[method] += 1
                if method != "getUpdates":  # a long poll's wait is not work
                    self.served[method] += time.time() - arrived
                if status != 200:
                    self.failed_calls[method] += 1
            if status == 200 and method == "sendMessage":
                self._observe(arrived, body.get("result") or {})
            elif status == 200 and method == "getUpdates":
                handed = time.time()
                for update in body.get("result") or []:
                    chat = (update.get("message") or {}).get("chat") or (
                        (update.get("callback_query") or {}).get("message") or {}
                    ).get("chat")
                    if chat and self.counting:
                        self.polled[str(chat.get("id"))].append(handed)
            return status, body

        api.execute = execute  # type: ignore[method-assign]

    def _observe(self, at: float, message: dict[str, Any]) -> None:
        chat_id = (message.get("chat") or {}).get("id")
        turn = self.current.get(chat_id) if isinstance(chat_id, int) else None
        if turn is None:
            self.stray += 1
            return
        body = str(message.get("text") or "")
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [
            (str(b.get("text")), str(b.get("callback_data"))) for row in keyboard for b in row
        ]
        kind = "answer"
        if body.startswith(self.echo_prefix):
            kind = "echo"
        elif body.strip() in self.notices:
            kind = "notice"
            turn.error = turn.error or self.notices[body.strip()]
        turn.replies.append(Reply(at, body, buttons, message.get("message_id"), kind))
        if kind == "answer":
            turn.answer_in()
        turn.event.set()

    async def _await_turn(self, turn: Turn, chat_id: int) -> None:
        """Until an answer came and the bot was quiet for `think` seconds."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        quiet_since = started
        seen = 0
        try:
            while True:
                if len(turn.replies) != seen:
                    seen = len(turn.replies)
                    quiet_since = loop.time()
                if turn.answered:
                    remaining = quiet_since + self.think - loop.time()
                else:
                    remaining = started + self.answer_timeout - loop.time()
                if remaining <= 0:
                    return
                turn.event.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(turn.event.wait(), remaining)
        finally:
            if self.current.get(chat_id) is turn:
                del self.current[chat_id]

    async def send(self, citizen: Citizen, turn: Turn, text: str) -> None:
        user = citizen.user
        assert user is not None
        self.current[user.chat_id] = turn
        turn.sent_at = time.time()
        await user.send_text(text)
        await self._await_turn(turn, user.chat_id)

    async def press(self, citizen: Citizen, turn: Turn, reply: Reply, title: str) -> None:
        user = citizen.user
        assert user is not None
        self.current[user.chat_id] = turn
        turn.sent_at = time.time()
        try:
            await user.press(title, message_id=reply.message_id)
        except LookupError as exc:
            turn.error = f"button gone: {exc}"[:200]
            del self.current[user.chat_id]
            return
        await self._await_turn(turn, user.chat_id)


# -- citizens and their sessions ------------------------------------------------------------


@dataclass
class Citizen:
    index: int
    sender: str
    user: SimulatedUser | None = None
    tickets: list[str] = field(default_factory=list)


@dataclass
class Sessions:
    """What the citizens of one phase did."""

    started: collections.Counter[str] = field(default_factory=collections.Counter)
    finished: collections.Counter[str] = field(default_factory=collections.Counter)
    off_script: collections.Counter[str] = field(default_factory=collections.Counter)


class Scheduler:
    """When a citizen may send their next message."""

    def __init__(self) -> None:
        self.open = True
        self.missed = 0
        self.offered = 0

    async def slot(self) -> None:
        raise NotImplementedError

    def done(self) -> None:
        """A turn is over (closed loop: the next one may start)."""

    async def run(self, until: float) -> None:
        raise NotImplementedError


class OpenLoop(Scheduler):
    """Offers at `rate` per second (Poisson), each to the citizen waiting longest."""

    def __init__(self, rate: float, rng: random.Random) -> None:
        super().__init__()
        self.rate = rate
        self.rng = rng
        self.waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    async def slot(self) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append(future)
        await future

    async def run(self, until: float) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due += self.rng.expovariate(self.rate)
            if due >= until:
                break
            await asyncio.sleep(max(0.0, due - loop.time()))
            self.offered += 1
            while self.waiting and self.waiting[0].done():
                self.waiting.popleft()
            if self.waiting:
                self.waiting.popleft().set_result(None)
            else:
                self.missed += 1
        self.open = False
        await asyncio.sleep(max(0.0, until - loop.time()))


class ClosedLoop(Scheduler):
    """As fast as it goes, `in_flight` messages outstanding at once."""

    def __init__(self, in_flight: int) -> None:
        super().__init__()
        self.semaphore = asyncio.Semaphore(in_flight)

    async def slot(self) -> None:
        await self.semaphore.acquire()
        if not self.open:
            self.semaphore.release()
            await asyncio.Event().wait()  # the phase is over: wait to be cancelled
        self.offered += 1

    def done(self) -> None:
        self.semaphore.release()

    async def run(self, until: float) -> None:
        await asyncio.sleep(max(0.0, until - asyncio.get_running_loop().time()))
        self.open = False


class Phase:
    """One channel at one rate: citizens run sessions until the window closes."""

    def __init__(
        self,
        channel: Channel,
        citizens: list[Citizen],
        scheduler: Scheduler,
        think: float,
        seed: int,
        warmup: float,
    ) -> None:
        self.channel = channel
        self.citizens = citizens
        self.scheduler = scheduler
        self.think = think
        self.seed = seed
        self.warmup = warmup
        self.turns: list[Turn] = []  # measured: sent within the window
        self.sent = 0  # every turn of the phase, warm-up and drain included
        self._open: list[Turn] = []
        self._idle = asyncio.Event()  # no turn under way
        self._idle.set()
        self.sessions = Sessions()
        self.measure_from = 0.0
        self.measure_until = 0.0

    async def run(self, duration: float) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        self.measure_from = time.time() + self.warmup
        self.measure_until = time.time() + self.warmup + duration
        until = start + self.warmup + duration
        tasks = [asyncio.create_task(self._citizen(c)) for c in self.citizens]
        try:
            await self.scheduler.run(until)
            # Let the turns under way finish (an unanswered one gives up on its own).
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._idle.wait(), 180)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _citizen(self, citizen: Citizen) -> None:
        rng = random.Random(self.seed * 100_003 + citizen.index)
        # Citizens start at different moments, as they do.
        await asyncio.sleep(rng.uniform(0, self.think))
        while True:
            kind = rng.choices(KINDS, WEIGHTS)[0]
            self.sessions.started[kind] += 1
            ok = await getattr(self, f"_{kind}")(citizen, rng)
            (self.sessions.finished if ok else self.sessions.off_script)[kind] += 1

    async def _turn(
        self,
        citizen: Citizen,
        kind: str,
        rng: random.Random,
        act: Callable[[Turn], Awaitable[None]],
    ) -> Turn:
        await self.scheduler.slot()
        turn = Turn(kind, time.time(), citizen.sender, on_answer=self.scheduler.done)
        self.sent += 1
        if self.measure_from <= turn.sent_at < self.measure_until and self.scheduler.open:
            self.turns.append(turn)
        self._open.append(turn)
        self._idle.clear()
        try:
            await act(turn)
        finally:
            self._open.remove(turn)
            if not self._open:
                self._idle.set()
            turn.answer_in()  # unanswered: free the slot all the same
        # Reading the answer (a Telegram turn already waited `think` of quiet).
        pause = rng.uniform(0.5, 1.5) * self.think
        if isinstance(self.channel, RestChannel):
            await asyncio.sleep(pause)
        else:
            await asyncio.sleep(max(0.0, pause - self.think))
        return turn

    async def _say(self, citizen: Citizen, kind: str, rng: random.Random, words: str) -> Turn:
        return await self._turn(citizen, kind, rng, lambda t: self.channel.send(citizen, t, words))

    async def _press(
        self, citizen: Citizen, kind: str, rng: random.Random, reply: Reply, title: str
    ) -> Turn:
        return await self._turn(
            citizen, kind, rng, lambda t: self.channel.press(citizen, t, reply, title)
        )

    async def _service(self, citizen: Citizen, rng: random.Random) -> bool:
        turn = await self._say(citizen, "service", rng, rng.choice(QUESTIONS))
        for _ in range(rng.choices((0, 1, 2), (50, 35, 15))[0]):
            turn = await self._say(citizen, "service", rng, rng.choice(FOLLOW_UPS))
        return turn.answered

    async def _status(self, citizen: Citizen, rng: random.Random) -> bool:
        words = (
            f"status tiket {citizen.tickets[-1]}"
            if citizen.tickets
            else "cek status pengaduan saya"
        )
        return (await self._say(citizen, "status", rng, words)).answered

    async def _other(self, citizen: Citizen, rng: random.Random) -> bool:
        return (await self._say(citizen, "other", rng, rng.choice(OTHER))).answered

    async def _complaint(self, citizen: Citizen, rng: random.Random) -> bool:
        """The whole form, answering what it asks, until the ticket id arrives."""
        turn = await self._say(citizen, "complaint", rng, rng.choice(STORIES))
        for _ in range(8):
            if not turn.answered:
                return False
            found = TICKET.search(turn.text)
            if found:
                citizen.tickets.append(found.group(0))
                return True
            with_buttons = [r for r in turn.answers if r.buttons]
            last = with_buttons[-1] if with_buttons else None
            lowered = turn.text.lower()
            if "kirim pengaduan ini?" in lowered and last is not None:
                title = next((t for t, _ in last.buttons if t.startswith("Ya")), None)
                if title is None:
                    break
                turn = await self._press(citizen, "complaint", rng, last, title)
            elif ("bagaimana laporan ini ditangani" in lowered or "kategori" in lowered) and (
                last is not None
            ):
                turn = await self._press(citizen, "complaint", rng, last, last.buttons[0][0])
            elif "lokasi" in lowered:
                turn = await self._say(citizen, "complaint", rng, rng.choice(PLACES))
            else:
                break
        # Off script: leave the form so that the next session starts clean.
        turn = await self._say(citizen, "complaint", rng, "batal")
        if "yakin" in turn.text.lower():
            await self._say(citizen, "complaint", rng, "ya")
        return False


# -- processes and their CPU ----------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    return os.getloadavg()[0]


@dataclass
class Tier:
    """The Rasa side of a run, as the front end and the REST channel reach it."""

    database_url: str
    tracker_url: str
    rasa_url: str
    rasa_token: str
    action_url: str
    pids: dict[str, int]  # each server process by name, for its CPU per message


class Frontend:
    """`python -m bot telegram` against the local Bot API server and the Rasa tier."""

    def __init__(
        self,
        tier: Tier,
        api: LocalBotApi,
        folder: Path,
        telegram_rate: float | None = None,
        timing_file: Path | None = None,
        root: Path = ROOT,
    ) -> None:
        self.port = free_port()
        # The front end's steps per update (bench/frontend_timing/sitecustomize.py).
        timing = (
            {"PYTHONPATH": str(FRONTEND_TIMING_DIR), "FRONTEND_TIMING_FILE": str(timing_file)}
            if timing_file is not None
            else {}
        )
        env = engine_env(
            APP_ENV="development",
            DATABASE_URL=tier.database_url,
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_API_FILE_URL=api.base_file_url,
            RASA_URL=tier.rasa_url,
            RASA_AUTH_TOKEN=tier.rasa_token,
            RASA_TRACKER_URL=tier.tracker_url,
            ACTION_ENDPOINT_URL=tier.action_url,
            VAR_DIR=str(folder / "var"),
            FRONTEND_PORT=str(self.port),
            PTB_TIMEDELTA="1",
            **({"TELEGRAM_OVERALL_MAX_RATE": str(telegram_rate)} if telegram_rate else {}),
            **timing,
        )
        self.log = (folder / "frontend.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "telegram"],
            cwd=root,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    async def wait_up(self) -> None:
        await asyncio.to_thread(
            wait_http, f"http://127.0.0.1:{self.port}/healthz", 90, self.process
        )

    def stop(self) -> None:
        stop(self.process)
        self.log.close()


class Profiler:
    """py-spy on the servers while a phase runs (raw collapsed stacks). The front end and
    the action server sample only the thread holding the GIL (their idle pool threads
    would otherwise count as busy); Rasa every thread (TensorFlow releases the GIL)."""

    def __init__(self, folder: Path, pids: dict[str, int], duration: float, tag: str) -> None:
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        self.processes = []
        for name, pid in pids.items():
            out = folder / f"{tag}-{name}.txt"
            command = [
                spy, "record", "--pid", str(pid), "--duration", str(int(duration)),
                "--rate", "50", "--format", "raw", "--output", str(out),
            ]  # fmt: skip
            if name != "rasa":
                command.append("--gil")
            self.processes.append(
                subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )

    def wait(self) -> None:
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


# -- figures --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank); nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


@dataclass
class Figures:
    channel: str
    offered: str
    turns: int
    answered: int
    achieved: float
    first: list[float]
    last: list[float]
    errors: collections.Counter[str]
    missed: int
    cpu: dict[str, float]
    sessions: Sessions
    calls: dict[str, float]
    load: float
    kinds: collections.Counter[str]

    def p(self, q: float, which: str = "last") -> float:
        return percentile(getattr(self, which), q) * 1000


def figures(phase: Phase, offered: str, cpu: dict[str, float], calls: Any, load: float) -> Figures:
    turns = phase.turns
    answered = [t for t in turns if t.answered]
    errors: collections.Counter[str] = collections.Counter(
        (t.error or "").split(":")[0] for t in turns if t.error
    )
    unanswered = len(turns) - len(answered)
    if unanswered:
        errors["unanswered"] = unanswered
    if answered:
        span = max(t.sent_at + (t.last or 0) for t in answered) - min(t.sent_at for t in turns)
    else:
        span = float("nan")
    return Figures(
        channel=phase.channel.name,
        offered=offered,
        turns=len(turns),
        answered=len(answered),
        achieved=len(answered) / span if span and span > 0 else float("nan"),
        first=[t.first for t in answered if t.first is not None],
        last=[t.last for t in answered if t.last is not None],
        errors=errors,
        missed=phase.scheduler.missed,
        cpu={k: v / max(1, phase.sent) for k, v in cpu.items()},
        sessions=phase.sessions,
        calls={k: v / max(1, phase.sent) for k, v in (calls or {}).items()},
        load=load,
        kinds=collections.Counter(t.session for t in turns),
    )


HEADER = (
    f"{'offered':>8} {'path':9} {'msgs':>5} {'msg/s':>6} {'p50':>6} {'p95':>6} {'p99':>6}"
    f" {'1st p50':>7} {'1st p95':>7} {'missed':>6}  errors; CPU ms/msg; load"
)


def print_row(f: Figures) -> None:
    print(HEADER)
    print_rows([f])


def print_rows(rows: list[Figures]) -> None:
    for f in rows:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(f.errors.items())) or "none"
        cpu = " ".join(f"{k} {v * 1000:.0f}" for k, v in f.cpu.items())
        print(
            f"{f.offered:>8} {f.channel:9} {f.turns:5d} {f.achieved:6.1f} {f.p(50):6.0f}"
            f" {f.p(95):6.0f} {f.p(99):6.0f} {f.p(50, 'first'):7.0f} {f.p(95, 'first'):7.0f}"
            f" {f.missed:6d}  {errors}; {cpu}; load {f.load:.1f}"
        )


def print_figures(rows: list[Figures]) -> None:
    print(HEADER)
    print_rows(rows)
    pairs: dict[str, dict[str, Figures]] = collections.defaultdict(dict)
    for f in rows:
        pairs[f.offered][f.channel] = f
    print("\nwhole path / Rasa alone (latency of the turn, throughput):")
    for offered, pair in pairs.items():
        if "rasa" in pair and "telegram" in pair:
            r, t = pair["rasa"], pair["telegram"]
            print(
                f"  {offered:>6}: p50 x{t.p(50) / r.p(50):.2f}, p95 x{t.p(95) / r.p(95):.2f},"
                f" first answer p50 x{t.p(50, 'first') / r.p(50):.2f};"
                f" throughput {t.achieved / r.achieved:.0%} of Rasa alone"
            )
    telegram = [f for f in rows if f.channel == "telegram"]
    if telegram:
        f = telegram[-1]
        total = sum(f.sessions.started.values()) or 1
        per_msg = f.calls
        messages = sum(f.kinds.values()) or 1
        print(
            "sessions (telegram, last phase): "
            + ", ".join(f"{k} {v / total:.0%}" for k, v in f.sessions.started.most_common())
            + "; their messages: "
            + ", ".join(f"{k} {v / messages:.0%}" for k, v in f.kinds.most_common())
            + "; off script: "
            + (", ".join(f"{k} {v}" for k, v in f.sessions.off_script.items()) or "none")
        )
        print(
            "Bot API calls per message: "
            + ", ".join(f"{k} {v:.2f}" for k, v in sorted(per_msg.items(), key=lambda kv: -kv[1]))
        )


# -- the run --------------------------------------------------------------------------------


@contextlib.contextmanager
def databases(
    database_url: str | None, tracker_url: str | None, folder: Path
) -> Iterator[tuple[str, str]]:
    """The store and Rasa's tracker store for this run: SQLite files in `folder`, or
    throwaway databases on the PostgreSQL server of `database_url` (dropped at the end)."""
    if not database_url or database_url.startswith("sqlite"):
        yield (
            database_url or f"sqlite:///{folder / 'layanan.db'}",
            tracker_url or f"sqlite:///{folder / 'rasa_tracker.db'}",
        )
        return
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(database_url)
    tag = uuid.uuid4().hex[:8]
    names = [f"bench_load_{tag}", f"bench_load_tracker_{tag}"]

    def connect() -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=admin.host, port=admin.port or 5432, user=admin.username,
            password=admin.password, dbname=admin.database or "postgres", autocommit=True,
        )  # fmt: skip

    with connect() as c:
        for name in names:
            c.execute(f'CREATE DATABASE "{name}"')
    try:
        store = admin.set(database=names[0], drivername="postgresql")
        tracker = admin.set(database=names[1], drivername="postgresql")
        yield (
            store.render_as_string(hide_password=False),
            tracker_url or tracker.render_as_string(hide_password=False),
        )
    finally:
        dispose_engines()
        with connect() as c:
            for name in names:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def consent(api: LocalBotApi, citizens: list[Citizen], first_id: int) -> None:
    """Each Telegram citizen starts the bot and agrees to the privacy notice (not timed)."""
    gate = asyncio.Semaphore(10)

    async def one(citizen: Citizen) -> None:
        async with gate:
            user = api.user(user_id=first_id + citizen.index, first_name=f"Warga{citizen.index}")
            await user.send_command("/start")
            await user.wait_for_reply(120, lambda m: "menyetujui" in m.text)
            await user.press(bot_text("consent_yes_button"))
            await user.wait_for_reply(120, lambda m: "bantu" in m.text)
            citizen.user = user

    await asyncio.gather(*(one(c) for c in citizens))


class BenchServers(Servers):
    """Servers whose Rasa keeps conversations at `tracker` (SQLite or PostgreSQL)."""

    def __init__(self, folder: Path, database_url: str, tracker: str, rasa_env: dict[str, str]):
        super().__init__(folder, database_url, rasa_auth_token=uuid.uuid4().hex)
        self.tracker = tracker
        self.rasa_env = rasa_env

    @property
    def tracker_url(self) -> str:
        return self.tracker

    def start_rasa(self) -> None:
        """As Servers.start_rasa, with the patience a loaded machine needs."""
        with _environ(self.rasa_env):
            self.rasa = start_rasa_server(
                self.rasa_port, self.action_port, self.folder / "rasa.log", self.tracker,
                self.rasa_auth_token,
            )  # fmt: skip
        wait_http(f"{self.rasa_url}/status?token={self.rasa_auth_token}", 900, self.rasa)


@contextlib.contextmanager
def single_machine(
    args: argparse.Namespace, folder: Path, rasa_env: dict[str, str]
) -> Iterator[Tier]:
    """One Rasa server and one action server (devtools.devstack), SQLite or PostgreSQL."""
    with databases(args.database_url, args.tracker_url, folder) as (database_url, tracker_url):
        print(f"    store {_safe(database_url)}, Rasa tracker store {_safe(tracker_url)}")
        prepare_database(database_url, seed="always")
        servers = BenchServers(folder, database_url, tracker_url, rasa_env)
        try:
            servers.start_actions()
            servers.start_rasa()
            yield Tier(
                database_url, tracker_url, servers.rasa_url, servers.rasa_auth_token,
                servers.action_url, {"rasa": servers.rasa.pid, "actions": servers.actions.pid},
            )  # fmt: skip
        finally:
            servers.stop_all()


@contextlib.contextmanager
def production_profile(args: argparse.Namespace, folder: Path) -> Iterator[Tier]:
    """The production profile's Rasa tier with `args.replicas` Rasa servers and as many
    action servers behind its proxy, on throwaway PostgreSQL databases and Redis."""
    replicas = range(1, args.replicas + 1)
    processes = ["proxy", *(f"rasa{i}" for i in replicas), *(f"actions{i}" for i in replicas)]
    with throwaway_databases(args.database_url, "bench_store", "bench_tracker") as urls:
        database_url, tracker_url = urls
        print(
            f"    production profile: {', '.join(processes)}; store {_safe(database_url)},"
            f" Rasa tracker store {_safe(tracker_url)}, lock store {_safe(args.redis_url)}"
        )
        prepare_database(database_url, seed="always")
        stack = ProfileStack(
            folder / "profile", database_url, tracker_url, args.redis_url, processes=processes
        )
        try:
            stack.start()
            yield Tier(
                database_url, tracker_url, stack.rasa_url, stack.token, stack.action_url,
                dict(sorted(stack.pids().items())),
            )  # fmt: skip
        except Exception:
            print(f"--- honcho (Procfile.production)\n{stack.tail()}")
            raise
        finally:
            stack.stop()


async def measure(
    args: argparse.Namespace,
    offered: str,
    index: int,
    scheduler: Scheduler,
    channel: Channel,
    citizens: list[Citizen],
    pids: dict[str, int],
    telegram: TelegramChannel,
    profile_dir: Path | None,
) -> Figures:
    """One phase: `channel` at one rate."""
    phase = Phase(channel, citizens, scheduler, args.think, args.seed + index, args.warmup)
    cpu_before = {k: cpu_seconds(p) for k, p in pids.items()}
    telegram.calls.clear()
    telegram.served.clear()
    telegram.counting = channel is telegram
    profiler = None
    if profile_dir is not None and channel is telegram and index == 0 and args.py_spy:
        targets = {k: v for k, v in pids.items() if k != "bench"}
        tag = "load-" + offered.replace("/s", "").replace(".", "_")
        profiler = Profiler(profile_dir, targets, args.warmup + args.duration, tag)
    load = load_average()
    await phase.run(args.duration)
    telegram.counting = False
    if profiler is not None:
        await asyncio.to_thread(profiler.wait)
    cpu = {k: cpu_seconds(p) - cpu_before[k] for k, p in pids.items()}
    if channel is not telegram:
        cpu.pop("frontend")
    calls = dict(telegram.calls) if channel is telegram else None
    if channel is telegram and telegram.calls.get("sendMessage"):
        print(
            "    the Bot API stand-in's own time per call, ms: "
            + ", ".join(
                f"{k} {v / telegram.calls[k] * 1000:.2f}" for k, v in telegram.served.items()
            )
        )
    if profile_dir is not None:
        print_split(phase, profile_dir / "rasa_timing.jsonl", telegram.polled)
        if channel is telegram:
            print_steps(phase, profile_dir / "frontend_timing.jsonl", telegram.polled)
    return figures(phase, offered, cpu, calls, max(load, load_average()))


def print_split(phase: Phase, timings: Path, polled: dict[str, list[float]]) -> None:
    """Each turn's latency to its first answer split at Rasa's handling of the message
    (bench/rasa_timing): before (to Rasa, the front end's intake), Rasa, after (Rasa's
    answer to the first reply at the Bot API server; for REST, back to the client)."""
    by_sender: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for line in timings.read_text().splitlines():
        record = json.loads(line)
        by_sender[str(record.get("sender"))].append(record)
    parts: dict[str, list[float]] = collections.defaultdict(list)
    for turn in phase.turns:
        first = turn.first
        record = next(
            (r for r in by_sender.get(turn.sender, []) if r["start"] >= turn.sent_at), None
        )
        if first is None or record is None or record["start"] > turn.sent_at + first:
            continue
        handed = next((t for t in polled.get(turn.sender, []) if t >= turn.sent_at), None)
        if handed is not None and handed <= record["start"]:
            parts["to getUpdates"].append(handed - turn.sent_at)
            parts["getUpdates to Rasa"].append(record["start"] - handed)
        parts["before Rasa"].append(record["start"] - turn.sent_at)
        parts["Rasa"].append(record["total"])
        parts["after Rasa"].append(turn.sent_at + first - record["start"] - record["total"])
    print(
        f"    {phase.channel.name}, first answer split ({len(parts['Rasa'])} turns), ms: "
        + "; ".join(
            f"{k} p50 {percentile(v, 50) * 1000:.1f} mean {sum(v) / len(v) * 1000:.1f}"
            f" p95 {percentile(v, 95) * 1000:.1f}"
            for k, v in parts.items()
        )
    )


def print_steps(phase: Phase, trace: Path, polled: dict[str, list[float]]) -> None:
    """Each Telegram turn, from the citizen's message to the last answer reaching the Bot
    API stand-in, laid out along the front end's steps (bench/frontend_timing): the wall
    time of each step and of the gap before it, each instant counted once (overlapping
    steps: the earlier one keeps it), as a mean per turn. The first gap is the stand-in's
    long-poll wake-up (until getUpdates handed the update over)."""
    steps: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    if trace.exists():
        for line in trace.read_text().splitlines():
            record = json.loads(line)
            steps[record["key"]].append(record)
    for records in steps.values():
        records.sort(key=lambda r: r["t0"])
    totals: dict[str, float] = collections.defaultdict(float)
    turns = 0
    for turn in phase.turns:
        if turn.last is None:
            continue
        start, end = turn.sent_at, turn.sent_at + turn.last
        handed = next((t for t in polled.get(turn.sender, []) if start <= t <= end), None)
        laid = [
            r
            for r in steps.get(turn.sender, [])
            if start <= (r["t1"] if r["step"] == "polled" else r["t0"]) <= end
        ]
        if handed is None or not laid:
            continue
        turns += 1
        totals["Bot API stand-in: long-poll wake-up"] += handed - start
        cursor = handed
        for record in laid:
            name = record["step"]
            t0, t1 = record["t0"], record["t1"]
            if name == "polled":
                t0 = cursor  # the long poll was waiting since long before
            elif name == "process_update":
                t1 = t0  # only its start: the rest is the steps inside it
            if t0 > cursor:
                totals[f"-> {name}"] += t0 - cursor
                cursor = t0
            if min(t1, end) > cursor:
                totals[name] += min(t1, end) - cursor
                cursor = min(t1, end)
        if end > cursor:
            totals["-> the last answer at the Bot API stand-in"] += end - cursor
    if not turns:
        return
    mean = sum(totals.values()) / turns * 1000
    print(
        f"    telegram, the front end's steps ({turns} turns, mean turn {mean:.1f} ms),"
        " mean ms per turn: "
        + "; ".join(f"{name} {value / turns * 1000:.1f}" for name, value in totals.items())
    )


async def run(args: argparse.Namespace) -> None:
    if not MODEL.exists():
        raise SystemExit(f"no trained model at {MODEL}: run `make train` first")
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    rates: list[float | None] = [None] if args.max else [float(r) for r in args.rate.split(",")]
    profile_dir: Path | None = args.profile
    rasa_env: dict[str, str] = {}
    if profile_dir is not None:
        # Rasa's own time per message, by stage: bench/rasa_timing/sitecustomize.py
        rasa_env = {
            "PYTHONPATH": str(RASA_TIMING_DIR),
            "RASA_TIMING_FILE": str(profile_dir / "rasa_timing.jsonl"),
        }
    print(
        f"==> {args.citizens} citizens, {args.duration:g} s measured per phase after"
        f" {args.warmup:g} s warm-up, think {args.think:g} s; load average {load_average():.1f}"
    )
    rows: list[Figures] = []
    tiers = (
        production_profile(args, folder)
        if args.production_profile
        else single_machine(args, folder, rasa_env)
    )
    with tiers as tier:
        async with LocalBotApi() as api:
            frontend = Frontend(
                tier,
                api,
                folder,
                args.telegram_rate,
                profile_dir / "frontend_timing.jsonl" if profile_dir is not None else None,
                args.frontend_root,
            )
            rest = RestChannel(tier.rasa_url, tier.rasa_token)
            try:
                await frontend.wait_up()
                telegram = TelegramChannel(api, args.think, args.answer_timeout)
                pids = {**tier.pids, "frontend": frontend.process.pid, "bench": os.getpid()}
                for index, rate in enumerate(rates):
                    offered = "max" if rate is None else f"{rate:g}/s"
                    # New citizens for every rate: conversations as long as real ones.
                    first_id = 900_000 + 10_000 * index
                    tg_citizens = [Citizen(k, str(first_id + k)) for k in range(args.citizens)]
                    rest_citizens = [
                        Citizen(k, f"load-rest-{index}-{k}") for k in range(args.citizens)
                    ]
                    started = time.perf_counter()
                    await consent(api, tg_citizens, first_id)
                    print(
                        f"==> {offered}: {args.citizens} new citizens consented"
                        f" in {time.perf_counter() - started:.0f} s"
                    )
                    for channel, citizens in ((rest, rest_citizens), (telegram, tg_citizens)):
                        scheduler: Scheduler = (
                            ClosedLoop(args.in_flight)
                            if rate is None
                            else OpenLoop(rate, random.Random(args.seed + index))
                        )
                        row = await measure(
                            args, offered, index, scheduler, channel, citizens, pids,
                            telegram, profile_dir,
                        )  # fmt: skip
                        rows.append(row)
                        print_row(row)
                        await asyncio.sleep(2)  # let the servers settle
            finally:
                await rest.close()
                frontend.stop()
    print("\n==> summary")
    print_figures(rows)
    print(f"\nlogs: {folder}")
    if profile_dir is not None:
        print(f"profiles: {profile_dir} (summarise with bench/profile_summary.py)")


def _safe(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--rate", default="10", help="offered messages per second, e.g. 10,30")
    mode.add_argument("--max", action="store_true", help="closed loop, as fast as it goes")
    parser.add_argument("-n", "--citizens", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60, help="seconds measured per phase")
    parser.add_argument("--warmup", type=float, default=10, help="seconds not measured first")
    parser.add_argument("--think", type=float, default=1.0, help="seconds a citizen reads")
    parser.add_argument("--in-flight", type=int, default=16, help="--max: messages at once")
    parser.add_argument("--answer-timeout", type=float, default=60)
    parser.add_argument("--database-url", help="PostgreSQL server: throwaway databases there")
    parser.add_argument("--tracker-url", help="Rasa's tracker store (default beside the store)")
    parser.add_argument(
        "--profile", help="folder for py-spy stacks, Rasa's and the front end's timings"
    )
    parser.add_argument(
        "--no-py-spy",
        dest="py_spy",
        action="store_false",
        help="--profile without py-spy (timings only: latency less disturbed)",
    )
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--telegram-rate",
        type=float,
        help="the front end's TELEGRAM_OVERALL_MAX_RATE (default: the service's, 25/s)",
    )
    parser.add_argument(
        "--frontend-root",
        type=Path,
        default=ROOT,
        help="the checkout whose front end runs (another version, e.g. an older commit"
        " unpacked with `git archive`, on the same stack)",
    )
    tier = parser.add_argument_group("the production profile's Rasa tier")
    tier.add_argument(
        "--production-profile",
        action="store_true",
        help="Rasa behind the proxy of Procfile.production, on PostgreSQL and Redis",
    )
    tier.add_argument("--replicas", type=int, choices=(1, 2), help="Rasa and action servers (2)")
    tier.add_argument("--redis-url", help=f"Rasa's lock store (default {DEFAULT_REDIS_URL})")
    args = parser.parse_args(argv)
    if args.production_profile:
        args.replicas = args.replicas or 2
        args.redis_url = args.redis_url or DEFAULT_REDIS_URL
        args.database_url = args.database_url or POSTGRESQL
        if not args.database_url.startswith("postgresql"):
            parser.error("--production-profile needs a PostgreSQL --database-url")
        if args.tracker_url or args.profile:
            parser.error("--tracker-url and --profile are for the single-machine stack")
    elif args.replicas or args.redis_url:
        parser.error("--replicas and --redis-url need --production-profile")
    return args


def main() -> None:
    args = parse_args()
    args.profile = Path(args.profile).resolve() if args.profile else None
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
