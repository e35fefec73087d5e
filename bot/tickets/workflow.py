"""Officer actions on tickets. Each runs in one transaction: the permission check, the
ticket change (a status change through bot.tickets.states.apply: state-machine check,
deadlines, audit event), its append-only event and, for messages to the citizen, the outbox
row the Telegram front end delivers (so a change and its message are stored together or not
at all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot import texts as citizen_texts
from bot.officer.access import TicketScope, Viewer, can_assign_others, can_see, can_take
from bot.phrases import asks_the_citizen
from bot.store.ids import normalise_ticket_id
from bot.store.models import (
    Office,
    Officer,
    OfficerRole,
    OfficerUnit,
    Ticket,
    TicketEvent,
    TicketStatus,
    utcnow,
)
from bot.store.outbox import queue_for_reporter
from bot.tickets import states
from bot.tickets.deadlines import Deadlines
from bot.tickets.states import Action, Actor, IllegalTransition, apply

MAX_TEXT = 4000

REJECTION_REASONS: dict[str, str] = citizen_texts.labels("rejection_reason")


class ActionRefused(PermissionError):
    """The viewer may not do this (message in Indonesian)."""


class InvalidInput(ValueError):
    """A form value is missing or wrong (message in Indonesian)."""


class TicketNotFound(LookupError):
    """No such ticket, or not visible to the viewer (the two look the same)."""


@dataclass(frozen=True)
class ActionResult:
    """What happened: the new status and the outbox message queued, if any."""

    status: TicketStatus
    outbox_id: int | None
    message: str


def _text(value: str | None, what: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{what} wajib diisi.")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{what} terlalu panjang (maksimal {MAX_TEXT} karakter).")
    return text


class Workflow:
    """Ticket actions for one engine, calendar and resolution policy."""

    def __init__(self, engine: Engine, deadlines: Deadlines, timezone: str = "Asia/Jakarta"):
        self.engine = engine
        self.deadlines = deadlines
        self.timezone = timezone

    # -- helpers ----------------------------------------------------------------------------

    def _load(self, s: Session, viewer: Viewer, public_id: str) -> Ticket:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == public_id).with_for_update())
        if ticket is None or not can_see(viewer, _scope(ticket)):
            raise TicketNotFound(public_id)
        return ticket

    def _event(
        self,
        s: Session,
        ticket: Ticket,
        viewer: Viewer,
        kind: str,
        body: str | None = None,
        data: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> None:
        """An event that is not a status change (status changes: `_transition`)."""
        s.add(
            TicketEvent(
                ticket_id=ticket.id,
                kind=kind,
                actor_type="officer",
                actor_id=str(viewer.id),
                body=body,
                data=data,
                created_at=now or utcnow(),
            )
        )

    def _send(
        self,
        s: Session,
        ticket: Ticket,
        viewer: Viewer,
        purpose: str,
        text: str,
        now: datetime,
        asks: bool | None = None,
    ) -> int | None:
        """Queue a message to the reporter and record it (`asks`: whether a reply asks the
        citizen something). None when it cannot be delivered."""
        outbox_id = queue_for_reporter(s, ticket, text, purpose, now)
        data: dict[str, Any] = {
            "purpose": purpose,
            "outbox_id": outbox_id,
            "undeliverable": outbox_id is None,
        }
        if asks is not None:
            data["asks"] = asks
        self._event(s, ticket, viewer, "message_out", body=text, data=data, now=now)
        return outbox_id

    def _transition(
        self,
        s: Session,
        ticket: Ticket,
        viewer: Viewer,
        action: Action,
        now: datetime,
        body: str | None = None,
        **data: Any,
    ) -> states.Move:
        """The status change, its stage deadlines and its audit event (who, when, from, to,
        why), as every status change is made."""
        return apply(
            s,
            ticket,
            action,
            Actor.officer(viewer.id),
            self.deadlines,
            now,
            timezone=self.timezone,
            body=body,
            data=data,
        )

    # -- actions ----------------------------------------------------------------------------

    def verify(self, viewer: Viewer, public_id: str, note: str | None = None) -> ActionResult:
        """baru -> diverifikasi: deadlines of the follow-up plan and resolution start."""
        with Session(self.engine) as s, s.begin():
            ticket = self._load(s, viewer, public_id)
            if ticket.office_id is None:
                raise InvalidInput(
                    "Tentukan unit yang menangani lebih dulu (Teruskan ke unit), lalu verifikasi."
                )
            now = utcnow()
            self._transition(
                s, ticket, viewer, Action.VERIFY, now, _text(note, "Catatan", False) or None
            )
            unit = s.get(Office, ticket.office_id)
            assert ticket.followup_due is not None  # the stage entered has this deadline
            outbox_id = self._send(
                s,
                ticket,
                viewer,
                "status",
                citizen_texts.verified(
                    ticket.public_id, unit.name if unit else None, ticket.followup_due
                ),
                now,
            )
            return ActionResult(ticket.status, outbox_id, "Laporan diverifikasi.")

    def start(self, viewer: Viewer, public_id: str, plan: str) -> ActionResult:
        """diverifikasi -> diproses with the follow-up plan, sent to the citizen (the
        verification notice promised it by the follow-up deadline)."""
        plan = _text(plan, "Rencana tindak lanjut")
        with Session(self.engine) as s, s.begin():
            ticket = self._load(s, viewer, public_id)
            now = utcnow()
            self._transition(s, ticket, viewer, Action.START, now, plan)
            outbox_id = self._send(
                s,
                ticket,
                viewer,
                "followup_plan",
                citizen_texts.followup_plan(ticket.public_id, plan, ticket.resolve_due),
                now,
            )
            return ActionResult(ticket.status, outbox_id, "Tindak lanjut dimulai.")

    def request_info(self, viewer: Viewer, public_id: str, question: str) -> ActionResult:
        """-> menunggu_warga, asking the citizen a question."""
        question = _text(question, "Pertanyaan untuk warga")
        with Session(self.engine) as s, s.begin():
            ticket = self._load(s, viewer, public_id)
            now = utcnow()
            self._transition(s, ticket, viewer, Action.REQUEST_INFO, now)
            reply_due = ticket.due_on  # the waiting stage's deadline: then it closes
            assert reply_due is not None  # the stage entered has this deadline
            outbox_id = self._send(
                s,
                ticket,
                viewer,
                "info_request",
                citizen_texts.info_request(ticket.public_id, question, reply_due),
                now,
            )
            return ActionResult(ticket.status, outbox_id, "Permintaan keterangan dikirim.")

    def resume(self, viewer: Viewer, public_id: str, note: str | None = None) -> ActionResult:
        """menunggu_warga -> diproses (the citizen answered, or the wait is over)."""
        with Session(self.engine) as s, s.begin():
            ticket = self._load(s, viewer, public_id)
            self._transition(
                s, ticket, viewer, Action.RESUME, utcnow(), _text(note, "Catatan", False) or None
            )
            return ActionResult(ticket.status, None, "Proses dilanjutkan.")

    def resolve(self, viewer: Viewer, public_id: str, resolution: str) -> ActionResult:
        """-> selesai with the resolution, sent to the citizen."""
        resolution = _text(resolution, "Hasil penyelesaian")
        with Session(self.engine) as s, s.begin():
            ticket = self._load(s, viewer, public_id)
            now = utcnow()
            self._transition(s, ticket, viewer, Action.RESOLVE, now, resolution)
            ticket.resolution = resolution
            outbox_id = self._send(
                s,
                ticket,
                viewer,
                "resolution",
                citizen_texts.resolved(ticket.public_id, resolution),
                now,
            )
            return ActionResult(ticket.status, outbox_id, "Laporan diselesaikan.")

    def reject(
        self,
        viewer: Viewer,
        public_id: str,
        reason_code: str,
        explanation: str,
        duplicate_of: str | None = None,
    ) -> ActionResult:
        """-> ditolak with a reason; a duplicate links the original ticket."""
        if reason_code not in REJECTION_REASONS:
            raise InvalidInput("Pilih alasan penolakan.")
        explanation = _text(explanation, "Penjelasan", required=reason_code != "duplikat")
        with Session(self.engine) as s, s.begin():
            ticket = self._load(s, viewer, public_id)
            original: Ticket | None = None
            if reason_code == "duplikat":
                original_id = normalise_ticket_id(duplicate_of or "")
                if original_id is None:
                    raise InvalidInput("Isi nomor tiket asli (ADU-XXXXXX) untuk laporan ganda.")
                original = s.scalar(select(Ticket).where(Ticket.public_id == original_id))
                if original is None or not can_see(viewer, _scope(original)):
                    raise InvalidInput(f"Tiket asli {original_id} tidak ditemukan.")
                if original.id == ticket.id:
                    raise InvalidInput("Tiket tidak dapat menjadi duplikat dirinya sendiri.")
            now = utcnow()
            reason = REJECTION_REASONS[reason_code]
            full_reason = f"{reason}: {explanation}" if explanation else reason
            self._transition(
                s,
                ticket,
                viewer,
                Action.REJECT,
                now,
                full_reason,
                reason=reason_code,
                duplicate_of=original.public_id if original else None,
            )
            ticket.rejection_reason = full_reason
            ticket.duplicate_of_id = original.id if original else None
            # The original's id is only told to the citizen when it is their own report.
            own = original is not None and original.citizen_id == ticket.citizen_id
            outbox_id = self._send(
                s,
                ticket,
                viewer,
                "rejection",
                citizen_texts.rejected(
                    ticket.public_id, full_reason, original.public_id if own and original else None
                ),
                now,
            )
            return ActionResult(ticket.status, outbox_id, "Laporan ditolak.")

    def reopen(self, viewer: Viewer, public_id: str, reason: str) -> ActionResult:
        """selesai -> diproses (new resolution deadline), ditolak -> baru (new verification)."""
        reason = _text(reason, "Alasan membuka kembali")
        with Session(self.engine) as s, s.begin():
            ticket = self._load(s, viewer, public_id)
            now = utcnow()
            move = self._transition(s, ticket, viewer, Action.REOPEN, now, reason)
            if move.to_status == TicketStatus.BARU:
                ticket.rejection_reason = None
                ticket.duplicate_of_id = None
            else:
                ticket.resolution = None
            outbox_id = self._send(
                s, ticket, viewer, "status", citizen_texts.reopened(ticket.public_id), now
            )
            return ActionResult(ticket.status, outbox_id, "Laporan dibuka kembali.")

    def reply(self, viewer: Viewer, public_id: str, text: str) -> ActionResult:
        """A message to the citizen; the status stays."""
        text = _text(text, "Balasan")
        with Session(self.engine) as s, s.begin():
            ticket = self._load(s, viewer, public_id)
            states.check(Action.REPLY, ticket.status)
            now = utcnow()
            ticket.updated_at = now
            outbox_id = self._send(
                s,
                ticket,
                viewer,
                "reply",
                citizen_texts.reply(ticket.public_id, text),
                now,
                asks=asks_the_citizen(text),
            )
            message = (
                "Balasan masuk antrean kirim."
                if outbox_id
                else ("Balasan dicatat, tetapi tidak dapat dikirim: warga telah menghapus datanya.")
            )
            return ActionResult(ticket.status, outbox_id, message)

    def note(self, viewer: Viewer, public_id: str, text: str) -> ActionResult:
        """An internal note: never sent to the citizen."""
        text = _text(text, "Catatan")
        with Session(self.engine) as s, s.begin():
            ticket = self._load(s, viewer, public_id)
            states.check(Action.NOTE, ticket.status)
            self._event(s, ticket, viewer, "note", body=text)
            return ActionResult(ticket.status, None, "Catatan internal disimpan.")

    def assign(self, viewer: Viewer, public_id: str, assignee_id: int | None) -> ActionResult:
        """Assign to an officer of the ticket's unit or a supervisor (None: unassign).

        Officers may only take an unassigned ticket themselves.
        """
        with Session(self.engine) as s, s.begin():
            ticket = self._load(s, viewer, public_id)
            states.check(Action.ASSIGN, ticket.status)
            if assignee_id != viewer.id and not can_assign_others(viewer):
                raise ActionRefused("Hanya supervisor yang dapat menugaskan petugas lain.")
            if assignee_id == viewer.id and not can_take(viewer, _scope(ticket)):
                raise ActionRefused("Tiket ini sudah ditangani petugas lain.")
            name = None
            if assignee_id is not None:
                officer = s.get(Officer, assignee_id)
                if officer is None or not officer.active or officer.role == OfficerRole.ADMIN:
                    raise InvalidInput("Petugas tidak ditemukan atau tidak aktif.")
                if officer.role == OfficerRole.OFFICER:
                    in_unit = s.scalar(
                        select(OfficerUnit.officer_id).where(
                            OfficerUnit.officer_id == officer.id,
                            OfficerUnit.office_id == ticket.office_id,
                        )
                    )
                    if in_unit is None:
                        raise InvalidInput(
                            f"{officer.display_name} bukan anggota unit yang menangani tiket ini."
                        )
                name = officer.display_name
            before = ticket.assignee_id
            if before == assignee_id:
                return ActionResult(ticket.status, None, "Penugasan tidak berubah.")
            ticket.assignee_id = assignee_id
            ticket.updated_at = utcnow()
            self._event(
                s, ticket, viewer, "assign", body=name, data={"from": before, "to": assignee_id}
            )
            return ActionResult(
                ticket.status, None, f"Ditugaskan ke {name}." if name else "Penugasan dilepas."
            )

    def forward(self, viewer: Viewer, public_id: str, office_id: str, reason: str) -> ActionResult:
        """Move the ticket to another unit (with a reason); the assignment is cleared."""
        reason = _text(reason, "Alasan penerusan")
        with Session(self.engine) as s, s.begin():
            ticket = self._load(s, viewer, public_id)
            states.check(Action.FORWARD, ticket.status)
            office = s.get(Office, office_id)
            if office is None:
                raise InvalidInput("Unit tujuan tidak dikenal.")
            if office.id == ticket.office_id:
                raise InvalidInput("Tiket sudah berada di unit tersebut.")
            before = ticket.office_id
            ticket.office_id = office.id
            ticket.assignee_id = None
            ticket.updated_at = utcnow()
            self._event(
                s, ticket, viewer, "forward", body=reason, data={"from": before, "to": office.id}
            )
            from bot.officer.notices import queue_notice

            queue_notice(s, ticket, office.id)
            return ActionResult(ticket.status, None, f"Diteruskan ke {office.name}.")

    def log_view(self, viewer: Viewer, ticket_id: int) -> None:
        """Record that someone opened a confidential ticket."""
        with Session(self.engine) as s, s.begin():
            s.add(
                TicketEvent(
                    ticket_id=ticket_id,
                    kind="view",
                    actor_type="officer",
                    actor_id=str(viewer.id),
                    created_at=utcnow(),
                )
            )


def _scope(ticket: Ticket) -> TicketScope:
    return TicketScope(ticket.office_id, ticket.privacy, ticket.assignee_id)


__all__ = [
    "REJECTION_REASONS",
    "ActionRefused",
    "ActionResult",
    "IllegalTransition",
    "InvalidInput",
    "TicketNotFound",
    "Workflow",
]
