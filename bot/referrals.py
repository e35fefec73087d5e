"""Services the catalogue does not cover, and who does (data/referrals.yml).

A citizen asking for one of them is told honestly that it is not served here and where
to go, with the source of that fact, instead of a guess or a list of unrelated services.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "referrals.yml"


class Referral(BaseModel):
    """One service handled elsewhere."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=2)
    aliases: list[str] = Field(min_length=1)
    where: str = Field(min_length=5)
    source: str = Field(min_length=3)
    checked: date


class _File(BaseModel):
    referrals: list[Referral]


@dataclass(frozen=True)
class ReferralMatch:
    """The referral found in a message and the alias that matched."""

    referral: Referral
    alias: str


@lru_cache(maxsize=4)
def load_referrals(path: Path = DEFAULT_PATH) -> tuple[Referral, ...]:
    """The validated list (cached; the file changes only with a deployment)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(_File.model_validate(data).referrals)


def find_referral(text: str, path: Path = DEFAULT_PATH) -> ReferralMatch | None:
    """The referral whose alias occurs as whole words in `text` (longest alias wins)."""
    lowered = text.lower()
    best: ReferralMatch | None = None
    for referral in load_referrals(path):
        for alias in referral.aliases:
            if (best is None or len(alias) > len(best.alias)) and re.search(
                r"(?<![\w-])" + re.escape(alias.lower()) + r"(?:nya)?(?![\w-])", lowered
            ):
                best = ReferralMatch(referral, alias)
    return best
