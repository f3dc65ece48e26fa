"""Breakthrough and annual objectives (Hoshin steps 2–3): admins create, edit and archive them.

Every entry point re-checks in the database that the person is an admin and that the objective
still is what the modal or button was about. Cascaded objectives are not edited here: their
targets are agreed through catchball.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Engine
from sqlmodel import Session

from bot import forms, ids
from bot.blocks.common import Message, clip
from bot.context import SlackContext
from bot.errors import InvalidInput, NotFound
from bot.forms import Form
from bot.objectives.admin_blocks import archive_confirmation, objective_modal
from bot.people import resolve_owner
from bot.periods import fiscal_year_of
from bot.scope import Scope, load_scope
from storage import events, objectives
from storage.db import session_scope
from storage.models import Objective, ObjectiveLevel, ObjectiveState, Person

PARENT_OPTIONS = 100  # a static select holds at most 100 options
PREFIX = {ObjectiveLevel.BREAKTHROUGH: "BT", ObjectiveLevel.ANNUAL: "AN"}
SHAPE = "create, edit or archive breakthrough and annual objectives"


class ObjectiveDraft(SlackContext):
    """The objective modal's private_metadata: a new objective of a level, or one being edited."""

    level: Literal["breakthrough", "annual"]
    objective_id: int | None = Field(default=None, ge=1)


@dataclass(frozen=True)
class Saved:
    ref: str
    created: bool
    changed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Archived:
    ref: str
    title: str
    below: list[str]  # refs of the live objectives archived with it
    already: bool = False


def _admin_scope(session: Session, *, team_id: str, user_id: str) -> Scope:
    scope = load_scope(session, team_id=team_id, user_id=user_id)
    scope.require_admin(session, SHAPE)
    return scope


def _find(
    session: Session, workspace_id: int, *, ref: str | None = None, objective_id: int | None = None
) -> Objective:
    if ref is not None:
        found = objectives.by_ref(session, workspace_id=workspace_id, ref=ref)
        if found is None:
            raise NotFound(
                f"There is no objective `{clip(ref, forms.REF_LIMIT)}`. `/hoshin status` lists the plan."
            )
        return found
    found = objectives.by_id(session, workspace_id=workspace_id, objective_id=objective_id)
    if found is None:
        raise NotFound("That objective no longer exists. Open the Home tab again.")
    return found


def _shaped_by_admins(objective: Objective, verb: str) -> None:
    if objective.level == ObjectiveLevel.CASCADED:
        raise InvalidInput(
            f"`{objective.ref}` is a cascaded objective: it is agreed between its owner and its "
            f"parent's owner through catchball, so it can't be {verb} here. Use "
            "`/hoshin propose` to change it through catchball."
        )
    if objective.state == ObjectiveState.ARCHIVED:
        raise InvalidInput(f"`{objective.ref}` is archived; its history is kept as it was.")


def _owner_slack_id(session: Session, owner_id: int | None) -> str | None:
    person = session.get(Person, owner_id) if owner_id else None
    return person.slack_user_id if person else None


def new_objective_modal(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    level: str,
    today: date,
    parent_ref: str | None = None,
) -> dict:
    with session_scope(engine) as session:
        scope = _admin_scope(session, team_id=team_id, user_id=user_id)
        ws = scope.workspace
        year = fiscal_year_of(today, ws.fiscal_year_start_month)
        draft = ObjectiveDraft(level=level)
        if level == ObjectiveLevel.BREAKTHROUGH:
            return objective_modal(level, draft.dump(), breakthroughs=[], year=year)
        parent = None
        if parent_ref:
            parent = _find(session, ws.id, ref=parent_ref)
            if parent.level != ObjectiveLevel.BREAKTHROUGH or parent.state != "active":
                raise InvalidInput(f"`{parent.ref}` is not an active breakthrough objective.")
            year = min(max(year, parent.start_year or year), parent.end_year or year)
        breakthroughs = _parent_choices(session, ws.id, parent)
        return objective_modal(
            level,
            draft.dump(),
            breakthroughs=breakthroughs,
            year=year,
            parent_id=parent.id if parent else None,
        )


