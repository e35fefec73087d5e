"""Suggests a complaint category from the citizen's own words, and reads a category the
citizen typed or tapped.

The suggestion comes from a classifier trained on labelled complaint texts
(bot.category_model); pungli wins whenever it is told of (bot.category_rules), since an
extortion report must never be filed under a harmless category. The citizen always
confirms or picks another category, so a wrong guess costs one tap.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from bot.category_rules import KEYWORDS, category_scores, keyword_category, mentions_pungli
from bot.store.models import Category
from bot.texts import CATEGORY_LABELS, CATEGORY_SHORT_LABELS

__all__ = [
    "KEYWORDS",
    "category_scores",
    "keyword_category",
    "mentions_pungli",
    "parse_category",
    "suggest_category",
]


def suggest_category(text: str) -> Category:
    """The most likely category for a complaint text; `lainnya` for an empty text.

    Pungli whenever it is told of (`mentions_pungli`), else the classifier's choice.
    """
    if mentions_pungli(text):
        return Category.PUNGLI
    if not text.strip():
        return Category.LAINNYA
    from bot.category_model import get_model  # scikit-learn loads at the first suggestion

    return get_model().predict(text)


def parse_category(text: str) -> Category | None:
    """A category the citizen typed or tapped ("pungli", "Kebersihan", "infrastruktur aja")."""
    lowered = text.strip().lower()
    if not lowered:
        return None
    for category in Category:
        if category.value == lowered:
            return category
    choices: dict[str, Category] = {}
    for category in Category:
        choices[category.value] = category
        choices[CATEGORY_SHORT_LABELS[category].lower()] = category
        choices[CATEGORY_LABELS[category].lower()] = category
    words = re.findall(r"[a-z/]+", lowered)
    for word in words:
        if word in choices:
            return choices[word]
    match = process.extractOne(lowered, list(choices), scorer=fuzz.WRatio, score_cutoff=86)
    return choices[match[0]] if match else None
