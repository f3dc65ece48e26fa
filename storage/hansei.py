"""Hansei (year-end reflection) reads in SQL; its prompt rows are written by `storage/prompts.py`.

A hansei prompt is a `check_in_prompt` row of kind `hansei` whose period is the fiscal year
(`YYYY`); its DM is the outbox row `hansei-prompt:<id>`. Answers are `hansei_answer` rows, one
per objective and year (`storage/hansei_answers.py`). Readers serve a whole run at once, in
chunks of ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlmodel import Session

from storage.models import CheckIn, CheckInPrompt
from storage.models.review import PromptState
from storage.prompts import P, chunks

HANSEI = "hansei"


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
    for chunk in chunks(objective_ids):
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


# ---- the person's prompts ---------------------------------------------------------------------


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
