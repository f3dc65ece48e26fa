"""Metric values: the one bound every number from a person or a plan file must keep, and the
formats that fit any number, stored before the bound or after, into the field that shows it.

Why these figures:
- |value| < 10^15 (a million billion): beyond any real metric, yet every whole number below it
  is exact in a float (2^53 is about 9·10^15), and written out with grouping it takes at most
  20 characters, well inside the 40 of a number's field.
- At most 15 significant digits and 6 decimal places: a decimal of 15 significant digits
  survives a float unchanged, so what was typed is what is stored and shown again; 6 places
  hold rates such as 0.000015 and keep the longest number short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation

LIMIT = 10**15  # every value lies strictly between -LIMIT and LIMIT
MAX_PLACES = 6
MAX_DIGITS = 15
FIELD_MAX = 40  # max_length of every input that holds one number
PLAN_FIELD_MAX = 12 * (FIELD_MAX + 1)  # the monthly plan: twelve numbers and separators
SHOWN_MAX = 24  # the longest text plain() or shown() returns, for any float at all

_LIMIT_TEXT = f"{LIMIT:,}"


@dataclass(frozen=True)
class Refusal:
    """Why a number that reads as a number is still not a usable metric value."""

    headline: str  # "Too large"
    says: str  # "is too large": after the value or "Value 3"
    advice: str  # what a person should type instead
    expected: str  # the same, as a plan-file problem ends

    def sentence(self) -> str:
        return f"{self.headline}: {self.advice}."


_LARGE = Refusal(
    "Too large",
    "is too large",
    f"enter a number below {_LIMIT_TEXT}",
    f"expected a number below {_LIMIT_TEXT}",
)
_SMALL = Refusal(
    "Too small",
    "is too small",
    f"enter a number above -{_LIMIT_TEXT}",
    f"expected a number above -{_LIMIT_TEXT}",
)
_PLACES = Refusal(
    "Too precise",
    f"has more than {MAX_PLACES} decimal places",
    f"use at most {MAX_PLACES} decimal places",
    f"expected at most {MAX_PLACES} decimal places",
)
_DIGITS = Refusal(
    "Too precise",
    f"has more than {MAX_DIGITS} significant digits",
    f"use at most {MAX_DIGITS} significant digits",
    f"expected at most {MAX_DIGITS} significant digits",
)


def decimal_of(value: str | int | float) -> Decimal | None:
    """The exact decimal a text or a value means, or None when it is not a number at all.

    A float is taken as its shortest form (0.1, not 0.1000000000000000055…), as a person wrote it.
    NaN and infinities come back as such: callers say "finite" about them.
    """
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            return Decimal(repr(value))
        parsed = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return None
    return None if parsed.is_snan() else parsed  # "sNaN" is no number a float would take


def refusal(value: Decimal) -> Refusal | None:
    """Why a finite decimal is not a usable metric value, or None when it is one."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int), "only finite decimals have a bound"
    kept = list(digits)
    while kept and kept[-1] == 0:  # 12.500 has one decimal place, 1200 two significant digits
        kept.pop()
        exponent += 1
    while kept and kept[0] == 0:
        kept.pop(0)
    if not kept:
        return None  # zero, however it was written
    if exponent + len(kept) > len(str(LIMIT)) - 1:  # at least 10^15 in size
        return _SMALL if value.is_signed() else _LARGE
    if -exponent > MAX_PLACES:
        return _PLACES
    if len(kept) > MAX_DIGITS:
        return _DIGITS
    return None


def representable(value: float) -> float:
    """The nearest number the bound allows: at most MAX_PLACES decimals and MAX_DIGITS
    significant digits, for values the bot computes (a straight monthly plan) and then offers
    in a modal that would refuse a longer one."""
    exact = decimal_of(value)
    if exact is None or not exact.is_finite() or not exact:
        return value
    places = min(MAX_PLACES, MAX_DIGITS - exact.adjusted() - 1)
    kept = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    if refusal(kept) is not None:  # rounding up reached the bound or added a digit: cut instead
        kept = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    return float(kept)


def plain(value: float) -> str:
    """A stored number as someone would type it again: exact, ungrouped, at most SHOWN_MAX long.

    Numbers stored before the bound existed come out in scientific notation (1e+308), still
    exact, so a modal that shows them opens and a person can correct them.
    """
    value = float(value)
    if not math.isfinite(value) or abs(value) >= LIMIT:
        return repr(value)
    if value.is_integer():
        return str(int(value))
    text = format(Decimal(repr(value)), "f")  # 1e-05 as 0.00001
    return text if len(text) <= SHOWN_MAX else repr(value)


def shown(value: float) -> str:
    """A number for reading: grouped, two decimals at most; beyond the bound in scientific form."""
    value = float(value)
    if not math.isfinite(value) or abs(value) >= LIMIT:
        return f"{value:.6g}"
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
