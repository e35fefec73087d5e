"""The live chat between a citizen and an officer: the one owner of its state.

    waiting ──take──> taken ──hand back / end / ticket──> ended
       │                 ^
       └─timeout──> ended│
    callback ──take──────┘        (requested outside hours: contact me later)

- `request` opens a chat in the unit's live queue when the unit is within its service hours
  (bot.handoff.hours; a holiday is outside hours), else records the request as ended
  `outside_hours` so the reports count it. While a chat is waiting or taken the Telegram
  front end routes the citizen's messages here instead of to Rasa: the bot is silent.
- `take` is a conditional UPDATE (state still waiting or callback): of two officers taking
  at once, exactly one wins, on every backend.
- The officer's messages, and the notices of taking and handing back, are outbox rows
  written in the same transaction; their delivery state is the outbox row's. The citizen
  reads the officer as "Petugas <unit>" (bot/texts.yml live_taken, live_officer_message),
  never by name.
- `expire_waiting` ends chats nobody took within HANDOFF_TAKE_TIMEOUT_S (`timed_out`) and
  queues the citizen's notice, with the complaint / call-back buttons, in the same
  transaction: it is delivered once even if the front end dies right after.
- `to_ticket` files the chat as a complaint through the repository's filing function (the
  one way tickets are created), then ends the chat.

Who may handle a chat: supervisors every chat; officers the chats of their units and of the
general complaint unit (no unit). Only the officer who took a chat writes in it; supervisors
read it. The citizen's name is shown only while their consent to the privacy notice stands.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from bot.handoff.hours import ServiceHours, parse_hours
from bot.officer.access import Viewer
from bot.store.models import (
    Category,
    Citizen,
    LiveChat,
    LiveChatMessage,
    Office,
    Officer,
    OutboxMessage,
    Privacy,
    Service,
    Ticket,
    utcnow,
)
from bot.store.outbox import queue_message
from bot.store.repository import ComplaintDraft, Repository
from bot.texts import text

MAX_MESSAGE_CHARS = 4000
HISTORY_MAX_LINES = 20
TYPING_MIN_INTERVAL = timedelta(seconds=4)  # Telegram shows "typing…" for about 5 s
OUTBOX_KIND = "live_chat"
TIMED_OUT_KIND = "live_timed_out"  # carries the complaint / call-back buttons (bot.store.outbox)


class State(str, enum.Enum):
    """Where a live chat is."""

    WAITING = "waiting"
    CALLBACK = "callback"
    TAKEN = "taken"
    ENDED = "ended"


class EndReason(str, enum.Enum):
    """Why a live chat ended."""

    HANDED_BACK = "handed_back"
    ENDED_BY_OFFICER = "ended_by_officer"
    ENDED_BY_CITIZEN = "ended_by_citizen"
    TIMED_OUT = "timed_out"
    OUTSIDE_HOURS = "outside_hours"
    CONVERTED_TO_TICKET = "converted_to_ticket"


ACTIVE = (State.WAITING.value, State.TAKEN.value)  # the bot is silent for the citizen
TAKEABLE = (State.WAITING.value, State.CALLBACK.value)


class HandoffError(Exception):
    """A refused action; the message (Indonesian) is for the officer."""


class NotFound(HandoffError):
    """No such chat, or one the viewer may not see."""


class AlreadyTaken(HandoffError):
    """Another officer took the chat first, or it ended meanwhile."""


@dataclass(frozen=True)
class Requested:
    """What a citizen's request for a person came to."""

    chat_id: int
    opened: bool  # False: outside the unit's service hours
    office_name: str
    hours: str  # the hours as the catalogue writes them


@dataclass(frozen=True)
class ChatView:
    """A live chat as the console shows it."""

    id: int
    state: str
    end_reason: str | None
    office_id: str | None
    office_name: str
    service_name: str | None
    officer_id: int | None
    officer_name: str | None
    citizen_name: str | None  # only while the citizen's consent stands
    requested_at: datetime
    taken_at: datetime | None
    ended_at: datetime | None
    ticket_public_id: str | None


