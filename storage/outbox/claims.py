"""The outbox's claims: a deliverer takes a queued row (compare-and-set) and settles it.

A claimed row is in flight; the call's outcome makes it sent, queued again (Slack certainly did
not act), or in doubt (Slack may have posted it: looked for, never resent blindly). Rows in doubt,
or in flight past their lease, are found here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from storage.models.review import OutboxState
from storage.outbox.queue import TABLE, T, active_workspace


@dataclass(frozen=True)
class ClaimedMessage:
    id: int
    workspace_id: int
    method: str
    channel: str | None
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class DoubtfulMessage:
    """A row Slack may have posted: where and since when to look for it."""

    id: int
    workspace_id: int
    state: str
    method: str
    channel: str | None
    thread_ts: str | None
    in_flight_at: datetime | None
    attempts: int


def claim(session: Session, *, message_id: int, at: datetime) -> ClaimedMessage | None:
    """queued → in_flight, or None if another deliverer got there first (compare-and-set)."""
    row = session.execute(
        update(TABLE)
        .where(T.id == message_id, T.state == OutboxState.QUEUED)
        .values(state=OutboxState.IN_FLIGHT, in_flight_at=at, attempts=T.attempts + 1)
        .returning(T.id, T.workspace_id, T.method, T.channel, T.payload, T.attempts)
    ).first()
    return ClaimedMessage(*row) if row else None


def _settle(session: Session, message_id: int, states: tuple[str, ...], **values: Any) -> bool:
    result = session.execute(
        update(TABLE).where(T.id == message_id, T.state.in_(states)).values(**values)
    )
    return result.rowcount == 1


_OPEN = (OutboxState.IN_FLIGHT, OutboxState.IN_DOUBT)


def mark_sent(
    session: Session, *, message_id: int, ts: str | None, channel: str | None, at: datetime
) -> bool:
    return _settle(
        session,
        message_id,
        _OPEN,
        state=OutboxState.SENT,
        result_ts=ts,
        result_channel=channel,
        sent_at=at,
        last_error=None,
    )


def defer(session: Session, *, message_id: int, until: datetime, error: str | None) -> bool:
    """Back to the queue, not before `until`: Slack certainly did not act on the call."""
    return _settle(
        session,
        message_id,
        _OPEN,
        state=OutboxState.QUEUED,
        not_before=until,
        last_error=error,
    )


def postpone(session: Session, *, message_id: int, until: datetime, reason: str) -> bool:
    """Back to the queue, not before `until`, without a call made: the claim was no attempt."""
    return _settle(
        session,
        message_id,
        (OutboxState.IN_FLIGHT,),
        state=OutboxState.QUEUED,
        not_before=until,
        attempts=T.attempts - 1,
        last_error=reason,
    )


def mark_in_doubt(session: Session, *, message_id: int, until: datetime, error: str) -> bool:
    """Slack may have posted it: look for it in the channel from `until` on, never resend blindly."""
    return _settle(
        session,
        message_id,
        (OutboxState.IN_FLIGHT, OutboxState.IN_DOUBT),
        state=OutboxState.IN_DOUBT,
        not_before=until,
        last_error=error,
    )


def doubtful(
    session: Session, *, now: datetime, stale_before: datetime, limit: int = 100
) -> list[DoubtfulMessage]:
    """Rows to look for in Slack: in doubt and due, or in flight past their lease (a dead process)."""
    rows = session.execute(
        select(
            T.id,
            T.workspace_id,
            T.state,
            T.method,
            T.channel,
            T.payload,
            T.in_flight_at,
            T.attempts,
        )
        .where(
            or_(
                and_(T.state == OutboxState.IN_DOUBT, T.not_before <= now),
                and_(T.state == OutboxState.IN_FLIGHT, T.in_flight_at < stale_before),
            ),
            active_workspace(),
        )
        .order_by(T.id)
        .limit(limit)
    ).all()
    return [
        DoubtfulMessage(
            id=r.id,
            workspace_id=r.workspace_id,
            state=r.state,
            method=r.method,
            channel=r.channel,
            thread_ts=(r.payload or {}).get("thread_ts") or None,
            in_flight_at=r.in_flight_at,
            attempts=r.attempts,
        )
        for r in rows
    ]


def take_over(session: Session, *, message_id: int) -> bool:
    """A stale in-flight row becomes in doubt (compare-and-set against a live deliverer)."""
    return _settle(session, message_id, (OutboxState.IN_FLIGHT,), state=OutboxState.IN_DOUBT)


def remember(session: Session, *, message_id: int, **facts: Any) -> bool:
    """Merge `facts` into a claimed row's payload: how far a multi-step call got (a file id).

    It also renews the row's in-flight lease (`in_flight_at`, wall clock): the deliverer that
    writes it is alive, however many steps its call has. Only the deliverer that holds the row
    in flight writes it, so a read-merge-write is safe. (A creating method's history search
    starts at `in_flight_at`: such rows never take several steps.)
    """
    row = session.execute(
        select(T.payload).where(T.id == message_id, T.state == OutboxState.IN_FLIGHT)
    ).first()
    if row is None:
        return False
    payload = {**(row[0] or {}), **facts}
    return _settle(
        session,
        message_id,
        (OutboxState.IN_FLIGHT,),
        payload=payload,
        in_flight_at=datetime.now(UTC),
    )
