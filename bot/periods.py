"""Periods (`YYYY-MM`) and fiscal years: which month of the plan a date falls in.

Fiscal year Y starts in month `start_month` of calendar year Y, so with a January start the
fiscal year is the calendar year, and with an April start FY2027 runs April 2027 – March 2028.
`monthly_plan[i]` is the plan for the i-th month of the fiscal year.
"""

from __future__ import annotations

from datetime import date

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(period: str) -> tuple[int, int]:
    year, month = period.split("-")
    return int(year), int(month)


def fiscal_year_of(day: date, start_month: int) -> int:
    return day.year if day.month >= start_month else day.year - 1


def fiscal_periods(year: int, start_month: int) -> list[str]:
    """The twelve periods of fiscal year `year`, in order."""
    periods = []
    for i in range(12):
        month = (start_month - 1 + i) % 12 + 1
        calendar_year = year + (start_month - 1 + i) // 12
        periods.append(f"{calendar_year:04d}-{month:02d}")
    return periods


def month_index(period: str, year: int, start_month: int) -> int | None:
    """Where `period` falls in fiscal year `year` (0..11), or None when outside it."""
    try:
        return fiscal_periods(year, start_month).index(period)
    except ValueError:
        return None


def month_label(period: str) -> str:
    year, month = parse_period(period)
    return f"{MONTH_NAMES[month - 1]} {year}"
