"""Numbers and plan months in the reader's locale, for the builders (through bot.blocks.common).

English keeps the bot's one format (numbers.shown, periods.month_label), so an English answer
reads as it always has. Another language's numbers are Babel's (tr.decimal, tr.percent), written
fast: Babel parses its pattern on every call, which made a Russian status answer twice as slow
to build as the English one. A locale whose format is "#,##0.###" (Russian, Japanese) is the
English text with its own group and decimal signs; that shortcut is taken only once it has
rendered a set of samples exactly as Babel does, otherwise every number goes through Babel.
"""

from __future__ import annotations

import functools
import math

from babel import numbers as babel_numbers

from bot import numbers
from bot.i18n import SOURCE, Translator
from bot.periods import month_label, parse_period

# Values whose Babel text the shortcut must reproduce before it is used for a language.
SAMPLES = (0, 1, -1, 7.5, 12.25, 999, 1000, 1234.5, -1234.56, 98765.43, 1234567.89, 0.01)


def local(value: float, tr: Translator | None) -> bool:
    """Whether `value` is written in `tr`'s locale format: English and numbers past the bound
    keep the one format of numbers.shown."""
    return (
        tr is not None
        and tr.language != SOURCE
        and math.isfinite(value)
        and abs(value) < numbers.LIMIT
    )


# Below this, floats lie closer than 0.005 apart: a float's two-decimal text is then the same
# whether taken from its binary value (Python's format) or from its shortest text (Babel's).
EXACT_BELOW = 2.0**45


def _written(value: float, group: str, decimal: str) -> str:
    """`value` to two decimals as Babel writes it for a "#,##0.###" locale."""
    value = float(value)
    if abs(value) < EXACT_BELOW:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:  # from the shortest text, so 70368744177664.1 is not written …664.09
        value = round(value, 2)
        whole, _, fraction = repr(value).partition(".")  # positional: |value| < 10^15
        text = f"{int(whole):,}" + ("" if fraction == "0" else f".{fraction}")
    if decimal != ".":
        whole, dot, fraction = text.partition(".")
        return whole.replace(",", group) + (decimal + fraction if dot else "")
    return text if group == "," else text.replace(",", group)


@functools.cache
def _signs(language: str) -> tuple[str, str, str] | None:
    """(group, decimal, percent template) when the shortcut renders the samples as Babel does."""
    tr = Translator(language)
    group = babel_numbers.get_group_symbol(language)
    decimal = babel_numbers.get_decimal_symbol(language)
    percent = tr.percent(0.5, digits=2).replace("50", "{}", 1)
    for sample in SAMPLES:
        fast = _written(sample, group, decimal)
        if fast != tr.decimal(sample, digits=2) or percent.format(fast) != tr.percent(
            sample / 100, digits=2
        ):
            return None
    return group, decimal, percent


def decimal(value: float, tr: Translator) -> str:
    """`value` (within the bound) in `tr`'s locale, two decimals at most: 1 234,5."""
    signs = _signs(tr.language)
    if signs is None:
        return tr.decimal(value, digits=2)
    return _written(value, signs[0], signs[1])


def percent(value: float, tr: Translator) -> str:
    """`value` percent (93.25, within the bound) as the locale writes a percentage: 93,25 %."""
    signs = _signs(tr.language)
    if signs is None:
        return tr.percent(value / 100, digits=2)
    return signs[2].format(_written(value, signs[0], signs[1]))


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
