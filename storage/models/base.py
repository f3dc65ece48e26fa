"""Column helpers shared by the tables: UTC timestamps and JSON columns."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column


def utcnow() -> datetime:
    """Aware UTC, as sqlmodel's UTCDateTime columns require."""
    return datetime.now(UTC)


def updated_at_field() -> Any:
    """A timestamp SQLAlchemy refreshes on every UPDATE, so readers can tell what changed."""
    from sqlmodel import Field

    return Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})


def json_column(*, nullable: bool = True) -> Any:
    return Column(JSON, nullable=nullable)
