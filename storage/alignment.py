"""Reading what the X-matrix checks look at: the active plan and the catchball rounds still open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, cast
from sqlmodel import Session, select

from storage.models import (
    CatchballDecision,
    CatchballRound,
    Objective,
    ObjectiveState,
)


@dataclass(frozen=True, slots=True)
class PlanRow:
    id: int
    ref: str
    level: str
    parent_id: int | None
    title: str
    owner_id: int | None
    year: int | None
    start_year: int | None
    end_year: int | None
    metric_name: str | None
    target: float | None
    monthly_plan_json: str | None

    @property
    def has_monthly_plan(self) -> bool:
        # JSON columns hold SQL NULL or the JSON text "null" for "no plan", depending on how the
        # row was written. The text is only looked at, not decoded: 10,000 decodes cost more
        # than the query.
        text = (self.monthly_plan_json or "").strip()
        return text.startswith("[") and text.replace(" ", "") != "[]"


@dataclass(frozen=True, slots=True)
class WaitingRound:
    round_id: int
    round_no: int
    objective_ref: str
    objective_title: str
    proposer_id: int
    decider_id: int
    created_at: datetime


def active_plan(session: Session, *, workspace_id: int) -> list[PlanRow]:
    """Every active objective, in plan order, as plain rows (one query whatever the size)."""
    statement = (
        select(
            Objective.id,
            Objective.ref,
            Objective.level,
            Objective.parent_id,
            Objective.title,
            Objective.owner_id,
            Objective.year,
            Objective.start_year,
            Objective.end_year,
            Objective.metric_name,
            Objective.target,
            cast(Objective.monthly_plan, Text),
        )
        .where(Objective.workspace_id == workspace_id, Objective.state == ObjectiveState.ACTIVE)
        .order_by(Objective.position, Objective.id)
    )
    return [PlanRow(*row) for row in session.connection().execute(statement).all()]


def rounds_waiting_since(
    session: Session, *, workspace_id: int, before: datetime
) -> list[WaitingRound]:
    """Pending catchball rounds proposed before `before`, on objectives still in play."""
    statement = (
        select(
            CatchballRound.id,
            CatchballRound.round_no,
            Objective.ref,
            Objective.title,
            CatchballRound.proposer_id,
            CatchballRound.decider_id,
            CatchballRound.created_at,
        )
        .join(Objective, Objective.id == CatchballRound.objective_id)
        .where(
            CatchballRound.workspace_id == workspace_id,
            CatchballRound.decision == CatchballDecision.PENDING,
            CatchballRound.created_at < before,
            Objective.state.in_([ObjectiveState.PROPOSED, ObjectiveState.ACTIVE]),
        )
        .order_by(CatchballRound.created_at, CatchballRound.id)
    )
    return [WaitingRound(*row) for row in session.exec(statement)]
