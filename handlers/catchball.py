"""Catchball in Slack: `/hoshin propose` and `/hoshin revise`, the round buttons and modals."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from slack_bolt import App
from slack_sdk import WebClient
from sqlmodel import Session

from bot import forms, ids
from bot.catchball import blocks, service
from bot.catchball.model import NOTE_LIMIT, DecisionContext, Move, Proposal, ProposeContext
from bot.context import ObjectiveRef, RoundRef
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.people import resolve_owner
from bot.scope import Scope, load_scope, load_scope_for
from bot.services import Services
from handlers.commands import CommandRegistry, CommandRequest, Subcommand
from handlers.common import acknowledge, bind, deliver
from handlers.errors import answers_privately, saved_in_ack
from handlers.modal_values import read_values
from storage.db import session_scope
from storage.events import claim
from storage.models import Person

log = logging.getLogger(__name__)
RACED = "Someone changed this proposal at the same moment. Please submit again."


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    registry.add(
        Subcommand(
            name="propose",
            usage=N_("/hoshin propose REF"),
            summary=N_(
                "Propose an objective cascaded from REF, for you or someone on your team. "
                "REF's owner approves it; an owner other than you agrees first (catchball)."
            ),
            run=propose,
            opens_modal=True,
        )
    )
    registry.add(
        Subcommand(
            name="revise",
            usage=N_("/hoshin revise REF"),
            summary=N_(
                "Propose a change to the cascaded objective REF (target, plan, title, "
                "owner…), or revise your proposal in catchball. REF keeps its values until the "
                "change is approved."
            ),
            run=revise,
            aliases=("change",),
            opens_modal=True,
        )
    )
    for action_id, lazy in (
        (ids.ACTION_CATCHBALL_APPROVE, bind(decide, services, Move.APPROVE)),
        (ids.ACTION_CATCHBALL_ACCEPT, bind(decide, services, Move.ACCEPT)),
        (ids.ACTION_CATCHBALL_REQUEST_CHANGES, bind(ask, services, Move.REQUEST_CHANGES)),
        (ids.ACTION_CATCHBALL_REJECT, bind(ask, services, Move.REJECT)),
        (ids.ACTION_CATCHBALL_COUNTER, bind(ask, services, Move.COUNTER)),
        (ids.ACTION_CATCHBALL_REVISE, bind(revise_click, services)),
        (ids.ACTION_HOME_PROPOSE, bind(home_propose, services)),
    ):
        app.action(action_id)(ack=acknowledge, lazy=[answers_privately(lazy)])
    for callback_id, store, fallback in (
        (ids.VIEW_PROPOSE, store_proposal, ids.FIELD_TITLE),
        (ids.VIEW_COUNTER, store_counter, ids.FIELD_REASON),
        (ids.VIEW_DECISION_REASON, store_reason, ids.FIELD_REASON),
    ):
        app.view(callback_id)(bind(on_submission, services, store, fallback))


def _open(client: WebClient, trigger_id: str | None, view: dict) -> None:
    client.views_open(trigger_id=trigger_id, view=view)


# ---- /hoshin propose REF, /hoshin revise REF ----------------------------------------------------


def propose(request: CommandRequest) -> None:
    ref = _one_ref(request.args, "propose")
    with session_scope(request.services.engine) as session:
        scope = load_scope(session, team_id=request.team_id, user_id=request.user_id)
        form = service.open_new(session, scope, user_id=request.user_id, parent_ref=ref)
    _open(request.client, request.trigger_id, blocks.propose_modal(form))


def revise(request: CommandRequest) -> None:
    ref = _one_ref(request.args, "revise")
    with session_scope(request.services.engine) as session:
        scope = load_scope(session, team_id=request.team_id, user_id=request.user_id)
        form = service.open_round(session, scope, ref=ref)
    _open(request.client, request.trigger_id, blocks.propose_modal(form))


# ---- buttons --------------------------------------------------------------------------------------


def decide(services: Services, move: Move, body, client, action, respond) -> None:
    round_id = RoundRef.parse(action.get("value")).round_id
    with session_scope(services.engine) as session:
        scope = load_scope_for(session, body)
        service.make_move(
            session,
            scope,
            user_id=body["user"]["id"],
            round_id=round_id,
            move=move,
            now=services.clock.now(),
        )
    deliver(services, scope.workspace.id)


def ask(services: Services, move: Move, body, client, action, respond) -> None:
    round_id = RoundRef.parse(action.get("value")).round_id
    with session_scope(services.engine) as session:
        view = service.check_move(
            session, load_scope_for(session, body), round_id=round_id, move=move
        )
    modal = blocks.counter_modal(view) if move == Move.COUNTER else blocks.reason_modal(view, move)
    _open(client, body.get("trigger_id"), modal)


def revise_click(services: Services, body, client, action, respond) -> None:
    round_id = RoundRef.parse(action.get("value")).round_id
    container = body.get("container") or {}
    where = (container.get("channel_id"), container.get("message_ts"))
    with session_scope(services.engine) as session:
        form = service.open_round(
            session,
            load_scope_for(session, body),
            round_id=round_id,
            notice=where if all(where) else None,
        )
    _open(client, body.get("trigger_id"), blocks.propose_modal(form))


def home_propose(services: Services, body, client, action, respond) -> None:
    parent_id = ObjectiveRef.parse(action.get("value")).objective_id
    with session_scope(services.engine) as session:
        form = service.open_new(
            session,
            load_scope_for(session, body),
            user_id=body["user"]["id"],
            parent_id=parent_id,
        )
    _open(client, body.get("trigger_id"), blocks.propose_modal(form))


# ---- modals: validated and stored in the ack listener, then the DMs ------------------------------

Store = Callable[[Services, Session, Scope, str, dict, WebClient], int]


def on_submission(services: Services, store: Store, fallback: str, ack, body, view, client) -> None:
    """A view listener around `store`, which checks and saves within Slack's 3 seconds, the
    DMs it calls for queued in the same transaction.

    Once `ack()` has been called Bolt has answered Slack, so the DMs are sent from here: a
    lazy listener would start beside this one and could not yet see what it stored.
    """

    def save() -> int | None:
        try:
            with session_scope(services.engine) as session:
                scope = load_scope_for(session, body)
                store(services, session, scope, body["user"]["id"], view, client)
                # The claim comes after every check: a submission refused inline may be
                # corrected and sent again; a stored one, replayed, is rolled back here.
                if not claim(
                    session,
                    workspace_id=scope.workspace.id,
                    key=f"catchball.view:{view.get('id', '')}",
                ):
                    raise _Replayed
                return scope.workspace.id
        except _Replayed:
            return None  # the modal closes, nothing changes

    workspace_id = saved_in_ack(ack, save, field=fallback, raced=RACED, what="catchball")
    if workspace_id is not None:
        deliver(services, workspace_id)


def store_proposal(services: Services, session, scope, user_id, view, client) -> int:
    context = ProposeContext.parse(view.get("private_metadata"))
    proposal, owner, note = read_proposal(
        session, client, workspace_id=scope.workspace.id, values=read_values(view)
    )
    return service.submit_proposal(
        session,
        client,
        scope,
        user_id=user_id,
        context=context,
        proposal=proposal,
        owner=owner,
        note=note,
        now=services.clock.now(),
    )


def store_counter(services: Services, session, scope, user_id, view, client) -> int:
    round_id = RoundRef.parse(view.get("private_metadata")).round_id
    current = service.check_move(session, scope, round_id=round_id, move=Move.COUNTER)
    counter, reason = read_counter(read_values(view), current.proposal)
    return service.make_move(
        session,
        scope,
        user_id=user_id,
        round_id=round_id,
        move=Move.COUNTER,
        now=services.clock.now(),
        reason=reason,
        counter=counter,
    )


def store_reason(services: Services, session, scope, user_id, view, client) -> int:
    context = DecisionContext.parse(view.get("private_metadata"))
    move = Move(context.move)
    service.check_move(session, scope, round_id=context.round_id, move=move)
    return service.make_move(
        session,
        scope,
        user_id=user_id,
        round_id=context.round_id,
        move=move,
        now=services.clock.now(),
        reason=read_reason(read_values(view)),
    )


# ---- reading what people typed ------------------------------------------------------------------


def read_proposal(
    session: Session, client: WebClient, *, workspace_id: int, values: dict[str, str | None]
) -> tuple[Proposal, Person, str | None]:
    """The propose modal's values, or FormErrors naming every field that is wrong."""
    form = forms.Form(values)
    title = form.take(forms.required_text, ids.FIELD_TITLE, what="a title")
    metric_name = form.take(
        forms.required_text, ids.FIELD_METRIC_NAME, what="the metric", limit=forms.METRIC_NAME_LIMIT
    )
    unit = form.take(forms.optional_text, ids.FIELD_METRIC_UNIT, limit=forms.UNIT_LIMIT)
    baseline = form.take(forms.number, ids.FIELD_BASELINE, what="the baseline", required=False)
    target = form.take(forms.number, ids.FIELD_TARGET, what="the target")
    plan = form.take(forms.monthly_plan, ids.FIELD_MONTHLY_PLAN)
    description = form.take(forms.optional_text, ids.FIELD_DESCRIPTION)
    note = form.take(forms.optional_text, ids.FIELD_NOTE, limit=NOTE_LIMIT)
    owner = form.take(
        lambda raw, field: resolve_owner(
            session, client, workspace_id=workspace_id, slack_user_id=raw, field=field
        ),
        ids.FIELD_OWNER,
    )
    form.raise_errors()
    proposal = Proposal(
        title=title,
        owner=owner.slack_user_id,
        metric_name=metric_name,
        metric_unit=unit,
        baseline=baseline,
        target=target,
        direction="lower" if values.get(ids.FIELD_DIRECTION) == "lower" else "higher",
        monthly_plan=tuple(plan),
        description=description,
    )
    return proposal, owner, note


