"""Action plans (Hoshin step 5): who may add an action, adding one, and marking it done or blocked.

Who may add an action to an objective: its owner, the owner of its parent, or an admin.
Who may mark an action: its owner, the objective's owner, or an admin. Every click is checked
again against the database: the button's value may be stale, so the state it acts on is too.
"""

from __future__ import annotations

import difflib
import logging
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlmodel import Session

from bot import forms, ids
from bot.actions.blocks import action_message
from bot.actions.model import ActionCard, Mark, MarkOutcome, NewAction
from bot.blocks.common import clip
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.people import resolve_owner
from bot.scope import Scope
from storage import actions as store
from storage import objectives
from storage.actions import OverdueRow
from storage.db import session_scope
from storage.events import claim
from storage.models import ActionItem, ActionState, Objective, ObjectiveLevel, ObjectiveState
from storage.outbox import claims, stops
from storage.outbox import queue as outbox

log = logging.getLogger(__name__)

UNREACHABLE = {"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot"}
RESEND_AFTER = timedelta(minutes=1)


# The states each request may move an action out of, and where to.
TRANSITIONS: dict[Mark, tuple[frozenset[str], str]] = {
    Mark.DONE: (frozenset({ActionState.OPEN, ActionState.BLOCKED}), ActionState.DONE),
    Mark.BLOCKED: (frozenset({ActionState.OPEN}), ActionState.BLOCKED),
    Mark.REOPEN: (frozenset({ActionState.DONE, ActionState.BLOCKED}), ActionState.OPEN),
}
MARK_BY_ACTION_ID = {
    ids.ACTION_ACTION_DONE: Mark.DONE,
    ids.ACTION_ACTION_BLOCKED: Mark.BLOCKED,
    ids.ACTION_ACTION_REOPEN: Mark.REOPEN,
}


# ---- adding an action ----------------------------------------------------------------------


def objective_for_ref(session: Session, scope: Scope, ref: str) -> NewAction:
    """The objective `/hoshin action REF` names, once the person may add actions to it."""
    ref = ref.strip()
    if not ref:
        raise InvalidInput("Which objective? For example `/hoshin action AN1.1`.")
    objective = objectives.by_ref(session, workspace_id=scope.workspace.id, ref=ref)
    if objective is None:
        refs = store.active_refs(session, workspace_id=scope.workspace.id)
        close = difflib.get_close_matches(ref.upper(), [r.upper() for r in refs], n=3)
        hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
        raise NotFound(
            f"There is no objective `{clip(ref, 64)}`.{hint} `/hoshin status` shows the whole plan."
        )
    return _checked(session, scope, objective)


def objective_for_id(session: Session, scope: Scope, objective_id: int) -> NewAction:
    """The objective a Home button or a submitted modal names, checked again."""
    objective = objectives.by_id(
        session, workspace_id=scope.workspace.id, objective_id=objective_id
    )
    if objective is None:
        raise NotFound("That objective no longer exists. `/hoshin status` shows the plan.")
    return _checked(session, scope, objective)


def _checked(session: Session, scope: Scope, objective: Objective) -> NewAction:
    if objective.level == ObjectiveLevel.BREAKTHROUGH:
        raise InvalidInput(
            f"`{objective.ref}` is a breakthrough objective: action plans belong to the annual "
            f"and cascaded objectives under it (`/hoshin status {objective.ref}` lists them)."
        )
    if objective.state != ObjectiveState.ACTIVE:
        why = {
            ObjectiveState.PROPOSED: "still in catchball; add actions once it is approved",
            ObjectiveState.ARCHIVED: "archived",
            ObjectiveState.REJECTED: "rejected",
        }.get(objective.state, str(objective.state))
        raise InvalidInput(f"`{objective.ref}` is {why}.")
    require_may_add(session, scope, objective)
    owner = store.person_by_id(
        session, workspace_id=scope.workspace.id, person_id=objective.owner_id
    )
    return NewAction(objective, owner.slack_user_id if owner else None)


