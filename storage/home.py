"""Reading what a person's App Home shows, in a fixed number of queries whatever the plan's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, and_, cast, literal
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from storage.catchball import ASK_KEY_PREFIX
from storage.models import (
    ActionItem,
    ActionState,
    CatchballDecision,
    CatchballRound,
    Objective,
    OutboxMessage,
    Person,
)
from storage.objectives import LIVE_STATES
from storage.rows import columns, read


@dataclass(frozen=True, slots=True)
class PendingDecisionRow:
    """A catchball round waiting for one person's answer, with what it is about."""

    round_id: int
    round_no: int
    objective_id: int
    objective_ref: str
    objective_title: str
    parent_ref: str | None
    parent_title: str | None
    proposer_slack_id: str
    proposer_name: str
    dm_channel: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OpenActionRow:
    """An action item still to do, with the objective it serves."""

    id: int
    title: str
    due: date | None
    state: str
    objective_id: int
    objective_ref: str


@dataclass(frozen=True, slots=True)
class OwnedObjectiveRow:
    id: int
    ref: str
    level: str
    state: str
    title: str
    year: int | None


def pending_decisions(
    session: Session, *, workspace_id: int, decider_id: int, limit: int
) -> tuple[list[PendingDecisionRow], int]:
    """The first `limit` rounds waiting for `decider_id`, oldest first, and how many there are."""
    child = aliased(Objective)
    parent = aliased(Objective)
    conditions = (
        CatchballRound.workspace_id == workspace_id,
        CatchballRound.decider_id == decider_id,
        CatchballRound.decision == CatchballDecision.PENDING,
        child.state.in_(LIVE_STATES),
    )
    statement = (
        select(
            CatchballRound.id,
            CatchballRound.round_no,
            child.id,
            child.ref,
            child.title,
            parent.ref,
            parent.title,
            Person.slack_user_id,
            Person.name,
            # Where the decision DM landed: its outbox row, or (older rounds) the round itself.
            func.coalesce(OutboxMessage.result_channel, CatchballRound.dm_channel),
            CatchballRound.created_at,
        )
        .select_from(CatchballRound)
        .join(child, child.id == CatchballRound.objective_id)
        .join(Person, Person.id == CatchballRound.proposer_id)
        .outerjoin(parent, parent.id == child.parent_id)
        .outerjoin(
            OutboxMessage,
            and_(
                OutboxMessage.workspace_id == CatchballRound.workspace_id,
                OutboxMessage.dedup_key
                == literal(ASK_KEY_PREFIX) + cast(CatchballRound.id, String),
            ),
        )
        .where(*conditions)
        .order_by(CatchballRound.created_at, CatchballRound.id)
        .limit(limit)
    )
    rows = [PendingDecisionRow(*row) for row in read(session, statement)]
    total = _count(
        session,
        select(func.count())
        .select_from(CatchballRound)
        .join(child, child.id == CatchballRound.objective_id)
        .where(*conditions),
        shown=len(rows),
        limit=limit,
    )
    return rows, total


def open_actions(
    session: Session, *, workspace_id: int, owner_id: int, limit: int
) -> tuple[list[OpenActionRow], int]:
    """The first `limit` open or blocked actions of `owner_id`, soonest due first, and the count."""
    conditions = (
        ActionItem.workspace_id == workspace_id,
        ActionItem.owner_id == owner_id,
        ActionItem.state.in_((ActionState.OPEN, ActionState.BLOCKED)),
        Objective.state.in_(LIVE_STATES),
    )
    statement = (
        select(*columns(OpenActionRow, ActionItem, objective_ref=Objective.ref))
        .select_from(ActionItem)
        .join(Objective, Objective.id == ActionItem.objective_id)
        .where(*conditions)
        # Undated actions last: they are never "due".
        .order_by(ActionItem.due.is_(None), ActionItem.due, ActionItem.position, ActionItem.id)
        .limit(limit)
    )
    rows = [OpenActionRow(*row) for row in read(session, statement)]
    total = _count(
        session,
        select(func.count())
        .select_from(ActionItem)
        .join(Objective, Objective.id == ActionItem.objective_id)
        .where(*conditions),
        shown=len(rows),
        limit=limit,
    )
    return rows, total


def owned_objectives(
    session: Session, *, workspace_id: int, owner_id: int
) -> list[OwnedObjectiveRow]:
    """Every live objective `owner_id` owns, proposed ones included (status shows active only)."""
    statement = (
        select(*columns(OwnedObjectiveRow, Objective))
        .where(
            Objective.workspace_id == workspace_id,
            Objective.owner_id == owner_id,
            Objective.state.in_(LIVE_STATES),
        )
        .order_by(Objective.position, Objective.id)
    )
    return [OwnedObjectiveRow(*row) for row in read(session, statement)]


def _count(session: Session, statement, *, shown: int, limit: int) -> int:
    """The full count, skipping the query when the first page already held everything."""
    if shown < limit:
        return shown
    return int(session.connection().execute(statement).scalar_one())
