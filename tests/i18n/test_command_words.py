"""The subcommands' words in Russian and Japanese route like the English keywords."""

from __future__ import annotations

import pytest

from bot.i18n import LANGUAGES, SOURCE
from bot.i18n.commands import ALIASES, aliases_of, keyword
from handlers.commands import CommandRegistry, Subcommand


def registry(*names: str) -> CommandRegistry:
    r = CommandRegistry()
    for name in names:
        r.add(Subcommand(name=name, usage=f"/hoshin {name}", summary=name, run=lambda _: None))
    return r


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("статус AN1", "status"),
        ("Статус AN1", "status"),
        ("СПРАВКА", "help"),
        ("ステータス AN1", "status"),
        ("ＳＴＡＴＵＳ AN1", "status"),
        ("ヘルプ", "help"),
        ("язык ja", "language"),
        ("言語 ru", "language"),
        ("status AN1", "status"),
        ("ステータス\u3000AN1", "status"),  # a Japanese keyboard's space
        ("status\tAN1", "status"),
    ],
)
def test_a_word_in_any_language_routes_to_its_subcommand(typed, name):
    subcommand, rest, _ = registry("help", "status", "language").route(typed)
    assert subcommand is not None and subcommand.name == name
    assert rest == "".join(typed.split(maxsplit=1)[1:])


def test_every_language_but_english_has_words_and_none_is_claimed_twice():
    assert set(ALIASES) == set(LANGUAGES) - {SOURCE}
    words = [keyword(w) for table in ALIASES.values() for ws in table.values() for w in ws]
    assert len(words) == len(set(words))
    assert all(w == keyword(w) and " " not in w for w in words)


def test_a_word_that_clashes_with_another_subcommand_is_refused():
    r = registry("status")
    with pytest.raises(ValueError, match="статус"):
        r.add(
            Subcommand(name="other", usage="", summary="", run=lambda _: None, aliases=("статус",))
        )


def test_unknown_words_still_fall_through_to_the_help():
    assert registry("help", "status").route("статусы")[0] is None
    assert aliases_of("status") == ("статус", "ステータス", "状況")
