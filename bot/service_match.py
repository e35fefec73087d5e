"""Finding catalogue services in what citizens type: exact aliases first, then near misses."""

from __future__ import annotations

import re
from itertools import pairwise

from rapidfuzz import fuzz, process

# Fuzzy matching only compares words of at least this length: short aliases (kk, sim, kis)
# are too close to ordinary words ("kita", "simak") to be guessed at.
MIN_FUZZY_LENGTH = 5
FUZZY_CUTOFF = 82


def suggest(query: str, aliases: dict[str, str], limit: int = 3) -> tuple[str, ...]:
    """Up to `limit` distinct service ids whose aliases are close to `query`."""
    query = query.strip().lower()
    if not query:
        return ()
    scorer = fuzz.ratio if len(query) < MIN_FUZZY_LENGTH else fuzz.WRatio
    cutoff = 75 if len(query) < MIN_FUZZY_LENGTH else FUZZY_CUTOFF
    hits = process.extract(query, list(aliases), scorer=scorer, score_cutoff=cutoff, limit=20)
    out: list[str] = []
    for alias, _score, _idx in hits:
        sid = aliases[alias]
        if sid not in out:
            out.append(sid)
        if len(out) == limit:
            break
    return tuple(out)


def find_all_exact(text: str, aliases: dict[str, str]) -> list[tuple[str, str]]:
    """Every service named in `text`, as (service id, alias), in the order they appear.

    Longer aliases win over the shorter ones inside them ("sim c" over "sim").
    """
    lowered = text.lower()
    taken = [False] * len(lowered)
    found: list[tuple[int, str, str]] = []
    for alias in sorted(aliases, key=len, reverse=True):
        # "akta kematiannya", "KTPnya": the suffix -nya still names the service.
        for m in re.finditer(r"(?<![\w-])" + re.escape(alias) + r"(?:nya)?(?![\w-])", lowered):
            if any(taken[m.start() : m.end()]):
                continue
            taken[m.start() : m.end()] = [True] * (m.end() - m.start())
            found.append((m.start(), aliases[alias], alias))
    out: list[tuple[str, str]] = []
    for _pos, sid, alias in sorted(found):
        if sid not in [o[0] for o in out]:
            out.append((sid, alias))
    return out


def near_miss_scores(text: str, aliases: dict[str, str]) -> dict[str, float]:
    """Service id -> best similarity of a word (or word pair) of `text` to its aliases."""
    words = re.findall(r"[\w-]+", text.lower())
    grams = [w for w in words if len(w) >= MIN_FUZZY_LENGTH]
    grams += [f"{a} {b}" for a, b in pairwise(words) if len(a) + len(b) >= 8]
    long_aliases = [a for a in aliases if len(a) >= MIN_FUZZY_LENGTH]
    best: dict[str, float] = {}
    for gram in grams:
        for alias, score, _idx in process.extract(
            gram, long_aliases, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
        ):
            sid = aliases[alias]
            best[sid] = max(best.get(sid, 0.0), score)
    return best
