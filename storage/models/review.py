"""The monthly and annual review: check-ins, prompts, review threads, reflections, the outbox."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import json_column, updated_at_field, utcnow


class CheckInStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


class CheckIn(SQLModel, table=True):
    """An owner's answer for one objective and one period (YYYY-MM)."""

    __tablename__ = "check_in"
    __table_args__ = (
        UniqueConstraint("objective_id", "period", name="uq_checkin_period"),
        # Serves "the latest check-in of every objective in a workspace" from the index alone.
        Index("ix_check_in_latest", "workspace_id", "objective_id", "period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    period: str = Field(max_length=7, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    actual: float | None = None
    status: CheckInStatus | None = Field(default=None, sa_type=String(24))
    what_happened: str | None = None
    challenges: str | None = None
    countermeasure: str | None = None
    comment: str | None = None  # free text the owner replied to the DM
    submitted_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = updated_at_field()
    # Where this check-in's reply lives in its review thread, once posted.
    thread_reply_ts: str | None = Field(default=None, max_length=32)


class PromptState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    ANSWERED = "answered"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"  # away, or nothing to ask


class CheckInPrompt(SQLModel, table=True):
    """The monthly DM to one owner for one period; unique so a re-run sends nothing twice."""

    __tablename__ = "check_in_prompt"
    __table_args__ = (
        UniqueConstraint("workspace_id", "person_id", "period", "kind", name="uq_prompt"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    period: str = Field(max_length=7)  # YYYY-MM, or YYYY for hansei prompts
    kind: str = Field(default="checkin", max_length=16)  # checkin | hansei | a3
    state: PromptState = Field(default=PromptState.QUEUED, sa_type=String(24))
    due_at: datetime
    sent_at: datetime | None = None
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)


class ReviewThread(SQLModel, table=True):
    """One review thread per review channel and period; its parent message is kept current."""

    __tablename__ = "review_thread"
    __table_args__ = (
        UniqueConstraint("workspace_id", "channel", "period", name="uq_review_thread"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    channel: str = Field(max_length=32)
    period: str = Field(max_length=7)
    ts: str | None = Field(default=None, max_length=32)
    blocked_reason: str | None = None  # e.g. not_in_channel: kept until an admin fixes it
    updated_at: datetime = updated_at_field()


class Reflection(SQLModel, table=True):
    """The year-end reflection (hansei) posted once per workspace and fiscal year."""

    __table_args__ = (UniqueConstraint("workspace_id", "year", name="uq_reflection_year"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    year: int
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    chart_file_id: str | None = Field(default=None, max_length=32)
    summary: dict[str, Any] | None = Field(default=None, sa_column=json_column())
    posted_at: datetime | None = None
    # e.g. is_archived: the reflection is kept and posted once an admin fixes the channel.
    blocked_reason: str | None = None
    # An admin started next year's plan from the carry-overs (once).
    carryover_started_at: datetime | None = None
    carryover_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)


class OutboxState(StrEnum):
    QUEUED = "queued"  # waiting for its turn (not_before) and the rate limits
    IN_FLIGHT = "in_flight"  # claimed; the Slack call is under way (or its process died)
    IN_DOUBT = "in_doubt"  # Slack may have posted it: look for it before sending again
    SENT = "sent"
    HELD = "held"  # the bot cannot post there (not_in_channel...): kept until an admin fixes it
    FAILED = "failed"  # never to be sent: a malformed payload, or the person cannot be reached


class OutboxMessage(SQLModel, table=True):
    """A Slack call that matters, written before it is made; delivery marks it sent."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("workspace_id", "dedup_key", name="uq_outbox_key"),
        # Holding, releasing and settling every row of one channel at once.
        Index("ix_outbox_channel", "workspace_id", "channel", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    dedup_key: str = Field(max_length=255)
    method: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(nullable=False))
    # The payload's channel as written: a channel id, or a person's user id for a DM.
    channel: str | None = Field(default=None, max_length=32)
    state: str = Field(default=OutboxState.QUEUED, max_length=16, index=True)
    attempts: int = 0
    # Times delivery stopped the row, held or failed: each stop is one occurrence that an admin
    # is told about once (a row released and held again is a new one).
    stops: int = 0
    not_before: datetime = Field(default_factory=utcnow, index=True)
    # Wall-clock time the latest call went out (not the domain clock, which the demo moves):
    # the lease of an in-flight row, and where a search of Slack's history for it begins.
    in_flight_at: datetime | None = None
    last_error: str | None = None
    result_ts: str | None = Field(default=None, max_length=32)
    # Where the post landed (a DM's D… id): what chat.update needs later.
    result_channel: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class ProcessedEvent(SQLModel, table=True):
    """Events and interactions already handled: Slack retries, double clicks are stored once."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("workspace_id", "event_key", name="uq_processed_event"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    event_key: str = Field(max_length=255)
    at: datetime = Field(default_factory=utcnow)
