"""Telling a workspace's admins something once: one queued DM per admin under its own key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from bot.slack_limits import POST_MESSAGE
from storage import review as review_store
from storage.outbox import queue as outbox


def dm_admins_once(
    session: Session, *, workspace_id: int, message: dict[str, Any], key_for: Callable[[str], str]
) -> int | None:
    """Queue `message` to each admin whose key (`key_for(admin id)`) has no row yet.

    Returns the rows queued, or None when the workspace has no admin to tell at all.
    """
    admins = review_store.admins(session, workspace_id=workspace_id)
    if not admins:
        return None
    new = 0
    for admin in admins:
        key = key_for(admin.slack_user_id)
        if outbox.by_key(session, workspace_id=workspace_id, dedup_key=key) is not None:
            continue
        outbox.enqueue(
            session,
            workspace_id=workspace_id,
            dedup_key=key,
            method=POST_MESSAGE,
            payload={"channel": admin.slack_user_id, **message},
        )
        new += 1
    return new
