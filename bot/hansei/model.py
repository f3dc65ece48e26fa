"""What the hansei's builders take: plain frozen dataclasses (the rules build them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.context import HanseiRef
from storage.hansei_answers import ANSWER_FIELDS
from storage.models import HanseiAnswer


@dataclass(frozen=True)
class ReflectObjective:
    """One objective of a hansei DM: its target and how far it got."""

    objective_id: int
    ref: str
    title: str
    metric_name: str | None
    unit: str | None
    target: float | None
    actual: float | None = None
    actual_period: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class HanseiAsk:
    """What one owner's hansei DM (or its reminder) shows; `done`: objectives answered."""

    owner_user_id: str
    owner_name: str
    year: int
    year_end: date
    closes_at: datetime
    vision: str | None
    objectives: tuple[ReflectObjective, ...]
    done: frozenset[int] = field(default_factory=frozenset)

    @property
    def still_open(self) -> tuple[ReflectObjective, ...]:
        """The objectives still without a reflection."""
        return tuple(o for o in self.objectives if o.objective_id not in self.done)


@dataclass(frozen=True)
class HanseiEscalation:
    """What an owner's manager is told when a hansei stays open too long."""

    owner_user_id: str
    owner_name: str
    year: int
    open_objectives: tuple[ReflectObjective, ...]
    prompted_at: datetime
    closes_at: datetime
    days: int
    away_until: date | None = None


@dataclass(frozen=True)
class Reflection:
    went_well: str | None
    went_badly: str | None
    root_causes: str | None = None
    learned: str | None = None
    carry_over: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {f: getattr(self, f) for f in ANSWER_FIELDS}

    @classmethod
    def of(cls, row: HanseiAnswer | None) -> Reflection | None:
        if row is None:
            return None
        return cls(*(getattr(row, f) for f in ANSWER_FIELDS))


@dataclass(frozen=True)
class HanseiForm:
    """What the hansei modal shows: the objective, its year's outcome, the answer so far."""

    ref: HanseiRef
    objective_ref: str
    title: str
    metric_name: str | None
    unit: str | None
    target: float | None
    actual: float | None
    actual_period: str | None
    closes_at: datetime
    existing: Reflection | None


@dataclass(frozen=True)
class HanseiSubmitted:
    workspace_id: int
    objective_ref: str
    year: int
    created: bool
    done: int
    total: int


@dataclass(frozen=True)
class HanseiDue:
    """A year-end reflection the person still owes, for the App Home."""

    year: int
    year_end: date
    closes_at: datetime
    open_objectives: tuple[ReflectObjective, ...]  # the first HOME_SHOWN
    open_total: int
    done: int
