"""Reading one fiscal year for the annual reflection: seven queries whatever the plan's size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, or_
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
from storage.rows import CheckInAnswer, PlanRow, columns, objective_columns, read


@dataclass(frozen=True, slots=True)
class YearObjective(PlanRow):
    """An objective of the year, and when it joined the plan (one added mid-year says so)."""

    state: str
    position: int
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class YearPerson:
    id: int
    slack_user_id: str
    name: str
    unreachable_reason: str | None


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
    check_ins: list[CheckInAnswer] = field(default_factory=list)
    hansei: list[YearHansei] = field(default_factory=list)
    a3s: list[YearA3] = field(default_factory=list)
    prompts: list[YearPrompt] = field(default_factory=list)


def read_year(
    session: Session, *, workspace_id: int, year: int, periods: Sequence[str]
) -> YearData:
    """The year's plan and everything said about it; `periods` are its twelve months."""
    periods = list(periods)
    had_check_in = exists().where(CheckIn.objective_id == Objective.id, CheckIn.period.in_(periods))
    yearly = (
        select(*objective_columns(YearObjective))
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
        select(*objective_columns(YearObjective))
        .where(
            Objective.workspace_id == workspace_id,
            Objective.level == ObjectiveLevel.BREAKTHROUGH,
            Objective.state.in_([ObjectiveState.ACTIVE, ObjectiveState.ARCHIVED]),
        )
        .order_by(Objective.position, Objective.id)
    )
    people = select(*columns(YearPerson, Person)).where(Person.workspace_id == workspace_id)
    check_ins = (
        select(*columns(CheckInAnswer, CheckIn))
        .join(Objective, Objective.id == CheckIn.objective_id)
        .where(
            CheckIn.workspace_id == workspace_id,
            CheckIn.period.in_(periods),
            Objective.year == year,
        )
        .order_by(CheckIn.objective_id, CheckIn.period)
    )
    hansei = (
        select(*columns(YearHansei, HanseiAnswer))
        .where(HanseiAnswer.workspace_id == workspace_id, HanseiAnswer.year == year)
        .order_by(HanseiAnswer.objective_id)
    )
    a3s = (
        select(*columns(YearA3, A3Report))
        .where(A3Report.workspace_id == workspace_id, A3Report.period.in_(periods))
        .order_by(A3Report.objective_id, A3Report.period)
    )
    prompts = select(*columns(YearPrompt, CheckInPrompt)).where(
        CheckInPrompt.workspace_id == workspace_id,
        CheckInPrompt.kind == "checkin",
        CheckInPrompt.period.in_(periods),
    )
    return YearData(
        breakthroughs=[YearObjective(*row) for row in read(session, breakthroughs)],
        objectives=[YearObjective(*row) for row in read(session, yearly)],
        people={row[0]: YearPerson(*row) for row in read(session, people)},
        check_ins=[CheckInAnswer(*row) for row in read(session, check_ins)],
        hansei=[YearHansei(*row) for row in read(session, hansei)],
        a3s=[YearA3(*row) for row in read(session, a3s)],
        prompts=[YearPrompt(*row) for row in read(session, prompts)],
    )
