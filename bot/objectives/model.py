"""What the X-matrix check finds, as its builders take it; `bot.objectives.checks` finds it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class IssueKind(StrEnum):
    """In the order `/hoshin check` lists them: structure first, then gaps, then people."""

    ANNUAL_WITHOUT_BREAKTHROUGH = "annual_without_breakthrough"
    BREAKTHROUGH_WITHOUT_ANNUAL = "breakthrough_without_annual"
    NO_OWNER = "no_owner"
    NO_METRIC = "no_metric"
    NO_MONTHLY_PLAN = "no_monthly_plan"
    OWNER_OVERLOADED = "owner_overloaded"
    PROPOSAL_WAITING = "proposal_waiting"


@dataclass(frozen=True, slots=True)
class AlignmentIssue:
    """One thing to fix. `message` is plain text; `person` a Slack user id (the owner, or who
    holds a waiting proposal)."""

    kind: IssueKind
    message: str
    ref: str | None = None
    person: str | None = None


@dataclass(frozen=True)
class PlanCheck:
    year: int
    limit: int
    issues: list[AlignmentIssue]
