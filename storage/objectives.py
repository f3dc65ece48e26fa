"""Reading and changing single objectives, each change written to the audit log."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, func, select

from storage import audit
from storage.models import Objective, ObjectiveLevel, ObjectiveState
from storage.rows import read

# Objectives that still take part in the plan; archived and rejected ones are history.
LIVE_STATES = (ObjectiveState.ACTIVE, ObjectiveState.PROPOSED)

EDITABLE = (
    "title",
    "description",
    "owner_id",
    "parent_id",
    "start_year",
    "end_year",
    "year",
    "metric_name",
    "metric_unit",
    "baseline",
    "target",
    "higher_is_better",
    "monthly_plan",
    "review_channel",
    "state",
)


def by_ref(session: Session, *, workspace_id: int, ref: str) -> Objective | None:
    """Refs are matched ignoring case: people type `an1` for AN1."""
    return session.exec(
        select(Objective).where(
            Objective.workspace_id == workspace_id, func.upper(Objective.ref) == ref.upper()
        )
    ).first()


def by_id(session: Session, *, workspace_id: int, objective_id: int) -> Objective | None:
    """Scoped by workspace: an id from a button value never reaches another workspace's row."""
    return session.exec(
        select(Objective).where(
            Objective.workspace_id == workspace_id, Objective.id == objective_id
        )
    ).first()


def children(session: Session, *, workspace_id: int, parent_id: int) -> list[Objective]:
    return list(
        session.exec(
            select(Objective)
            .where(Objective.workspace_id == workspace_id, Objective.parent_id == parent_id)
            .order_by(Objective.position, Objective.id)
        )
    )


def active_breakthroughs(session: Session, *, workspace_id: int, limit: int) -> list[Objective]:
    """Breakthroughs an annual objective may hang under, newest horizon first."""
    return list(
        session.exec(
            select(Objective)
            .where(
                Objective.workspace_id == workspace_id,
                Objective.level == ObjectiveLevel.BREAKTHROUGH,
                Objective.state == ObjectiveState.ACTIVE,
            )
            .order_by(Objective.start_year.desc(), Objective.position, Objective.id)
            .limit(limit)
        )
    )


def live_descendants(session: Session, *, workspace_id: int, root_id: int) -> list[Objective]:
    """The live objectives anywhere below `root_id`, in tree order (two queries at any depth)."""
    links = read(
        session,
        select(Objective.id, Objective.parent_id).where(
            Objective.workspace_id == workspace_id, Objective.state.in_(LIVE_STATES)
        ),
    )
    below: dict[int, list[int]] = {}
    for objective_id, parent_id in links:
        if parent_id is not None:
            below.setdefault(parent_id, []).append(objective_id)
    found: list[int] = []
    seen = {root_id}
    stack = list(reversed(below.get(root_id, [])))
    while stack:
        objective_id = stack.pop()
        if objective_id in seen:  # a cycle in bad data must not loop forever
            continue
        seen.add(objective_id)
        found.append(objective_id)
        stack.extend(reversed(below.get(objective_id, [])))
    if not found:
        return []
    rows = session.exec(
        select(Objective).where(Objective.workspace_id == workspace_id, Objective.id.in_(found))
    ).all()
    order = {objective_id: i for i, objective_id in enumerate(found)}
    return sorted(rows, key=lambda o: order[o.id])


def next_child_ref(session: Session, *, workspace_id: int, parent: Objective) -> str:
    """`AN1` → the first free of `AN1.1`, `AN1.2`, …"""
    prefix = f"{parent.ref}."
    taken = session.exec(
        select(Objective.ref).where(
            Objective.workspace_id == workspace_id, Objective.ref.startswith(prefix)
        )
    ).all()
    numbers = [
        int(m.group(1)) for r in taken if (m := re.fullmatch(rf"{re.escape(prefix)}(\d+)", r))
    ]
    return f"{prefix}{max(numbers, default=0) + 1}"


def next_top_ref(session: Session, *, workspace_id: int, prefix: str) -> str:
    """`BT` → the first free of BT1, BT2, … (likewise AN for annual objectives)."""
    taken = session.exec(
        select(Objective.ref).where(
            Objective.workspace_id == workspace_id, Objective.ref.startswith(prefix)
        )
    ).all()
    numbers = [int(m.group(1)) for r in taken if (m := re.fullmatch(rf"{prefix}(\d+)", r))]
    return f"{prefix}{max(numbers, default=0) + 1}"


def create(session: Session, *, actor: str, objective: Objective) -> Objective:
    session.add(objective)
    session.flush()
    _audit(session, objective, actor=actor, action="objective.create", after=snapshot(objective))
    return objective


def update(
    session: Session,
    *,
    actor: str,
    objective: Objective,
    changes: dict[str, Any],
    action: str = "objective.update",
) -> dict[str, Any]:
    """Apply `changes`; audit only what really changed. Returns {field: (before, after)}."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    diff = {
        key: (getattr(objective, key), value)
        for key, value in changes.items()
        if getattr(objective, key) != value
    }
    if not diff:
        return {}
    for key, (_, value) in diff.items():
        setattr(objective, key, value)
    session.add(objective)
    session.flush()
    _audit(
        session,
        objective,
        actor=actor,
        action=action,
        before={k: before for k, (before, _) in diff.items()},
        after={k: after for k, (_, after) in diff.items()},
    )
    return diff


def archive(session: Session, *, actor: str, objective: Objective) -> bool:
    """Archive keeps the row and its history; nothing is ever deleted."""
    return bool(
        update(
            session,
            actor=actor,
            objective=objective,
            changes={"state": ObjectiveState.ARCHIVED},
            action="objective.archive",
        )
    )


def _audit(
    session: Session,
    objective: Objective,
    *,
    actor: str,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any],
) -> None:
    audit.record(
        session,
        workspace_id=objective.workspace_id,
        actor=actor,
        action=action,
        entity="objective",
        entity_id=objective.id,
        before=before,
        after=after,
    )


def snapshot(objective: Objective) -> dict[str, Any]:
    return {key: getattr(objective, key) for key in ("ref", "level", *EDITABLE)}
