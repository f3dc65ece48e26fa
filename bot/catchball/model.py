"""What catchball's builders take: the proposal, a round as the messages show it, the modal's form.

The rules that fill them in are in `bot.catchball.rules`; the service applies them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, model_validator

from bot.context import SlackContext
from storage.models import CatchballDecision as Decision
from storage.models import Objective

NOTE_LIMIT = 3000
DESCRIPTION_FIELD_LIMIT = 3000  # what a Slack text input holds
FIELD_NAMES = {
    "title": "Title",
    "owner": "Owner",
    "metric_name": "Metric",
    "metric_unit": "Unit",
    "baseline": "Baseline",
    "target": "Target",
    "direction": "Direction",
    "monthly_plan": "Monthly plan",
    "description": "Description",
}


class ProposeContext(SlackContext):
    """What a propose modal is for: a new objective under a parent, or a new round on one."""

    parent_id: int | None = Field(default=None, ge=1)
    objective_id: int | None = Field(default=None, ge=1)
    # The round whose "changes requested" notice (its outbox post) had the Revise button that
    # opened the modal, to update that post after: never a channel and ts, which would let a
    # forged form name any message the bot can edit.
    notice_round_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_target(self) -> ProposeContext:
        if (self.parent_id is None) == (self.objective_id is None):
            raise ValueError("give a parent or an objective")
        if self.notice_round_id is not None and self.objective_id is None:
            raise ValueError("a notice belongs to a round on an objective")
        return self


class DecisionContext(SlackContext):
    """The round a reason modal answers, and how."""

    round_id: int = Field(ge=1)
    move: Literal["request_changes", "reject"]


@dataclass(frozen=True)
class Proposal:
    """A whole proposed objective, as a round stores it; `owner` is a Slack user id."""

    title: str
    owner: str
    metric_name: str | None
    metric_unit: str | None
    baseline: float | None
    target: float | None
    direction: str  # "higher" | "lower", as the modal's select says it
    monthly_plan: tuple[float, ...] | None
    description: str | None

    @property
    def higher_is_better(self) -> bool:
        return self.direction != "lower"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["monthly_plan"] = list(self.monthly_plan) if self.monthly_plan else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Proposal:
        plan = data.get("monthly_plan")
        return cls(
            title=str(data.get("title") or ""),
            owner=str(data.get("owner") or ""),
            metric_name=data.get("metric_name"),
            metric_unit=data.get("metric_unit"),
            baseline=_float(data.get("baseline")),
            target=_float(data.get("target")),
            direction="lower" if data.get("direction") == "lower" else "higher",
            monthly_plan=tuple(float(v) for v in plan) if plan else None,
            description=data.get("description"),
        )

    @classmethod
    def of_objective(cls, objective: Objective, owner: str) -> Proposal:
        """An objective's values as they stand: what a change is compared with."""
        return cls.from_json(
            {
                "title": objective.title,
                "owner": owner,
                "metric_name": objective.metric_name,
                "metric_unit": objective.metric_unit,
                "baseline": objective.baseline,
                "target": objective.target,
                "direction": "higher" if objective.higher_is_better else "lower",
                "monthly_plan": objective.monthly_plan,
                "description": objective.description,
            }
        )

    def objective_values(self, owner_id: int) -> dict[str, Any]:
        return {
            "title": self.title,
            "owner_id": owner_id,
            "metric_name": self.metric_name,
            "metric_unit": self.metric_unit,
            "baseline": self.baseline,
            "target": self.target,
            "higher_is_better": self.higher_is_better,
            "monthly_plan": list(self.monthly_plan) if self.monthly_plan else None,
            "description": self.description,
        }


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


class Move(StrEnum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    ACCEPT = "accept"
    COUNTER = "counter"


class RoundKind(StrEnum):
    ANSWER = "answer"  # the proposed owner accepts or counter-proposes
    APPROVAL = "approval"  # the approver approves, asks for changes or rejects


@dataclass(frozen=True)
class RoundView:
    """One round as the messages show it: plain values, and Slack ids for people."""

    round_id: int
    round_no: int
    ref: str
    year: int | None
    parent_ref: str
    parent_title: str
    parent_target: float | None
    parent_unit: str | None
    kind: RoundKind
    is_change: bool
    proposer: str
    decider: str
    approver: str
    proposal: Proposal
    diff: dict[str, list[Any]] | None
    compared_with: int | None  # the round the diff is against; None: the objective as it stands
    note: str | None
    decision: Decision
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    successor_no: int | None
    successor_decider: str | None
    dm_channel: str | None
    dm_ts: str | None


@dataclass(frozen=True)
class ProposeForm:
    """What the propose modal shows: what it is for, the parent, and the values to start from."""

    context: ProposeContext
    mode: Literal["new", "change", "revision"]
    parent: Objective
    approver: str  # the parent's owner, as a Slack user id
    ref: str | None  # the objective a change or revision is about
    initial: Proposal | None
    default_owner: str
    asked: str | None = None  # why changes were requested, shown atop a revision
    asked_by: str | None = None
