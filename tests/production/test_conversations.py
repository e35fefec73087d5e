"""Citizens' conversations end to end on the production profile (issue 13): the player and
the expectations of tests/conversations, through haproxy to 2 Rasa replicas and 2 action
servers, on PostgreSQL (our store and Rasa's tracker store) with the Redis lock store.

A representative subset, not all 145 conversations (502 turns, the slowest part of the
suite, which tests/conversations already plays on the default profile): one conversation
of each of the 12 classes, 51 turns, ~10% of the turns. Chosen for what the profile can
break: a complaint form held open over 5-7 turns while its turns alternate between the
replicas (the form's state lives only in the tracker store), tickets filed through the
proxied action servers into PostgreSQL (7 of them), a status question read back from the
store in the middle of a form, a corrected summary, a rating stored after the star
buttons, and the one-turn answers (short questions, follow-ups, honesty, starting).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from devtools.profile_stack import ProfileStack
from tests.conversations import test_conversations as suite

pytestmark = [pytest.mark.rasa, pytest.mark.postgres]

SUBSET = {
    "happy": "h09-aduan-tombol",
    "1-digression": "d09-tanya-status-di-tengah",
    "2-multi-slot": "m01-semua-sekaligus",
    "3-correction": "c05-tombol-ubah",
    "4-consent": "y01-tanya-sebelum-kirim",
    "5-short-question": "q01-sim-online-gak",
    "6-follow-up": "f05-paspor-berantai",
    "7-no-sticking": "s01-skck-lalu-sampah",
    "8-start": "l02-lapor-pungli",
    "9-cancel-exit": "x02-batal-lalu-urung",
    "10-feedback": "r02-bintang-lalu-komentar",
    "11-honesty": "g04-batas-akta-kematian",
}
BY_ID = {c["id"]: c for c in suite.CONVERSATIONS}


def test_the_subset_covers_every_class_with_passing_conversations() -> None:
    assert set(SUBSET) == set(suite.CLASSES)
    for kind, conversation_id in SUBSET.items():
        assert BY_ID[conversation_id]["class"] == kind
        assert conversation_id not in suite.KNOWN  # expected to pass on the default profile


@pytest.mark.parametrize("conversation_id", list(SUBSET.values()))
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
