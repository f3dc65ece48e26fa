"""The outbox's stops: rows held or failed, released or retried, and what refusals say.

Holding and failing count a stop (`stops`), what an admin is told about once per stop; either
also queues the post a row carries for when it cannot be delivered (`queue.IF_UNREACHABLE`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select, update
from sqlmodel import Session

from storage.models import Person, Workspace
from storage.models.review import OutboxState
from storage.outbox.queue import EPOCH, IF_UNREACHABLE, TABLE, T, enqueue, target_channel

# A row held because Slack may have posted it and its history could not be read: its last_error
# starts so, and releasing it means looking for it again, never sending it blindly.
IN_DOUBT_PREFIX = "in_doubt:"
# The states a row may be stopped in: all but sent, held and failed.
_STOPPABLE = (OutboxState.QUEUED, OutboxState.IN_FLIGHT, OutboxState.IN_DOUBT)


@dataclass(frozen=True)
class HeldChannel:
    workspace_id: int
    channel: str | None
    reason: str | None
    messages: int
    oldest_id: int


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
    states: tuple[str, ...] = _STOPPABLE,
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
            channel=target_channel(payload),
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
