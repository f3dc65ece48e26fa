"""The outbox's queue: Slack posts written as rows first, and what the queue holds.

The outbox is three modules, one job each: `queue` (this one: rows in, and reading what waits),
`claims` (a deliverer's claim of a row and how the call settles it), `stops` (rows held or
failed, released or retried, and what Slack's refusals say about the workspace and its people).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import OutboxMessage, Workspace
from storage.models.review import OutboxState

# "As soon as possible": older than any clock, the demo's included.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Payload keys for delivery itself, never sent to Slack:
# - a chat.update of a post enqueued earlier names that post's dedup key; delivery fills in its
#   channel and ts once it is sent, so the update can be written before the post has gone out;
UPDATE_OF = "hoshin_update_of"
# - a post to a person may carry the post (a payload) to make instead if it cannot be delivered:
#   queued, once per row, whenever the row fails or is held (`stops`).
IF_UNREACHABLE = "hoshin_if_unreachable"
_CHANNEL_MAX = 32
TABLE = OutboxMessage.__table__
T = TABLE.c


@dataclass(frozen=True)
class DueMessage:
    """What the deliverer needs to schedule a row; the payload is read when it is claimed."""

    id: int
    workspace_id: int
    method: str
    channel: str | None


def for_slack(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as Slack gets it: without the keys that are for delivery."""
    if UPDATE_OF not in payload and IF_UNREACHABLE not in payload:
        return payload
    return {k: v for k, v in payload.items() if k not in (UPDATE_OF, IF_UNREACHABLE)}


def target_channel(payload: dict[str, Any]) -> str | None:
    """The row's `channel` column: where the payload posts, as far as the column holds."""
    channel = payload.get("channel")
    return channel[:_CHANNEL_MAX] if isinstance(channel, str) and channel else None


def enqueue(
    session: Session,
    *,
    workspace_id: int,
    dedup_key: str,
    method: str,
    payload: dict[str, Any],
    not_before: datetime | None = None,
) -> OutboxMessage:
    """The row for (workspace, dedup_key): created the first time, returned unchanged after.

    This is what makes a job re-runnable: it enqueues every post it means to make, and the ones
    already enqueued (or sent) stay as they are. The insert runs in a savepoint so that a
    concurrent insert of the same key rolls back only itself.
    """
    found = _by_key(session, workspace_id, dedup_key)
    if found is not None:
        return found
    row = OutboxMessage(
        workspace_id=workspace_id,
        dedup_key=dedup_key,
        method=method,
        payload=payload,
        channel=target_channel(payload),
        not_before=not_before or EPOCH,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = _by_key(session, workspace_id, dedup_key)
        if found is None:
            raise
        return found
    return row


@dataclass(frozen=True)
class NewMessage:
    dedup_key: str
    method: str
    payload: dict[str, Any]
    not_before: datetime | None = None


def enqueue_many(
    session: Session, *, workspace_id: int, messages: Iterable[NewMessage], chunk: int = 500
) -> int:
    """`enqueue` for a fan-out: one INSERT per `chunk` rows, existing keys left alone.

    Returns how many rows were new. Read the rows back with `by_key` when their ids matter.
    """
    session.flush()
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    created, rows = 0, []
    for message in messages:
        rows.append(
            {
                "workspace_id": workspace_id,
                "dedup_key": message.dedup_key,
                "method": message.method,
                "payload": message.payload,
                "channel": target_channel(message.payload),
                "state": OutboxState.QUEUED.value,
                "attempts": 0,
                "stops": 0,
                "not_before": message.not_before or EPOCH,
                "created_at": datetime.now(UTC),
            }
        )
        if len(rows) >= chunk:
            created += _insert_new(session, insert, rows)
            rows = []
    if rows:
        created += _insert_new(session, insert, rows)
    return created


def _insert_new(session: Session, insert, rows: list[dict[str, Any]]) -> int:
    statement = insert(TABLE).on_conflict_do_nothing(index_elements=["workspace_id", "dedup_key"])
    # One cached statement sent as multi-row batches (SQLAlchemy's insertmanyvalues); counted
    # from RETURNING because rowcount is -1 here on psycopg.
    return len(session.execute(statement.returning(T.id), rows).all())


def _by_key(session: Session, workspace_id: int, dedup_key: str) -> OutboxMessage | None:
    return session.exec(
        select(OutboxMessage).where(
            OutboxMessage.workspace_id == workspace_id, OutboxMessage.dedup_key == dedup_key
        )
    ).scalar_one_or_none()


def by_key(session: Session, *, workspace_id: int, dedup_key: str) -> OutboxMessage | None:
    """The row a job enqueued: its state, and once sent, where it landed (for chat.update)."""
    return _by_key(session, workspace_id, dedup_key)


def active_workspace():
    """The condition that keeps rows of suspended workspaces out of what delivery reads."""
    suspended = select(Workspace.id).where(Workspace.suspended_reason.is_not(None))
    return T.workspace_id.not_in(suspended)


def due(
    session: Session, *, now: datetime, after_id: int = 0, limit: int = 256
) -> list[DueMessage]:
    """Queued rows whose time has come, in id order, of workspaces not suspended; one batch."""
    rows = session.execute(
        select(T.id, T.workspace_id, T.method, T.channel)
        .where(
            T.state == OutboxState.QUEUED,
            T.not_before <= now,
            T.id > after_id,
            active_workspace(),
        )
        .order_by(T.id)
        .limit(limit)
    ).all()
    return [DueMessage(*row) for row in rows]


def known_dm_channel(session: Session, *, workspace_id: int, user_id: str) -> str | None:
    """The DM channel an earlier post to this person landed in, saving a conversations.open."""
    return session.execute(
        select(T.result_channel)
        .where(
            T.workspace_id == workspace_id,
            T.channel == user_id,
            T.state == OutboxState.SENT,
            T.result_channel.is_not(None),
        )
        .order_by(T.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def counts_by_state(session: Session, *, workspace_id: int | None = None) -> dict[str, int]:
    """Rows per state, every state present (zeros included): for monitoring and the report."""
    query = select(T.state, func.count()).group_by(T.state)
    if workspace_id is not None:
        query = query.where(T.workspace_id == workspace_id)
    counts = {state.value: 0 for state in OutboxState}
    counts.update({state: n for state, n in session.execute(query).all()})
    return counts


def next_due_at(session: Session) -> datetime | None:
    """When the earliest waiting row (queued or in doubt) becomes due, in active workspaces."""
    return session.execute(
        select(func.min(T.not_before)).where(
            T.state.in_((OutboxState.QUEUED, OutboxState.IN_DOUBT)), active_workspace()
        )
    ).scalar_one_or_none()


def pending_count(session: Session) -> int:
    """Rows delivery still owes (queued, in flight, in doubt) in workspaces not suspended."""
    return session.execute(
        select(func.count()).where(
            T.state.in_((OutboxState.QUEUED, OutboxState.IN_FLIGHT, OutboxState.IN_DOUBT)),
            active_workspace(),
        )
    ).scalar_one()