def edit_objective_modal(
    engine: Engine,
    *,
    team_id: str,
    user_id: str,
    ref: str | None = None,
    objective_id: int | None = None,
) -> dict:
    with session_scope(engine) as session:
        scope = _admin_scope(session, team_id=team_id, user_id=user_id)
        objective = _find(session, scope.workspace.id, ref=ref, objective_id=objective_id)
        _shaped_by_admins(objective, "edited")
        draft = ObjectiveDraft(level=objective.level, objective_id=objective.id)
        breakthroughs = []
        if objective.level == ObjectiveLevel.ANNUAL:
            current = session.get(Objective, objective.parent_id) if objective.parent_id else None
            breakthroughs = _parent_choices(session, scope.workspace.id, current)
        return objective_modal(
            objective.level,
            draft.dump(),
            objective=objective,
            owner_slack_id=_owner_slack_id(session, objective.owner_id),
            breakthroughs=breakthroughs,
            year=objective.year,
            parent_id=objective.parent_id,
        )


def _parent_choices(session: Session, workspace_id: int, keep: Objective | None):
    choices = objectives.active_breakthroughs(
        session, workspace_id=workspace_id, limit=PARENT_OPTIONS
    )
    if keep is not None and keep.state == "active" and all(c.id != keep.id for c in choices):
        choices = [keep, *choices[: PARENT_OPTIONS - 1]]
    return choices


def read_objective_form(values: dict[str, str | None], *, level: str) -> tuple[Form, dict]:
    """Typed changes from the submitted fields; the Form keeps every error found so far."""
    form = Form(values)
    annual = level == ObjectiveLevel.ANNUAL
    changes: dict[str, Any] = {
        "title": form.take(forms.required_text, ids.FIELD_TITLE, what="a title"),
        "metric_name": form.take(
            forms.required_text if annual else _optional_short,
            ids.FIELD_METRIC_NAME,
            what="the metric's name",
            limit=forms.METRIC_NAME_LIMIT,
        ),
        "metric_unit": form.take(
            forms.optional_text, ids.FIELD_METRIC_UNIT, limit=forms.UNIT_LIMIT
        ),
        "baseline": form.take(
            forms.number, ids.FIELD_BASELINE, what="the baseline", required=False
        ),
        "target": form.take(forms.number, ids.FIELD_TARGET, what="the target", required=annual),
        "higher_is_better": values.get(ids.FIELD_DIRECTION) != "lower",
    }
    # Absent when the stored description is longer than a Slack field: it is kept as it is.
    if ids.FIELD_DESCRIPTION in values:
        changes["description"] = form.take(forms.optional_text, ids.FIELD_DESCRIPTION)
    if annual:
        changes["year"] = form.take(forms.year, ids.FIELD_YEAR)
        changes["monthly_plan"] = form.take(
            forms.monthly_plan, ids.FIELD_MONTHLY_PLAN, required=False
        )
    else:
        span = form.take(forms.year_span, ids.FIELD_YEARS)
        changes["start_year"], changes["end_year"] = span or (None, None)
        if changes["target"] is not None and not changes["metric_name"]:
            form.fail(ids.FIELD_METRIC_NAME, "Name the metric the target measures.")
    return form, changes


def _optional_short(raw: str | None, *, field: str, what: str, limit: int) -> str | None:
    return forms.optional_text(raw, field=field, limit=limit)


