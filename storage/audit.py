"""The audit log: who changed what, when, with the state before and after."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session, select

from storage.models import AuditEntry


def record(
    session: Session,
    *,
    workspace_id: int,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        workspace_id=workspace_id,
        actor=actor[:64],
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=_plain(before),
        after=_plain(after),
    )
    session.add(entry)
    session.flush()
    return entry


def entries(
    session: Session, *, workspace_id: int, entity: str | None = None, entity_id: int | None = None
) -> list[AuditEntry]:
    statement = select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
    if entity is not None:
        statement = statement.where(AuditEntry.entity == entity)
    if entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == entity_id)
    return list(session.exec(statement.order_by(AuditEntry.id)))


def _plain(value: Any) -> Any:
    """JSON-safe copies: dates and enums as text."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
