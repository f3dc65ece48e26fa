"""Reading one fiscal year for the annual reflection: seven queries whatever the plan's size."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Text, and_, cast, exists, or_
from sqlmodel import Session, select

from storage.models import (
    A3Report,
    CheckIn,
    CheckInPrompt,
    HanseiAnswer,
    Objective,
    ObjectiveLevel,
    ObjectiveState,
    Person,
)


@dataclass(frozen=True, slots=True)
class YearObjective:
    id: int
    ref: str
    level: str
    parent_id: int | None
    title: str
    owner_id: int | None
    start_year: int | None
    end_year: int | None
    year: int | None
    metric_name: str | None
    metric_unit: str | None
    baseline: float | None
    target: float | None
    higher_is_better: bool
    monthly_plan_json: str | None
    state: str
    position: int
    created_at: datetime | None

    @property
    def monthly_plan(self) -> list[float] | None:
        plan = json.loads(self.monthly_plan_json) if self.monthly_plan_json else None
        return plan if isinstance(plan, list) else None


@dataclass(frozen=True, slots=True)
class YearPerson:
    id: int
    slack_user_id: str
    name: str
    unreachable_reason: str | None


@dataclass(frozen=True, slots=True)
class YearCheckIn:
    objective_id: int
    period: str
    person_id: int | None
    actual: float | None
    status: str | None
    what_happened: str | None
    challenges: str | None
    countermeasure: str | None
    comment: str | None


@dataclass(frozen=True, slots=True)
class YearHansei:
    objective_id: int
    person_id: int | None
    went_well: str | None
    went_badly: str | None
    root_causes: str | None
    learned: str | None
    carry_over: str | None


@dataclass(frozen=True, slots=True)
class YearA3:
    objective_id: int
    period: str
    person_id: int | None
    problem: str | None
    root_cause: str | None
    countermeasure: str | None
    worked: str | None
    worked_note: str | None
    worked_period: str | None


@dataclass(frozen=True, slots=True)
class YearPrompt:
    person_id: int
    period: str
    state: str


@dataclass
class YearData:
    """Everything the reflection of one fiscal year is built from, as plain rows."""

    breakthroughs: list[YearObjective] = field(default_factory=list)
    objectives: list[YearObjective] = field(default_factory=list)  # annual and cascaded
    people: dict[int, YearPerson] = field(default_factory=dict)
    check_ins: list[YearCheckIn] = field(default_factory=list)
    hansei: list[YearHansei] = field(default_factory=list)
    a3s: list[YearA3] = field(default_factory=list)
    prompts: list[YearPrompt] = field(default_factory=list)


_COLUMNS = (
    Objective.id,
    Objective.ref,
    Objective.level,
    Objective.parent_id,
    Objective.title,
    Objective.owner_id,
    Objective.start_year,
    Objective.end_year,
    Objective.year,
    Objective.metric_name,
    Objective.metric_unit,
    Objective.baseline,
    Objective.target,
    Objective.higher_is_better,
    cast(Objective.monthly_plan, Text),
    Objective.state,
    Objective.position,
    Objective.created_at,
)


def _rows(session: Session, statement):
    return session.connection().execute(statement).all()


def read_year(
    session: Session, *, workspace_id: int, year: int, periods: Sequence[str]
) -> YearData:
    """The year's plan and everything said about it; `periods` are its twelve months."""
    periods = list(periods)
    had_check_in = exists().where(CheckIn.objective_id == Objective.id, CheckIn.period.in_(periods))
    yearly = (
        select(*_COLUMNS)
        .where(
            Objective.workspace_id == workspace_id,
            Objective.level != ObjectiveLevel.BREAKTHROUGH,
            Objective.year == year,
            or_(
                Objective.state == ObjectiveState.ACTIVE,
                and_(Objective.state == ObjectiveState.ARCHIVED, had_check_in),
            ),
        )
        .order_by(Objective.position, Objective.id)
    )
    # Every breakthrough that is not a rejected or pending proposal; the domain keeps those
    # that span the year or hold one of its annual objectives.
    breakthroughs = (
        select(*_COLUMNS)
        .where(
            Objective.workspace_id == workspace_id,
            Objective.level == ObjectiveLevel.BREAKTHROUGH,
            Objective.state.in_([ObjectiveState.ACTIVE, ObjectiveState.ARCHIVED]),
        )
        .order_by(Objective.position, Objective.id)
    )
    people = select(Person.id, Person.slack_user_id, Person.name, Person.unreachable_reason).where(
        Person.workspace_id == workspace_id
    )
    check_ins = (
        select(
            CheckIn.objective_id,
            CheckIn.period,
            CheckIn.person_id,
            CheckIn.actual,
            CheckIn.status,
            CheckIn.what_happened,
            CheckIn.challenges,
            CheckIn.countermeasure,
            CheckIn.comment,
        )
        .join(Objective, Objective.id == CheckIn.objective_id)
        .where(
            CheckIn.workspace_id == workspace_id,
            CheckIn.period.in_(periods),
            Objective.year == year,
        )
        .order_by(CheckIn.objective_id, CheckIn.period)
    )
    hansei = (
        select(
            HanseiAnswer.objective_id,
            HanseiAnswer.person_id,
            HanseiAnswer.went_well,
            HanseiAnswer.went_badly,
            HanseiAnswer.root_causes,
            HanseiAnswer.learned,
            HanseiAnswer.carry_over,
        )
        .where(HanseiAnswer.workspace_id == workspace_id, HanseiAnswer.year == year)
        .order_by(HanseiAnswer.objective_id)
    )
    a3s = (
        select(
            A3Report.objective_id,
            A3Report.period,
            A3Report.person_id,
            A3Report.problem,
            A3Report.root_cause,
            A3Report.countermeasure,
            A3Report.worked,
            A3Report.worked_note,
            A3Report.worked_period,
        )
        .where(A3Report.workspace_id == workspace_id, A3Report.period.in_(periods))
        .order_by(A3Report.objective_id, A3Report.period)
    )
    prompts = select(CheckInPrompt.person_id, CheckInPrompt.period, CheckInPrompt.state).where(
        CheckInPrompt.workspace_id == workspace_id,
        CheckInPrompt.kind == "checkin",
        CheckInPrompt.period.in_(periods),
    )
    return YearData(
        breakthroughs=[YearObjective(*row) for row in _rows(session, breakthroughs)],
        objectives=[YearObjective(*row) for row in _rows(session, yearly)],
        people={row[0]: YearPerson(*row) for row in _rows(session, people)},
        check_ins=[YearCheckIn(*row) for row in _rows(session, check_ins)],
        hansei=[YearHansei(*row) for row in _rows(session, hansei)],
        a3s=[YearA3(*row) for row in _rows(session, a3s)],
        prompts=[YearPrompt(*row) for row in _rows(session, prompts)],
    )