def submit_objective(
    engine: Engine,
    client,
    *,
    team_id: str,
    user_id: str,
    view_id: str,
    private_metadata: str | None,
    values: dict[str, str | None],
) -> Saved | None:
    """Validate and store a submitted objective modal; FormErrors name every wrong field.

    None when this view was already stored (a double submit): the modal just closes.
    """
    draft = ObjectiveDraft.parse(private_metadata)
    level = ObjectiveLevel(draft.level)
    form, changes = read_objective_form(values, level=level)
    with session_scope(engine) as session:
        scope = _admin_scope(session, team_id=team_id, user_id=user_id)
        ws = scope.workspace
        objective = None
        if draft.objective_id is not None:
            objective = _find(session, ws.id, objective_id=draft.objective_id)
            _shaped_by_admins(objective, "edited")
            if objective.level != level:
                raise InvalidInput("This objective changed level meanwhile; open it again.")
        try:
            owner = resolve_owner(
                session,
                client,
                workspace_id=ws.id,
                slack_user_id=values.get(ids.FIELD_OWNER),
                field=ids.FIELD_OWNER,
            )
            changes["owner_id"] = owner.id
        except InvalidInput as exc:
            form.fail(exc.field or ids.FIELD_OWNER, exc.message)
        if level == ObjectiveLevel.ANNUAL:
            changes["parent_id"] = _check_parent(session, ws.id, form, values, changes["year"])
        elif objective is not None and changes["start_year"] is not None:
            _check_children_years(session, ws.id, form, objective, changes)
        form.raise_errors()

        if objective is not None:
            diff = objectives.update(session, actor=user_id, objective=objective, changes=changes)
            return Saved(ref=objective.ref, created=False, changed=sorted(diff))
        if not events.claim(session, workspace_id=ws.id, key=f"objective-modal:{view_id}"):
            return None
        ref = objectives.next_top_ref(session, workspace_id=ws.id, prefix=PREFIX[level])
        created = objectives.create(
            session,
            actor=user_id,
            objective=Objective(
                workspace_id=ws.id,
                ref=ref,
                level=level,
                state=ObjectiveState.ACTIVE,
                # Refs count up, so their number keeps new objectives after the imported ones.
                position=int(ref[len(PREFIX[level]) :]),
                **changes,
            ),
        )
        return Saved(ref=created.ref, created=True)


def _check_parent(
    session: Session, workspace_id: int, form: Form, values: dict, year: int | None
) -> int | None:
    raw = values.get(ids.FIELD_PARENT)
    if not raw:
        return None
    parent = (
        objectives.by_id(session, workspace_id=workspace_id, objective_id=int(raw))
        if raw.isdigit()
        else None
    )
    if parent is None or parent.level != "breakthrough" or parent.state != "active":
        form.fail(ids.FIELD_PARENT, "That breakthrough is no longer active; pick another.")
        return None
    start, end = parent.start_year, parent.end_year
    if year is not None and start is not None and end is not None and not start <= year <= end:
        form.fail(
            ids.FIELD_YEAR,
            f"FY{year} lies outside {parent.ref}'s years {start}–{end}: pick a year within "
            "them, or another breakthrough.",
        )
    return parent.id


def _check_children_years(
    session: Session, workspace_id: int, form: Form, objective: Objective, changes: dict
) -> None:
    start, end = changes["start_year"], changes["end_year"]
    outside = [
        child
        for child in objectives.children(session, workspace_id=workspace_id, parent_id=objective.id)
        if child.state in ("active", "proposed")
        and child.year is not None
        and not start <= child.year <= end
    ]
    if outside:
        listed = ", ".join(f"{c.ref} (FY{c.year})" for c in outside[:5])
        form.fail(
            ids.FIELD_YEARS,
            f"{listed} would fall outside {start}–{end}. Widen the years, or move or archive "
            "those annual objectives first.",
        )


def archive_preview(engine: Engine, *, team_id: str, user_id: str, ref: str) -> Message:
    """`/hoshin archive REF`: what would be archived, with a button to confirm."""
    with session_scope(engine) as session:
        scope = _admin_scope(session, team_id=team_id, user_id=user_id)
        objective = _find(session, scope.workspace.id, ref=ref)
        _shaped_by_admins(objective, "archived")
        below = objectives.live_descendants(
            session, workspace_id=scope.workspace.id, root_id=objective.id
        )
        return archive_confirmation(objective, below)


def archive_objective(engine: Engine, *, team_id: str, user_id: str, objective_id: int) -> Archived:
    """Archive an objective and everything live below it; rows and history are all kept."""
    with session_scope(engine) as session:
        scope = _admin_scope(session, team_id=team_id, user_id=user_id)
        objective = _find(session, scope.workspace.id, objective_id=objective_id)
        if objective.state == ObjectiveState.ARCHIVED:
            return Archived(objective.ref, objective.title, [], already=True)
        _shaped_by_admins(objective, "archived")
        below = objectives.live_descendants(
            session, workspace_id=scope.workspace.id, root_id=objective.id
        )
        for target in (objective, *below):
            objectives.archive(session, actor=user_id, objective=target)
        return Archived(objective.ref, objective.title, [o.ref for o in below])
