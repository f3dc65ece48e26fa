"""Reading what the X-matrix checks look at: the active plan and the catchball rounds still open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from storage.models import CatchballDecision, CatchballRound, Objective, ObjectiveState
from storage.rows import PlanRow, objective_columns, read


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
        select(*objective_columns())
        .where(Objective.workspace_id == workspace_id, Objective.state == ObjectiveState.ACTIVE)
        .order_by(Objective.position, Objective.id)
    )
    return [PlanRow(*row) for row in read(session, statement)]


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
