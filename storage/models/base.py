"""Column helpers shared by the tables: UTC timestamps and JSON columns."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column


def utcnow() -> datetime:
    """Aware UTC, as sqlmodel's UTCDateTime columns require."""
    return datetime.now(UTC)


def json_column(*, nullable: bool = True) -> Any:
    return Column(JSON, nullable=nullable)