def read_counter(values: dict[str, str | None], base: Proposal) -> tuple[Proposal, str]:
    """The counter modal: a different title, target or plan, and why."""
    form = forms.Form(values)
    title = form.take(forms.required_text, ids.FIELD_TITLE, what="a title")
    target = form.take(forms.number, ids.FIELD_TARGET, what="the target")
    plan = form.take(forms.monthly_plan, ids.FIELD_MONTHLY_PLAN)
    reason = form.take(
        forms.required_text, ids.FIELD_REASON, what="the reason for your counter", limit=NOTE_LIMIT
    )
    form.raise_errors()
    counter = replace(base, title=title, target=target, monthly_plan=tuple(plan))
    if counter == base:
        form.fail(
            ids.FIELD_TARGET,
            "That is the proposal as it stands: change the target, title or plan, "
            "or close this and press Accept.",
        )
        form.raise_errors()
    return counter, reason


def read_reason(values: dict[str, str | None]) -> str:
    form = forms.Form(values)
    reason = form.take(forms.required_text, ids.FIELD_REASON, what="a reason", limit=NOTE_LIMIT)
    form.raise_errors()
    return reason


def _one_ref(args: str, word: str) -> str:
    words = args.split()
    if len(words) != 1 or not forms.REF.match(words[0]):
        example = "propose AN1` proposes an objective cascaded from AN1"
        if word == "revise":
            example = "revise AN1.1` proposes a change to AN1.1"
        raise InvalidInput(f"Name one objective: `/hoshin {example}.")
    return words[0]


# ---- plumbing -----------------------------------------------------------------------------------


class _Replayed(Exception):
    """A submission stored before, arriving again: close the modal, change nothing."""
