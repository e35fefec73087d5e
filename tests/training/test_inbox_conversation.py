"""E22 end to end: citizens on a real Rasa server and our action server, and the review
inbox collected from Rasa's own tracker store. A complaint form the citizen says was not
meant, then cancels, gives its opening message to the trainers; one filed does not; a
question the assistant could not place, asked again, is collected as a repeat."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.store.models import NluReviewItem
from bot.training.inbox import collect
from tests.training.test_not_helpful_conversation import KEY, Citizen, buttons, stack

__all__ = ["stack"]  # the module's Rasa stack, shared


def texts(replies: list[dict[str, object]]) -> str:
    return " ".join(str(r.get("text", "")) for r in replies)


def press(citizen: Citizen, replies: list[dict[str, object]], title_part: str) -> list:
    [button] = [b for b in buttons(replies) if title_part in b["title"]]  # type: ignore[arg-type]
    return citizen.send(button["payload"])


def test_the_inbox_from_real_conversations(stack: tuple[str, Engine, Engine]) -> None:
    rasa_url, store, tracker = stack

    # A form opened, then "ga mau lapor, cuma nanya", then cancelled.
    misread = Citizen(rasa_url)
    opened = misread.send("jalan di depan rumah sy bolong2 gede bgt, hp sy 081234567890")
    assert "lokasi" in texts(opened).lower(), opened
    confirm = misread.send("lah sy ga mau lapor, cuma nanya")
    assert "membatalkan" in texts(confirm), confirm
    press(misread, confirm, "Ya")

    # The same words on the way, but the complaint filed: never collected.
    filed = Citizen(rasa_url)
    filed.send("lampu jalan di gg mawar mati seminggu, gelap bgt")
    confirm = filed.send("lah sy ga mau lapor, cuma nanya")
    reply = press(filed, confirm, "Tidak")
    for _ in range(8):  # on to the end of the form, the first choice each time
        if "ADU-" in texts(reply):
            break
        sends = [b for b in buttons(reply) if "kirim" in b["title"].lower()]
        if sends:
            reply = filed.send(sends[0]["payload"])
        elif buttons(reply):
            reply = filed.send(buttons(reply)[0]["payload"])
        else:
            reply = filed.send("di gg mawar rt 03 rw 05 kel sukamaju")
    assert "ADU-" in texts(reply), reply

    # The assistant asks which service; the citizen asks again naming it.
    again = Citizen(rasa_url)
    which = again.send("syaratnya apa aja ya")
    assert "Layanan apa" in texts(which), which
    again.send("syarat bikin paspor apa aja")

    collect(tracker, store, 0.0, key=KEY, since_id=0, settle_s=0)
    with Session(store) as s:
        items = {i.text: i for i in s.scalars(select(NluReviewItem))}
    opening = "jalan di depan rumah sy bolong2 gede bgt, hp sy [TELEPON]"
    assert opening in items, list(items)
    assert "correction" in items[opening].reasons
    assert items[opening].intent is not None and items[opening].confidence is not None
    assert "syaratnya apa aja ya" in items
    assert "repeat" in items["syaratnya apa aja ya"].reasons
    assert not any("lampu jalan" in text for text in items), list(items)
    assert not any("ga mau lapor" in text for text in items), list(items)
