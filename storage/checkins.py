"""Storing check-ins (one row per objective and period), DM-reply comments, prompts and absences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import Session, select

from storage import audit
from storage.db import find_or_insert
from storage.models import (
    CheckIn,
    CheckInPrompt,
    Objective,
    ObjectiveLevel,
    ObjectiveState,
    Person,
)
from storage.models.review import PromptState

ANSWER_FIELDS = ("actual", "status", "what_happened", "challenges", "countermeasure")


@dataclass(frozen=True)
class SavedCheckIn:
    check_in: CheckIn
    created: bool  # False: an earlier check-in of the same objective and period was edited
    changed: bool


def by_objective_period(
    session: Session, *, workspace_id: int, objective_id: int, period: str
) -> CheckIn | None:
    return session.exec(
        select(CheckIn).where(
            CheckIn.workspace_id == workspace_id,
            CheckIn.objective_id == objective_id,
            CheckIn.period == period,
        )
    ).first()


def _get_or_create(
    session: Session, *, workspace_id: int, objective_id: int, period: str, now: datetime
) -> tuple[CheckIn, bool]:
    """The row of (objective, period), inserted the first time (the unique constraint decides
    who was first when two answers race)."""
    row = CheckIn(
        workspace_id=workspace_id, objective_id=objective_id, period=period, submitted_at=now
    )
    return find_or_insert(
        session,
        lambda: by_objective_period(
            session, workspace_id=workspace_id, objective_id=objective_id, period=period
        ),
        row,
    )


def save(
    session: Session,
    *,
    workspace_id: int,
    objective_id: int,
    period: str,
    person_id: int,
    answer: dict[str, Any],
    actor: str,
    now: datetime,
) -> SavedCheckIn:
    """Store an owner's answer: the first one creates the row, later ones edit it (audited).

    A comment kept from a DM reply stays: the modal does not carry it.
    """
    row, created = _get_or_create(
        session, workspace_id=workspace_id, objective_id=objective_id, period=period, now=now
    )
    before = {f: getattr(row, f) for f in ANSWER_FIELDS}
    after = {f: answer.get(f) for f in ANSWER_FIELDS}
    first_answer = row.status is None and row.actual is None
    changed = created or before != after
    if changed:
        for name, value in after.items():
            setattr(row, name, value)
        row.person_id = person_id
        if first_answer:
            row.submitted_at = now  # a DM comment may have created the row earlier
        session.add(row)
        session.flush()
        audit.record(
            session,
            workspace_id=workspace_id,
            actor=actor,
            action="checkin.create" if first_answer else "checkin.update",
            entity="check_in",
            entity_id=row.id,
            before=None if first_answer else before,
            after={"period": period, **after},
        )
    return SavedCheckIn(row, created, changed)


def add_comment(
    session: Session,
    *,
    workspace_id: int,
    objective_id: int,
    period: str,
    person_id: int,
    text: str,
    limit: int,
    now: datetime,
) -> CheckIn:
    """Keep what an owner wrote back to the prompt DM; a second reply is added below the first."""
    row, _ = _get_or_create(
        session, workspace_id=workspace_id, objective_id=objective_id, period=period, now=now
    )
    comment = f"{row.comment}\n\n{text}" if row.comment else text
    row.comment = comment[:limit]
    if row.person_id is None:
        row.person_id = person_id
    session.add(row)
    session.flush()
    return row


def set_reply_ts(session: Session, *, check_in_id: int, ts: str) -> None:
    session.execute(
        update(CheckIn)
        .where(CheckIn.id == check_in_id, CheckIn.thread_reply_ts.is_(None))
        .values(thread_reply_ts=ts)
    )


# ---- whose check-ins: owned objectives, prompts --------------------------------------------------


def owned_objectives(
    session: Session, *, workspace_id: int, person_id: int, year: int
) -> list[Objective]:
    """The active annual and cascaded objectives of fiscal year `year` that a person owns."""
    return list(
        session.exec(
            select(Objective)
            .where(
                Objective.workspace_id == workspace_id,
                Objective.owner_id == person_id,
                Objective.state == ObjectiveState.ACTIVE,
                Objective.level != ObjectiveLevel.BREAKTHROUGH,
                or_(
                    Objective.year == year,
                    and_(Objective.year.is_(None), Objective.level == ObjectiveLevel.CASCADED),
                ),
            )
            .order_by(Objective.position, Objective.id)
        )
    )


def statuses(
    session: Session, *, workspace_id: int, objective_ids: list[int], period: str
) -> dict[int, str | None]:
    """{objective id: the status its check-in of `period` gives}, for objectives with a row."""
    if not objective_ids:
        return {}
    rows = session.exec(
        select(CheckIn.objective_id, CheckIn.status).where(
            CheckIn.workspace_id == workspace_id,
            CheckIn.period == period,
            CheckIn.objective_id.in_(objective_ids),
        )
    ).all()
    return dict(rows)


def latest_prompt(
    session: Session, *, workspace_id: int, person_id: int, kind: str = "checkin"
) -> CheckInPrompt | None:
    """The person's most recent prompt of this kind (by period, then by when it was written)."""
    return session.exec(
        select(CheckInPrompt)
        .where(
            CheckInPrompt.workspace_id == workspace_id,
            CheckInPrompt.person_id == person_id,
            CheckInPrompt.kind == kind,
        )
        .order_by(CheckInPrompt.period.desc(), CheckInPrompt.id.desc())
        .limit(1)
    ).first()


def mark_prompt_answered(
    session: Session, *, workspace_id: int, person_id: int, period: str, kind: str = "checkin"
) -> bool:
    """A sent (or queued) prompt becomes answered; True if it changed."""
    result = session.execute(
        update(CheckInPrompt)
        .where(
            CheckInPrompt.workspace_id == workspace_id,
            CheckInPrompt.person_id == person_id,
            CheckInPrompt.period == period,
            CheckInPrompt.kind == kind,
            CheckInPrompt.state.in_((PromptState.QUEUED, PromptState.SENT)),
        )
        .values(state=PromptState.ANSWERED)
    )
    return result.rowcount > 0


# ---- being away ----------------------------------------------------------------------------------


def set_away(session: Session, *, person: Person, until: date | None, actor: str) -> int | None:
    """Pause (or, with None, resume) a person's prompts; the audit entry's id, or None if unchanged."""
    if person.away_until == until:
        return None
    before = {"away_until": person.away_until}
    person.away_until = until
    session.add(person)
    session.flush()
    entry = audit.record(
        session,
        workspace_id=person.workspace_id,
        actor=actor,
        action="person.away" if until else "person.back",
        entity="person",
        entity_id=person.id,
        before=before,
        after={"away_until": until},
    )
    return entry.id


def person_by_id(session: Session, *, workspace_id: int, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    return person if person is not None and person.workspace_id == workspace_id else None
