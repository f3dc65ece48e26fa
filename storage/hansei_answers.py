"""Hansei answers in SQL: one `hansei_answer` row per objective and fiscal year, audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import audit
from storage.models import HanseiAnswer
from storage.prompts import chunks

ANSWER_FIELDS = ("went_well", "went_badly", "root_causes", "learned", "carry_over")
A = HanseiAnswer.__table__.c


def answered_ids(session: Session, *, objective_ids: Sequence[int], year: int) -> set[int]:
    """The objectives among these that have a hansei answer for `year`."""
    found: set[int] = set()
    for chunk in chunks(objective_ids):
        rows = session.execute(
            select(A.objective_id).where(A.objective_id.in_(chunk), A.year == year)
        ).all()
        found.update(row[0] for row in rows)
    return found


def answer_of(
    session: Session, *, workspace_id: int, objective_id: int, year: int
) -> HanseiAnswer | None:
    return session.execute(
        select(HanseiAnswer).where(
            HanseiAnswer.workspace_id == workspace_id,
            HanseiAnswer.objective_id == objective_id,
            HanseiAnswer.year == year,
        )
    ).scalar_one_or_none()


@dataclass(frozen=True)
class SavedAnswer:
    answer: HanseiAnswer
    created: bool
    changed: bool


def save_answer(
    session: Session,
    *,
    workspace_id: int,
    objective_id: int,
    year: int,
    person_id: int,
    answer: dict[str, str | None],
    actor: str,
    now: datetime,
) -> SavedAnswer:
    """The first answer creates the row, later ones edit it; both audited.

    The insert runs in a savepoint: a concurrent insert of the same (objective, year) rolls
    back only itself and this one edits the row the other created.
    """
    row = answer_of(session, workspace_id=workspace_id, objective_id=objective_id, year=year)
    created = False
    if row is None:
        row = HanseiAnswer(
            workspace_id=workspace_id,
            objective_id=objective_id,
            year=year,
            person_id=person_id,
            submitted_at=now,
            **{f: answer.get(f) for f in ANSWER_FIELDS},
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            created = True
        except IntegrityError:
            row = answer_of(
                session, workspace_id=workspace_id, objective_id=objective_id, year=year
            )
            if row is None:
                raise
    before = None if created else {f: getattr(row, f) for f in ANSWER_FIELDS}
    after = {f: answer.get(f) for f in ANSWER_FIELDS}
    changed = created or before != after
    if not created and changed:
        for name, value in after.items():
            setattr(row, name, value)
        row.person_id = person_id
        session.add(row)
        session.flush()
    if changed:
        audit.record(
            session,
            workspace_id=workspace_id,
            actor=actor,
            action="hansei.create" if created else "hansei.update",
            entity="hansei_answer",
            entity_id=row.id,
            before=before,
            after={"year": year, "objective_id": objective_id, **after},
        )
    return SavedAnswer(row, created, changed)
