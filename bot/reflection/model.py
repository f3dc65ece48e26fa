"""What the annual reflection is made of: the year's facts the builders take (computed by
`bot.reflection.facts`), and the messages the builders hand to the job that posts it.

`bot.reflection.service.build_reflection_post` makes a `ReflectionPost` from the database; the
`annual-reflection` job (schedules/) posts it once: the summary, the chart into its thread,
then the replies in order. Every message here already fits Slack's limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.periods import MONTH_NAMES, parse_period
from bot.review.model import BowlingMonth


@dataclass(frozen=True)
class ReflectionMessage:
    """One Slack message: the plain-text fallback and its Block Kit blocks (≤ 50, validated)."""

    text: str
    blocks: list[dict[str, Any]]


@dataclass(frozen=True)
class CarryOver:
    """A proposal for next year: a missed objective, or a lesson that names a change."""

    objective_id: int
    ref: str
    title: str
    reason: str  # why it carries over, in a sentence: "missed: 12.1 of 14 M$", "lesson: ..."


@dataclass(frozen=True)
class ReflectionPost:
    """Everything the leadership channel gets for one fiscal year, in posting order."""

    year: int
    summary: ReflectionMessage  # the parent message
    # Thread replies in order: one or more per breakthrough, then the closing reply with the
    # carry-overs and, for admins, ids.ACTION_REFLECTION_CARRYOVER.
    replies: list[ReflectionMessage]
    chart_png: bytes
    chart_filename: str  # e.g. "bowling-chart-2027.png"
    chart_title: str
    carry_overs: list[CarryOver] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # JSON-able; stored on Reflection.summary


# ---- the facts of a fiscal year ----------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    slack_user_id: str
    name: str
    left: bool  # Slack says the person can no longer be reached (deactivated, removed)


@dataclass(frozen=True)
class Countermeasure:
    text: str
    period: str  # the month it was first named
    source: str  # "check-in" or "A3"
    worked: str | None  # A3: yes | partly | no; check-in: the colour of the month after, or None
    note: str | None = None
    until: str | None = None  # check-in: the last month it was named


@dataclass(frozen=True)
class Hansei:
    owner: Owner | None
    went_well: str | None
    went_badly: str | None
    root_causes: str | None
    learned: str | None
    carry_over: str | None


@dataclass(frozen=True)
class Trend:
    word: str  # improving | worsening | flat | not enough data
    first: float | None = None
    last: float | None = None
    spark: str = ""


@dataclass
class ObjectiveFacts:
    id: int
    ref: str
    level: str
    title: str
    parent_id: int | None
    owner: Owner | None
    metric_name: str | None
    unit: str | None
    baseline: float | None
    target: float | None
    higher_is_better: bool
    archived: bool
    months: list[BowlingMonth]
    due: list[bool]  # per month of the year: was a check-in due?
    final_actual: float | None
    final_period: str | None
    outcome: str  # hit | missed | no result
    green_months: int
    months_due: int
    answered_months: int
    expected_months: int
    added_period: str | None  # set when the objective was created during the year
    gap: float | None
    trend: Trend
    challenges: list[tuple[str, int]]
    countermeasures: list[Countermeasure]
    hansei: Hansei | None
    depth: int = 0

    @property
    def response_rate(self) -> float | None:
        return self.answered_months / self.expected_months if self.expected_months else None

    @property
    def green_share(self) -> float | None:
        return self.green_months / self.months_due if self.months_due else None

    @property
    def notes(self) -> list[str]:
        """What a reader should know beside the numbers, in plain words (the post and the report)."""
        notes = []
        if self.added_period:
            notes.append(f"added in {MONTH_NAMES[parse_period(self.added_period)[1] - 1]}")
        if self.archived:
            notes.append("archived")
        if self.owner is not None and self.owner.left:
            notes.append("owner has left")
        if not self.answered_months:
            notes.append("no check-ins")
        return notes


@dataclass
class BreakthroughFacts:
    id: int | None  # None gathers the annual objectives that have no breakthrough
    ref: str
    title: str
    owner: Owner | None
    annual: list[ObjectiveFacts] = field(default_factory=list)
    # Every objective of the year under it, annual ones each followed by their cascade.
    objectives: list[ObjectiveFacts] = field(default_factory=list)


@dataclass
class YearFacts:
    year: int
    workspace_name: str
    vision: str | None
    periods: list[str]
    months_due: int
    complete: bool  # the year is over
    breakthroughs: list[BreakthroughFacts]
    objectives: list[ObjectiveFacts]
    annual: list[ObjectiveFacts]
    gaps: list[ObjectiveFacts]
    prompts_sent: int
    prompts_answered: int

    @property
    def check_ins(self) -> int:
        return sum(o.answered_months for o in self.objectives)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.annual if o.outcome == outcome)
