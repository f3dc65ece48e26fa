"""The bot's languages: gettext catalogs and locale formats, by Babel.

English is the source text: a message's English is its msgid, so English needs no catalog. The
other languages' catalogs are the `.po` files under `locales/` (text, reviewed in git). Each is
compiled in memory the first time a process asks for its language, so nobody runs a compile step.

Mark a message where it is written: `tr.gettext("…")` and `tr.ngettext("…", "…", n)` where a
translator is at hand, `N_("…")` where the text is defined before anyone's language is known (it
is translated later by `tr.gettext(text)`). `hoshin i18n extract` collects them all into
`locales/messages.pot` and updates each language's `.po` (bot/i18n/extract.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
from importlib import resources
from io import BytesIO
from typing import BinaryIO

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("en", "ru", "ja")
SOURCE = "en"  # the language the code's messages are written in
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it here."""
    return message


def catalog_path(language: str):
    """The `.po` file of `language` (a Traversable: works from a wheel as well as a checkout)."""
    return resources.files(__package__) / "locales" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(po: BinaryIO, language: str) -> Translations:
    """A `.po` file compiled in memory (fuzzy entries are left out: they fall back to English)."""
    catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@functools.cache
def _messages(language: str) -> gettext.NullTranslations:
    """Each language's catalog, compiled once per process."""
    if language == SOURCE:
        return gettext.NullTranslations()
    with catalog_path(language).open("rb") as po:
        return compile_catalog(po, language)


class Translator:
    """One language's messages and formats. Make one with `translator(language)`."""

    __slots__ = ("_messages", "language")

    def __init__(self, language: str, messages: gettext.NullTranslations | None = None) -> None:
        self.language = language
        self._messages = _messages(language) if messages is None else messages

    def __repr__(self) -> str:
        return f"Translator({self.language!r})"

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    def gettext(self, message: str) -> str:
        return self._messages.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form for `n` (Russian has three); `{n}` in the text is left for `.format(n=…)`."""
        return self._messages.ngettext(singular, plural, n)

    def decimal(self, number: float, *, digits: int = 1) -> str:
        """`number` rounded to at most `digits` decimals: 1,234.5 / 1 234,5 / 1,234.5."""
        return numbers.format_decimal(
            round(number, digits) or 0.0, locale=self.language, decimal_quantization=False
        )

    def percent(self, fraction: float, *, digits: int = 1) -> str:
        """`fraction` (0.932) as a percentage with at most `digits` decimals: 93.2% / 93,2 %."""
        return numbers.format_percent(
            round(fraction, digits + 2) or 0.0, locale=self.language, decimal_quantization=False
        )

    def date(self, day: dt.date, *, width: str = "long") -> str:
        """March 1, 2027 / 1 марта 2027 г. / 2027年3月1日 (`width` as Babel's: short…full)."""
        return dates.format_date(day, format=width, locale=self.language)

    def month(self, month: int, *, width: str = "wide") -> str:
        """The month's name standing alone, as in a heading: March / март / 3月."""
        return dates.get_month_names(width, "stand-alone", locale=self.language)[month]


def translator(language: str | None = None) -> Translator:
    """The translator for `language` ("ru", "ru-RU"); English for one the bot does not speak."""
    base = (language or "").replace("_", "-").partition("-")[0].lower()
    return Translator(base if base in LANGUAGES else SOURCE)


ENGLISH = translator(SOURCE)
