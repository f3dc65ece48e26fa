"""The bowling chart: plan vs actual per month, each month green, amber or red.

The colour of one month, in one place:
- the owner's own status for that month when the check-in gives one: on track is green,
  at risk amber, off track red (the person closest to the work knows best);
- else the actual against that month's plan, respecting the metric's direction: meeting the
  plan (at or above it when higher is better, at or below when lower is better) is green;
  missing it by at most 5 % of the plan's size is amber; missing it by more is red;
- a month without a check-in, without an actual or without a plan value is blank (no colour).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.review.model import BowlingMonth, Colour, MonthResult

AMBER_TOLERANCE = 0.05


STATUS_COLOUR = {"on_track": Colour.GREEN, "at_risk": Colour.AMBER, "off_track": Colour.RED}


def month_colour(
    *,
    status: str | None,
    actual: float | None,
    plan: float | None,
    higher_is_better: bool = True,
) -> Colour:
    """The colour of one month of the chart (the rule is in this module's docstring)."""
    if status in STATUS_COLOUR:
        return STATUS_COLOUR[status]
    if actual is None or plan is None:
        return Colour.BLANK
    shortfall = (plan - actual) if higher_is_better else (actual - plan)
    if shortfall <= 0:
        return Colour.GREEN
    if shortfall <= AMBER_TOLERANCE * abs(plan):
        return Colour.AMBER
    return Colour.RED


def chart(
    periods: Sequence[str],
    plan: Sequence[float] | None,
    results: Mapping[str, MonthResult],
    *,
    higher_is_better: bool = True,
) -> list[BowlingMonth]:
    """One row of the chart: `periods` are the fiscal year's months so far, in order, and
    `plan[i]` is the plan of the i-th of them."""
    months = []
    for i, period in enumerate(periods):
        planned = plan[i] if plan and i < len(plan) else None
        result = results.get(period) or MonthResult()
        colour = month_colour(
            status=result.status,
            actual=result.actual,
            plan=planned,
            higher_is_better=higher_is_better,
        )
        months.append(BowlingMonth(period, planned, result.actual, result.status, colour))
    return months
