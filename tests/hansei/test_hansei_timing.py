"""When the hansei falls due and when its answers close, for any fiscal year start."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.hansei.prompts import (
    answers_close_at,
    hansei_due_at,
    is_closed,
    next_hansei,
    year_due,
    year_end,
)
from storage.models import Workspace


def workspace(**settings) -> Workspace:
    return Workspace(team_id="T0TIME", **settings)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_calendar_year_is_asked_three_weeks_before_it_ends_on_a_weekday():
    ws = workspace()  # January start, 3 weeks, 09:00 UTC, first business day
    assert year_end(ws, 2027) == date(2027, 12, 31)
    # 1 Jan 2028 minus three weeks is Saturday 11 Dec: moved back to Friday the 10th.
    assert hansei_due_at(ws, 2027) == at(2027, 12, 10, 9, 0)
    # Answers until next year's second check-in falls due: Tuesday 1 February 2028, 09:00.
    assert answers_close_at(ws, 2027) == at(2028, 2, 1, 9, 0)


def test_an_april_fiscal_year_in_berlin_uses_the_workspace_time_and_zone():
    ws = workspace(fiscal_year_start_month=4, timezone="Europe/Berlin", checkin_time="09:30")
    # FY2027 runs April 2027 to March 2028.
    assert year_end(ws, 2027) == date(2028, 3, 31)
    # 1 Apr 2028 minus 3 weeks is Saturday 11 March: Friday 10 March, 09:30 CET.
    assert hansei_due_at(ws, 2027) == at(2028, 3, 10, 8, 30)
    # May 2028's check-in (Monday 1 May, 09:30 CEST) closes it.
    assert answers_close_at(ws, 2027) == at(2028, 5, 1, 7, 30)
    assert year_due(ws, at(2028, 3, 10, 8, 29)) is None
    assert year_due(ws, at(2028, 3, 10, 8, 30)) == 2027
    assert year_due(ws, at(2028, 4, 20, 12, 0)) == 2027  # in FY2028 already: still FY2027's
    assert year_due(ws, at(2028, 5, 1, 7, 30)) is None  # closed
    assert year_due(ws, at(2027, 12, 1, 12, 0)) is None


@pytest.mark.parametrize(
    ("weeks", "due"),
    [
        (0, at(2028, 6, 30, 9, 0)),  # 1 July 2028 is a Saturday: the Friday before
        (1, at(2028, 6, 23, 9, 0)),
        (3, at(2028, 6, 9, 9, 0)),
        (6, at(2028, 5, 19, 9, 0)),
    ],
)
def test_the_configured_weeks_before_a_july_year_end(weeks, due):
    ws = workspace(fiscal_year_start_month=7, hansei_weeks_before_year_end=weeks)
    assert year_end(ws, 2027) == date(2028, 6, 30)
    assert hansei_due_at(ws, 2027) == due
    assert year_due(ws, due) == 2027
    assert answers_close_at(ws, 2027) == at(2028, 8, 1, 9, 0)


def test_a_year_end_on_a_weekday_keeps_its_day():
    ws = workspace(hansei_weeks_before_year_end=2)
    # 1 Jan 2029 is a Monday; two weeks before is Monday 18 December 2028.
    assert hansei_due_at(ws, 2028) == at(2028, 12, 18, 9, 0)


def test_closed_and_next():
    ws = workspace()
    assert not is_closed(ws, 2027, at(2028, 2, 1, 8, 59))
    assert is_closed(ws, 2027, at(2028, 2, 1, 9, 0))
    assert next_hansei(ws, at(2027, 6, 15)) == (2027, at(2027, 12, 10, 9, 0))
    assert next_hansei(ws, at(2027, 12, 10, 9, 0)) == (2028, hansei_due_at(ws, 2028))
    assert year_due(ws, at(2027, 12, 10, 8, 59)) is None
    assert year_due(ws, at(2028, 1, 15)) == 2027
