"""Catchball rounds: reading them, adding the next one, and deciding one exactly once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, func, select

from storage import audit
from storage.models import (
    CatchballDecision,
    CatchballRound,
    Objective,
    ObjectiveLevel,
    ObjectiveState,
    Person,
)

# The outbox key of a round's decision DM (the one with the buttons): its later outcome is an
# update of that row's post, and the App Home links to where it landed.
ASK_KEY_PREFIX = "catchball.ask:"
# The outbox key of the notice that tells a round's proposer how it was answered: "changes
# requested" carries Revise, and the revision updates that post, and no other.
NOTICE_KEY_PREFIX = "catchball.notice:"


def ask_key(round_id: int) -> str:
    return f"{ASK_KEY_PREFIX}{round_id}"


def notice_key(round_id: int) -> str:
    return f"{NOTICE_KEY_PREFIX}{round_id}"


def by_id(session: Session, *, workspace_id: int, round_id: int) -> CatchballRound | None:
    """Scoped by workspace: a round id from a button never reaches another workspace's round."""
    return session.exec(
        select(CatchballRound).where(
            CatchballRound.workspace_id == workspace_id, CatchballRound.id == round_id
        )
    ).first()


def of_objective(session: Session, *, workspace_id: int, objective_id: int) -> list[CatchballRound]:
    """Every round of one objective, oldest first."""
    return list(
        session.exec(
            select(CatchballRound)
            .where(
                CatchballRound.workspace_id == workspace_id,
                CatchballRound.objective_id == objective_id,
            )
            .order_by(CatchballRound.round_no)
        )
    )


def add(session: Session, *, actor: str, round: CatchballRound) -> CatchballRound:
    """Store a new round; (objective, round_no) is unique, so a racing second round fails."""
    session.add(round)
    session.flush()
    audit.record(
        session,
        workspace_id=round.workspace_id,
        actor=actor,
        action="catchball.propose",
        entity="catchball_round",
        entity_id=round.id,
        after=_snapshot(round),
    )
    return round


def decide(
    session: Session,
    *,
    actor: str,
    round: CatchballRound,
    decision: CatchballDecision,
    decided_by_id: int,
    decided_at: datetime,
    reason: str | None = None,
) -> bool:
    """Answer a pending round; False when it was answered already (a double click, a replay).

    The condition on `decision` makes this safe against concurrent clicks on both backends:
    the second UPDATE finds no pending row and changes nothing.
    """
    result = session.execute(
        update(CatchballRound)
        .where(
            CatchballRound.id == round.id,
            CatchballRound.decision == CatchballDecision.PENDING,
        )
        .values(
            decision=decision,
            decided_by_id=decided_by_id,
            decided_at=decided_at,
            reason=reason,
        )
    )
    session.refresh(round)
    if result.rowcount != 1:
        return False
    audit.record(
        session,
        workspace_id=round.workspace_id,
        actor=actor,
        action=f"catchball.{decision.value}",
        entity="catchball_round",
        entity_id=round.id,
        before={"decision": CatchballDecision.PENDING},
        after={"decision": decision, "decided_by_id": decided_by_id, "reason": reason},
    )
    return True


def people(
    session: Session,
    *,
    workspace_id: int,
    ids: Iterable[int | None] = (),
    slack_user_ids: Iterable[str | None] = (),
) -> list[Person]:
    """The people with any of these ids or Slack user ids, in one query."""
    wanted = {i for i in ids if i is not None}
    wanted_slack = {s for s in slack_user_ids if s}
    if not wanted and not wanted_slack:
        return []
    return list(
        session.exec(
            select(Person).where(
                Person.workspace_id == workspace_id,
                or_(Person.id.in_(wanted), Person.slack_user_id.in_(wanted_slack)),
            )
        )
    )


def owned_count(
    session: Session,
    *,
    workspace_id: int,
    owner_id: int,
    year: int,
    exclude_objective_id: int | None = None,
) -> int:
    """Annual and cascaded objectives a person owns or is proposed for in one fiscal year."""
    statement = select(func.count(Objective.id)).where(
        Objective.workspace_id == workspace_id,
        Objective.owner_id == owner_id,
        Objective.year == year,
        Objective.level != ObjectiveLevel.BREAKTHROUGH,
        Objective.state.in_([ObjectiveState.ACTIVE, ObjectiveState.PROPOSED]),
    )
    if exclude_objective_id is not None:
        statement = statement.where(Objective.id != exclude_objective_id)
    return int(session.exec(statement).one())


def _snapshot(round: CatchballRound) -> dict[str, Any]:
    return {
        "objective_id": round.objective_id,
        "round_no": round.round_no,
        "proposer_id": round.proposer_id,
        "decider_id": round.decider_id,
        "proposal": round.proposal,
        "diff": round.diff,
        "note": round.note,
        "decision": round.decision,
    }
