"""Counting what owners wrote all year: the same challenge in other words, counted once a month.

The rule, simple enough to explain to the person reading the reflection:
- each answer is cut into phrases at full stops, semicolons, question and exclamation marks
  and line breaks;
- a phrase is compared by its words, lower-cased, without punctuation, without little words
  ("the", "a", "of", "our"...) and without a plural "s" (so "Deals slipped." and "deal
  slipped" are one challenge);
- a phrase recurs when it was written in two or more months; the most frequent come first,
  shown in the words the owner used last.
No model, no fuzzy matching: two people reading the same answers count the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PHRASE_BREAK = re.compile(r"[.;!?\n]+")
WORD = re.compile(r"[a-z0-9à-ÿ]+")
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "but",
        "with",
        "by",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "our",
        "we",
        "us",
        "my",
        "i",
        "they",
        "their",
        "some",
        "more",
        "again",
        "still",
        "very",
    ]
)
# Words that say a lesson asks for something to be done differently next year.
CHANGE_WORDS = re.compile(
    r"\b(should|must|will|next year|instead|stop|start|change|switch|move|drop|add|hire|"
    r"replace|split|merge|earlier|sooner|more often|less often)\b",
    re.IGNORECASE,
)


def normalise(phrase: str) -> str:
    """The comparable form of a phrase: its meaningful words, singular, in order."""
    words = []
    for word in WORD.findall(phrase.lower()):
        if word in STOP_WORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(word)
    return " ".join(words)


def phrases(text: str | None) -> list[str]:
    return [p.strip() for p in PHRASE_BREAK.split(text or "") if p.strip()]


def recurring(
    answers: Iterable[tuple[str, str | None]], *, at_least: int = 2, top: int = 3
) -> list[tuple[str, int]]:
    """The phrases written in `at_least` months or more: (the latest wording, months), most first.

    `answers` are (period, text) pairs; a phrase repeated within one month counts once.
    """
    months: dict[str, set[str]] = {}
    wording: dict[str, tuple[str, str]] = {}
    for period, text in answers:
        for phrase in phrases(text):
            key = normalise(phrase)
            if not key:
                continue
            months.setdefault(key, set()).add(period)
            if key not in wording or period >= wording[key][0]:
                wording[key] = (period, phrase)
    counted = [(key, len(seen)) for key, seen in months.items() if len(seen) >= at_least]
    # Ties go to the phrase written most recently, then alphabetically: a stable order.
    counted.sort(key=lambda kv: (-kv[1], _negate(wording[kv[0]][0]), kv[0]))
    return [(wording[key][1], count) for key, count in counted[:top]]


def _negate(period: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in period)


def names_a_change(text: str | None) -> bool:
    """Whether a lesson says what to do differently ("we should…", "start…", "next year…")."""
    return bool(text and CHANGE_WORDS.search(text))
