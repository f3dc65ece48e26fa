"""The words the common subcommands also answer to, in each language the bot speaks.

Subcommands are English keywords everywhere; these are aliases that route the same way for
everyone (so a Russian word typed by someone who reads Japanese still works), and the help lists
those of the reader's language. They are keywords people type, not text to translate, so they
live here in code rather than in the catalogs, where a translator's edit would change a command.
A word is matched after NFKC normalisation and case folding: "Статус", "ＳＴＡＴＵＳ" and
"status" are each one word.
"""

from __future__ import annotations

import unicodedata

ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "ru": {
        "help": ("помощь", "справка"),
        "status": ("статус",),
        "vision": ("видение",),
        "action": ("действие",),
        "check": ("проверка",),
        "language": ("язык",),
    },
    "ja": {
        "help": ("ヘルプ",),
        "status": ("ステータス", "状況"),
        "vision": ("ビジョン",),
        "action": ("アクション",),
        "check": ("チェック",),
        "language": ("言語",),
    },
}


def keyword(word: str) -> str:
    """A typed subcommand word as it is matched."""
    return unicodedata.normalize("NFKC", word).casefold()


def aliases_of(name: str) -> tuple[str, ...]:
    """Every language's words for the subcommand `name`."""
    return tuple(w for words in ALIASES.values() for w in words.get(name, ()))


def words_in(language: str, name: str) -> tuple[str, ...]:
    """The words of `language` for the subcommand `name` (none for English)."""
    return ALIASES.get(language, {}).get(name, ())
