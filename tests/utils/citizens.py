"""A steady stream of conversations for the fault tests: a few citizens on the local
Telegram Bot API server asking catalogue questions one after another, each question with
an answer that can be told apart from every other (the aspect and the service's name).

After the fault, `settle` waits until every question was answered and the store is quiet,
and `problems` lists every question not answered exactly once. A "try again" notice
(QUEUED: the message was kept and will be answered) may come before an answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store import models
from bot.store.db import get_engine
from devtools.local_api import BotMessage, LocalBotApi, SimulatedUser
from tests.utils.telegram import reply_with

# A question and a fragment found only in its answer (verified against the model).
QUESTIONS: list[tuple[str, str]] = [
    ("berapa biaya SKCK?", "Biaya Surat Keterangan Catatan Kepolisian"),
    ("syarat bikin KTP apa aja kak?", "Persyaratan KTP Elektronik"),
    ("biaya bikin paspor berapa?", "Biaya Paspor RI"),
    ("berapa lama bikin SIM?", "Lama proses Surat Izin Mengemudi"),
    ("biaya NPWP berapa?", "Biaya Nomor Pokok Wajib Pajak"),
    ("syarat akta kelahiran apa saja?", "Persyaratan Akta Kelahiran"),
    ("berapa lama proses paspor?", "Lama proses Paspor RI"),
    ("biaya KIA berapa?", "Biaya Kartu Identitas Anak"),
    ("syarat bikin NIB apa?", "Persyaratan Nomor Induk Berusaha"),
    ("lama proses PBG berapa hari?", "Lama proses Persetujuan Bangunan Gedung"),
    ("biaya perpanjang STNK berapa?", "Biaya STNK dan Pajak"),
    ("syarat SKTM apa?", "Persyaratan Surat Keterangan Tidak Mampu"),
]
# The front end's notice that a message was kept and will be answered (texts: queued_notice).
QUEUED = "sudah kami terima"
SLOW = 120.0  # seconds for a reply on a busy machine (timings are never asserted)


def questions_for(index: int, count: int = 5) -> list[tuple[str, str]]:
    """`count` different questions for the `index`-th citizen (others start elsewhere)."""
    return [QUESTIONS[(index * 4 + k) % len(QUESTIONS)] for k in range(count)]


def has(message: BotMessage, fragment: str) -> bool:
    return fragment.lower() in message.text.lower()


@dataclass
class Citizen:
    """One citizen who asks their questions in turn: the next one once the bot answered
    the last or said it was kept ("try again" notice)."""

    user: SimulatedUser
    questions: list[tuple[str, str]]
    sent: int = 0
    notices_seen: int = 0

    @property
    def sender_id(self) -> str:
        return str(self.user.id)

    async def ask_all(self, patience: float = 5.0, upto: int | None = None) -> None:
        """Ask the questions not asked yet (up to number `upto`); the next one after the
        answer, a notice, or `patience` seconds without either (as a citizen goes on
        typing)."""
        for question, marker in self.questions[self.sent : upto]:
            before = len(self.user.replies())
            await self.user.send_text(question)
            self.sent += 1
            await self._answer_or_notice(before, marker, patience)

    async def _answer_or_notice(self, before: int, marker: str, patience: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        while loop.time() < deadline:
            fresh = self.user.replies()[before:]
            if any(has(m, marker) for m in fresh):
                return
            if any(has(m, QUEUED) for m in fresh):
                self.notices_seen += 1
                return
            await asyncio.sleep(0.05)

    def count(self, marker: str) -> int:
        return sum(1 for m in self.user.replies() if has(m, marker))

    def answered(self) -> bool:
        return all(self.count(marker) >= 1 for _q, marker in self.questions[: self.sent])

    def problems(self) -> list[str]:
        """Questions sent and not answered exactly once."""
        found = []
        for question, marker in self.questions[: self.sent]:
            times = self.count(marker)
            if times != 1:
                found.append(f"citizen {self.sender_id}: {question!r} answered {times} times")
        return found

    def transcript(self) -> str:
        return "\n".join(f"  bot: {m.text[:90]!r}" for m in self.user.replies())


async def citizens(
    api: LocalBotApi, user_ids: Sequence[int], per_citizen: int = 5
) -> list[Citizen]:
    """Citizens who started the bot and agreed to the privacy notice."""
    found = []
    for index, user_id in enumerate(user_ids):
        user = await consented(api, user_id)
        found.append(Citizen(user, questions_for(index, per_citizen)))
    return found


async def consented(api: LocalBotApi, user_id: int) -> SimulatedUser:
    """A citizen who started the bot and agreed to the privacy notice."""
    user = api.user(user_id=user_id, first_name=f"Warga{user_id}")
    await user.send_command("/start")
    await reply_with(user, "Apakah Anda menyetujui", SLOW)
    await user.press("✅ Saya setuju")
    await reply_with(user, "Ada yang bisa saya bantu", SLOW)
    return user


def store_counts(database_url: str, senders: Sequence[str]) -> dict[str, int]:
    """Inbox rows of these senders by status, and outbox rows not finished."""
    with Session(get_engine(database_url)) as s:
        rows = s.execute(
            select(models.InboxMessage.status, func.count())
            .where(models.InboxMessage.sender_id.in_(list(senders)))
            .group_by(models.InboxMessage.status)
        ).all()
        counts = {f"inbox_{status}": int(n) for status, n in rows}
        counts["outbox_unfinished"] = int(
            s.scalar(
                select(func.count()).where(models.OutboxMessage.status.in_(["pending", "sending"]))
            )
            or 0
        )
    return counts


async def settle(
    people: Sequence[Citizen],
    database_url: str,
    timeout: float = 120.0,
    also: Callable[[], bool] | None = None,
) -> None:
    """Wait until every question sent was answered, no inbox row of these citizens is
    waiting, nothing is left in the outbox (and `also` holds); then a moment more, so that
    a duplicate on its way arrives before the counting."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    senders = [c.sender_id for c in people]
    counts: dict[str, int] = {}
    while loop.time() < deadline:
        counts = await asyncio.to_thread(store_counts, database_url, senders)
        quiet = set(counts) <= {"inbox_done", "outbox_unfinished"} and not counts.get(
            "outbox_unfinished"
        )
        if all(c.answered() for c in people) and quiet and (also is None or also()):
            await asyncio.sleep(1.5)
            return
        await asyncio.sleep(0.2)
    chats = "\n".join(f"citizen {c.sender_id}:\n{c.transcript()}" for c in people)
    raise TimeoutError(f"not settled within {timeout:g} s: store {counts}\n{chats}")


