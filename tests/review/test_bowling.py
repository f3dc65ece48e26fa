"""The bowling chart's colour rule: the owner's status first, else actual against plan."""

from __future__ import annotations

import pytest

from bot.review.bowling import chart, month_colour
from bot.review.model import Colour, MonthResult, dots


@pytest.mark.parametrize(
    ("status", "colour"),
    [("on_track", Colour.GREEN), ("at_risk", Colour.AMBER), ("off_track", Colour.RED)],
)
def test_the_owners_status_decides_whatever_the_numbers_say(status, colour):
    assert month_colour(status=status, actual=0, plan=100) is colour
    assert month_colour(status=status, actual=None, plan=None) is colour


@pytest.mark.parametrize(
    ("actual", "plan", "colour"),
    [
        (100, 100, Colour.GREEN),  # plan met exactly
        (120, 100, Colour.GREEN),  # beaten
        (95, 100, Colour.AMBER),  # 5 % short: still amber
        (94.9, 100, Colour.RED),  # more than 5 % short
        (0, 0, Colour.GREEN),
        (-1, 0, Colour.RED),  # nothing is within 5 % of a zero plan but the plan itself
        (-104, -100, Colour.AMBER),  # tolerance on the plan's size, whatever its sign
        (-106, -100, Colour.RED),
    ],
)
def test_higher_is_better(actual, plan, colour):
    assert month_colour(status=None, actual=actual, plan=plan) is colour


@pytest.mark.parametrize(
    ("actual", "plan", "colour"),
    [
        (5, 5, Colour.GREEN),
        (4, 5, Colour.GREEN),  # below a lower-is-better plan: met
        (5.25, 5, Colour.AMBER),
        (5.26, 5, Colour.RED),
    ],
)
def test_lower_is_better(actual, plan, colour):
    assert month_colour(status=None, actual=actual, plan=plan, higher_is_better=False) is colour


def test_a_month_without_an_actual_or_a_plan_is_blank():
    assert month_colour(status=None, actual=None, plan=10) is Colour.BLANK
    assert month_colour(status=None, actual=10, plan=None) is Colour.BLANK
    assert month_colour(status="unknown", actual=None, plan=10) is Colour.BLANK


def test_a_chart_row_follows_the_plan_month_by_month():
    periods = ["2027-01", "2027-02", "2027-03", "2027-04"]
    results = {
        "2027-01": MonthResult(actual=10),
        "2027-02": MonthResult(actual=9.6),
        "2027-04": MonthResult(actual=1, status="on_track"),
    }
    months = chart(periods, [10, 10, 10], results)
    assert [m.colour for m in months] == [
        Colour.GREEN,
        Colour.AMBER,
        Colour.BLANK,  # no check-in in March
        Colour.GREEN,  # no plan for April, but the owner's status
    ]
    assert [m.plan for m in months] == [10, 10, 10, None]
    assert dots(months) == "🟢🟡⚪🟢"
    assert chart(periods, None, {}) and all(
        m.colour is Colour.BLANK for m in chart(periods, None, {})
    )
