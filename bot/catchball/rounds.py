"""One objective's catchball as stored: loading it, adding the next round, settling the objective.

Shared by proposing (`bot.catchball.proposals`) and answering (`bot.catchball.decisions`); the
rules live in `bot.catchball.rules`.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.catchball.model import Proposal
from bot.catchball.rules import Catchball, StaleRound, diff, first_decider
from bot.errors import NotFound
from storage import catchball as stored
from storage import objectives
from storage.models import CatchballDecision as Decision
from storage.models import CatchballRound, ObjectiveState, Person


def load(session: Session, *, workspace_id: int, objective_id: int) -> Catchball:
    objective = objectives.by_id(session, workspace_id=workspace_id, objective_id=objective_id)
    parent = (
        objective
        and objective.parent_id
        and objectives.by_id(session, workspace_id=workspace_id, objective_id=objective.parent_id)
    )
    if not objective or not parent:
        raise NotFound("That objective no longer exists. `/hoshin status` shows the plan.")
    rounds = stored.of_objective(session, workspace_id=workspace_id, objective_id=objective_id)
    people = stored.people(
        session,
        workspace_id=workspace_id,
        ids=[objective.owner_id, parent.owner_id]
        + [i for r in rounds for i in (r.proposer_id, r.decider_id, r.decided_by_id)],
        slack_user_ids=[r.proposal.get("owner") for r in rounds],
    )
    return Catchball(objective, parent, rounds, {p.id: p for p in people})


def next_round(
    session: Session,
    ball: Catchball,
    *,
    user_id: str,
    proposer: Person,
    owner: Person,
    proposal: Proposal,
    base: Proposal | None,
    note: str | None,
    now: datetime,
    decider_id: int | None = None,
) -> CatchballRound:
    """Add the next round; when nobody has to agree, it is approved at once."""
    if decider_id is None:
        decider_id = first_decider(
            proposer_id=proposer.id, owner_id=owner.id, approver_id=ball.approver_id
        )
    latest = ball.latest
    round = stored.add(
        session,
        actor=user_id,
        round=CatchballRound(
            workspace_id=ball.objective.workspace_id,
            objective_id=ball.objective.id,
            round_no=(latest.round_no if latest else 0) + 1,
            proposer_id=proposer.id,
            decider_id=decider_id or proposer.id,
            proposal=proposal.as_json(),
            diff=diff(base, proposal) if base is not None else None,
            note=note,
        ),
    )
    ball.rounds.append(round)
    if ball.objective.state == ObjectiveState.PROPOSED:
        # A proposed objective shows its latest proposal; an active one keeps its values.
        objectives.update(
            session,
            actor=user_id,
            objective=ball.objective,
            changes=proposal.objective_values(owner.id),
            action="catchball.revise",
        )
    if decider_id is None:
        stored.decide(
            session,
            actor=user_id,
            round=round,
            decision=Decision.APPROVED,
            decided_by_id=proposer.id,
            decided_at=now,
        )
        settle(session, ball, round, "approved", user_id=user_id, owner=owner)
    return round


def settle(
    session: Session,
    ball: Catchball,
    round: CatchballRound,
    outcome: str,
    *,
    user_id: str,
    owner: Person | None,
) -> None:
    objective = ball.objective
    if outcome == "approved":
        changes = Proposal.from_json(round.proposal).objective_values(
            owner.id if owner else objective.owner_id
        )
        changes["state"] = ObjectiveState.ACTIVE
        objectives.update(
            session, actor=user_id, objective=objective, changes=changes, action="catchball.approve"
        )
    elif objective.state == ObjectiveState.PROPOSED:
        objectives.update(
            session,
            actor=user_id,
            objective=objective,
            changes={"state": ObjectiveState.REJECTED},
            action="catchball.reject",
        )


def stale(session: Session, ball: Catchball, round: CatchballRound) -> StaleRound:
    """Someone answered first: read the rounds again to say who, and what is current now."""
    fresh = load(session, workspace_id=ball.objective.workspace_id, objective_id=ball.objective.id)
    return StaleRound(fresh.stale_reason(round))
