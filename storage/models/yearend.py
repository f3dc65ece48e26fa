"""Improvement and year-end records: A3 countermeasure reports and the owners' hansei answers."""

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import updated_at_field, utcnow


class A3Report(SQLModel, table=True):
    """A short A3 asked of an owner whose objective was off track two months running.

    `period` is the second off-track month that called for it; the next month's prompt asks
    whether the countermeasure worked (`worked`: yes | partly | no).
    """

    __tablename__ = "a3_report"
    __table_args__ = (UniqueConstraint("objective_id", "period", name="uq_a3_period"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    period: str = Field(max_length=7)
    person_id: int | None = Field(default=None, foreign_key="person.id")  # who is asked
    problem: str | None = None
    root_cause: str | None = None
    countermeasure: str | None = None
    action_owner_id: int | None = Field(default=None, foreign_key="person.id")
    due: date | None = None
    submitted_at: datetime | None = None
    worked: str | None = Field(default=None, max_length=16)
    worked_note: str | None = None
    worked_period: str | None = Field(default=None, max_length=7)
    worked_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = updated_at_field()


class HanseiAnswer(SQLModel, table=True):
    """An owner's year-end reflection (hansei) on one objective of one fiscal year."""

    __tablename__ = "hansei_answer"
    __table_args__ = (UniqueConstraint("objective_id", "year", name="uq_hansei_year"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    year: int
    person_id: int | None = Field(default=None, foreign_key="person.id")
    went_well: str | None = None
    went_badly: str | None = None
    root_causes: str | None = None
    learned: str | None = None
    carry_over: str | None = None
    submitted_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = updated_at_field()


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduler: one row per lease name, held by one instance until it expires.

    `jobs_ran_at` is when a holder's scheduler last started a job: renewing the lease proves the
    election's thread is alive, not that the jobs run (/healthz reads both).
    """

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    acquired_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    jobs_ran_at: datetime | None = None
