"""What the A3 builders take: plain frozen data, read and decided by `bot.a3.service`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class A3Card:
    """What the owner's DM about an A3 shows, read afresh."""

    a3_id: int
    objective_ref: str
    objective_title: str
    period: str
    owner_user_id: str | None
    problem: str | None = None
    root_cause: str | None = None
    countermeasure: str | None = None
    action_owner: str | None = None
    due: date | None = None
    written: bool = False


@dataclass(frozen=True)
class A3Form:
    card: A3Card
    previous_period: str
    suggested_countermeasure: str | None  # the check-in's, to start from on a first A3


@dataclass(frozen=True)
class WorkedAnswer:
    objective_ref: str
    worked: str
    period: str
    changed: bool
