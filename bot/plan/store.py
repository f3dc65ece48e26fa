"""Import a plan file into a workspace in one all-or-nothing transaction, and export it back."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import yaml
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from bot.errors import DatabaseUnavailable, HoshinError, NotFound
from bot.plan.file import Breakthrough, CascadedObjective, PlanFile, PlanSettings, parse_plan
from bot.plan.limits import MAX_LEVELS
from storage import audit, plans
from storage.db import is_connection_lost, session_scope
from storage.models import ActionItem, Objective, ObjectiveLevel
from storage.plans import ActionData, Counts, ObjectiveData, PersonData, PlanRows

SETTINGS = tuple(PlanSettings.model_fields)  # each is a Workspace column of the same name
# Wide enough that no value is folded onto a second line: one value per line greps and diffs
# best, and nobody has to know how YAML joins folded lines. Long text with newlines is a | block.
WIDTH = 100_000


@dataclass
class ImportReport:
    """What an import did, per kind of row; `lines()` says it for a person."""

    team_id: str
    workspace_created: bool = False
    settings_changed: list[str] = field(default_factory=list)
    people: Counts = field(default_factory=Counts)
    objectives: Counts = field(default_factory=Counts)
    actions: Counts = field(default_factory=Counts)
    # Rows in the database that the file does not mention: left as they are, never deleted.
    people_not_in_file: list[str] = field(default_factory=list)
    objectives_not_in_file: list[str] = field(default_factory=list)
    actions_not_in_file: int = 0
    audit_entry_id: int | None = None

    @property
    def changed(self) -> bool:
        kinds = (self.people, self.objectives, self.actions)
        return (
            self.workspace_created
            or bool(self.settings_changed)
            or any(c.created or c.updated for c in kinds)
        )

    def summary(self) -> dict[str, Any]:
        """The report as plain data for the audit log: counts, not lists of thousands of refs."""
        data = asdict(self)
        data.pop("audit_entry_id")
        for kind in ("people_not_in_file", "objectives_not_in_file"):
            data[kind] = len(data[kind])
        return data

    def lines(self) -> list[str]:
        head = f"Workspace {self.team_id}" + (" created." if self.workspace_created else ".")
        out = [head if self.changed else f"{head} Nothing changed: the plan was already loaded."]
        if self.settings_changed:
            out.append(f"Workspace settings changed: {', '.join(self.settings_changed)}.")
        for kind in ("people", "objectives", "actions"):
            c: Counts = getattr(self, kind)
            out.append(f"{kind}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged")
        for kind, keys in (
            ("people", self.people_not_in_file),
            ("objectives", self.objectives_not_in_file),
        ):
            if keys:
                shown = ", ".join(keys[:10]) + (
                    f" and {len(keys) - 10} more" if len(keys) > 10 else ""
                )
                out.append(f"{len(keys)} {kind} not in the file were left as they are: {shown}")
        if self.actions_not_in_file:
            out.append(f"{self.actions_not_in_file} actions not in the file were left as they are")
        return out


def import_plan(engine: Engine, text: str, *, actor: str = "cli") -> ImportReport:
    """Parse, check and load a plan file; all of it or, on any problem, none of it.

    Matching is by key (person by Slack id, objective by ref, action by objective and title), so
    importing the same file twice changes nothing the second time and writes no audit entry.
    Raises PlanFileError (every problem, by place) before the database is touched.
    """
    plan = parse_plan(text)
    try:
        with session_scope(engine) as session:
            report = _apply(session, plan, actor=actor, digest=_digest(text))
    except OperationalError as exc:
        raise _database_error(exc) from exc
    except IntegrityError as exc:
        if "unique" not in str(exc.orig).lower():
            raise
        raise HoshinError(
            "The plan could not be saved because the same rows were changed at the same time "
            "(another import?). Nothing was changed — please run the import again."
        ) from exc
    return report


def _database_error(exc: OperationalError) -> HoshinError:
    if is_connection_lost(exc):
        return DatabaseUnavailable()
    return HoshinError(  # SQLite's OperationalError for an old schema ("no such table")
        f"The database schema is older than this Hoshin Bot ({exc.orig}); upgrade the "
        "database and try again. Nothing was changed."
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _apply(session: Session, plan: PlanFile, *, actor: str, digest: str) -> ImportReport:
    report = ImportReport(team_id=plan.workspace)
    workspace = plans.find_workspace(session, team_id=plan.workspace)
    if workspace is None:
        workspace = plans.get_or_create_workspace(session, team_id=plan.workspace)
        report.workspace_created = True
    # Only what the file says is applied: a key left out keeps the workspace's current value.
    values = {name: getattr(plan.settings, name) for name in plan.settings.model_fields_set}
    values |= {
        name: getattr(plan, name) for name in ("vision", "values") if name in plan.model_fields_set
    }
    before = plans.update_workspace(session, workspace=workspace, values=values)
    report.settings_changed = sorted(before)

    people = plans.upsert_people(
        session,
        workspace_id=workspace.id,
        people=[PersonData(p.id, p.name, p.admin, p.timezone, p.manager) for p in plan.people],
    )
    objective_rows, action_rows = _flatten(plan)
    objectives = plans.upsert_objectives(
        session, workspace_id=workspace.id, objectives=objective_rows, person_ids=people.ids
    )
    actions = plans.upsert_actions(
        session,
        workspace_id=workspace.id,
        actions=action_rows,
        objective_ids=objectives.ids,
        person_ids=people.ids,
    )
    report.people, report.people_not_in_file = people.counts, sorted(people.absent)
    report.objectives, report.objectives_not_in_file = objectives.counts, sorted(objectives.absent)
    report.actions, report.actions_not_in_file = actions.counts, len(actions.absent)
    if report.changed:
        entry = audit.record(
            session,
            workspace_id=workspace.id,
            actor=actor,
            action="plan.import",
            entity="workspace",
            entity_id=workspace.id,
            before={"settings": {k: _plain(v) for k, v in before.items()}} if before else None,
            after={**report.summary(), "sha256": digest},
        )
        report.audit_entry_id = entry.id
    return report


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _walk(plan: PlanFile) -> Iterator[tuple[Any, str, str | None, int]]:
    """(objective, level, parent ref, position), parents before children, level by level."""
    level = [(bt, "breakthrough", None, i) for i, bt in enumerate(plan.breakthroughs)]
    while level:
        yield from level
        below = []
        for obj, _, _, _ in level:
            kids = obj.annual if isinstance(obj, Breakthrough) else obj.children
            kind = "annual" if isinstance(obj, Breakthrough) else "cascaded"
            below += [(kid, kind, obj.ref, i) for i, kid in enumerate(kids)]
        level = below


def _flatten(plan: PlanFile) -> tuple[list[ObjectiveData], list[ActionData]]:
    objectives, actions = [], []
    for obj, level, parent_ref, position in _walk(plan):
        metric = obj.metric
        years = obj.years if isinstance(obj, Breakthrough) else (None, None)
        objectives.append(
            ObjectiveData(
                ref=obj.ref,
                level=level,
                title=obj.title,
                parent_ref=parent_ref,
                owner_slack_id=obj.owner,
                position=position,
                description=obj.description,
                start_year=years[0],
                end_year=years[-1],
                year=None if isinstance(obj, Breakthrough) else obj.year,
                metric_name=metric.name if metric else None,
                metric_unit=metric.unit if metric else None,
                baseline=metric.baseline if metric else None,
                target=metric.target if metric else None,
                higher_is_better=metric.higher_is_better if metric else True,
                monthly_plan=None if isinstance(obj, Breakthrough) else obj.monthly_plan,
                review_channel=obj.review_channel,
                state=obj.state,
            )
        )
        if isinstance(obj, CascadedObjective):
            actions += [
                ActionData(obj.ref, a.title, i, a.owner, a.due, a.state)
                for i, a in enumerate(obj.actions)
            ]
    return objectives, actions


# --- export ------------------------------------------------------------------------------------


def export_plan(engine: Engine, *, team_id: str | None = None) -> str:
    """The workspace's plan as a plan file; importing it gives back the same plan.

    With no team id, the one workspace in the database is exported.
    """
    try:
        with session_scope(engine) as session:
            if team_id is None:
                workspaces = plans.list_workspaces(session)
                if not workspaces:
                    raise NotFound("There is no workspace in the database yet: import a plan.")
                if len(workspaces) > 1:
                    teams = ", ".join(ws.team_id for ws in workspaces)
                    raise HoshinError(
                        f"There are {len(workspaces)} workspaces in the database ({teams}); "
                        "say which one to export with its team id."
                    )
                workspace = workspaces[0]
            else:
                workspace = plans.find_workspace(session, team_id=team_id)
                if workspace is None:
                    raise NotFound(f"There is no workspace {team_id} in the database.")
            rows = plans.load_plan_rows(session, workspace_id=workspace.id)
    except OperationalError as exc:
        raise _database_error(exc) from exc
    return render_plan(rows)


class _Flow(list):
    """A list written on one line: [10.3, 10.6, ...]."""


class _FlowMap(dict):
    """A mapping written on one line: {name: ARR, target: 14}."""


_Y = "tag:yaml.org,2002:"
_UNICODE_BREAK = re.compile("[\x85\u2028\u2029]")


class _PlanDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml when it is there
    """PyYAML's safe dumper, writing what is short on one line and long text as a | block."""


