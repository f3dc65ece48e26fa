"""Numbers and plan months in the reader's locale, for the builders (through bot.blocks.common).

English keeps the bot's one format (numbers.shown, periods.month_label), so an English answer
reads as it always has. Another language's numbers are Babel's, with the locale and its
patterns parsed once per process rather than on every number.
"""

from __future__ import annotations

import functools
import math

from babel import Locale
from babel.numbers import NumberPattern

from bot import numbers
from bot.i18n import SOURCE, Translator
from bot.periods import month_label, parse_period


def local(value: float, tr: Translator | None) -> bool:
    """Whether `value` is written in `tr`'s locale format: English and numbers past the bound
    keep the one format of numbers.shown."""
    return (
        tr is not None
        and tr.language != SOURCE
        and math.isfinite(value)
        and abs(value) < numbers.LIMIT
    )


@functools.cache
def _formats(language: str) -> tuple[Locale, NumberPattern, NumberPattern]:
    """The locale and its decimal and percent patterns, parsed once (Babel parses a locale name
    and looks its pattern up on every call otherwise)."""
    locale = Locale.parse(language)
    return locale, locale.decimal_formats[None], locale.percent_formats[None]


def decimal(value: float, tr: Translator) -> str:
    """`value` (within the bound) in `tr`'s locale, two decimals at most: 1 234,5."""
    locale, pattern, _ = _formats(tr.language)
    return pattern.apply(round(value, 2) or 0.0, locale, decimal_quantization=False)  # not "-0"


def percent(value: float, tr: Translator) -> str:
    """`value` percent (93.25, within the bound) as the locale writes a percentage: 93,25 %."""
    locale, _, pattern = _formats(tr.language)
    return pattern.apply(round(value / 100, 4) or 0.0, locale, decimal_quantization=False)


def period_label(period: str, tr: Translator | None = None) -> str:
    """A month of the plan ("2027-03") for reading: Mar 2027 / март 2027 / 2027年3月."""
    if tr is None or tr.language == SOURCE:
        return month_label(period)
    year = parse_period(period)[0]
    return tr.gettext("{month} {year}").format(month=short_month(period, tr), year=year)


def short_month(period: str, tr: Translator | None = None) -> str:
    """The month of a plan month alone, short: Mar / март / 3月."""
    if tr is None or tr.language == SOURCE:
        return month_label(period).split()[0]
    return _month(tr.language, parse_period(period)[1])


@functools.cache
def _month(language: str, month: int) -> str:
    return Translator(language).month(month, width="abbreviated")
