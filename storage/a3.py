"""A3 countermeasure reports in SQL: asked once per objective and period, written, then judged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlmodel import Session

from storage import audit
from storage.db import find_or_insert
from storage.models import A3Report, CheckIn, Objective, ObjectiveState

# The fields the A3 modal writes; `worked*` are the next month's answer.
A3_FIELDS = ("problem", "root_cause", "countermeasure", "action_owner_id", "due")
CHUNK = 900


def status_of(session: Session, *, workspace_id: int, objective_id: int, period: str) -> str | None:
    """The status the check-in of (objective, period) gives, None without one."""
    return session.execute(
        select(CheckIn.status).where(
            CheckIn.workspace_id == workspace_id,
            CheckIn.objective_id == objective_id,
            CheckIn.period == period,
        )
    ).scalar_one_or_none()


def by_objective_period(
    session: Session, *, workspace_id: int, objective_id: int, period: str
) -> A3Report | None:
    return session.execute(
        select(A3Report).where(
            A3Report.workspace_id == workspace_id,
            A3Report.objective_id == objective_id,
            A3Report.period == period,
        )
    ).scalar_one_or_none()


def by_id(session: Session, *, workspace_id: int, a3_id: int) -> A3Report | None:
    row = session.get(A3Report, a3_id)
    return row if row is not None and row.workspace_id == workspace_id else None


def ask(
    session: Session, *, workspace_id: int, objective_id: int, period: str, person_id: int | None
) -> tuple[A3Report, bool]:
    """The A3 row of (objective, period), created the first time; (row, True) when new.

    The unique (objective, period) decides between two submissions racing.
    """
    row = A3Report(
        workspace_id=workspace_id, objective_id=objective_id, period=period, person_id=person_id
    )
    return find_or_insert(
        session,
        lambda: by_objective_period(
            session, workspace_id=workspace_id, objective_id=objective_id, period=period
        ),
        row,
    )


def write(
    session: Session, *, row: A3Report, values: dict[str, Any], actor: str, now: datetime
) -> bool:
    """Store what the A3 modal says (the first time, or an edit); True if anything changed."""
    before = {f: getattr(row, f) for f in A3_FIELDS}
    after = {f: values.get(f) for f in A3_FIELDS}
    first = row.submitted_at is None
    if not first and before == after:
        return False
    for name, value in after.items():
        setattr(row, name, value)
    if first:
        row.submitted_at = now
    session.add(row)
    session.flush()
    audit.record(
        session,
        workspace_id=row.workspace_id,
        actor=actor,
        action="a3.submit" if first else "a3.update",
        entity="a3_report",
        entity_id=row.id,
        before=None if first else before,
        after={"period": row.period, **after},
    )
    return True


def set_worked(
    session: Session, *, row: A3Report, worked: str, period: str, actor: str, now: datetime
) -> bool:
    """Store whether the countermeasure worked; True if the answer changed."""
    if row.worked == worked and row.worked_period == period:
        return False
    before = {"worked": row.worked, "worked_period": row.worked_period}
    session.execute(
        update(A3Report)
        .where(A3Report.id == row.id)
        .values(worked=worked, worked_period=period, worked_at=now)
    )
    session.refresh(row)
    audit.record(
        session,
        workspace_id=row.workspace_id,
        actor=actor,
        action="a3.worked",
        entity="a3_report",
        entity_id=row.id,
        before=before,
        after={"worked": worked, "worked_period": period},
    )
    return True


@dataclass(frozen=True)
class A3Row:
    """An A3 with what it is about, for prompts, the Home and status."""

    id: int
    objective_id: int
    objective_ref: str
    objective_title: str
    period: str
    countermeasure: str | None
    due: date | None
    submitted: bool
    worked: str | None
    worked_period: str | None


_COLUMNS = (
    A3Report.id,
    A3Report.objective_id,
    Objective.ref,
    Objective.title,
    A3Report.period,
    A3Report.countermeasure,
    A3Report.due,
    A3Report.submitted_at.is_not(None),
    A3Report.worked,
    A3Report.worked_period,
)


def _select(workspace_id: int):
    return (
        select(*_COLUMNS)
        .join(Objective, Objective.id == A3Report.objective_id)
        .where(A3Report.workspace_id == workspace_id)
    )


def written_for(
    session: Session, *, workspace_id: int, objective_ids: Sequence[int], period: str
) -> dict[int, A3Row]:
    """{objective id: its A3 of `period`}, for those written (a prompt asks whether it worked)."""
    found: dict[int, A3Row] = {}
    ids = list(objective_ids)
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            _select(workspace_id).where(
                A3Report.period == period,
                A3Report.submitted_at.is_not(None),
                A3Report.objective_id.in_(ids[start : start + CHUNK]),
            )
        ).all()
        found.update({row[1]: A3Row(*row) for row in rows})
    return found


def pending_for(session: Session, *, workspace_id: int, owner_id: int, limit: int) -> list[A3Row]:
    """A3s still to write on active objectives `owner_id` owns now, oldest first."""
    rows = session.execute(
        _select(workspace_id)
        .where(
            and_(
                A3Report.submitted_at.is_(None),
                Objective.owner_id == owner_id,
                Objective.state == ObjectiveState.ACTIVE.value,
            )
        )
        .order_by(A3Report.period, A3Report.id)
        .limit(limit)
    ).all()
    return [A3Row(*row) for row in rows]


def of_objective(session: Session, *, workspace_id: int, objective_id: int) -> list[A3Row]:
    """Every A3 of one objective, newest first (the status drill-down)."""
    rows = session.execute(
        _select(workspace_id)
        .where(A3Report.objective_id == objective_id)
        .order_by(A3Report.period.desc())
    ).all()
    return [A3Row(*row) for row in rows]
