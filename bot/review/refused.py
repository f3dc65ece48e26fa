"""A review-thread message Slack refused (its outbox row failed): sent again, or the admins told.

A refusal may be passing (Slack's fault, fixed since) or may be the message itself (a payload
Slack will never take). So a refused message is rebuilt and sent again on the next syncs until
Slack has refused it `REFUSALS_TRIED` times; after that only a change of what it shows sends
it again (an edited check-in, a fixed builder), and the workspace's admins are told once per
stop, as they are of a channel the bot cannot post to. Sending a failed row again cannot post
twice: a row fails only when Slack certainly did not act on it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from bot.admin_dms import dm_admins_once
from bot.review import blocks as render
from storage.models.review import OutboxState
from storage.outbox import stops
from storage.review import ThreadPost

log = logging.getLogger(__name__)

REFUSALS_TRIED = 3


def send_again(
    session: Session,
    *,
    workspace_id: int,
    row: ThreadPost,
    payload: dict[str, Any],
    changed: bool,
    channel: str,
    period: str,
) -> int:
    """When `row` was refused: queue it again as `payload` (`changed`: it shows something new),
    or tell the admins that it stays unsent. Rows queued."""
    if row.state != OutboxState.FAILED:
        return 0
    if row.stops >= REFUSALS_TRIED and not changed:
        return _tell_admins(session, workspace_id, row, channel, period)
    if not stops.retry_failed(session, message_id=row.id, payload=payload):
        return 0
    log.warning("review post %s refused (%s): sent again", row.dedup_key, row.last_error)
    return 1


def alert_key(row: ThreadPost, admin: str) -> str:
    """Once per refused row and stop (a changed message refused again is a new stop)."""
    return f"review-refused:{row.id}:{row.stops}:{admin}"


def _tell_admins(
    session: Session, workspace_id: int, row: ThreadPost, channel: str, period: str
) -> int:
    reason = (row.last_error or "refused")[:60]
    message = render.refused_alert(
        channel, period, reason, times=REFUSALS_TRIED, reference=row.id
    ).as_kwargs()
    new = dm_admins_once(
        session,
        workspace_id=workspace_id,
        message=message,
        key_for=lambda admin: alert_key(row, admin),
    )
    if new:  # once per stop: the admins' rows are keyed by it
        log.error("review post %s refused for good (%s)", row.dedup_key, reason)
    return new or 0
