"""Plain read rows: frozen dataclasses filled straight from a select of the columns they name.

Readers that return many rows skip the ORM's per-row work: they select exactly the columns a
row dataclass holds, in its field order, and build it with `Row(*row)`. `columns` derives that
select list from the dataclass, so the two cannot drift apart. The rows several readers share
live here too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Row, Text, cast
from sqlmodel import Session

from storage.models import Objective


def columns(row_type: type, table: Any, **named: Any) -> tuple[Any, ...]:
    """The select list of `row_type`, in its field order: field `x` reads `table.x` unless
    `named` gives its column (another table's, or an expression)."""
    return tuple(
        named[f.name] if f.name in named else getattr(table, f.name) for f in fields(row_type)
    )


def read(session: Session, statement) -> Sequence[Row]:
    """Core rows, skipping the ORM's per-row work: these readers build their own dataclasses."""
    return session.connection().execute(statement).all()


@dataclass(frozen=True, slots=True)
class PlanRow:
    """An objective as every report reads it: where it sits in the plan and how it is measured."""

    id: int
    ref: str
    level: str
    parent_id: int | None
    title: str
    owner_id: int | None
    start_year: int | None
    end_year: int | None
    year: int | None
    metric_name: str | None
    metric_unit: str | None
    baseline: float | None
    target: float | None
    higher_is_better: bool
    # Raw JSON, decoded only for the objectives an answer shows: decoding every plan of a
    # 10,000-objective workspace costs more than the rest of the query.
    monthly_plan_json: str | None

    @property
    def monthly_plan(self) -> list[float] | None:
        plan = json.loads(self.monthly_plan_json) if self.monthly_plan_json else None
        return plan if isinstance(plan, list) else None

    @property
    def has_monthly_plan(self) -> bool:
        # JSON columns hold SQL NULL or the JSON text "null" for "no plan", depending on how the
        # row was written. The text is only looked at, not decoded (see above).
        text = (self.monthly_plan_json or "").strip()
        return text.startswith("[") and text.replace(" ", "") != "[]"


def objective_columns(row_type: type[PlanRow] = PlanRow) -> tuple[Any, ...]:
    """The select list of an objective row: the monthly plan read as its JSON text."""
    return columns(row_type, Objective, monthly_plan_json=cast(Objective.monthly_plan, Text))


@dataclass(frozen=True, slots=True)
class CheckInAnswer:
    """A check-in as the reports read it: what its owner answered for one objective and month."""

    objective_id: int
    period: str
    person_id: int | None
    actual: float | None
    status: str | None
    what_happened: str | None
    challenges: str | None
    countermeasure: str | None
    comment: str | None
