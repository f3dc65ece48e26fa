"""Reading and changing action items, each change audited; overdue actions for the check-in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, func, select

from storage import audit
from storage.models import ActionItem, AuditEntry, Objective, ObjectiveState, Person
from storage.rows import columns, read

ENTITY = "action"


def by_id(session: Session, *, workspace_id: int, action_id: int) -> ActionItem | None:
    """Scoped by workspace: an id from a button value never reaches another workspace's row."""
    return session.exec(
        select(ActionItem).where(
            ActionItem.workspace_id == workspace_id, ActionItem.id == action_id
        )
    ).first()


def person_by_id(session: Session, *, workspace_id: int, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    return session.exec(
        select(Person).where(Person.workspace_id == workspace_id, Person.id == person_id)
    ).first()


def admin_user_ids(session: Session, *, workspace_id: int, limit: int = 5) -> list[str]:
    return list(
        session.exec(
            select(Person.slack_user_id)
            .where(Person.workspace_id == workspace_id, Person.is_admin.is_(True))
            .order_by(Person.id)
            .limit(limit)
        )
    )


def active_refs(session: Session, *, workspace_id: int) -> list[str]:
    """Refs to suggest when someone mistypes one (read only on that error path)."""
    return list(
        session.exec(
            select(Objective.ref).where(
                Objective.workspace_id == workspace_id,
                Objective.state == ObjectiveState.ACTIVE,
            )
        )
    )


def create(session: Session, *, actor: str, action: ActionItem, at: datetime) -> ActionItem:
    """Store a new action at the end of its objective's action plan."""
    action.position = session.exec(
        select(func.count())
        .select_from(ActionItem)
        .where(ActionItem.objective_id == action.objective_id)
    ).one()
    session.add(action)
    session.flush()
    _audit(session, action, actor=actor, name="action.create", at=at, after=snapshot(action))
    return action


def change_state(
    session: Session,
    *,
    actor: str,
    action: ActionItem,
    from_states: Iterable[str],
    to_state: str,
    at: datetime,
) -> bool:
    """Move the action to `to_state` only if it is still in one of `from_states`.

    One conditional UPDATE, so two clicks racing each other change the row once: the second
    finds the state already moved (PostgreSQL re-checks the WHERE after the first commits).
    """
    before = action.state
    changed = session.execute(
        update(ActionItem)
        .where(
            ActionItem.id == action.id,
            ActionItem.state.in_([str(s) for s in from_states]),
        )
        .values(state=to_state, updated_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(action)
    if not changed:
        return False
    _audit(
        session,
        action,
        actor=actor,
        name=f"action.{to_state if to_state != 'open' else 'reopen'}",
        at=at,
        before={"state": before},
        after={"state": to_state},
    )
    return True


def history(session: Session, *, workspace_id: int, action_id: int) -> list[AuditEntry]:
    """Every audited change of one action, oldest first: who added it, who marked it when."""
    return audit.entries(session, workspace_id=workspace_id, entity=ENTITY, entity_id=action_id)


def snapshot(action: ActionItem) -> dict[str, Any]:
    return {
        key: getattr(action, key)
        for key in ("objective_id", "title", "owner_id", "due", "state", "position")
    }


def _audit(session: Session, action: ActionItem, *, actor: str, name: str, at: datetime, **kw):
    entry = audit.record(
        session,
        workspace_id=action.workspace_id,
        actor=actor,
        action=name,
        entity=ENTITY,
        entity_id=action.id,
        **kw,
    )
    # The audit shows the services clock's time, so a demo that moves the clock reads true.
    entry.at = at
    session.flush()
    return entry


# ---- overdue actions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OverdueRow:
    action_id: int
    title: str
    due: date
    state: str
    owner_id: int
    objective_id: int
    objective_ref: str
    objective_title: str


def overdue(
    session: Session, *, workspace_id: int, today: date, owner_id: int | None = None
) -> list[OverdueRow]:
    """Open or blocked actions due before `today`, of active objectives, oldest due first."""
    statement = (
        select(
            *columns(
                OverdueRow,
                ActionItem,
                action_id=ActionItem.id,
                objective_id=Objective.id,
                objective_ref=Objective.ref,
                objective_title=Objective.title,
            )
        )
        .join(Objective, Objective.id == ActionItem.objective_id)
        .where(
            ActionItem.workspace_id == workspace_id,
            ActionItem.state.in_(["open", "blocked"]),
            ActionItem.due < today,
            ActionItem.owner_id.is_not(None),
            Objective.state == ObjectiveState.ACTIVE,
        )
        .order_by(ActionItem.due, ActionItem.id)
    )
    if owner_id is not None:
        statement = statement.where(ActionItem.owner_id == owner_id)
    return [OverdueRow(*row) for row in read(session, statement)]
