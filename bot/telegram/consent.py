"""A typed answer to the privacy notice's question ("Apakah Anda menyetujui ...?").

Consent must be explicit (UU PDP): only a short message that says yes and nothing else is
a yes ("yaudah deh setuju", "ok saya setuju", "iya setuju kak", "boleh"); a question, a
condition or any other content ("ok, syarat KTP apa?", "setuju tapi ...", "kalau setuju
data sy buat apa") is no answer, and the citizen is reminded of the buttons. A short
refusal ("tidak setuju", "gak mau", "nggak dulu deh") is a no. Read only after the notice
was shown (bot.telegram.deps.ask_consent); bot.phrases reads questions and plain yeses.
"""

from __future__ import annotations

from bot.phrases import is_clear_yes, looks_like_question, words

MAX_WORDS = 8


def _squeeze(word: str) -> str:
    """ "setujuuu" -> "setuju", "okee" -> "oke": repeated letters are emphasis."""
    out: list[str] = []
    for letter in word:
        if not out or out[-1] != letter:
            out.append(letter)
    return "".join(out)


def _squeezed(listed: str) -> frozenset[str]:
    """The words of a space-separated list, squeezed."""
    return frozenset(_squeeze(w) for w in listed.split())


# Words that say yes to the question; a yes needs one ("saya", "kak" alone are no answer).
AGREE = _squeezed(
    "setuju menyetujui sepakat bersedia boleh ya iya iye y yes yup yap ok oke okay okey okeh "
    "okedeh baik baiklah siap sip lanjut lanjutkan yaudah yaudh ywdh agree nggih inggih "
    "enggih muhun sumuhun"
)
# Words a yes to the notice may carry besides bot.phrases' YES_WORDS.
CONSENT_WORDS = _squeezed(
    "setuju menyetujui sepakat bersedia baik baiklah mau dengan dgn pemberitahuan privasi "
    "privasinya kebijakan ketentuan pemrosesan data ini nya sy gue gw aq i agree "
    "deh sih dah ka kakak admin mimin gan sis mba"
)
# Words of a refusal; "tidak apa-apa", "ga papa" (no problem) are not one.
REFUSE = _squeezed(
    "tidak tdk gak ga gk g nggak ngga ngak enggak engga ndak nda kagak ogah emoh no nope "
    "tolak menolak belum blm jangan jgn mboten ora henteu disagree"
)
# What a refusal may carry besides its refusing words.
REFUSAL_WORDS = _squeezed(
    "setuju menyetujui bersedia mau boleh ya yah saya sy aku gue gw aq deh dong sih aja saja "
    "dulu dl kak ka kakak min admin pak bu bang mas mbak mba gan terima kasih makasih mksh "
    "trims thanks jadi jd lah kok i"
)


def consent_answer(typed: str) -> bool | None:
    """True for a clear yes, False for a clear no, None for anything else."""
    found = [_squeeze(w) for w in words(typed)]
    if not found or len(found) > MAX_WORDS or looks_like_question(typed):
        return None
    if any(w in REFUSE for w in found):
        return False if _refuses(found) else None
    if not any(w in AGREE for w in found):
        return None
    rest = [w for w in found if w not in CONSENT_WORDS]
    return True if not rest or is_clear_yes(" ".join(rest)) else None


# Words that would say yes on their own: in a refusal only right after a refusing word.
_WANTS = (AGREE | {"mau"}) - {"ya"}


def _refuses(found: list[str]) -> bool:
    """Refusing words and nothing else; a yes word only right after one ("tidak setuju",
    "gak mau"), never on its own ("ok gak", "mau ga").
    """
    for i, word in enumerate(found):
        if word in REFUSE:
            continue
        if word not in REFUSAL_WORDS:
            return False
        if word in _WANTS and (i == 0 or found[i - 1] not in REFUSE):
            return False
    return True
