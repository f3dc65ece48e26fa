"""What the annual reflection is made of, as the builders hand it to the job that posts it.

`bot.reflection.service.build_reflection_post` makes a `ReflectionPost` from the database; the
`annual-reflection` job (schedules/) posts it once: the summary, the chart into its thread,
then the replies in order. Every message here already fits Slack's limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
