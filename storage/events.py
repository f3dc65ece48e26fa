"""Claiming an event or interaction once: Slack retries, double clicks and double submits."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import ProcessedEvent


def claim(session: Session, *, workspace_id: int, key: str) -> bool:
    """True the first time `key` is claimed, False ever after — across processes too.

    Runs in a savepoint, so a duplicate rolls back only the claim and the caller's transaction
    carries on (typically to answer "already done").
    """
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(workspace_id=workspace_id, event_key=key[:255]))
            session.flush()
    except IntegrityError:
        return False
    return True
