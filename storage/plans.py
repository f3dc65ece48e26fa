"""Plan rows in bulk: read a workspace's whole plan, and upsert people, objectives and actions.

Every function loads what it needs with one query per table, matches rows by their natural key
in memory (a person by Slack user id, an objective by ref, an action by objective and title),
and flushes new rows level by level, so ten thousand objectives take a handful of round trips.
A row is only touched when a value really differs; an unchanged row keeps its `updated_at`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from storage.models import ActionItem, AuditEntry, Objective, Person, Workspace
from storage.models.base import utcnow


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class UpsertResult:
    counts: Counts
    ids: dict[Any, int]  # natural key -> row id, for every row given
    absent: list[Any] = field(default_factory=list)  # keys in the database but not given


@dataclass(frozen=True)
class PersonData:
    slack_user_id: str
    name: str
    is_admin: bool = False
    timezone: str | None = None
    manager_slack_id: str | None = None


@dataclass(frozen=True)
class ObjectiveData:
    """One objective; `parent_ref` must come earlier in the sequence given (or be in the DB)."""

    ref: str
    level: str
    title: str
    parent_ref: str | None = None
    owner_slack_id: str | None = None
    position: int = 0
    description: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    year: int | None = None
    metric_name: str | None = None
    metric_unit: str | None = None
    baseline: float | None = None
    target: float | None = None
    higher_is_better: bool = True
    monthly_plan: list[float] | None = None
    review_channel: str | None = None
    state: str | None = None  # None: a new row is active, an existing one keeps its state


@dataclass(frozen=True)
class ActionData:
    objective_ref: str
    title: str
    position: int = 0
    owner_slack_id: str | None = None
    due: date | None = None
    state: str | None = None  # None: a new row is open, an existing one keeps its state


@dataclass
class PlanRows:
    workspace: Workspace
    people: list[Person]
    objectives: list[Objective]
    actions: list[ActionItem]


def find_workspace(session: Session, *, team_id: str) -> Workspace | None:
    return session.exec(select(Workspace).where(Workspace.team_id == team_id)).first()


def list_workspaces(session: Session) -> list[Workspace]:
    return list(session.exec(select(Workspace).order_by(Workspace.id)).all())


def get_or_create_workspace(session: Session, *, team_id: str) -> Workspace:
    workspace = find_workspace(session, team_id=team_id)
    if workspace is None:
        workspace = Workspace(team_id=team_id)
        session.add(workspace)
        session.flush()
    return workspace


def _assign(row: Any, values: Mapping[str, Any]) -> bool:
    """Set only the values that differ, so an unchanged row is never written."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def update_workspace(
    session: Session, *, workspace: Workspace, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply `values` (column -> value); returns the old value of each column that changed."""
    before = {name: getattr(workspace, name) for name in values}
    if not _assign(workspace, values):
        return {}
    workspace.updated_at = utcnow()
    session.add(workspace)
    return {name: old for name, old in before.items() if getattr(workspace, name) != old}


def upsert_people(
    session: Session, *, workspace_id: int, people: Sequence[PersonData]
) -> UpsertResult:
    """Create or update people by Slack user id; managers are resolved among all of them."""
    rows = session.exec(select(Person).where(Person.workspace_id == workspace_id)).all()
    existing = {row.slack_user_id: row for row in rows}
    counts, changed, new, created = Counts(), set(), [], set()
    with session.no_autoflush:
        for person in people:
            values = {"name": person.name, "is_admin": person.is_admin, "timezone": person.timezone}
            row = existing.get(person.slack_user_id)
            if row is None:
                row = Person(
                    workspace_id=workspace_id, slack_user_id=person.slack_user_id, **values
                )
                existing[person.slack_user_id] = row
                new.append(row)
                created.add(person.slack_user_id)
            elif _assign(row, values):
                changed.add(person.slack_user_id)
        session.add_all(new)
        session.flush()  # managers may be people created just now: they need ids first
        for person in people:
            row = existing[person.slack_user_id]
            manager = existing.get(person.manager_slack_id) if person.manager_slack_id else None
            manager_id = {"manager_id": manager.id if manager else None}
            if _assign(row, manager_id) and person.slack_user_id not in created:
                changed.add(person.slack_user_id)
    session.flush()
    counts.created, counts.updated = len(new), len(changed)
    counts.unchanged = len(people) - counts.created - counts.updated
    given = {person.slack_user_id for person in people}
    return UpsertResult(
        counts,
        {key: existing[key].id for key in given},
        [row.slack_user_id for row in rows if row.slack_user_id not in given],
    )


def upsert_objectives(
    session: Session,
    *,
    workspace_id: int,
    objectives: Sequence[ObjectiveData],
    person_ids: Mapping[str, int],
) -> UpsertResult:
    """Create or update objectives by ref; give parents before their children."""
    rows = session.exec(select(Objective).where(Objective.workspace_id == workspace_id)).all()
    existing = {row.ref: row for row in rows}
    counts, pending = Counts(), []
    with session.no_autoflush:
        for data in objectives:
            parent = existing.get(data.parent_ref) if data.parent_ref else None
            if parent is not None and parent.id is None:
                # Its parent is new too: insert the level above in one batch to learn its id.
                session.add_all(pending)
                session.flush()
                pending = []
            values = _objective_values(data, parent, person_ids)
            row = existing.get(data.ref)
            if row is None:
                row = Objective(workspace_id=workspace_id, ref=data.ref, **values)
                existing[data.ref] = row
                pending.append(row)
                counts.created += 1
            elif _assign(row, values):
                row.updated_at = utcnow()
                counts.updated += 1
            else:
                counts.unchanged += 1
        session.add_all(pending)
        session.flush()
    given = {data.ref for data in objectives}
    return UpsertResult(
        counts,
        {ref: existing[ref].id for ref in given},
        [row.ref for row in rows if row.ref not in given],
    )


def _objective_values(
    data: ObjectiveData, parent: Objective | None, person_ids: Mapping[str, int]
) -> dict[str, Any]:
    values = {
        "level": data.level,
        "parent_id": parent.id if parent else None,
        "title": data.title,
        "description": data.description,
        "owner_id": person_ids.get(data.owner_slack_id) if data.owner_slack_id else None,
        "start_year": data.start_year,
        "end_year": data.end_year,
        "year": data.year,
        "metric_name": data.metric_name,
        "metric_unit": data.metric_unit,
        "baseline": data.baseline,
        "target": data.target,
        "higher_is_better": data.higher_is_better,
        "monthly_plan": list(data.monthly_plan) if data.monthly_plan is not None else None,
        "review_channel": data.review_channel,
        "position": data.position,
    }
    if data.state is not None:
        values["state"] = data.state
    return values


def upsert_actions(
    session: Session,
    *,
    workspace_id: int,
    actions: Sequence[ActionData],
    objective_ids: Mapping[str, int],
    person_ids: Mapping[str, int],
) -> UpsertResult:
    """Create or update action items by (objective, title)."""
    rows = session.exec(select(ActionItem).where(ActionItem.workspace_id == workspace_id)).all()
    existing = {(row.objective_id, row.title): row for row in rows}
    counts, new, given = Counts(), [], set()
    with session.no_autoflush:
        for data in actions:
            key = (objective_ids[data.objective_ref], data.title)
            given.add(key)
            values: dict[str, Any] = {
                "owner_id": person_ids.get(data.owner_slack_id) if data.owner_slack_id else None,
                "due": data.due,
                "position": data.position,
            }
            if data.state is not None:
                values["state"] = data.state
            row = existing.get(key)
            if row is None:
                row = ActionItem(workspace_id=workspace_id, objective_id=key[0], title=key[1])
                _assign(row, values)
                existing[key] = row
                new.append(row)
                counts.created += 1
            elif _assign(row, values):
                row.updated_at = utcnow()
                counts.updated += 1
            else:
                counts.unchanged += 1
        session.add_all(new)
        session.flush()
    return UpsertResult(
        counts,
        {key: existing[key].id for key in given},
        [
            (row.objective_id, row.title)
            for row in rows
            if (row.objective_id, row.title) not in given
        ],
    )


def load_plan_rows(session: Session, *, workspace_id: int) -> PlanRows:
    """The whole plan of a workspace in four queries, each list in the order of the plan file."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise LookupError(f"no workspace with id {workspace_id}")
    people = session.exec(
        select(Person).where(Person.workspace_id == workspace_id).order_by(Person.id)
    ).all()
    objectives = session.exec(
        select(Objective)
        .where(Objective.workspace_id == workspace_id)
        .order_by(Objective.position, Objective.id)
    ).all()
    actions = session.exec(
        select(ActionItem)
        .where(ActionItem.workspace_id == workspace_id)
        .order_by(ActionItem.objective_id, ActionItem.position, ActionItem.id)
    ).all()
    return PlanRows(workspace, list(people), list(objectives), list(actions))


def add_audit_entry(
    session: Session,
    *,
    workspace_id: int,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        workspace_id=workspace_id,
        actor=actor[:64],
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    session.add(entry)
    session.flush()
    return entry
