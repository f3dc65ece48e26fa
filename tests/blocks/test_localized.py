"""Numbers and months in the reader's locale: Babel's patterns, two decimals at most, never "-0"."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import numbers
from bot.blocks import localized
from bot.blocks.common import number, with_unit
from bot.i18n import ENGLISH, translator

RU, JA = translator("ru"), translator("ja")
BOUNDED = st.floats(min_value=-(10**15) + 1, max_value=10**15 - 1, allow_nan=False)
# What the bot stores: at most 15 significant digits (bot/numbers.py), so a float's shortest text
# and its exact value agree to the last digit shown.
STORED = BOUNDED.map(lambda value: float(f"{value:.{numbers.MAX_DIGITS}g}"))


@pytest.mark.parametrize("tr", [RU, JA], ids=["ru", "ja"])
@settings(max_examples=300, deadline=None)
@given(value=STORED | st.integers(-(10**15) + 1, 10**15 - 1).map(float))
def test_numbers_are_what_babel_writes_for_the_locale(tr, value):
    assert localized.decimal(value, tr) == tr.decimal(value, digits=2)


@pytest.mark.parametrize("tr", [RU, JA], ids=["ru", "ja"])
@settings(max_examples=300, deadline=None)
@given(hundredths=st.integers(-(10**9), 10**9))
def test_percentages_are_what_babel_writes_for_the_locale(tr, hundredths):
    value = hundredths / 100  # a percentage as typed: 93.25
    assert localized.percent(value, tr) == tr.percent(value / 100, digits=2)


@given(value=BOUNDED)
@settings(max_examples=100, deadline=None)
def test_english_numbers_are_numbers_shown(value):
    assert number(value, ENGLISH) == number(value) == numbers.shown(value)
    assert with_unit(value, "%", ENGLISH) == with_unit(value, "%")


def test_numbers_months_and_percentages_per_language():
    assert [number(1234.5, tr) for tr in (ENGLISH, RU, JA)] == ["1,234.5", "1\xa0234,5", "1,234.5"]
    assert [with_unit(93.25, "%", tr) for tr in (ENGLISH, RU, JA)] == [
        "93.25%",
        "93,25\xa0%",
        "93.25%",
    ]
    # Past 2^45 a float's binary value and its shortest text part at the second decimal.
    for value in (70368744177664.1, -70368744177664.1, 2.0**45, 999999999999999.0):
        assert number(value, RU) == RU.decimal(value, digits=2)
    assert number(70368744177664.1, JA) == "70,368,744,177,664.1"
    assert number(1e16, RU) == number(1e16) == "1e+16"  # past the bound: the one format
    assert number(None, RU) == "–"
    labels = [localized.period_label("2027-03", tr) for tr in (ENGLISH, RU, JA)]
    assert labels == ["Mar 2027", "март 2027", "2027年3月"]
    assert [localized.short_month("2027-05", tr) for tr in (ENGLISH, RU, JA)] == [
        "May",
        "май",
        "5月",
    ]


def test_what_rounds_to_zero_is_never_minus_zero():
    assert [localized.decimal(-0.004, tr) for tr in (RU, JA)] == ["0", "0"]
