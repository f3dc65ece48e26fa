"""The plan: objectives as one tree, their action items, and catchball rounds."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import json_column, updated_at_field, utcnow


class ObjectiveLevel(StrEnum):
    BREAKTHROUGH = "breakthrough"  # 3-5 years
    ANNUAL = "annual"
    CASCADED = "cascaded"  # a department's, team's or person's share of a parent


class ObjectiveState(StrEnum):
    PROPOSED = "proposed"  # in catchball, not yet approved
    ACTIVE = "active"
    REJECTED = "rejected"
    ARCHIVED = "archived"  # kept for history, never deleted


class Objective(SQLModel, table=True):
    """One node of the plan tree: a breakthrough, an annual or a cascaded objective."""

    __table_args__ = (UniqueConstraint("workspace_id", "ref", name="uq_objective_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    ref: str = Field(max_length=64)
    level: ObjectiveLevel = Field(sa_type=String(24))
    parent_id: int | None = Field(default=None, foreign_key="objective.id", index=True)
    title: str
    description: str | None = None
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # Breakthroughs span years; annual and cascaded objectives belong to one fiscal year.
    start_year: int | None = None
    end_year: int | None = None
    year: int | None = Field(default=None, index=True)
    metric_name: str | None = None
    metric_unit: str | None = None
    baseline: float | None = None
    target: float | None = None
    higher_is_better: bool = True
    monthly_plan: list[float] | None = Field(default=None, sa_column=json_column())
    review_channel: str | None = Field(default=None, max_length=32)
    state: ObjectiveState = Field(default=ObjectiveState.ACTIVE, sa_type=String(24))
    position: int = 0  # order among siblings, as in the plan file
    # A draft for next year carried over from this objective by the annual reflection.
    carried_from_id: int | None = Field(default=None, foreign_key="objective.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = updated_at_field()


class ActionState(StrEnum):
    OPEN = "open"
    DONE = "done"
    BLOCKED = "blocked"


class ActionItem(SQLModel, table=True):
    """A step of an action plan: what, who, by when."""

    __tablename__ = "action_item"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    title: str
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    due: date | None = None
    state: ActionState = Field(default=ActionState.OPEN, sa_type=String(24))
    position: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = updated_at_field()


class CatchballDecision(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    ACCEPTED = "accepted"  # the proposed owner takes the leader's proposal as is
    COUNTERED = "countered"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


class CatchballRound(SQLModel, table=True):
    """One round of catchball on a cascaded objective: a proposal and its answer."""

    __tablename__ = "catchball_round"
    __table_args__ = (UniqueConstraint("objective_id", "round_no", name="uq_catchball_round"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    round_no: int
    proposer_id: int = Field(foreign_key="person.id")
    decider_id: int = Field(foreign_key="person.id")  # who is asked to answer this round
    proposal: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))
    diff: dict[str, Any] | None = Field(default=None, sa_column=json_column())
    note: str | None = None
    decision: CatchballDecision = Field(default=CatchballDecision.PENDING, sa_type=String(24))
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: datetime | None = None
    reason: str | None = None
    dm_channel: str | None = Field(default=None, max_length=32)
    dm_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