@dataclass(frozen=True)
class MessageView:
    """One line of a live chat, with the delivery state of an officer's message."""

    id: int
    at: datetime
    who: str
    text: str
    history: bool
    delivery: str | None  # the outbox row's status (pending, sending, sent, failed, blocked)


@dataclass(frozen=True)
class CitizenNotice:
    """A citizen the front end must tell something (a chat nobody took in time)."""

    chat_id: int
    sender_id: str
    telegram_chat_id: int | None


def can_handle(viewer: Viewer, office_id: str | None) -> bool:
    """Supervisors every chat; officers their units' and the general unit's."""
    if viewer.is_supervisor:
        return True
    return viewer.handles_tickets and (office_id is None or office_id in viewer.units)


def _telegram_chat(sender_id: str) -> int | None:
    """The private chat of a Telegram sender (the sender id is the user id)."""
    return int(sender_id) if sender_id.isdigit() else None


class LiveChats:
    """Every read and change of live chats, bound to one engine."""

    def __init__(self, engine: Engine, timezone: str = "Asia/Jakarta"):
        self.engine = engine
        self.timezone = timezone

    # -- the citizen's side -----------------------------------------------------------------

    def unit_for(
        self, s: Session, service_id: str | None, helpdesk_name: str, helpdesk_hours: str | None
    ) -> tuple[str | None, str | None, str, str, ServiceHours | None]:
        """(office id, service id, unit name, hours text, parsed hours) of a request: the
        office of the service discussed when its hours can be read, else the general
        complaint unit with the helpdesk's hours."""
        service = s.get(Service, service_id) if service_id else None
        if service is not None:
            office = s.get(Office, service.office_id)
            if office is not None:
                parsed = parse_hours(office.hours, self.timezone)
                if parsed is not None:
                    return office.id, service.id, office.name, office.hours or "", parsed
        return (
            None,
            None,
            helpdesk_name,
            helpdesk_hours or "",
            parse_hours(helpdesk_hours, self.timezone),
        )

    def request(
        self,
        sender_id: str,
        service_id: str | None,
        history: Sequence[tuple[datetime, str, str]],
        holidays: frozenset[date],
        helpdesk_name: str,
        helpdesk_hours: str | None,
        now: datetime | None = None,
        hours_at: datetime | None = None,
    ) -> Requested:
        """Open a live chat (or note the request outside hours). A citizen with a chat
        already waiting or taken gets that one back. `now` is stored (the present, as every
        time of the chat); `hours_at` (default `now`) is the moment the service hours are
        checked at (bot.handoff.hours.service_now: pinned on the test stack)."""
        now = _utc(now)
        check_at = now if hours_at is None else _utc(hours_at)
        with Session(self.engine) as s, s.begin():
            office_id, service, name, hours_text, hours = self.unit_for(
                s, service_id, helpdesk_name, helpdesk_hours
            )
            current = s.scalar(
                select(LiveChat).where(LiveChat.sender_id == sender_id, LiveChat.state.in_(ACTIVE))
            )
            if current is not None:
                return Requested(current.id, True, name, hours_text)
            opened = hours is not None and hours.is_open(check_at, holidays)
            citizen_id = s.scalar(select(Citizen.id).where(Citizen.sender_id == sender_id))
            chat = LiveChat(
                sender_id=sender_id,
                citizen_id=citizen_id,
                telegram_chat_id=_telegram_chat(sender_id),
                office_id=office_id,
                service_id=service,
                kind="live",
                state=State.WAITING.value if opened else State.ENDED.value,
                end_reason=None if opened else EndReason.OUTSIDE_HOURS.value,
                requested_at=now,
                ended_at=None if opened else now,
            )
            s.add(chat)
            s.flush()
            if opened:
                _add_history(s, chat.id, history)
            return Requested(chat.id, opened, name, hours_text)

    def request_callback(
        self,
        sender_id: str,
        service_id: str | None,
        now: datetime | None = None,
        history: Sequence[tuple[datetime, str, str]] = (),
    ) -> int:
        """The citizen asks to be contacted here later (their consent to it): a chat in the
        call-back list, with the conversation before it (`history`, as for a live request);
        the bot keeps answering meanwhile. One open request per citizen."""
        now = _utc(now)
        with Session(self.engine) as s, s.begin():
            existing = s.scalar(
                select(LiveChat.id).where(
                    LiveChat.sender_id == sender_id, LiveChat.state == State.CALLBACK.value
                )
            )
            if existing is not None:
                return existing
            service = s.get(Service, service_id) if service_id else None
            chat = LiveChat(
                sender_id=sender_id,
                citizen_id=s.scalar(select(Citizen.id).where(Citizen.sender_id == sender_id)),
                telegram_chat_id=_telegram_chat(sender_id),
                office_id=service.office_id if service else None,
                service_id=service.id if service else None,
                kind="callback",
                state=State.CALLBACK.value,
                requested_at=now,
            )
            s.add(chat)
            s.flush()
            _add_history(s, chat.id, history)
            return chat.id

    def active_for(self, sender_id: str) -> int | None:
        """The chat the citizen's messages go to (waiting or taken), if any."""
        with Session(self.engine) as s:
            return s.scalar(
                select(LiveChat.id).where(
                    LiveChat.sender_id == sender_id, LiveChat.state.in_(ACTIVE)
                )
            )

    def add_citizen_message(self, sender_id: str, body: str, now: datetime | None = None) -> bool:
        """Store the citizen's message in their active chat. False when there is none (it
        ended meanwhile): the message then goes to the assistant."""
        now = _utc(now)
        with Session(self.engine) as s, s.begin():
            chat_id = s.scalar(
                select(LiveChat.id)
                .where(LiveChat.sender_id == sender_id, LiveChat.state.in_(ACTIVE))
                .with_for_update()
            )
            if chat_id is None:
                return False
            s.add(
                LiveChatMessage(
                    live_chat_id=chat_id, at=now, who="warga", text=body[:MAX_MESSAGE_CHARS]
                )
            )
            return True

    def end_by_citizen(self, sender_id: str, now: datetime | None = None) -> bool:
        """The citizen ends the chat (/selesai). False when none was active."""
        now = _utc(now)
        with Session(self.engine) as s, s.begin():
            result = s.execute(
                update(LiveChat)
                .where(LiveChat.sender_id == sender_id, LiveChat.state.in_(ACTIVE))
                .values(
                    state=State.ENDED.value,
                    end_reason=EndReason.ENDED_BY_CITIZEN.value,
                    ended_at=now,
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def expire_waiting(
        self, timeout: timedelta, now: datetime | None = None
    ) -> list[CitizenNotice]:
        """End the chats nobody took within `timeout` and queue each citizen's notice (the
        outbox delivers it); the citizens told."""
        now = _utc(now)
        with Session(self.engine) as s, s.begin():
            due = s.execute(
                select(LiveChat.id, LiveChat.sender_id, LiveChat.telegram_chat_id).where(
                    LiveChat.state == State.WAITING.value, LiveChat.requested_at <= now - timeout
                )
            ).all()
            expired: list[CitizenNotice] = []
            for chat_id, sender_id, telegram_chat_id in due:
                result = s.execute(
                    update(LiveChat)
                    .where(LiveChat.id == chat_id, LiveChat.state == State.WAITING.value)
                    .values(
                        state=State.ENDED.value,
                        end_reason=EndReason.TIMED_OUT.value,
                        ended_at=now,
                    )
                )
                if result.rowcount:  # type: ignore[attr-defined]
                    if telegram_chat_id is not None:
                        queue_message(
                            s, telegram_chat_id, text("live_timed_out"), TIMED_OUT_KIND, None, now
                        )
                    expired.append(CitizenNotice(chat_id, sender_id, telegram_chat_id))
            return expired

    def typing_due(self, now: datetime | None = None) -> list[int]:
        """Telegram chats where an officer typed since "typing…" was last shown there
        (marked as shown)."""
        now = _utc(now)
        with Session(self.engine) as s, s.begin():
            rows = s.execute(
                select(
                    LiveChat.id,
                    LiveChat.telegram_chat_id,
                    LiveChat.typing_at,
                    LiveChat.typing_shown_at,
                ).where(LiveChat.state == State.TAKEN.value, LiveChat.typing_at.is_not(None))
            ).all()
            chats: list[int] = []
            for chat_id, telegram_chat_id, typed, shown in rows:
                if telegram_chat_id is None or (
                    shown is not None and _aware(shown) >= _aware(typed)
                ):
                    continue
                s.execute(
                    update(LiveChat).where(LiveChat.id == chat_id).values(typing_shown_at=now)
                )
                chats.append(telegram_chat_id)
            return chats

    # -- the officer's side -----------------------------------------------------------------

    def queue(self, viewer: Viewer) -> tuple[list[ChatView], list[ChatView], list[ChatView]]:
        """(waiting, call-back requests, chats this officer holds), oldest first; only the
        units the viewer handles."""
        with Session(self.engine) as s:
            rows = s.scalars(
                select(LiveChat)
                .where(LiveChat.state.in_((*TAKEABLE, State.TAKEN.value)))
                .order_by(LiveChat.requested_at, LiveChat.id)
            ).all()
            waiting: list[ChatView] = []
            callbacks: list[ChatView] = []
            mine: list[ChatView] = []
            for chat in rows:
                if chat.state == State.TAKEN.value:
                    if chat.officer_id == viewer.id or viewer.is_supervisor:
                        mine.append(self._view(s, chat, with_name=False))
                elif can_handle(viewer, chat.office_id):
                    target = waiting if chat.state == State.WAITING.value else callbacks
                    target.append(self._view(s, chat, with_name=False))
            return waiting, callbacks, mine

    def load(self, viewer: Viewer, chat_id: int) -> tuple[ChatView, list[MessageView]]:
        """A chat with its messages and the citizen's name, for the officer who took it
        (and supervisors, who read it). Before it is taken, nobody sees who is waiting or
        what was said: only the unit, the service and since when."""
        with Session(self.engine) as s:
            chat = s.get(LiveChat, chat_id)
            if chat is None or not can_handle(viewer, chat.office_id):
                raise NotFound("Obrolan tidak ditemukan.")
            if chat.officer_id is None:
                return self._view(s, chat, with_name=False), []
            if chat.officer_id != viewer.id and not viewer.is_supervisor:
                raise NotFound("Obrolan ini ditangani petugas lain.")
            return self._view(s, chat, with_name=True), self._messages(s, chat.id)

    def messages(self, viewer: Viewer, chat_id: int) -> tuple[ChatView, list[MessageView]]:
        """The chat's messages (the console polls them)."""
        return self.load(viewer, chat_id)

    def take(self, viewer: Viewer, chat_id: int, now: datetime | None = None) -> ChatView:
        """Take a waiting chat (or a call-back request). Exactly one officer wins."""
        now = _utc(now)
        with Session(self.engine) as s, s.begin():
            chat = s.get(LiveChat, chat_id)
            if chat is None or not can_handle(viewer, chat.office_id):
                raise NotFound("Obrolan tidak ditemukan.")
            result = s.execute(
                update(LiveChat)
                .where(LiveChat.id == chat_id, LiveChat.state.in_(TAKEABLE))
                .values(state=State.TAKEN.value, officer_id=viewer.id, taken_at=now)
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise AlreadyTaken("Obrolan ini sudah diambil petugas lain atau sudah berakhir.")
            s.refresh(chat)
            self._tell(s, chat, text("live_taken", unit=_unit_name(s, chat)), now)
            return self._view(s, chat, with_name=True)

    def send(self, viewer: Viewer, chat_id: int, body: str, now: datetime | None = None) -> int:
        """The officer's message to the citizen, through the outbox. Returns its id."""
        now = _utc(now)
        body = body.strip()
        if not body:
            raise HandoffError("Pesan kosong tidak dikirim.")
        if len(body) > MAX_MESSAGE_CHARS:
            raise HandoffError(
                f"Pesan terlalu panjang (paling banyak {MAX_MESSAGE_CHARS} karakter)."
            )
        with Session(self.engine) as s, s.begin():
            chat = self._held(s, viewer, chat_id)
            labelled = text("live_officer_message", unit=_unit_name(s, chat), text=body)
            outbox_id = self._tell(s, chat, labelled, now)
            message = LiveChatMessage(
                live_chat_id=chat.id, at=now, who="petugas", text=body, outbox_id=outbox_id
            )
            s.add(message)
            chat.typing_at = None
            s.flush()
            return message.id

    def typing(self, viewer: Viewer, chat_id: int, now: datetime | None = None) -> bool:
        """The officer is typing: note it at most every TYPING_MIN_INTERVAL (the front end
        shows it on Telegram). True when noted."""
        now = _utc(now)
        with Session(self.engine) as s, s.begin():
            chat = self._held(s, viewer, chat_id)
            if chat.typing_at is not None and now - _aware(chat.typing_at) < TYPING_MIN_INTERVAL:
                return False
            chat.typing_at = now
            return True

    def hand_back(self, viewer: Viewer, chat_id: int, now: datetime | None = None) -> None:
        """The officer gives the conversation back to the assistant."""
        self._end(viewer, chat_id, EndReason.HANDED_BACK, text("live_handed_back"), now)

    def end(self, viewer: Viewer, chat_id: int, now: datetime | None = None) -> None:
        """The officer ends the chat."""
        self._end(viewer, chat_id, EndReason.ENDED_BY_OFFICER, text("live_ended_by_officer"), now)

    def to_ticket(
        self,
        viewer: Viewer,
        chat_id: int,
        category: Category,
        repository: Repository,
        now: datetime | None = None,
    ) -> str:
        """File the chat as a complaint (the citizen's messages as its description, the chat
        as its transcript), end the chat and tell the citizen the ticket id. Pungli is
        confidential, as the complaint form makes it; every other complaint is public (the
        citizen talked to the officer in person). Returns the ticket's public id."""
        now = _utc(now)
        with Session(self.engine) as s:
            chat = self._held(s, viewer, chat_id)
            sender_id, service_id = chat.sender_id, chat.service_id
            consented = s.scalar(select(Citizen.consent_at).where(Citizen.sender_id == sender_id))
            lines = [
                (m.at, m.who, m.text)
                for m in s.scalars(
                    select(LiveChatMessage)
                    .where(
                        LiveChatMessage.live_chat_id == chat.id, LiveChatMessage.history.is_(False)
                    )
                    .order_by(LiveChatMessage.id)
                )
            ]
        if consented is None:
            raise HandoffError(
                "Warga belum menyetujui pemrosesan data: laporan tidak dapat dibuat."
            )
        said = "\n".join(line for _, who, line in lines if who == "warga").strip()
        if not said:
            raise HandoffError("Warga belum menulis apa pun di obrolan ini.")
        draft = ComplaintDraft(
            description=said[:MAX_MESSAGE_CHARS],
            location_text=None,
            category=category,
            privacy=Privacy.CONFIDENTIAL if category == Category.PUNGLI else Privacy.PUBLIC,
            service_id=service_id,
            conversation=tuple(
                (at, "warga" if who == "warga" else "petugas", line) for at, who, line in lines
            ),
        )
        ticket, _created = repository.file_ticket(sender_id, draft)
        with Session(self.engine) as s, s.begin():
            chat = self._held(s, viewer, chat_id, lock=True)
            chat.state = State.ENDED.value
            chat.end_reason = EndReason.CONVERTED_TO_TICKET.value
            chat.ended_at = now
            chat.ticket_id = s.scalar(select(Ticket.id).where(Ticket.public_id == ticket.public_id))
            self._tell(s, chat, text("live_to_ticket", public_id=ticket.public_id), now)
        return ticket.public_id

    # -- helpers ----------------------------------------------------------------------------

    def _held(self, s: Session, viewer: Viewer, chat_id: int, lock: bool = False) -> LiveChat:
        """The chat, if the viewer took it and it is still going."""
        query = select(LiveChat).where(LiveChat.id == chat_id)
        chat = s.scalar(query.with_for_update() if lock else query)
        if chat is None or not can_handle(viewer, chat.office_id):
            raise NotFound("Obrolan tidak ditemukan.")
        if chat.state != State.TAKEN.value or chat.officer_id != viewer.id:
            raise HandoffError("Obrolan ini tidak sedang Anda tangani.")
        return chat

    def _end(
        self, viewer: Viewer, chat_id: int, reason: EndReason, notice: str, now: datetime | None
    ) -> None:
        now = _utc(now)
        with Session(self.engine) as s, s.begin():
            chat = self._held(s, viewer, chat_id, lock=True)
            chat.state = State.ENDED.value
            chat.end_reason = reason.value
            chat.ended_at = now
            self._tell(s, chat, notice, now)

    def _tell(self, s: Session, chat: LiveChat, body: str, now: datetime) -> int | None:
        """Queue a message to the citizen (None when they cannot be reached)."""
        if chat.telegram_chat_id is None:
            return None
        return queue_message(s, chat.telegram_chat_id, body, OUTBOX_KIND, None, now)

    def _view(self, s: Session, chat: LiveChat, with_name: bool) -> ChatView:
        office = s.get(Office, chat.office_id) if chat.office_id else None
        service = s.get(Service, chat.service_id) if chat.service_id else None
        officer = s.get(Officer, chat.officer_id) if chat.officer_id else None
        name = None
        if with_name and chat.citizen_id is not None:
            citizen = s.get(Citizen, chat.citizen_id)
            if citizen is not None and citizen.consent_at is not None:
                name = citizen.display_name
        ticket = (
            s.scalar(select(Ticket.public_id).where(Ticket.id == chat.ticket_id))
            if chat.ticket_id
            else None
        )
        return ChatView(
            id=chat.id,
            state=chat.state,
            end_reason=chat.end_reason,
            office_id=chat.office_id,
            office_name=office.name if office else "Unit Pengaduan (umum)",
            service_name=service.name if service else None,
            officer_id=chat.officer_id,
            officer_name=officer.display_name if officer else None,
            citizen_name=name,
            requested_at=chat.requested_at,
            taken_at=chat.taken_at,
            ended_at=chat.ended_at,
            ticket_public_id=ticket,
        )

    def _messages(self, s: Session, chat_id: int) -> list[MessageView]:
        rows = s.execute(
            select(LiveChatMessage, OutboxMessage.status)
            .outerjoin(OutboxMessage, OutboxMessage.id == LiveChatMessage.outbox_id)
            .where(LiveChatMessage.live_chat_id == chat_id)
            .order_by(LiveChatMessage.history.desc(), LiveChatMessage.id)
        ).all()
        return [
            MessageView(
                m.id, m.at, m.who, m.text, m.history, status if m.who == "petugas" else None
            )
            for m, status in rows
        ]


def _unit_name(s: Session, chat: LiveChat) -> str | None:
    """The unit the citizen is told the officer belongs to (None: the complaint unit)."""
    office = s.get(Office, chat.office_id) if chat.office_id else None
    return office.name if office else None


def forget_sender(s: Session, sender_id: str) -> None:
    """UU PDP deletion: the citizen's live chat messages go, the chats stay for the reports
    without anyone to identify (inside the caller's transaction, before the outbox rows)."""
    ids = select(LiveChat.id).where(LiveChat.sender_id == sender_id)
    s.execute(delete(LiveChatMessage).where(LiveChatMessage.live_chat_id.in_(ids)))
    s.execute(
        update(LiveChat)
        .where(LiveChat.sender_id == sender_id)
        .values(
            sender_id=f"deleted-{uuid.uuid4().hex}",
            citizen_id=None,
            telegram_chat_id=None,
            state=State.ENDED.value,
            end_reason=func.coalesce(LiveChat.end_reason, EndReason.ENDED_BY_CITIZEN.value),
            ended_at=func.coalesce(LiveChat.ended_at, utcnow()),
        )
    )


def _utc(now: datetime | None) -> datetime:
    """`now` (default: the present) in UTC, as every time is stored."""
    return utcnow() if now is None else _aware(now).astimezone(timezone.utc)


def _aware(value: datetime) -> datetime:
    """SQLite returns stored times without their zone: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _add_history(s: Session, chat_id: int, history: Sequence[tuple[datetime, str, str]]) -> None:
    """The citizen's conversation with the assistant before the request, for the officer."""
    for at, who, line in history[-HISTORY_MAX_LINES:]:
        s.add(
            LiveChatMessage(
                live_chat_id=chat_id, at=at, who=who, text=line[:MAX_MESSAGE_CHARS], history=True
            )
        )
