"""The ticket status workflow: which action may move a ticket from which state to which.

baru -> diverifikasi -> diproses -> selesai, with menunggu_warga (waiting for the citizen)
and ditolak; closed tickets can be reopened. Anything else is refused with a clear message.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.store.models import OPEN_STATUSES, TicketStatus
from bot.texts import STATUS_LABELS

B, V, P, W, S, R = (
    TicketStatus.BARU,
    TicketStatus.DIVERIFIKASI,
    TicketStatus.DIPROSES,
    TicketStatus.MENUNGGU_WARGA,
    TicketStatus.SELESAI,
    TicketStatus.DITOLAK,
)

# Short status names for officers (bot.labels.STATUS_LABELS speaks to citizens).
STATUS_NAMES: dict[TicketStatus, str] = {
    B: "Baru",
    V: "Diverifikasi",
    P: "Diproses",
    W: "Menunggu warga",
    S: "Selesai",
    R: "Ditolak",
}


class Action(str, enum.Enum):
    """Everything that can happen to a ticket: what an officer does, the citizen's answer
    to a request for information, and the scheduler's closing of an unanswered one."""

    VERIFY = "verify"
    START = "start"
    REQUEST_INFO = "request_info"
    RESUME = "resume"
    RESOLVE = "resolve"
    REJECT = "reject"
    REOPEN = "reopen"
    ASSIGN = "assign"
    FORWARD = "forward"
    REPLY = "reply"
    NOTE = "note"
    # Not an officer's: the citizen's /jawab and the expiry (values as stored in events).
    CITIZEN_ANSWER = "citizen_answer"
    AUTO_CLOSE = "auto_close"


ACTION_NAMES: dict[Action, str] = {
    Action.VERIFY: "memverifikasi",
    Action.START: "memulai tindak lanjut",
    Action.REQUEST_INFO: "meminta keterangan warga",
    Action.RESUME: "melanjutkan proses",
    Action.RESOLVE: "menyelesaikan",
    Action.REJECT: "menolak",
    Action.REOPEN: "membuka kembali",
    Action.ASSIGN: "menugaskan",
    Action.FORWARD: "meneruskan ke unit lain",
    Action.REPLY: "membalas warga",
    Action.NOTE: "menambah catatan internal",
    Action.CITIZEN_ANSWER: "mencatat jawaban warga",
    Action.AUTO_CLOSE: "menutup otomatis",
}

# Status-changing actions: from-state -> to-state.
TRANSITIONS: dict[Action, dict[TicketStatus, TicketStatus]] = {
    Action.VERIFY: {B: V},
    Action.START: {V: P},
    Action.REQUEST_INFO: {V: W, P: W},
    Action.RESUME: {W: P},
    Action.RESOLVE: {V: S, P: S, W: S},
    Action.REJECT: {B: R, V: R, P: R, W: R},
    Action.REOPEN: {S: P, R: B},
    Action.CITIZEN_ANSWER: {W: P},
    Action.AUTO_CLOSE: {W: S},
}

# Actions that leave the status as it is, and the states they are allowed in.
ALLOWED_IN: dict[Action, frozenset[TicketStatus]] = {
    Action.ASSIGN: frozenset(OPEN_STATUSES),
    Action.FORWARD: frozenset(OPEN_STATUSES),
    Action.REPLY: frozenset(OPEN_STATUSES),
    Action.NOTE: frozenset(TicketStatus),
}


# Who does an action: the citizen and the system have one each; every other is an officer's.
ACTOR_OF: dict[Action, str] = {Action.CITIZEN_ANSWER: "citizen", Action.AUTO_CLOSE: "system"}
OFFICER_ACTIONS: tuple[Action, ...] = tuple(a for a in Action if a not in ACTOR_OF)


class IllegalTransition(ValueError):
    """The action is not allowed in the ticket's current state (message in Indonesian)."""


@dataclass(frozen=True)
class Move:
    """The outcome of a permitted action."""

    action: Action
    from_status: TicketStatus
    to_status: TicketStatus

    @property
    def changes_status(self) -> bool:
        """True when the ticket moves to another state."""
        return self.from_status != self.to_status


def allowed_from(action: Action) -> frozenset[TicketStatus]:
    """The states in which `action` is permitted."""
    if action in TRANSITIONS:
        return frozenset(TRANSITIONS[action])
    return ALLOWED_IN[action]


def check(action: Action, status: TicketStatus) -> Move:
    """The move `action` makes from `status`, or IllegalTransition with a clear reason."""
    if action in TRANSITIONS:
        target = TRANSITIONS[action].get(status)
        if target is not None:
            return Move(action, status, target)
    elif status in ALLOWED_IN[action]:
        return Move(action, status, status)
    allowed = ", ".join(STATUS_NAMES[s] for s in TicketStatus if s in allowed_from(action))
    raise IllegalTransition(
        f"Tidak dapat {ACTION_NAMES[action]}: tiket berstatus {STATUS_NAMES[status]}. "
        f"Aksi ini hanya untuk tiket berstatus {allowed}."
    )


def actor_of(action: Action) -> str:
    """Who does `action`: "officer", "citizen" or "system"."""
    return ACTOR_OF.get(action, "officer")


def possible_actions(status: TicketStatus) -> list[Action]:
    """Every officer action permitted in `status`, in display order."""
    return [a for a in OFFICER_ACTIONS if status in allowed_from(a)]


__all__ = [
    "ACTION_NAMES",
    "OFFICER_ACTIONS",
    "STATUS_LABELS",
    "STATUS_NAMES",
    "Action",
    "IllegalTransition",
    "Move",
    "actor_of",
    "check",
    "possible_actions",
]
