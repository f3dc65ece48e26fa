"""Catchball against the database: proposing, answering rounds, and what Slack must hear.

The rules live in `bot.catchball`; here they meet stored rows. Button values carry ids only,
so every click re-reads the round, its objective and its people, and re-checks who may act.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from slack_sdk import WebClient
from sqlmodel import Session

from bot import ids
from bot.catchball import (
    DESCRIPTION_FIELD_LIMIT,
    NEEDS_REASON,
    Catchball,
    Delivery,
    Move,
    Proposal,
    ProposeContext,
    ProposeForm,
    RoundView,
    StaleRound,
    check_legal,
    diff,
    first_decider,
    play,
)
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.people import resolve_owner
from bot.scope import Scope
from storage import catchball as stored
from storage import objectives
from storage.events import claim
from storage.models import CatchballDecision as Decision
from storage.models import (
    CatchballRound,
    Objective,
    ObjectiveLevel,
    ObjectiveState,
    Person,
    Workspace,
)


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


# ---- proposing ------------------------------------------------------------------------------


def open_new(
    session: Session,
    scope: Scope,
    *,
    user_id: str,
    parent_ref: str | None = None,
    parent_id: int | None = None,
) -> ProposeForm:
    """`/hoshin propose REF` and the Home tab's button: a new objective under a parent."""
    parent = _parent(session, scope.workspace.id, ref=parent_ref, objective_id=parent_id)
    return ProposeForm(
        ProposeContext(parent_id=parent.id),
        "new",
        parent,
        _slack_id(session, scope.workspace.id, parent.owner_id),
        ref=None,
        initial=None,
        default_owner=user_id,
    )


def open_round(
    session: Session,
    scope: Scope,
    *,
    ref: str | None = None,
    round_id: int | None = None,
    notice: tuple[str, str] | None = None,
) -> ProposeForm:
    """`/hoshin revise REF` and the Revise button: the next round on an existing objective."""
    workspace_id = scope.workspace.id
    if round_id is not None:
        clicked = stored.by_id(session, workspace_id=workspace_id, round_id=round_id)
        if clicked is None:
            raise NotFound("That proposal no longer exists.")
        ball = load(session, workspace_id=workspace_id, objective_id=clicked.objective_id)
        if ball.latest.id != clicked.id:
            raise StaleRound(ball.stale_reason(clicked))
    else:
        objective = objectives.by_ref(session, workspace_id=workspace_id, ref=ref or "")
        if objective is None:
            raise NotFound(f"There is no objective `{ref}`. `/hoshin status` shows the plan.")
        ball = load(session, workspace_id=workspace_id, objective_id=objective.id)
    mode = _revisable(ball, scope)
    latest = ball.latest
    asked = latest if latest is not None and latest.decision == Decision.CHANGES_REQUESTED else None
    context = ProposeContext(
        objective_id=ball.objective.id,
        notice_channel=notice[0] if notice else None,
        notice_ts=notice[1] if notice else None,
    )
    return ProposeForm(
        context,
        mode,
        ball.parent,
        ball.slack_id(ball.approver_id),
        ref=ball.objective.ref,
        initial=ball.base(),
        default_owner=ball.slack_id(ball.objective.owner_id),
        asked=asked.reason if asked else None,
        asked_by=ball.slack_id(asked.decided_by_id) if asked else None,
    )