def _flow_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    return dumper.represent_sequence(_Y + "seq", data, flow_style=True)


def _flow_map(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    return dumper.represent_mapping(_Y + "map", data, flow_style=True)


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    # Text on several lines as a | block; the emitter falls back to quotes where a block cannot
    # hold it exactly. Unicode's own line breaks go in double quotes, escaped: PyYAML's pure-Python
    # emitter writes them raw, and they read back as a space or a newline.
    if _UNICODE_BREAK.search(data):
        return dumper.represent_scalar(_Y + "str", data, style='"')
    return dumper.represent_scalar(_Y + "str", data, style="|" if "\n" in data else None)


def _number(dumper: yaml.SafeDumper, data: float) -> yaml.Node:
    # As written in the spreadsheet: 14, not 14.0.
    if data.is_integer() and abs(data) < 1e15:
        return dumper.represent_int(int(data))
    return dumper.represent_float(data)


_PlanDumper.add_representer(_Flow, _flow_list)
_PlanDumper.add_representer(_FlowMap, _flow_map)
_PlanDumper.add_representer(str, _text)
_PlanDumper.add_representer(float, _number)


def _without_none(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def render_plan(rows: PlanRows) -> str:
    """The plan file text of `rows` (see storage.plans.load_plan_rows)."""
    ws = rows.workspace
    slack_id = {person.id: person.slack_user_id for person in rows.people}
    data: dict[str, Any] = {"workspace": ws.team_id}
    data["settings"] = {name: getattr(ws, name) for name in SETTINGS}
    data |= _without_none(
        vision=ws.vision, values=list(ws.values) if ws.values is not None else None
    )
    data["people"] = [
        _FlowMap(
            id=p.slack_user_id,
            name=p.name,
            **_without_none(
                manager=slack_id.get(p.manager_id),
                admin=True if p.is_admin else None,
                timezone=p.timezone,
            ),
        )
        for p in rows.people
    ]
    children: dict[int | None, list[Objective]] = defaultdict(list)
    for obj in rows.objectives:
        children[obj.parent_id].append(obj)
    actions: dict[int, list[ActionItem]] = defaultdict(list)
    for action in rows.actions:
        actions[action.objective_id].append(action)

    def objective(obj: Objective) -> dict[str, Any]:
        out = {"ref": obj.ref, "title": obj.title}
        out |= _without_none(owner=slack_id.get(obj.owner_id))
        if obj.level == ObjectiveLevel.BREAKTHROUGH:
            out["years"] = _Flow([obj.start_year, obj.end_year])
        elif obj.level == ObjectiveLevel.ANNUAL:
            out["year"] = obj.year
        out |= _without_none(description=obj.description)
        if obj.metric_name is not None:
            out["metric"] = _FlowMap(
                name=obj.metric_name,
                **_without_none(unit=obj.metric_unit, baseline=obj.baseline, target=obj.target),
                higher_is_better=obj.higher_is_better,
            )
        if obj.monthly_plan is not None and obj.level != ObjectiveLevel.BREAKTHROUGH:
            out["monthly_plan"] = _Flow(float(v) for v in obj.monthly_plan)
        out |= _without_none(review_channel=obj.review_channel)
        if obj.state != "active":
            out["state"] = str(obj.state)
        if obj.level != ObjectiveLevel.BREAKTHROUGH and actions[obj.id]:
            out["actions"] = [
                _FlowMap(
                    title=a.title,
                    **_without_none(
                        owner=slack_id.get(a.owner_id),
                        due=a.due,
                        state=None if a.state == "open" else str(a.state),
                    ),
                )
                for a in actions[obj.id]
            ]
        return out

    # Parents before children, without recursion. Catchball may cascade below the depth a file
    # may hold; those objectives are named in the header and left out, and an import of this
    # file leaves their rows as they are.
    written: set[int] = set()
    deeper: list[str] = []
    data["breakthroughs"] = []
    roots = [obj for obj in children[None] if obj.level == ObjectiveLevel.BREAKTHROUGH]
    todo: list[tuple[Objective, int, list | None]] = [
        (bt, 1, data["breakthroughs"]) for bt in reversed(roots)
    ]
    while todo:
        obj, depth, into = todo.pop()
        written.add(obj.id)
        below = [kid for kid in children[obj.id] if kid.level != ObjectiveLevel.BREAKTHROUGH]
        if into is None or depth > MAX_LEVELS:
            deeper.append(obj.ref)
            todo += [(kid, depth + 1, None) for kid in reversed(below)]
            continue
        out = objective(obj)
        into.append(out)
        if below:
            key = "annual" if obj.level == ObjectiveLevel.BREAKTHROUGH else "children"
            out[key] = []
            todo += [(kid, depth + 1, out[key]) for kid in reversed(below)]
    header = (
        f"# The Hoshin plan of workspace {ws.team_id}, exported by Hoshin Bot.\n"
        "# Re-import with `hoshin plan import FILE`: rows are matched by id and ref, and rows\n"
        "# left out of the file are left as they are in the bot.\n"
    )
    missing = sorted(obj.ref for obj in rows.objectives if obj.id not in written)
    if missing:
        header += f"# Not in this file (no breakthrough above them): {', '.join(missing)}\n"
    if deeper:
        header += f"# Not in this file (deeper than {MAX_LEVELS} levels): {', '.join(deeper)}\n"
    body = yaml.dump(data, Dumper=_PlanDumper, sort_keys=False, allow_unicode=True, width=WIDTH)
    return header + body
