"""Proposing in catchball: the propose modal's form, a proposal stored as the next round, drafts.

Button values carry ids only, so every form and submission re-reads the objective, its parent
and its rounds, and re-checks who may propose what (`bot.catchball.rules` has the rules).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from slack_sdk import WebClient
from sqlmodel import Session

from bot import forms, ids
from bot.blocks.common import clip
from bot.catchball import messages, rounds
from bot.catchball.model import DESCRIPTION_FIELD_LIMIT, Proposal, ProposeContext, ProposeForm
from bot.catchball.rules import Catchball, StaleRound, first_decider
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.people import resolve_owner
from bot.scope import Scope
from storage import catchball as stored
from storage import objectives
from storage.models import CatchballDecision as Decision
from storage.models import (
    CatchballRound,
    Objective,
    ObjectiveLevel,
    ObjectiveState,
    OutboxMessage,
    Person,
    Workspace,
)


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
    """`/hoshin revise REF` and the Revise button: the next round on an existing objective.

    `notice`: the channel and ts of the message the button was on. The form remembers the
    round whose notice it was only when that is the notice the bot recorded sending this
    person for it, so the revision can update it; from any other message it updates none.
    """
    workspace_id = scope.workspace.id
    if round_id is not None:
        clicked = stored.by_id(session, workspace_id=workspace_id, round_id=round_id)
        if clicked is None:
            raise NotFound("That proposal no longer exists.")
        ball = rounds.load(session, workspace_id=workspace_id, objective_id=clicked.objective_id)
        if ball.latest.id != clicked.id:
            raise StaleRound(ball.stale_reason(clicked))
    else:
        objective = objectives.by_ref(session, workspace_id=workspace_id, ref=ref or "")
        if objective is None:
            raise NotFound(
                f"There is no objective `{clip(ref, forms.REF_LIMIT)}`. `/hoshin status` shows the plan."
            )
        ball = rounds.load(session, workspace_id=workspace_id, objective_id=objective.id)
    mode = _revisable(ball, scope)
    latest = ball.latest
    asked = latest if latest is not None and latest.decision == Decision.CHANGES_REQUESTED else None
    context = ProposeContext(
        objective_id=ball.objective.id,
        notice_round_id=asked.id
        if asked and _clicked_on_notice(session, scope, asked, notice)
        else None,
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
    """Store a proposal from the modal as the next round, with the DMs it calls for; returns
    the objective's id."""
    workspace = scope.workspace
    superseded: list[CatchballRound] = []
    notice: OutboxMessage | None = None  # the "changes requested" notice this revision answers
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
        notice = _notice_of(session, workspace.id, context, user_id)
        ball = rounds.load(session, workspace_id=workspace.id, objective_id=context.objective_id)
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
            raise rounds.stale(session, ball, latest)
        if latest is not None and latest.decision == Decision.SUPERSEDED:
            superseded.append(latest)
    round = rounds.next_round(
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
    messages.queue(session, ball.objective, created=[round], decided=superseded)
    if notice is not None:
        messages.queue_revised_notice(session, ball.objective, round, notice=notice)
    return ball.objective.id


def propose_draft(
    session: Session,
    *,
    proposer: Person,
    objective: Objective,
    note: str | None,
    now: datetime,
) -> CatchballRound:
    """The first round on a draft the bot made (next year's, from a carry-over): its owner is
    asked as for any proposal. Unlike a proposal from the modal, it is never approved at once:
    an admin who owns it and its parent still answers it in their DM. Its DMs are queued with
    it; the audit names the proposer's Slack id."""
    ball = rounds.load(session, workspace_id=objective.workspace_id, objective_id=objective.id)
    owner = ball.people.get(objective.owner_id) if objective.owner_id else None
    if owner is None:
        raise NotFound(f"{objective.ref} has no owner to ask.")
    ball.people[proposer.id] = proposer
    decider = first_decider(
        proposer_id=proposer.id, owner_id=owner.id, approver_id=ball.approver_id or proposer.id
    )
    round = rounds.next_round(
        session,
        ball,
        user_id=proposer.slack_user_id,
        proposer=proposer,
        owner=owner,
        proposal=Proposal.of_objective(objective, owner.slack_user_id),
        base=None,
        note=note,
        now=now,
        decider_id=decider or owner.id,
    )
    messages.queue(session, ball.objective, created=[round])
    return round


def _clicked_on_notice(
    session: Session, scope: Scope, asked: CatchballRound, where: tuple[str, str] | None
) -> bool:
    """Whether the click came from the notice the bot sent this person for `asked`."""
    if where is None or scope.person is None:
        return False
    row = messages.own_notice(
        session,
        workspace_id=scope.workspace.id,
        round_id=asked.id,
        user_id=scope.person.slack_user_id,
    )
    return row is not None and (row.result_channel, row.result_ts) == where


def _notice_of(
    session: Session, workspace_id: int, context: ProposeContext, user_id: str
) -> OutboxMessage | None:
    """The notice a revision updates: the one recorded for the form's round, of this
    objective, in this person's DM. A form naming any other is refused whole."""
    if context.notice_round_id is None:
        return None
    asked = stored.by_id(session, workspace_id=workspace_id, round_id=context.notice_round_id)
    notice = messages.own_notice(
        session, workspace_id=workspace_id, round_id=context.notice_round_id, user_id=user_id
    )
    if (
        asked is None
        or asked.objective_id != context.objective_id
        or asked.decision != Decision.CHANGES_REQUESTED
        or notice is None
    ):
        raise NotAllowed(
            "That form names a notice I did not send you for this objective, so nothing was "
            "changed. Open it again with Revise on your notice, or `/hoshin revise REF`."
        )
    return notice


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
        raise NotFound(
            f"There is no objective `{clip(ref, forms.REF_LIMIT)}`. `/hoshin status` shows the plan."
        )
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
