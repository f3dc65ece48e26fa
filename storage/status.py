"""Reading what `/hoshin status` shows: a fixed number of queries whatever the plan's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_
from sqlmodel import Session, func, select

from storage.models import ActionItem, CheckIn, Objective, ObjectiveLevel, ObjectiveState, Person
from storage.rows import PlanRow, objective_columns, read


@dataclass(frozen=True, slots=True)
class ObjectiveRow(PlanRow):
    """An objective as `/hoshin status` shows it."""

    description: str | None
    review_channel: str | None
    position: int
    state: str = "active"  # "proposed": a draft in catchball (next year's, say)


@dataclass(frozen=True, slots=True)
class CheckInRow:
    objective_id: int
    period: str
    actual: float | None
    status: str | None
    what_happened: str | None = None
    challenges: str | None = None
    countermeasure: str | None = None


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    slack_user_id: str
    name: str


@dataclass(frozen=True, slots=True)
class ActionRow:
    id: int
    objective_id: int
    title: str
    owner_id: int | None
    due: date | None
    state: str


def active_objectives(
    session: Session, *, workspace_id: int, drafts: bool = False
) -> list[ObjectiveRow]:
    """Every active objective of the workspace, in plan order; plain rows, not ORM objects.

    `drafts`: also the annual objectives still proposed (next year's plan, in catchball).
    """
    shown = Objective.state == ObjectiveState.ACTIVE
    if drafts:
        draft = and_(
            Objective.state == ObjectiveState.PROPOSED, Objective.level == ObjectiveLevel.ANNUAL
        )
        shown = or_(shown, draft)
    statement = (
        select(*objective_columns(ObjectiveRow))
        .where(Objective.workspace_id == workspace_id, shown)
        .order_by(Objective.position, Objective.id)
    )
    return [ObjectiveRow(*row) for row in read(session, statement)]


def people(session: Session, *, workspace_id: int) -> dict[int, PersonRow]:
    statement = select(Person.id, Person.slack_user_id, Person.name).where(
        Person.workspace_id == workspace_id
    )
    return {row[0]: PersonRow(*row) for row in read(session, statement)}


def latest_check_ins(session: Session, *, workspace_id: int) -> dict[int, CheckInRow]:
    """The most recent check-in of every objective that reports something, in one query.

    A comment alone (a text reply to the prompt DM) says nothing about health, so it never
    hides the latest status or actual.
    """
    latest = (
        select(CheckIn.objective_id, func.max(CheckIn.period).label("period"))
        .where(
            CheckIn.workspace_id == workspace_id,
            or_(CheckIn.status.is_not(None), CheckIn.actual.is_not(None)),
        )
        .group_by(CheckIn.objective_id)
        .subquery()
    )
    statement = select(CheckIn.objective_id, CheckIn.period, CheckIn.actual, CheckIn.status).join(
        latest,
        and_(CheckIn.objective_id == latest.c.objective_id, CheckIn.period == latest.c.period),
    )
    return {row[0]: CheckInRow(*row) for row in read(session, statement)}


def check_ins_of(session: Session, *, objective_id: int) -> list[CheckInRow]:
    statement = (
        select(
            CheckIn.objective_id,
            CheckIn.period,
            CheckIn.actual,
            CheckIn.status,
            CheckIn.what_happened,
            CheckIn.challenges,
            CheckIn.countermeasure,
        )
        .where(CheckIn.objective_id == objective_id)
        .order_by(CheckIn.period)
    )
    return [CheckInRow(*row) for row in session.exec(statement)]


def actions(
    session: Session,
    *,
    workspace_id: int,
    objective_id: int | None = None,
    owner_id: int | None = None,
) -> list[ActionRow]:
    statement = select(
        ActionItem.id,
        ActionItem.objective_id,
        ActionItem.title,
        ActionItem.owner_id,
        ActionItem.due,
        ActionItem.state,
    ).where(ActionItem.workspace_id == workspace_id)
    if objective_id is not None:
        statement = statement.where(ActionItem.objective_id == objective_id)
    if owner_id is not None:
        statement = statement.where(ActionItem.owner_id == owner_id)
    statement = statement.order_by(ActionItem.due, ActionItem.position, ActionItem.id)
    return [ActionRow(*row) for row in session.exec(statement)]