def require_may_add(session: Session, scope: Scope, objective: Objective) -> None:
    """The objective's owner, its parent's owner or an admin; anyone else learns who can."""
    parent = (
        objectives.by_id(session, workspace_id=scope.workspace.id, objective_id=objective.parent_id)
        if objective.parent_id
        else None
    )
    person = scope.person
    if person is not None and (
        person.is_admin or person.id in (objective.owner_id, parent and parent.owner_id)
    ):
        return
    ws = scope.workspace.id
    who = []
    owner = store.person_by_id(session, workspace_id=ws, person_id=objective.owner_id)
    if owner:
        who.append(f"<@{owner.slack_user_id}> (owner of {objective.ref})")
    parent_owner = parent and store.person_by_id(
        session, workspace_id=ws, person_id=parent.owner_id
    )
    if parent_owner and parent_owner.id != objective.owner_id:
        who.append(f"<@{parent_owner.slack_user_id}> (owner of {parent.ref})")
    admins = store.admin_user_ids(session, workspace_id=ws)
    who.append("an admin" + (f" ({', '.join(f'<@{a}>' for a in admins)})" if admins else ""))
    listed = ", ".join(who[:-1]) + (" or " if len(who) > 1 else "") + who[-1]
    raise NotAllowed(f"Only {listed} can add actions to `{objective.ref}`. Ask one of them.")


def add_action(
    session: Session,
    client,
    *,
    scope: Scope,
    objective_id: int,
    values: dict[str, str | None],
    today: date,
    now: datetime,
    view_id: str,
) -> ActionItem | None:
    """Store the action a submitted modal describes and queue its owner's DM.

    Raises FormErrors naming each wrong field; returns None for a submission already stored
    (a double submit), so nothing is added twice.
    """
    subject = objective_for_id(session, scope, objective_id)
    form = forms.Form(values)
    title = form.take(forms.required_text, ids.FIELD_TITLE, what="what will be done")
    due = form.take(forms.due_date, ids.FIELD_DUE, today=today)
    owner = None
    try:
        owner = resolve_owner(
            session,
            client,
            workspace_id=scope.workspace.id,
            slack_user_id=values.get(ids.FIELD_OWNER),
            field=ids.FIELD_OWNER,
        )
    except InvalidInput as exc:
        form.fail(exc.field or ids.FIELD_OWNER, exc.message)
    form.raise_errors()
    if not claim(session, workspace_id=scope.workspace.id, key=f"action-add:{view_id}"):
        return None
    actor = scope.person.slack_user_id if scope.person else "unknown"
    action = store.create(
        session,
        actor=actor,
        at=now,
        action=ActionItem(
            workspace_id=scope.workspace.id,
            objective_id=subject.objective.id,
            title=title,
            owner_id=owner.id,
            due=due,
        ),
    )
    card = ActionCard(
        action_id=action.id,
        title=action.title,
        due=action.due,
        state=action.state,
        objective_ref=subject.objective.ref,
        objective_title=subject.objective.title,
        owner=owner.slack_user_id,
        added_by=actor,
        marked_by=None,
        marked_at=None,
        today=today,
    )
    # The Slack post that matters is a row first, written with the action. The submission
    # sends it at once; `not_before` a minute ahead leaves it to the outbox delivery only if
    # this process died before it could.
    outbox.enqueue(
        session,
        workspace_id=scope.workspace.id,
        dedup_key=new_action_post_key(action.id),
        method="chat.postMessage",
        payload={"channel": owner.slack_user_id, **action_message(card).as_kwargs()},
        not_before=now + RESEND_AFTER,
    )
    return action


def new_action_post_key(action_id: int) -> str:
    return f"action-dm:{action_id}"


def send_new_action_dm(engine: Engine, client, *, action: ActionItem, now: datetime) -> str | None:
    """Send the DM a submission queued; returns Slack's error when it could not be sent.

    The row is claimed first (queued → in flight), so the outbox delivery never sends it too.
    """
    with session_scope(engine) as session:
        row = outbox.by_key(
            session, workspace_id=action.workspace_id, dedup_key=new_action_post_key(action.id)
        )
        post = row and claims.claim(session, message_id=row.id, at=datetime.now(UTC))
        if not post:
            return None  # nothing was stored, or the DM is on its way already
    try:
        response = client.chat_postMessage(**post.payload)
    except SlackApiError as exc:
        error = (exc.response or {}).get("error") or "unknown_error"
        with session_scope(engine) as session:
            stops.fail(session, message_id=post.id, error=error)
            if error in UNREACHABLE:
                stops.mark_person_unreachable(
                    session,
                    workspace_id=post.workspace_id,
                    slack_user_id=post.channel or "",
                    reason=error,
                )
        log.warning("new-action DM not sent: %s", error)
        return error
    except Exception as exc:
        # A dropped connection may still have posted it: the delivery looks before resending.
        with session_scope(engine) as session:
            claims.mark_in_doubt(
                session, message_id=post.id, until=now, error=exc.__class__.__name__
            )
        raise
    with session_scope(engine) as session:
        claims.mark_sent(
            session,
            message_id=post.id,
            ts=response.get("ts"),
            channel=response.get("channel"),
            at=now,
        )
    return None


