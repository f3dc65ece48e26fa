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

from pydantic_core import PydanticUndefined
from sqlalchemy import insert, update
from sqlmodel import Session, select

from storage.models import ActionItem, Objective, Person, Workspace
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


def update_workspace(
    session: Session, *, workspace: Workspace, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply `values` (column -> value); returns the old value of each column that changed."""
    before = {name: getattr(workspace, name) for name in values}
    changed = {name: value for name, value in values.items() if before[name] != value}
    if not changed:
        return {}
    for name, value in changed.items():
        setattr(workspace, name, value)
    workspace.updated_at = utcnow()
    session.add(workspace)
    session.flush()
    return {name: before[name] for name in changed}


class _Table:
    """A workspace's rows of one table by natural key, and the writes that bring them up to date.

    Rows travel as plain dicts through Core statements: building ten thousand ORM objects would
    cost more than all the SQL together.
    """

    def __init__(self, session: Session, model: Any, *, workspace_id: int, key: tuple[str, ...]):
        self.session, self.model, self.table, self.key = session, model, model.__table__, key
        self.workspace_id = workspace_id
        result = session.connection().execute(
            select(self.table).where(self.table.c.workspace_id == workspace_id)
        )
        self.rows = {tuple(row[k] for k in key): dict(row) for row in result.mappings()}
        self.defaults = {**_defaults(model), "workspace_id": workspace_id}
        self.seen: set[tuple] = set()
        self.created: set[tuple] = set()
        self.changed: set[tuple] = set()
        self._inserts: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []

    def put(self, key: tuple, values: dict[str, Any]) -> None:
        """Queue the insert of a new row, or the update of the values that differ."""
        self.seen.add(key)
        row = self.rows.get(key)
        if row is None:
            row = {**self.defaults, **dict(zip(self.key, key, strict=True)), **values, "id": None}
            self.rows[key] = row
            self._inserts.append(row)
            self.created.add(key)
            return
        changed = {name: value for name, value in values.items() if row[name] != value}
        if not changed:
            return
        row.update(changed)
        if row["id"] is not None:  # else still queued for insert, now with these values
            self._updates.append({"id": row["id"], **changed})
            self.changed.add(key)

    def id(self, key: tuple) -> int | None:
        row = self.rows.get(key)
        return row["id"] if row else None

    def flush(self) -> None:
        """Insert the queued rows in one batch and learn their ids; then update in one batch."""
        if self._inserts:
            # A plain executemany, then one SELECT for the ids: INSERT .. RETURNING over many
            # rows makes psycopg parse one huge statement per page, several times slower.
            connection = self.session.connection()
            values = [{k: v for k, v in row.items() if k != "id"} for row in self._inserts]
            connection.execute(insert(self.table), values)
            columns = [self.table.c.id, *(self.table.c[k] for k in self.key)]
            found = connection.execute(
                select(*columns).where(self.table.c.workspace_id == self.workspace_id)
            )
            ids = {tuple(row[1:]): row[0] for row in found}
            for row in self._inserts:
                row["id"] = ids[tuple(row[k] for k in self.key)]
            self._inserts = []
        if self._updates:
            if "updated_at" in self.table.c:
                now = utcnow()
                for changes in self._updates:
                    changes["updated_at"] = now
            self.session.exec(update(self.model), params=self._updates)  # by primary key
            self._updates = []

    def result(self, ids: Any = lambda key: key) -> UpsertResult:
        updated = self.changed - self.created  # a new row's later fix-ups are not updates
        counts = Counts(len(self.created), len(updated), len(self.seen - self.created - updated))
        absent = [ids(key) for key in self.rows if key not in self.seen]
        return UpsertResult(counts, {ids(key): self.rows[key]["id"] for key in self.seen}, absent)


def _defaults(model: Any) -> dict[str, Any]:
    """The values SQLModel gives a new row (they live in Python, not in the schema)."""
    out = {}
    for name, info in model.model_fields.items():
        if name == "id" or name not in model.__table__.c:
            continue
        if info.default_factory is not None:
            out[name] = info.default_factory()
        elif info.default is not PydanticUndefined:
            out[name] = info.default
    return out


def upsert_people(
    session: Session, *, workspace_id: int, people: Sequence[PersonData]
) -> UpsertResult:
    """Create or update people by Slack user id; managers are resolved among all of them."""
    table = _Table(session, Person, workspace_id=workspace_id, key=("slack_user_id",))
    for person in people:
        values = {"name": person.name, "is_admin": person.is_admin, "timezone": person.timezone}
        table.put((person.slack_user_id,), values)
    table.flush()  # managers may be people created just now: they need ids first
    for person in people:
        manager = table.id((person.manager_slack_id,)) if person.manager_slack_id else None
        table.put((person.slack_user_id,), {"manager_id": manager})
    table.flush()
    return table.result(lambda key: key[0])


def upsert_objectives(
    session: Session,
    *,
    workspace_id: int,
    objectives: Sequence[ObjectiveData],
    person_ids: Mapping[str, int],
) -> UpsertResult:
    """Create or update objectives by ref; give parents before their children."""
    table = _Table(session, Objective, workspace_id=workspace_id, key=("ref",))
    for data in objectives:
        parent_id = table.id((data.parent_ref,)) if data.parent_ref else None
        if data.parent_ref and parent_id is None:
            table.flush()  # its parent is new too: insert the level above in one batch first
            parent_id = table.id((data.parent_ref,))
        table.put((data.ref,), _objective_values(data, parent_id, person_ids))
    table.flush()
    return table.result(lambda key: key[0])


def _objective_values(
    data: ObjectiveData, parent_id: int | None, person_ids: Mapping[str, int]
) -> dict[str, Any]:
    values = {
        "level": data.level,
        "parent_id": parent_id,
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
    """Create or update action items by (objective, title); keys are (objective id, title)."""
    table = _Table(session, ActionItem, workspace_id=workspace_id, key=("objective_id", "title"))
    for data in actions:
        values: dict[str, Any] = {
            "owner_id": person_ids.get(data.owner_slack_id) if data.owner_slack_id else None,
            "due": data.due,
            "position": data.position,
        }
        if data.state is not None:
            values["state"] = data.state
        table.put((objective_ids[data.objective_ref], data.title), values)
    table.flush()
    return table.result()


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
