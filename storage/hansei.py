"""Hansei (year-end reflection) prompts and answers in SQL.

A hansei prompt is a `check_in_prompt` row of kind `hansei` whose period is the fiscal year
(`YYYY`); its DM is the outbox row `hansei-prompt:<id>`. Answers are `hansei_answer` rows, one
per objective and year. Readers serve a whole run at once, in chunks of ids.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from storage.models import CheckIn, CheckInPrompt, Objective, OutboxMessage, Person
from storage.models.review import PromptState
from storage.prompts import OwnerRow, _asked
from storage.prompts import record_deliveries as record_prompt_deliveries

HANSEI = "hansei"
PROMPT_KEY_PREFIX = "hansei-prompt:"
CHUNK = 900

PROMPTS = CheckInPrompt.__table__
P = PROMPTS.c
OUT = OutboxMessage.__table__.c


def prompt_key(prompt_id: int) -> str:
    return f"{PROMPT_KEY_PREFIX}{prompt_id}"


def _chunks(values: Sequence[int]) -> Iterator[list[int]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


# ---- who is asked ---------------------------------------------------------------------------


def owners_without_prompt(session: Session, *, workspace_id: int, year: int) -> list[OwnerRow]:
    """Owners of asked objectives of fiscal `year` with no hansei prompt for that year yet."""
    owns = Person.id.in_(select(Objective.owner_id).where(_asked(workspace_id, year)))
    prompted = exists().where(
        P.workspace_id == workspace_id,
        P.person_id == Person.id,
        P.period == str(year),
        P.kind == HANSEI,
    )
    query = (
        select(
            Person.id,
            Person.slack_user_id,
            Person.name,
            Person.timezone,
            Person.away_until,
            Person.unreachable_reason,
        )
        .where(Person.workspace_id == workspace_id, owns, ~prompted)
        .order_by(Person.id)
    )
    return [OwnerRow(*row) for row in session.execute(query).all()]


@dataclass(frozen=True)
class LatestActual:
    objective_id: int
    period: str
    actual: float | None
    status: str | None


def latest_actuals(
    session: Session, *, workspace_id: int, objective_ids: Sequence[int], periods: Sequence[str]
) -> dict[int, LatestActual]:
    """The latest check-in with an actual or a status among `periods`, by objective id."""
    found: dict[int, LatestActual] = {}
    for chunk in _chunks(objective_ids):
        rows = session.execute(
            select(CheckIn.objective_id, CheckIn.period, CheckIn.actual, CheckIn.status)
            .where(
                CheckIn.workspace_id == workspace_id,
                CheckIn.objective_id.in_(chunk),
                CheckIn.period.in_(list(periods)),
                or_(CheckIn.actual.is_not(None), CheckIn.status.is_not(None)),
            )
            .order_by(CheckIn.objective_id, CheckIn.period)
        ).all()
        for objective_id, period, actual, status in rows:
            found[objective_id] = LatestActual(objective_id, period, actual, status)
    return found


# ---- the rows of a run ----------------------------------------------------------------------


@dataclass(frozen=True)
class NewPrompt:
    person_id: int
    due_at: datetime
    state: PromptState


def insert_prompts(
    session: Session, *, workspace_id: int, year: int, prompts: Sequence[NewPrompt]
) -> dict[int, int]:
    """Insert the hansei prompts not stored yet; {person id: prompt id} of the new ones only.

    The unique (workspace, person, period, kind) makes a second run, or a second instance at
    the same moment, insert nothing: only the run that inserted a row sends its DM.
    """
    if not prompts:
        return {}
    session.flush()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [
        {
            "workspace_id": workspace_id,
            "person_id": p.person_id,
            "period": str(year),
            "kind": HANSEI,
            "state": p.state.value,
            "due_at": p.due_at,
        }
        for p in prompts
    ]
    created: dict[int, int] = {}
    for start in range(0, len(rows), 500):
        statement = (
            insert(PROMPTS)
            .values(rows[start : start + 500])
            .on_conflict_do_nothing(index_elements=["workspace_id", "person_id", "period", "kind"])
            .returning(P.person_id, P.id)
        )
        created.update(dict(session.execute(statement).all()))
    return created


def prompt_of(
    session: Session, *, workspace_id: int, person_id: int, year: int
) -> CheckInPrompt | None:
    return session.execute(
        select(CheckInPrompt).where(
            CheckInPrompt.workspace_id == workspace_id,
            CheckInPrompt.person_id == person_id,
            CheckInPrompt.period == str(year),
            CheckInPrompt.kind == HANSEI,
        )
    ).scalar_one_or_none()


def pending_prompts(session: Session, *, workspace_id: int, person_id: int) -> list[CheckInPrompt]:
    """The person's hansei prompts not yet answered, newest year first."""
    return list(
        session.execute(
            select(CheckInPrompt)
            .where(
                CheckInPrompt.workspace_id == workspace_id,
                CheckInPrompt.person_id == person_id,
                CheckInPrompt.kind == HANSEI,
                CheckInPrompt.state != PromptState.ANSWERED.value,
            )
            .order_by(CheckInPrompt.period.desc())
        ).scalars()
    )


def _set_many(session: Session, prompt_ids: Sequence[int], **values: Any) -> int:
    changed = 0
    for chunk in _chunks(prompt_ids):
        changed += session.execute(update(PROMPTS).where(P.id.in_(chunk)).values(**values)).rowcount
    return changed


def mark_reminded(session: Session, *, prompt_ids: Sequence[int], at: datetime) -> int:
    return _set_many(session, prompt_ids, reminded_at=at)


def mark_escalated(session: Session, *, prompt_ids: Sequence[int], at: datetime) -> int:
    return _set_many(session, prompt_ids, escalated_at=at)


def mark_answered(session: Session, *, prompt_ids: Sequence[int]) -> int:
    """Answered, from queued or sent only: an unreachable prompt stays what it is."""
    changed = 0
    for chunk in _chunks(prompt_ids):
        changed += session.execute(
            update(PROMPTS)
            .where(
                P.id.in_(chunk),
                P.state.in_((PromptState.QUEUED.value, PromptState.SENT.value)),
            )
            .values(state=PromptState.ANSWERED.value)
        ).rowcount
    return changed


def record_deliveries(session: Session) -> tuple[int, int]:
    """Hansei prompts whose DM the outbox settled: (sent, unreachable), as for check-ins."""
    recorded = record_prompt_deliveries(session, kind=HANSEI, key_prefix=PROMPT_KEY_PREFIX)
    return recorded.sent, recorded.unreachable


# ---- who is still to answer -----------------------------------------------------------------


def hansei_years(session: Session, *, workspace_id: int) -> list[int]:
    """The years that have hansei prompts still sent (delivered, not answered)."""
    rows = session.execute(
        select(P.period)
        .where(
            P.workspace_id == workspace_id,
            P.kind == HANSEI,
            P.state == PromptState.SENT.value,
        )
        .distinct()
    ).all()
    return sorted(int(row[0]) for row in rows)
