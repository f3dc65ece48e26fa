"""What the check-in's builders take: plain frozen dataclasses (the rules build them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.context import CheckInRef
from storage.a3 import A3Row
from storage.actions import OverdueRow
from storage.models import CheckIn


@dataclass(frozen=True)
class AskedObjective:
    """One objective of a prompt: the plan for the month and how last month went."""

    objective_id: int
    ref: str
    title: str
    metric_name: str | None
    unit: str | None
    plan: float | None
    target: float | None
    last_actual: float | None = None
    last_status: str | None = None
    a3: A3Row | None = None  # last month's written A3: the prompt asks whether it worked


@dataclass(frozen=True)
class CheckInAsk:
    """What one owner's prompt (or reminder) shows."""

    owner_user_id: str
    owner_name: str
    period: str
    vision: str | None
    objectives: tuple[AskedObjective, ...]
    overdue: tuple[OverdueRow, ...] = ()


@dataclass(frozen=True)
class Escalation:
    """What an owner's manager is told when a check-in stays open too long."""

    owner_user_id: str
    owner_name: str
    period: str
    open_objectives: tuple[AskedObjective, ...]
    prompted_at: datetime
    days: int


@dataclass(frozen=True)
class Answer:
    actual: float | None
    status: str | None
    what_happened: str | None = None
    challenges: str | None = None
    countermeasure: str | None = None

    def as_dict(self) -> dict:
        return {
            "actual": self.actual,
            "status": self.status,
            "what_happened": self.what_happened,
            "challenges": self.challenges,
            "countermeasure": self.countermeasure,
        }

    @classmethod
    def of(cls, row: CheckIn | None) -> Answer | None:
        if row is None or (row.status is None and row.actual is None):
            return None
        return cls(
            row.actual,
            row.status,
            row.what_happened,
            row.challenges,
            row.countermeasure,
        )


@dataclass(frozen=True)
class CheckInForm:
    """What the check-in modal shows: the objective, its target, this month's plan, last month."""

    ref: CheckInRef
    objective_ref: str
    title: str
    metric_name: str | None
    unit: str | None
    target: float | None
    plan: float | None
    previous_period: str
    previous: Answer | None
    existing: Answer | None
    comment: str | None = None


@dataclass(frozen=True)
class Submitted:
    workspace_id: int
    check_in_id: int
    objective_ref: str
    period: str
    created: bool
    thread_ids: list[int]


@dataclass(frozen=True)
class KeptReply:
    workspace_id: int
    person: str
    period: str
    refs: list[str]
    thread_ids: list[int]


@dataclass(frozen=True)
class AwayChange:
    person: str
    until: date | None
    changed: bool
    manager: str | None
    asked: bool  # False: `/hoshin away` alone, showing the current state