# ---- marking an action -----------------------------------------------------------------------


def mark_action(
    session: Session, *, scope: Scope, action_id: int, mark: Mark, today: date, now: datetime
) -> MarkOutcome:
    """Apply a click; a second click or a stale message changes nothing and reports the state."""
    ws = scope.workspace.id
    action = store.by_id(session, workspace_id=ws, action_id=action_id)
    if action is None:
        raise NotFound("That action no longer exists.")
    objective = objectives.by_id(session, workspace_id=ws, objective_id=action.objective_id)
    person = scope.person
    if person is None or not (
        person.is_admin or person.id in (action.owner_id, objective and objective.owner_id)
    ):
        who = []
        owner = store.person_by_id(session, workspace_id=ws, person_id=action.owner_id)
        if owner:
            who.append(f"<@{owner.slack_user_id}> (its owner)")
        lead = objective and store.person_by_id(
            session, workspace_id=ws, person_id=objective.owner_id
        )
        if lead and (owner is None or lead.id != owner.id):
            who.append(f"<@{lead.slack_user_id}> (owner of {objective.ref})")
        who.append("an admin")
        listed = ", ".join(who[:-1]) + " or " + who[-1] if len(who) > 1 else who[0]
        raise NotAllowed(
            f"Only {listed} can mark “{clip(action.title, 200)}”. Nothing was changed."
        )
    sources, target = TRANSITIONS[mark]
    changed = store.change_state(
        session,
        actor=person.slack_user_id,
        action=action,
        from_states=sources,
        to_state=target,
        at=now,
    )
    card = action_card(session, action, objective, today=today)
    return MarkOutcome(mark, changed, card, dm=_dm_of(session, action))


def _dm_of(session: Session, action: ActionItem) -> tuple[str, str] | None:
    post = outbox.by_key(
        session, workspace_id=action.workspace_id, dedup_key=new_action_post_key(action.id)
    )
    if post is None or not (post.result_channel and post.result_ts):
        return None
    return post.result_channel, post.result_ts


def action_card(
    session: Session, action: ActionItem, objective: Objective | None, *, today: date
) -> ActionCard:
    ws = action.workspace_id
    owner = store.person_by_id(session, workspace_id=ws, person_id=action.owner_id)
    entries = store.history(session, workspace_id=ws, action_id=action.id)
    added = next((e for e in entries if e.action == "action.create"), None)
    marked = next(
        (
            e
            for e in reversed(entries)
            if e.action != "action.create" and "state" in (e.after or {})
        ),
        None,
    )
    return ActionCard(
        action_id=action.id,
        title=action.title,
        due=action.due,
        state=action.state,
        objective_ref=objective.ref if objective else "?",
        objective_title=objective.title if objective else "",
        owner=owner.slack_user_id if owner else None,
        added_by=added.actor if added else None,
        marked_by=marked.actor if marked else None,
        marked_at=marked.at if marked else None,
        today=today,
    )


# ---- overdue actions, for the monthly check-in prompt ------------------------------------------


def overdue_actions(
    session: Session, *, workspace_id: int, person_id: int, today: date
) -> list[OverdueRow]:
    """One person's open or blocked actions that are past due, oldest due date first."""
    return store.overdue(session, workspace_id=workspace_id, today=today, owner_id=person_id)


def overdue_actions_by_owner(
    session: Session, *, workspace_id: int, today: date
) -> dict[int, list[OverdueRow]]:
    """Everyone's overdue actions in one query, keyed by person id (for a whole check-in run)."""
    found: dict[int, list[OverdueRow]] = defaultdict(list)
    for row in store.overdue(session, workspace_id=workspace_id, today=today):
        found[row.owner_id].append(row)
    return dict(found)