def submit_proposal(
    session: Session,
    client: WebClient,
    scope: Scope,
    *,
    user_id: str,
    context: ProposeContext,
    proposal: Proposal,
    owner: Person,
    note: str | None,
    now: datetime,
) -> int:
    """Store a proposal from the modal as the next round; returns the objective's id."""
    workspace = scope.workspace
    proposer = scope.person or resolve_owner(
        session, client, workspace_id=workspace.id, slack_user_id=user_id, field=ids.FIELD_TITLE
    )
    if context.parent_id is not None:
        parent = _parent(session, workspace.id, objective_id=context.parent_id)
        _check_limit(session, workspace, owner, parent.year, None)
        objective = Objective(
            workspace_id=workspace.id,
            ref=objectives.next_child_ref(session, workspace_id=workspace.id, parent=parent),
            level=ObjectiveLevel.CASCADED,
            parent_id=parent.id,
            year=parent.year,
            state=ObjectiveState.PROPOSED,
            position=len(
                objectives.children(session, workspace_id=workspace.id, parent_id=parent.id)
            ),
            **proposal.objective_values(owner.id),
        )
        objectives.create(session, actor=user_id, objective=objective)
        ball = Catchball(objective, parent, [], {p.id: p for p in (owner, proposer)})
        base = None
    else:
        ball = load(session, workspace_id=workspace.id, objective_id=context.objective_id)
        mode = _revisable(ball, scope, proposer)
        base = ball.base()
        if proposal.description is None and len(base.description or "") > DESCRIPTION_FIELD_LIMIT:
            # Too long for a Slack text field, so the modal left it out: keep it as it is.
            proposal = replace(proposal, description=base.description)
        if mode == "change" and proposal == base:
            raise InvalidInput(
                f"That is {ball.objective.ref} as it stands: change the target, title or "
                "another field to propose a change.",
                field=ids.FIELD_TARGET,
            )
        if owner.id != ball.objective.owner_id:
            _check_limit(session, workspace, owner, ball.objective.year, ball.objective.id)
        ball.people.update({owner.id: owner, proposer.id: proposer})
        latest = ball.latest
        if (
            latest is not None
            and latest.decision == Decision.PENDING
            and not stored.decide(
                session,
                actor=user_id,
                round=latest,
                decision=Decision.SUPERSEDED,
                decided_by_id=proposer.id,
                decided_at=now,
            )
        ):
            raise _stale(session, ball, latest)
    _next_round(
        session,
        ball,
        user_id=user_id,
        proposer=proposer,
        owner=owner,
        proposal=proposal,
        base=base,
        note=note,
        now=now,
    )
    return ball.objective.id


def propose_draft(
    session: Session,
    *,
    user_id: str,
    proposer: Person,
    objective: Objective,
    note: str | None,
    now: datetime,
) -> CatchballRound:
    """The first round on a draft the bot made (next year's, from a carry-over): its owner is
    asked as for any proposal. Unlike a proposal from the modal, it is never approved at once:
    an admin who owns it and its parent still answers it in their DM."""
    ball = load(session, workspace_id=objective.workspace_id, objective_id=objective.id)
    owner = ball.people.get(objective.owner_id) if objective.owner_id else None
    if owner is None:
        raise NotFound(f"{objective.ref} has no owner to ask.")
    ball.people[proposer.id] = proposer
    decider = first_decider(
        proposer_id=proposer.id, owner_id=owner.id, approver_id=ball.approver_id or proposer.id
    )
    return _next_round(
        session,
        ball,
        user_id=user_id,
        proposer=proposer,
        owner=owner,
        proposal=Proposal.of_objective(objective, owner.slack_user_id),
        base=None,
        note=note,
        now=now,
        decider_id=decider or owner.id,
    )


def _slack_id(session: Session, workspace_id: int, person_id: int | None) -> str:
    found = stored.people(session, workspace_id=workspace_id, ids=[person_id])
    return found[0].slack_user_id if found else "nobody"


def _parent(
    session: Session, workspace_id: int, *, ref: str | None = None, objective_id: int | None = None
) -> Objective:
    if objective_id is not None:
        parent = objectives.by_id(session, workspace_id=workspace_id, objective_id=objective_id)
    else:
        parent = objectives.by_ref(session, workspace_id=workspace_id, ref=ref or "")
    if parent is None and ref is None:  # a button's id: gone, or never this workspace's
        raise NotFound("That objective no longer exists. `/hoshin status` shows the plan.")
    if parent is None:
        raise NotFound(f"There is no objective `{ref}`. `/hoshin status` shows the plan.")
    if parent.state != ObjectiveState.ACTIVE:
        raise InvalidInput(f"{parent.ref} is {parent.state}: propose under an active objective.")
    if parent.level == ObjectiveLevel.BREAKTHROUGH or parent.year is None:
        raise InvalidInput(
            f"{parent.ref} is a breakthrough objective: admins set the annual objectives under "
            "it. Cascade from an annual objective instead, like `/hoshin propose AN1`."
        )
    if parent.owner_id is None:
        raise InvalidInput(f"{parent.ref} has no owner to approve proposals; ask an admin.")
    return parent


