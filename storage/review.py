"""Review threads: one per channel and period, their check-ins, and the outbox rows they wrote."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from storage.db import find_or_insert
from storage.models import CheckIn, OutboxMessage, Person, ReviewThread, Workspace
from storage.rows import CheckInAnswer, columns


@dataclass(frozen=True, slots=True)
class ReviewCheckIn(CheckInAnswer):
    """A check-in as its review thread shows it: which row it is, and its reply once posted."""

    id: int
    thread_reply_ts: str | None


@dataclass(frozen=True, slots=True)
class ThreadPost:
    """An outbox row a review thread wrote: what it said, and whether and where it landed."""

    id: int
    dedup_key: str
    method: str
    state: str
    payload: dict[str, Any]
    result_ts: str | None
    result_channel: str | None
    last_error: str | None
    stops: int = 0  # times delivery held or failed it: one alert per stop


def _thread(session: Session, workspace_id: int, channel: str, period: str):
    return session.exec(
        select(ReviewThread).where(
            ReviewThread.workspace_id == workspace_id,
            ReviewThread.channel == channel,
            ReviewThread.period == period,
        )
    ).first()


def thread_for(session: Session, *, workspace_id: int, channel: str, period: str) -> ReviewThread:
    """The thread of (channel, period), created the first time (unique; safe when racing)."""
    row = ReviewThread(workspace_id=workspace_id, channel=channel, period=period)
    return find_or_insert(session, lambda: _thread(session, workspace_id, channel, period), row)[0]


def lock_thread(session: Session, *, thread_id: int) -> ReviewThread | None:
    """Take the thread for this transaction: a row lock on PostgreSQL, the write lock on SQLite.

    Two syncs of one thread at once would each enqueue an update of the parent built from what
    they saw; taken in turn, the second sees the first's rows and adds nothing stale.
    """
    result = session.execute(
        update(ReviewThread).where(ReviewThread.id == thread_id).values(id=ReviewThread.id)
    )
    if result.rowcount != 1:
        return None
    return session.exec(
        select(ReviewThread)
        .where(ReviewThread.id == thread_id)
        .execution_options(populate_existing=True)
    ).one()


def set_ts(session: Session, *, thread_id: int, ts: str) -> None:
    session.execute(
        update(ReviewThread)
        .where(ReviewThread.id == thread_id, ReviewThread.ts.is_(None))
        .values(ts=ts)
    )


def set_blocked(session: Session, *, thread_id: int, reason: str | None) -> None:
    session.execute(
        update(ReviewThread)
        .where(ReviewThread.id == thread_id, ReviewThread.blocked_reason.is_distinct_from(reason))
        .values(blocked_reason=reason)
    )


def threads(
    session: Session,
    *,
    workspace_id: int,
    periods: Iterable[str] | None = None,
    channel: str | None = None,
    thread_ids: Iterable[int] | None = None,
) -> list[ReviewThread]:
    """Threads of a workspace, by period, channel or id; unposted and blocked ones always."""
    statement = select(ReviewThread).where(ReviewThread.workspace_id == workspace_id)
    if thread_ids is not None:
        statement = statement.where(ReviewThread.id.in_(list(thread_ids)))
    if channel is not None:
        statement = statement.where(ReviewThread.channel == channel)
    if periods is not None:
        statement = statement.where(
            ReviewThread.period.in_(list(periods))
            | ReviewThread.ts.is_(None)
            | ReviewThread.blocked_reason.is_not(None)
        )
    return list(session.exec(statement.order_by(ReviewThread.period, ReviewThread.id)))


def workspaces_with_threads(session: Session) -> list[Workspace]:
    """Workspaces not suspended that have any review thread."""
    having = select(ReviewThread.workspace_id).distinct()
    return list(
        session.exec(
            select(Workspace)
            .where(Workspace.id.in_(having), Workspace.suspended_reason.is_(None))
            .order_by(Workspace.id)
        )
    )


def check_ins(session: Session, *, workspace_id: int, first: str, last: str) -> list[ReviewCheckIn]:
    """Every check-in of the workspace from period `first` to `last` (YYYY-MM sorts as text)."""
    statement = (
        select(*columns(ReviewCheckIn, CheckIn))
        .where(
            CheckIn.workspace_id == workspace_id, CheckIn.period >= first, CheckIn.period <= last
        )
        .order_by(CheckIn.period, CheckIn.id)
    )
    return [ReviewCheckIn(*row) for row in session.exec(statement)]


def thread_posts(session: Session, *, workspace_id: int, prefix: str) -> list[ThreadPost]:
    """The outbox rows whose dedup key starts with `prefix`, oldest first."""
    statement = (
        select(*columns(ThreadPost, OutboxMessage))
        .where(
            OutboxMessage.workspace_id == workspace_id,
            OutboxMessage.dedup_key.startswith(prefix, autoescape=True),
        )
        .order_by(OutboxMessage.id)
    )
    return [ThreadPost(*row) for row in session.exec(statement)]


def admins(session: Session, *, workspace_id: int) -> list[Person]:
    """The workspace's admins whom Slack can still reach."""
    return list(
        session.exec(
            select(Person)
            .where(
                Person.workspace_id == workspace_id,
                Person.is_admin.is_(True),
                Person.unreachable_reason.is_(None),
            )
            .order_by(Person.id)
        )
    )
