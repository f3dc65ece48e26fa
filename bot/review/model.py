"""What the review's builders take: the bowling chart's cells and a thread's lines.

`bot.review.bowling` colours the cells and `bot.review.plan` reads the lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from storage.review import ReviewCheckIn


class Colour(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    BLANK = "blank"


# Unicode emoji, one character each: a year of months stays short enough for 60 rows a message.
DOT = {Colour.GREEN: "🟢", Colour.AMBER: "🟡", Colour.RED: "🔴", Colour.BLANK: "⚪"}


@dataclass(frozen=True)
class MonthResult:
    """What a check-in said for one month; None fields were not given."""

    actual: float | None = None
    status: str | None = None


@dataclass(frozen=True)
class BowlingMonth:
    period: str
    plan: float | None
    actual: float | None
    status: str | None
    colour: Colour


def dots(months: Sequence[BowlingMonth]) -> str:
    return "".join(DOT[m.colour] for m in months)


@dataclass(frozen=True)
class ObjectiveLine:
    """One objective of a review thread: its chart so far and this month's check-in, if any."""

    objective_id: int
    ref: str
    title: str
    owner: str | None  # Slack user id
    metric_name: str | None
    unit: str | None
    target: float | None
    months: tuple[BowlingMonth, ...]  # the fiscal year's months up to the thread's, in order
    check_in: ReviewCheckIn | None  # the thread month's

    @property
    def this_month(self) -> BowlingMonth:
        return self.months[-1]

    @property
    def checked_in(self) -> bool:
        c = self.check_in
        return c is not None and (c.status is not None or c.actual is not None)


@dataclass(frozen=True)
class ThreadSummary:
    period: str
    channel: str
    year: int
    lines: tuple[ObjectiveLine, ...]


@dataclass(frozen=True)
class CheckInReply:
    line: ObjectiveLine
    period: str
    person: str | None  # who checked in
