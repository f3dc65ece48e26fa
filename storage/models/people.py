"""Workspaces with their settings, the people in them, and the audit log."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import json_column, updated_at_field, utcnow


class Workspace(SQLModel, table=True):
    """One Slack workspace (team) and the settings of its Hoshin cycle."""

    __table_args__ = (UniqueConstraint("team_id", name="uq_workspace_team"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    name: str | None = None
    # True North (step 1)
    vision: str | None = None
    values: list[str] | None = Field(default=None, sa_column=json_column())
    # Where the cycle talks
    review_channel: str | None = Field(default=None, max_length=32)
    leadership_channel: str | None = Field(default=None, max_length=32)
    timezone: str = Field(default="UTC", max_length=64)
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12)
    # The monthly check-in: which business day of the month, at what local time
    checkin_business_day: int = Field(default=1, ge=1, le=20)
    checkin_time: str = Field(default="09:00", max_length=5)
    reminder_after_days: int = Field(default=3, ge=1)
    escalate_after_days: int = Field(default=7, ge=1)
    hansei_weeks_before_year_end: int = Field(default=3, ge=0)
    owner_objective_limit: int = Field(default=5, ge=1)
    # The language channels hear and people with no language of their own (bot.i18n.LANGUAGES).
    language: str = Field(default="en", max_length=8)
    # A revoked token stops the workspace's jobs until an admin fixes it.
    suspended_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = updated_at_field()


class Person(SQLModel, table=True):
    """Someone in a workspace who owns, approves or administers objectives."""

    __table_args__ = (UniqueConstraint("workspace_id", "slack_user_id", name="uq_person_slack"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    slack_user_id: str = Field(max_length=32)
    name: str
    timezone: str | None = Field(default=None, max_length=64)
    manager_id: int | None = Field(default=None, foreign_key="person.id")
    is_admin: bool = False
    # Set when Slack says the person cannot be reached (deactivated, user_not_found).
    unreachable_reason: str | None = None
    away_until: date | None = None
    # The language they chose with `/hoshin language` (None: auto), and Slack's locale of theirs
    # (users.info include_locale, "ru-RU"); bot.languages.language_of picks the one they hear.
    language: str | None = Field(default=None, max_length=8)
    locale: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = updated_at_field()


class AuditEntry(SQLModel, table=True):
    """Who changed what and when, with the state before and after."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    actor: str = Field(max_length=64)  # a Slack user id, or "cli"/"scheduler"
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: int | None = None
    before: dict[str, Any] | None = Field(default=None, sa_column=json_column())
    after: dict[str, Any] | None = Field(default=None, sa_column=json_column())
    at: datetime = Field(default_factory=utcnow, index=True)
