"""The outbox: Slack posts written as rows first, then claimed, sent and settled by delivery."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import OutboxMessage, Person, Workspace
from storage.models.review import OutboxState

# "As soon as possible": older than any clock, the demo's included.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Payload keys for delivery itself, never sent to Slack:
# - a chat.update of a post enqueued earlier names that post's dedup key; delivery fills in its
#   channel and ts once it is sent, so the update can be written before the post has gone out;
UPDATE_OF = "hoshin_update_of"
# - a post to a person may carry the post (a payload) to make instead if it cannot be delivered:
#   queued, once per row, whenever the row fails or is held (`_tell_instead`).
IF_UNREACHABLE = "hoshin_if_unreachable"
# A row held because Slack may have posted it and its history could not be read: its last_error
# starts so, and releasing it means looking for it again, never sending it blindly.
IN_DOUBT_PREFIX = "in_doubt:"
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


@dataclass(frozen=True)
class HeldChannel:
    workspace_id: int
    channel: str | None
    reason: str | None
    messages: int
    oldest_id: int


def for_slack(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as Slack gets it: without the keys that are for delivery."""
    if UPDATE_OF not in payload and IF_UNREACHABLE not in payload:
        return payload
    return {k: v for k, v in payload.items() if k not in (UPDATE_OF, IF_UNREACHABLE)}


def _target_channel(payload: dict[str, Any]) -> str | None:
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
        channel=_target_channel(payload),
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
                "channel": _target_channel(message.payload),
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


def _active_workspace():
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
            _active_workspace(),
        )
        .order_by(T.id)
        .limit(limit)
    ).all()
    return [DueMessage(*row) for row in rows]


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


# Holding and failing count a stop (`stops`): what an admin is told about, once per stop.
# Either also queues the post a row carries for when it cannot be delivered (IF_UNREACHABLE).


def hold(session: Session, *, message_id: int, reason: str) -> bool:
    return _stop(session, T.id == message_id, OutboxState.HELD, reason) == 1


def fail(session: Session, *, message_id: int, error: str) -> bool:
    return _stop(session, T.id == message_id, OutboxState.FAILED, error) == 1


def hold_channel(session: Session, *, workspace_id: int, channel: str, reason: str) -> int:
    """Hold every queued row for `channel` at once: one refusal is enough to know."""
    return _settle_channel(session, workspace_id, channel, OutboxState.HELD, reason)


def fail_channel(session: Session, *, workspace_id: int, channel: str, error: str) -> int:
    """Fail every queued row for `channel`: the person there cannot be reached."""
    return _settle_channel(session, workspace_id, channel, OutboxState.FAILED, error)


def _settle_channel(
    session: Session, workspace_id: int, channel: str, state: str, error: str
) -> int:
    where = and_(T.workspace_id == workspace_id, T.channel == channel)
    return _stop(session, where, state, error, states=(OutboxState.QUEUED,))


def _stop(
    session: Session,
    where,
    state: str,
    error: str,
    *,
    states: tuple[str, ...] = (OutboxState.QUEUED, *_OPEN),
) -> int:
    """Hold or fail the rows `where` finds in `states`; returns how many it stopped."""
    rows = session.execute(
        update(TABLE)
        .where(where, T.state.in_(states))
        .values(state=state, last_error=error, stops=T.stops + 1)
        .returning(T.id, T.workspace_id, T.payload)
    ).all()
    for row in rows:
        _tell_instead(session, row.id, row.workspace_id, row.payload or {})
    return len(rows)


def _tell_instead(session: Session, message_id: int, workspace_id: int, payload: dict) -> None:
    """The post a stopped row carries for who should hear it did not arrive: queued once."""
    instead = payload.get(IF_UNREACHABLE)
    if isinstance(instead, dict):
        enqueue(
            session,
            workspace_id=workspace_id,
            dedup_key=f"outbox-unreachable:{message_id}",
            method="chat.postMessage",
            payload=instead,
        )


