"""When the monthly check-in is due: the Nth business day of the month at a local time.

Rules, in one place:
- Each owner is asked at the configured local time in their own timezone (Slack profile, else
  the workspace default) on the configured business day (Monday to Friday) of the month; a
  month with fewer business days uses its last one.
- Daylight saving: a local time that does not exist (spring forward) happens just after the
  gap; one that happens twice (fall back) happens the first time. Either way, exactly once.
- Downtime: what is due is the most recent period whose due time has passed. A bot that was
  down when prompts were due sends them when it comes back, once; one that was down for a
  whole month sends that month's prompts only, never a backlog of months.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.periods import parse_period, period_of


def business_day(year: int, month: int, n: int) -> date:
    """The nth Monday-to-Friday of the month (1-based), or the month's last one."""
    days = [
        date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() < 5
    ]
    return days[min(n, len(days)) - 1]


def parse_local_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def due_at(period: str, *, business_day_of_month: int, local_time: time, timezone: str) -> datetime:
    """The UTC instant the check-in of `period` is due for someone in `timezone`."""
    year, month = parse_period(period)
    local = datetime.combine(business_day(year, month, business_day_of_month), local_time)
    # fold=0 (PEP 495): an ambiguous time is its first occurrence; a time in a spring-forward
    # gap maps to one real instant just after the gap (02:30 → 03:30 on a one-hour jump).
    return local.replace(tzinfo=ZoneInfo(timezone), fold=0).astimezone(UTC)


def previous_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year - 1}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


@dataclass(frozen=True)
class Due:
    period: str
    due_at: datetime


def current_due(
    now: datetime, *, business_day_of_month: int, local_time: time, timezone: str
) -> Due:
    """The most recent period whose check-in is due at or before `now`, in that timezone."""
    local_period = period_of(now.astimezone(ZoneInfo(timezone)).date())
    for period in (local_period, previous_period(local_period)):
        when = due_at(
            period,
            business_day_of_month=business_day_of_month,
            local_time=local_time,
            timezone=timezone,
        )
        if when <= now:
            return Due(period, when)
    # Unreachable in practice: last month's due time is always in the past.
    raise AssertionError("no due period found")


def next_due(now: datetime, *, business_day_of_month: int, local_time: time, timezone: str) -> Due:
    """The next period whose check-in falls due after `now` (for `hoshin jobs list`)."""
    period = period_of(now.astimezone(ZoneInfo(timezone)).date())
    for _ in range(3):
        when = due_at(
            period,
            business_day_of_month=business_day_of_month,
            local_time=local_time,
            timezone=timezone,
        )
        if when > now:
            return Due(period, when)
        year, month = parse_period(period)
        period = f"{year + 1}-01" if month == 12 else f"{year:04d}-{month + 1:02d}"
    raise AssertionError("no next due period found")
