"""When check-ins fall due: business days, local times, daylight saving, downtime."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.cycle import business_day, current_due, due_at, next_due

NINE = time(9, 0)


@pytest.mark.parametrize(
    ("year", "month", "n", "expected"),
    [
        (2027, 5, 1, date(2027, 5, 3)),  # 1 May 2027 is a Saturday
        (2027, 3, 1, date(2027, 3, 1)),
        (2027, 3, 3, date(2027, 3, 3)),
        (2027, 2, 20, date(2027, 2, 26)),  # fewer business days than asked: the last one
    ],
)
def test_business_day(year, month, n, expected):
    assert business_day(year, month, n) == expected


def test_due_in_each_owners_timezone():
    berlin = due_at("2027-03", business_day_of_month=1, local_time=NINE, timezone="Europe/Berlin")
    tokyo = due_at("2027-03", business_day_of_month=1, local_time=NINE, timezone="Asia/Tokyo")
    new_york = due_at(
        "2027-03", business_day_of_month=1, local_time=NINE, timezone="America/New_York"
    )
    assert berlin == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    assert tokyo == datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
    assert new_york == datetime(2027, 3, 1, 14, 0, tzinfo=UTC)


# Cairo switches on weekdays (last Friday of April, 00:00 → 01:00; last Thursday of October,
# 24:00 → 23:00), so a weekday schedule really meets both a gap and a repeated hour there.
CAIRO = "Africa/Cairo"


def test_a_time_in_the_spring_forward_gap_happens_once_just_after_it():
    when = due_at("2027-04", business_day_of_month=22, local_time=time(0, 30), timezone=CAIRO)
    local = when.astimezone(ZoneInfo(CAIRO))
    assert (local.date(), local.hour, local.minute) == (date(2027, 4, 30), 1, 30)


def test_a_repeated_local_time_happens_the_first_time():
    when = due_at("2027-10", business_day_of_month=20, local_time=time(23, 30), timezone=CAIRO)
    assert when == datetime(2027, 10, 28, 20, 30, tzinfo=UTC)  # 23:30 summer time, not winter


@pytest.mark.parametrize(
    ("zone", "day", "at"),
    [
        (CAIRO, 22, time(0, 30)),
        (CAIRO, 20, time(23, 30)),
        ("Europe/Berlin", 1, NINE),
        ("America/New_York", 1, time(2, 30)),
    ],
)
def test_a_dst_night_neither_skips_nor_doubles(zone, day, at):
    """Tick hourly through the year (DST nights included): every period falls due once."""
    became_due: list[str] = []
    last = None
    moment = datetime(2027, 1, 1, tzinfo=UTC)
    while moment < datetime(2028, 1, 1, tzinfo=UTC):
        due = current_due(moment, business_day_of_month=day, local_time=at, timezone=zone)
        if due.period != last:
            became_due.append(due.period)
            last = due.period
        moment += timedelta(hours=1)
    assert became_due == ["2026-12"] + [f"2027-{m:02d}" for m in range(1, 13)]


def test_dst_weeks_move_the_utc_instant_not_the_local_one():
    # America/New_York is on daylight time from 14 March 2027: 09:00 local is 13:00 UTC.
    april = due_at("2027-04", business_day_of_month=1, local_time=NINE, timezone="America/New_York")
    assert april == datetime(2027, 4, 1, 13, 0, tzinfo=UTC)


def test_downtime_sends_the_latest_period_only():
    settings = dict(business_day_of_month=1, local_time=NINE, timezone="Europe/Berlin")
    # Down from 25 Feb to 5 April: only April is due on return, not March as well.
    assert current_due(datetime(2027, 4, 5, 12, tzinfo=UTC), **settings).period == "2027-04"
    # Back on 1 April before April's time: March, which fell due while down, is due once.
    assert current_due(datetime(2027, 4, 1, 6, tzinfo=UTC), **settings).period == "2027-03"


def test_next_due_for_operators():
    settings = dict(business_day_of_month=1, local_time=NINE, timezone="Europe/Berlin")
    assert next_due(datetime(2027, 3, 1, 8, 0, tzinfo=UTC), **settings).period == "2027-04"
    assert next_due(datetime(2027, 3, 1, 7, 59, tzinfo=UTC), **settings).period == "2027-03"