def release_channel(session: Session, *, workspace_id: int, channel: str) -> int:
    """Once an admin fixed the channel (invited the bot...): its held rows go out again.

    A row held in doubt (it may have been posted) is looked for first, at once: it is sent
    again only if it is certainly not there.
    """
    in_doubt = T.last_error.startswith(IN_DOUBT_PREFIX, autoescape=True)
    result = session.execute(
        update(TABLE)
        .where(T.workspace_id == workspace_id, T.channel == channel, T.state == OutboxState.HELD)
        .values(
            state=case((in_doubt, OutboxState.IN_DOUBT.value), else_=OutboxState.QUEUED.value),
            not_before=EPOCH,
        )
    )
    return result.rowcount


def requeue_failed(session: Session, *, workspace_id: int, message_ids: Iterable[int]) -> int:
    """Failed rows an admin asked to try again: queued at once, their attempts counted anew.

    Only rows Slack certainly did not act on ever fail (a refusal, or retries that all came
    back "nothing happened"), so sending them again cannot post anything twice.
    """
    ids = list(message_ids)
    if not ids:
        return 0
    result = session.execute(
        update(TABLE)
        .where(T.workspace_id == workspace_id, T.id.in_(ids), T.state == OutboxState.FAILED)
        .values(state=OutboxState.QUEUED, not_before=EPOCH, attempts=0)
    )
    return result.rowcount


def retry_failed(session: Session, *, message_id: int, payload: dict[str, Any]) -> bool:
    """A failed row queued again with the payload as it is built now (its `stops` kept).

    As with `requeue_failed`, a failed row is one Slack certainly did not act on.
    """
    result = session.execute(
        update(TABLE)
        .where(T.id == message_id, T.state == OutboxState.FAILED)
        .values(
            state=OutboxState.QUEUED,
            not_before=EPOCH,
            attempts=0,
            payload=payload,
            channel=_target_channel(payload),
        )
    )
    return result.rowcount == 1


def held_by_channel(session: Session, *, workspace_id: int | None = None) -> list[HeldChannel]:
    """Held rows grouped by channel and reason: what to tell an admin, once per channel."""
    query = (
        select(T.workspace_id, T.channel, T.last_error, func.count(), func.min(T.id))
        .where(T.state == OutboxState.HELD)
        .group_by(T.workspace_id, T.channel, T.last_error)
        .order_by(func.min(T.id))
    )
    if workspace_id is not None:
        query = query.where(T.workspace_id == workspace_id)
    return [HeldChannel(*row) for row in session.execute(query).all()]


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
            _active_workspace(),
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
            T.state.in_((OutboxState.QUEUED, OutboxState.IN_DOUBT)), _active_workspace()
        )
    ).scalar_one_or_none()


def pending_count(session: Session) -> int:
    """Rows delivery still owes (queued, in flight, in doubt) in workspaces not suspended."""
    return session.execute(
        select(func.count()).where(
            T.state.in_((OutboxState.QUEUED, OutboxState.IN_FLIGHT, OutboxState.IN_DOUBT)),
            _active_workspace(),
        )
    ).scalar_one()


# ---- what Slack's refusals say about the workspace and its people ---------------------------


def suspend_workspace(session: Session, *, workspace_id: int, reason: str) -> bool:
    """Stop the workspace's delivery (and jobs) until an admin fixes the token; True if new."""
    result = session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id, Workspace.suspended_reason.is_(None))
        .values(suspended_reason=reason)
    )
    return result.rowcount == 1


def mark_person_unreachable(
    session: Session, *, workspace_id: int, slack_user_id: str, reason: str
) -> bool:
    """Record that Slack cannot reach this person; True if they were reachable until now."""
    result = session.execute(
        update(Person)
        .where(
            Person.workspace_id == workspace_id,
            Person.slack_user_id == slack_user_id,
            Person.unreachable_reason.is_(None),
        )
        .values(unreachable_reason=reason)
    )
    return result.rowcount == 1


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