def enqueue_outbox(database_url: str, chat_id: int, body: str, kind: str = "reply") -> int:
    """A message queued the way the console queues one (pending, due now); its id."""
    with Session(get_engine(database_url)) as s, s.begin():
        row = models.OutboxMessage(chat_id=chat_id, text=body, kind=kind)
        s.add(row)
        s.flush()
        return row.id


def outbox_problems(
    database_url: str, api: LocalBotApi, queued: Sequence[tuple[int, int, str]]
) -> list[str]:
    """Outbox messages (id, chat id, text) not sent, or not delivered exactly once."""
    found = []
    with Session(get_engine(database_url)) as s:
        for outbox_id, chat_id, body in queued:
            status = s.scalar(
                select(models.OutboxMessage.status).where(models.OutboxMessage.id == outbox_id)
            )
            delivered = sum(1 for m in api.bot_messages(chat_id) if body in m.text)
            if status != "sent" or delivered != 1:
                found.append(f"outbox {outbox_id}: status {status}, delivered {delivered} times")
    return found


async def until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait (on the loop) until `check` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise TimeoutError(f"{what} within {timeout:g} s")
        await asyncio.sleep(0.05)


STORY = "Lampu jalan di gang kami mati sudah dua minggu, malam hari gelap sekali dan rawan."
PLACE = "Gang Kenari RT 03, Kelurahan Sukamaju"


async def fill_complaint_form(user: SimulatedUser) -> None:
    """Write a complaint up to the summary that asks "Kirim pengaduan ini?" (suggested
    category and privacy accepted); the next step is pressing "Ya, kirim"."""
    await user.send_command("/lapor")
    await reply_with(user, "ceritakan pengaduan", SLOW)
    await user.send_text(STORY)
    asked = await user.wait_for_reply(
        SLOW, lambda m: has(m, "Di mana lokasinya") or has(m, "kategori")
    )
    if has(asked, "Di mana lokasinya"):  # the model may also take a place from the story
        await user.send_text(PLACE)
        asked = await reply_with(user, "kategori", SLOW)
    await user.press(asked.button_texts[0])
    privacy = await reply_with(user, "Bagaimana laporan ini ditangani", SLOW)
    await user.press(privacy.button_texts[0])
    await reply_with(user, "Kirim pengaduan ini?", SLOW)


def tickets_of(database_url: str, sender_id: str) -> list[str]:
    """Public ids of the tickets a citizen filed."""
    with Session(get_engine(database_url)) as s:
        return list(
            s.scalars(
                select(models.Ticket.public_id)
                .join(models.Citizen, models.Citizen.id == models.Ticket.citizen_id)
                .where(models.Citizen.sender_id == sender_id)
            ).all()
        )
