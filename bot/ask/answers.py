"""Answering a prompt: who may, once per submitted view, and where the owner's DM is.

Only an objective's owner answers for it (admins too are refused: the answer is the owner's to
give), and only an active objective that is not a breakthrough is asked about. A submission is
stored once: the very same view arriving again (a double submit, a replay) changes nothing,
while one refused inline may be corrected and sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from bot.errors import NotAllowed, NotFound
from bot.scope import Scope
from storage import checkins, objectives
from storage.events import claim
from storage.models import CheckInPrompt, Objective, ObjectiveLevel, ObjectiveState, Person
from storage.outbox import queue as outbox
from storage.prompts import prompt_key

R = TypeVar("R")


def owned_objective(
    session: Session, scope: Scope, objective_id: int, *, takes: str, answer: str
) -> Objective:
    """The objective, once it takes answers (`takes`: what it would take) and the acting person
    owns it (`answer`: what only the owner can do, like "check in on")."""
    workspace = scope.workspace
    objective = objectives.by_id(session, workspace_id=workspace.id, objective_id=objective_id)
    if objective is None:
        raise NotFound("That objective no longer exists. `/hoshin status` shows the plan.")
    if objective.state != ObjectiveState.ACTIVE or objective.level == ObjectiveLevel.BREAKTHROUGH:
        raise NotAllowed(f"`{objective.ref}` takes no {takes} ({objective.state}).")
    person = scope.person
    if person is None or person.id != objective.owner_id:
        owner = checkins.person_by_id(
            session, workspace_id=workspace.id, person_id=objective.owner_id
        )
        who = f"<@{owner.slack_user_id}>, its owner," if owner else "its owner"
        raise NotAllowed(f"Only {who} can {answer} `{objective.ref}`. Nothing was changed.")
    return objective


def objective_facts(objective: Objective) -> dict:
    """What a modal shows of the objective on top: its ref, title, metric, unit and target."""
    return {
        "objective_ref": objective.ref,
        "title": objective.title,
        "metric_name": objective.metric_name,
        "unit": objective.metric_unit,
        "target": objective.target,
    }


def once_per_view(
    session: Session, scope: Scope, *, kind: str, view_id: str, save: Callable[[Person], R]
) -> R | None:
    """`save(person)` the first time this view arrives; None when it was stored before.

    Called after every check: a submission refused inline may be corrected and sent again.
    """
    if not claim(session, workspace_id=scope.workspace.id, key=f"{kind}.view:{view_id}"):
        return None
    person = scope.person
    assert person is not None  # the checks made sure
    return save(person)


def dm_of(
    session: Session, workspace_id: int, prompt: CheckInPrompt, *, kind: str, owner: str
) -> tuple[str, str] | None:
    """(channel, ts) of the prompt's delivered DM, or None when there is none to update."""
    post = outbox.by_key(session, workspace_id=workspace_id, dedup_key=prompt_key(prompt.id, kind))
    if post is not None and post.result_ts:
        return (post.result_channel or prompt.channel or owner, post.result_ts)
    if prompt.ts:
        return (prompt.channel or owner, prompt.ts)
    return None
