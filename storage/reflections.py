"""The reflection rows: one per workspace and fiscal year, claimed once, posted step by step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import CheckIn, Objective, ObjectiveLevel, ObjectiveState, Reflection

T = Reflection.__table__.c


def claim(session: Session, *, workspace_id: int, year: int, channel: str) -> Reflection | None:
    """The new row for (workspace, year), or None when one exists (this year is someone's).

    On PostgreSQL a concurrent claim waits on the unique index until the first commits, then
    fails here; the savepoint rolls back only the claim.
    """
    if find(session, workspace_id=workspace_id, year=year) is not None:
        return None
    row = Reflection(workspace_id=workspace_id, year=year, channel=channel)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def find(session: Session, *, workspace_id: int, year: int) -> Reflection | None:
    return session.exec(
        select(Reflection).where(Reflection.workspace_id == workspace_id, Reflection.year == year)
    ).scalar_one_or_none()


def lock(session: Session, *, reflection_id: int) -> Reflection | None:
    """The row as it is now, locked for this transaction (PostgreSQL): two steps never interleave.

    Read afresh even when the session holds it already (a release just changed it).
    """
    return session.exec(
        select(Reflection)
        .where(Reflection.id == reflection_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def unfinished(session: Session) -> list[tuple[int, int]]:
    """(workspace_id, reflection id) of reflections claimed and not yet posted in full."""
    rows = session.execute(
        select(T.workspace_id, T.id).where(T.posted_at.is_(None), T.summary.is_not(None))
    ).all()
    return [(r[0], r[1]) for r in rows]


def set_fields(session: Session, *, reflection_id: int, **values: Any) -> None:
    session.execute(update(Reflection.__table__).where(T.id == reflection_id).values(**values))


def start_carryover(session: Session, *, reflection_id: int, by: str, at: datetime) -> bool:
    """Compare-and-set: True for the one click that starts next year's plan."""
    result = session.execute(
        update(Reflection.__table__)
        .where(T.id == reflection_id, T.carryover_started_at.is_(None))
        .values(carryover_started_at=at, carryover_by=by)
    )
    return result.rowcount == 1


def has_annual_objectives(session: Session, *, workspace_id: int, year: int) -> bool:
    """Whether fiscal year `year` had a plan at all (no plan, no reflection)."""
    found = session.execute(
        select(Objective.id)
        .where(
            Objective.workspace_id == workspace_id,
            Objective.level == ObjectiveLevel.ANNUAL,
            Objective.year == year,
            Objective.state.in_((ObjectiveState.ACTIVE, ObjectiveState.ARCHIVED)),
        )
        .limit(1)
    ).first()
    return found is not None


def final_actual(session: Session, *, objective_id: int, periods: list[str]) -> float | None:
    """The latest actual reported for the objective within `periods`, if any."""
    row = session.execute(
        select(CheckIn.actual)
        .where(
            CheckIn.objective_id == objective_id,
            CheckIn.period.in_(periods),
            CheckIn.actual.is_not(None),
        )
        .order_by(CheckIn.period.desc())
        .limit(1)
    ).first()
    return row[0] if row else None


def carried_from(session: Session, *, workspace_id: int, objective_ids: list[int]) -> set[int]:
    """Which of these objectives already have a draft carried over from them."""
    if not objective_ids:
        return set()
    rows = session.execute(
        select(Objective.carried_from_id).where(
            Objective.workspace_id == workspace_id, Objective.carried_from_id.in_(objective_ids)
        )
    ).all()
    return {r[0] for r in rows}
