"""The status workflow: every action in every state, allowed or refused with a reason."""

from __future__ import annotations

import pytest

from bot.store.models import TicketStatus as S
from bot.tickets.states import Action, IllegalTransition, check, possible_actions

ALLOWED = {
    (Action.VERIFY, S.BARU): S.DIVERIFIKASI,
    (Action.START, S.DIVERIFIKASI): S.DIPROSES,
    (Action.REQUEST_INFO, S.DIVERIFIKASI): S.MENUNGGU_WARGA,
    (Action.REQUEST_INFO, S.DIPROSES): S.MENUNGGU_WARGA,
    (Action.RESUME, S.MENUNGGU_WARGA): S.DIPROSES,
    (Action.RESOLVE, S.DIVERIFIKASI): S.SELESAI,
    (Action.RESOLVE, S.DIPROSES): S.SELESAI,
    (Action.RESOLVE, S.MENUNGGU_WARGA): S.SELESAI,
    (Action.REJECT, S.BARU): S.DITOLAK,
    (Action.REJECT, S.DIVERIFIKASI): S.DITOLAK,
    (Action.REJECT, S.DIPROSES): S.DITOLAK,
    (Action.REJECT, S.MENUNGGU_WARGA): S.DITOLAK,
    (Action.REOPEN, S.SELESAI): S.DIPROSES,
    (Action.REOPEN, S.DITOLAK): S.BARU,
    (Action.CITIZEN_ANSWER, S.MENUNGGU_WARGA): S.DIPROSES,
    (Action.AUTO_CLOSE, S.MENUNGGU_WARGA): S.SELESAI,
}
OPEN = (S.BARU, S.DIVERIFIKASI, S.DIPROSES, S.MENUNGGU_WARGA)
STAYING = {
    Action.ASSIGN: OPEN,
    Action.FORWARD: OPEN,
    Action.REPLY: OPEN,
    Action.NOTE: tuple(S),
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(S))
def test_every_action_in_every_state(action: Action, status: S) -> None:
    if action in STAYING:
        expected = status if status in STAYING[action] else None
    else:
        expected = ALLOWED.get((action, status))
    if expected is None:
        with pytest.raises(IllegalTransition) as err:
            check(action, status)
        assert "Tidak dapat" in str(err.value)
        assert "hanya untuk tiket berstatus" in str(err.value)
    else:
        move = check(action, status)
        assert move.to_status == expected
        assert move.changes_status == (expected != status)


def test_refusal_names_the_current_and_allowed_states() -> None:
    with pytest.raises(IllegalTransition) as err:
        check(Action.RESOLVE, S.BARU)
    message = str(err.value)
    assert "menyelesaikan" in message
    assert "berstatus Baru" in message
    assert "Diverifikasi, Diproses, Menunggu warga" in message


def test_closed_tickets_only_take_notes_and_reopen() -> None:
    assert possible_actions(S.SELESAI) == [Action.REOPEN, Action.NOTE]
    assert possible_actions(S.DITOLAK) == [Action.REOPEN, Action.NOTE]
    assert Action.VERIFY in possible_actions(S.BARU)
    assert Action.RESOLVE not in possible_actions(S.BARU)
