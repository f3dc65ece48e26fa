"""The translator: catalogs compiled in memory, Russian's three plural forms, Babel's formats."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from babel.messages.pofile import read_po, write_po

from bot.i18n import ENGLISH, LANGUAGES, Translator, catalog_path, compile_catalog, translator


def with_messages(language: str, *entries) -> Translator:
    """The language's real catalog (its header, its plural rule) plus test entries."""
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    for msgid, string, *flags in entries:
        catalog.add(msgid, string, flags=flags)
    out = BytesIO()
    write_po(out, catalog)
    out.seek(0)
    return Translator(language, compile_catalog(out, language))


OBJECTIVES = (("{n} objective", "{n} objectives"), ("{n} цель", "{n} цели", "{n} целей"))


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 цель"),
        (2, "2 цели"),
        (5, "5 целей"),
        (11, "11 целей"),
        (21, "21 цель"),
        (22, "22 цели"),
        (0, "0 целей"),
    ],
)
def test_russian_has_three_plural_forms(n, expected) -> None:
    tr = with_messages("ru", OBJECTIVES)
    assert tr.ngettext(*OBJECTIVES[0], n).format(n=n) == expected


def test_english_and_japanese_plurals() -> None:
    assert [ENGLISH.ngettext(*OBJECTIVES[0], n).format(n=n) for n in (1, 2)] == [
        "1 objective",
        "2 objectives",
    ]
    tr = with_messages("ja", (OBJECTIVES[0], ("{n} 件の目標",)))
    assert [tr.ngettext(*OBJECTIVES[0], n).format(n=n) for n in (1, 5)] == [
        "1 件の目標",
        "5 件の目標",
    ]


def test_a_fuzzy_entry_falls_back_to_english() -> None:
    tr = with_messages("ru", ("Show me", "Покажи", "fuzzy"), ("Hide me", "Скрой"))
    assert tr.gettext("Show me") == "Show me"
    assert tr.gettext("Hide me") == "Скрой"


def test_an_unknown_message_is_its_english() -> None:
    assert translator("ru").gettext("Not in any catalog") == "Not in any catalog"


@pytest.mark.parametrize(
    ("asked", "speaks"),
    [
        *[("ru", "ru"), ("ja", "ja"), ("en", "en"), ("ru-RU", "ru"), ("ja_JP", "ja"), ("RU", "ru")],
        *[("de", "en"), ("", "en"), (None, "en"), ("xx-YY", "en")],
    ],
)
def test_a_language_the_bot_does_not_speak_falls_back_to_english(asked, speaks) -> None:
    assert translator(asked).language == speaks


def test_each_catalog_is_compiled_once_per_process() -> None:
    for language in LANGUAGES:
        assert translator(language)._messages is translator(language)._messages


def test_numbers_and_percentages_per_locale() -> None:
    nbsp = "\xa0"
    assert translator("ru").percent(0.932) == f"93,2{nbsp}%"
    assert translator("ja").percent(0.932) == "93.2%"
    assert ENGLISH.percent(0.932) == "93.2%"
    assert ENGLISH.percent(0.93) == "93%"
    assert ENGLISH.percent(0.12345, digits=2) == "12.35%"
    assert translator("ru").decimal(1234.5) == f"1{nbsp}234,5"
    assert translator("ja").decimal(1234.5) == "1,234.5"
    assert ENGLISH.decimal(2.25, digits=0) == "2"


def test_dates_and_months_per_locale() -> None:
    day = dt.date(2027, 3, 1)
    assert translator("ru").date(day).startswith("1 марта 2027")
    assert translator("ja").date(day) == "2027年3月1日"
    assert ENGLISH.date(day) == "March 1, 2027"
    assert [translator(lang).month(3) for lang in ("en", "ru", "ja")] == ["March", "март", "3月"]
