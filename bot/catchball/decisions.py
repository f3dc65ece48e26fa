"""Answering a catchball round: approve, accept, counter, ask for changes or reject, once.

Every click re-reads the round, its objective and its people, and re-checks who may act; the
round is decided by compare-and-set, so a double click or a replay decides it once.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot import ids
from bot.catchball import messages, rounds
from bot.catchball.model import Move, Proposal, RoundView
from bot.catchball.rules import NEEDS_REASON, Catchball, StaleRound, check_legal, play
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.scope import Scope
from storage import catchball as stored
from storage.models import CatchballDecision as Decision
from storage.models import CatchballRound, ObjectiveState


def check_move(session: Session, scope: Scope, *, round_id: int, move: Move) -> RoundView:
    """May this person make this move now? Checked before a reason or counter modal opens."""
    ball, round = _movable(session, scope, round_id=round_id, move=move)
    return ball.view(round)


def make_move(
    session: Session,
    scope: Scope,
    *,
    user_id: str,
    round_id: int,
    move: Move,
    now: datetime,
    reason: str | None = None,
    counter: Proposal | None = None,
) -> int:
    """Answer a round exactly once, with the DMs it calls for; returns the objective's id."""
    ball, round = _movable(session, scope, round_id=round_id, move=move)
    if move in NEEDS_REASON and not reason:
        raise InvalidInput("Please give a reason.", field=ids.FIELD_REASON)
    owner = ball.owner_of(round)
    if owner is None:
        raise NotFound("The proposed owner is no longer part of the plan; ask an admin.")
    step = play(
        move,
        kind=ball.kind(round),
        proposer_id=round.proposer_id,
        owner_id=owner.id,
        approver_id=ball.approver_id,
    )
    if not stored.decide(
        session,
        actor=user_id,
        round=round,
        decision=step.decision,
        decided_by_id=scope.person.id,
        decided_at=now,
        reason=reason,
    ):
        raise rounds.stale(session, ball, round)
    created = []
    if step.next_round is not None:
        proposer_id, decider_id = step.next_round
        proposal = Proposal.from_json(round.proposal)
        created = [
            rounds.next_round(
                session,
                ball,
                user_id=user_id,
                proposer=ball.people[proposer_id],
                owner=owner,
                proposal=counter or proposal,
                base=proposal,
                note=reason if counter else None,
                now=now,
                decider_id=decider_id,
            )
        ]
    if step.settles is not None:
        rounds.settle(session, ball, round, step.settles, user_id=user_id, owner=owner)
    messages.queue(session, ball.objective, created=created, decided=[round])
    return ball.objective.id


def _movable(
    session: Session, scope: Scope, *, round_id: int, move: Move
) -> tuple[Catchball, CatchballRound]:
    workspace_id = scope.workspace.id
    round = stored.by_id(session, workspace_id=workspace_id, round_id=round_id)
    if round is None:
        raise NotFound("That proposal no longer exists.")
    ball = rounds.load(session, workspace_id=workspace_id, objective_id=round.objective_id)
    person = scope.person
    if person is None or (person.id != round.decider_id and not person.is_admin):
        raise NotAllowed(
            f"Only <@{ball.slack_id(round.decider_id)}> (or an admin) can decide this."
        )
    if round.decision != Decision.PENDING:
        raise StaleRound(ball.stale_reason(round))
    if ball.objective.state not in (ObjectiveState.PROPOSED, ObjectiveState.ACTIVE):
        raise StaleRound(f"{ball.objective.ref} is {ball.objective.state}: nothing to decide.")
    check_legal(move, ball.kind(round))
    return ball, round