def _revisable(ball: Catchball, scope: Scope, person: Person | None = None) -> str:
    """What this person may propose on the objective: a revision of its open proposal, or a
    change to it as it stands; NotAllowed says who may instead."""
    objective, latest = ball.objective, ball.latest
    person = person or scope.person
    me = person.id if person else None
    admin = scope.is_admin
    if objective.level != ObjectiveLevel.CASCADED:
        raise NotAllowed(
            f"{objective.ref} is a {objective.level} objective: admins change those. Catchball "
            "changes cascaded objectives."
        )
    if objective.state in (ObjectiveState.REJECTED, ObjectiveState.ARCHIVED):
        raise NotAllowed(
            f"{objective.ref} was {objective.state}. Propose a new one with "
            f"`/hoshin propose {ball.parent.ref}`."
        )
    if latest is not None and latest.decision == Decision.PENDING:
        if me == latest.proposer_id:
            return "revision"
        if me == latest.decider_id:
            raise NotAllowed(
                f"Round {latest.round_no} of {objective.ref} waits for your answer: use the "
                "buttons on the message I sent you."
            )
        if admin:
            return "revision"
        raise NotAllowed(
            f"{objective.ref} is in catchball: round {latest.round_no} waits for "
            f"<@{ball.slack_id(latest.decider_id)}>."
        )
    if latest is not None and latest.decision == Decision.CHANGES_REQUESTED:
        if me == latest.proposer_id or admin:
            return "revision"
        raise NotAllowed(
            f"Changes to {objective.ref} were asked of <@{ball.slack_id(latest.proposer_id)}>, "
            "who proposed it."
        )
    if me in (objective.owner_id, ball.approver_id) or admin:
        return "change"
    raise NotAllowed(
        f"Only {objective.ref}'s owner <@{ball.slack_id(objective.owner_id)}>, "
        f"<@{ball.slack_id(ball.approver_id)}> who owns {ball.parent.ref}, or an admin can "
        "propose a change to it."
    )


def _check_limit(
    session: Session, workspace: Workspace, owner: Person, year: int | None, exclude: int | None
) -> None:
    """Hoshin asks for focus: a person owns at most the workspace's number of objectives."""
    if year is None:
        return
    limit = workspace.owner_objective_limit
    count = stored.owned_count(
        session,
        workspace_id=workspace.id,
        owner_id=owner.id,
        year=year,
        exclude_objective_id=exclude,
    )
    if count >= limit:
        raise InvalidInput(
            f"{owner.name} already has {count} objectives for FY{year}, this workspace's limit "
            f"of {limit}. Pick someone else, or ask an admin.",
            field=ids.FIELD_OWNER,
        )


def _next_round(
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
        _settle(session, ball, round, "approved", user_id=user_id, owner=owner)
    return round


def _settle(
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


# ---- answering a round ----------------------------------------------------------------------


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
    """Answer a round exactly once; returns the objective's id."""
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
        raise _stale(session, ball, round)
    if step.next_round is not None:
        proposer_id, decider_id = step.next_round
        proposal = Proposal.from_json(round.proposal)
        _next_round(
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
    if step.settles is not None:
        _settle(session, ball, round, step.settles, user_id=user_id, owner=owner)
    return ball.objective.id


def _stale(session: Session, ball: Catchball, round: CatchballRound) -> StaleRound:
    """Someone answered first: read the rounds again to say who, and what is current now."""
    fresh = load(session, workspace_id=ball.objective.workspace_id, objective_id=ball.objective.id)
    return StaleRound(fresh.stale_reason(round))


def _movable(
    session: Session, scope: Scope, *, round_id: int, move: Move
) -> tuple[Catchball, CatchballRound]:
    workspace_id = scope.workspace.id
    round = stored.by_id(session, workspace_id=workspace_id, round_id=round_id)
    if round is None:
        raise NotFound("That proposal no longer exists.")
    ball = load(session, workspace_id=workspace_id, objective_id=round.objective_id)
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


# ---- what Slack still has to hear -----------------------------------------------------------


def outstanding(session: Session, *, workspace_id: int, objective_id: int) -> list[Delivery]:
    """What Slack has not been told yet about this objective's rounds, each claimed once.

    Claimed before sending, so a double click or a replayed submission never sends twice.
    """
    ball = load(session, workspace_id=workspace_id, objective_id=objective_id)
    return [d for d in ball.due() if claim(session, workspace_id=workspace_id, key=d.key)]


def latest_view(session: Session, *, workspace_id: int, objective_id: int) -> RoundView | None:
    ball = load(session, workspace_id=workspace_id, objective_id=objective_id)
    return ball.view(ball.latest) if ball.latest else None
