"""Posts Slack may have made: find them by the outbox id in their metadata before sending again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine

from schedules.ratelimit import DeliveryLimits
from schedules.slack_answers import CREATING_METHODS, Answer, Verdict, is_person
from storage.db import session_scope
from storage.outbox import queue as outbox
from storage.outbox.claims import DoubtfulMessage
from storage.outbox.stops import IN_DOUBT_PREFIX as IN_DOUBT

EVENT_TYPE = "hoshin_outbox"

# (workspace_id, method, channel, the call) -> its answer, paced and counted by the deliverer.
PacedCall = Callable[[int, str, str | None, Callable[[], Any]], Answer]


def with_marker(payload: dict[str, Any], outbox_id: int) -> dict[str, Any]:
    """The payload with the outbox id in its metadata, so the post can be found again.

    A payload with metadata of its own keeps its event type; the id joins its event_payload.
    """
    own = payload.get("metadata")
    if isinstance(own, dict) and own.get("event_type"):
        event_payload = {**(own.get("event_payload") or {}), "outbox_id": outbox_id}
        metadata = {**own, "event_payload": event_payload}
    else:
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": outbox_id}}
    return {**payload, "metadata": metadata}


def carries_marker(message: dict[str, Any], outbox_id: int) -> bool:
    event_payload = (message.get("metadata") or {}).get("event_payload") or {}
    return str(event_payload.get("outbox_id")) == str(outbox_id)


class Found(StrEnum):
    POSTED = "posted"  # it is there: mark it sent
    ABSENT = "absent"  # certainly not there: send it again
    LATER = "later"  # could not look now (rate limited, Slack down): look again later
    HOLD = "hold"  # cannot tell, and a blind resend could duplicate: an admin decides
    TOKEN = "token"  # the workspace's token is gone


@dataclass(frozen=True)
class Finding:
    found: Found
    ts: str | None = None
    channel: str | None = None
    error: str | None = None
    retry_after: float | None = None


class DoubtResolver:
    """Looks for in-doubt posts in their channel's recent history (few calls: they are costly).

    The search starts at the row's in-flight time (less a margin for clock skew) and reads at
    most `history_max_pages` pages; a DM's channel comes from an earlier post to the same
    person when there is one, else from conversations.open.
    """

    def __init__(
        self,
        engine: Engine,
        client_for: Callable[[int], WebClient],
        call: PacedCall,
        limits: DeliveryLimits,
    ) -> None:
        self.engine = engine
        self.client_for = client_for
        self.call = call
        self.limits = limits

    def look_for(self, row: DoubtfulMessage) -> Finding:
        if row.method not in CREATING_METHODS:
            # Repeating chat.update and the like is harmless. A chart upload (files.uploadV2)
            # is not repeated either: queued again, it resumes and asks files.info whether its
            # file was shared before completing it (`schedules.files_upload`).
            return Finding(Found.ABSENT)
        conversation = row.channel
        if is_person(row.channel):
            conversation, finding = self._dm_channel(row)
            if finding is not None:
                return finding
        if not conversation:
            return Finding(Found.HOLD, error=f"{IN_DOUBT}no_channel")
        return self._search(row, conversation)

    def _dm_channel(self, row: DoubtfulMessage) -> tuple[str | None, Finding | None]:
        with session_scope(self.engine) as session:
            known = outbox.known_dm_channel(
                session, workspace_id=row.workspace_id, user_id=row.channel or ""
            )
        if known:
            return known, None
        client = self.client_for(row.workspace_id)
        answer = self.call(
            row.workspace_id,
            "conversations.open",
            None,
            lambda: client.conversations_open(users=row.channel),
        )
        if answer.verdict == Verdict.OK:
            return answer.channel, None
        if answer.verdict == Verdict.UNREACHABLE:
            return None, Finding(Found.ABSENT)  # no DM can exist: the resend settles it
        return None, self._lookup_failed(answer)

    def _search(self, row: DoubtfulMessage, conversation: str) -> Finding:
        client = self.client_for(row.workspace_id)
        method = "conversations.replies" if row.thread_ts else "conversations.history"
        read = client.conversations_replies if row.thread_ts else client.conversations_history
        since = row.in_flight_at.timestamp() if row.in_flight_at else 0.0
        params: dict[str, Any] = {
            "channel": conversation,
            "oldest": f"{max(0.0, since - self.limits.history_skew_seconds):.6f}",
            "inclusive": True,
            "limit": self.limits.history_page_size,
            "include_all_metadata": True,
        }
        if row.thread_ts:
            params["ts"] = row.thread_ts
        for _ in range(self.limits.history_max_pages):
            page = dict(params)
            answer = self.call(
                row.workspace_id,
                method,
                None,
                lambda page=page: read(**page),
            )
            if answer.verdict != Verdict.OK:
                return self._lookup_failed(answer)
            data = answer.data or {}
            for message in data.get("messages") or []:
                if carries_marker(message, row.id):
                    return Finding(Found.POSTED, ts=message.get("ts"), channel=conversation)
            cursor = (data.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return Finding(Found.ABSENT)
            params["cursor"] = cursor
        return Finding(Found.HOLD, error=f"{IN_DOUBT}history_too_long")

    def _lookup_failed(self, answer: Answer) -> Finding:
        if answer.verdict == Verdict.RATE_LIMITED:
            return Finding(Found.LATER, error=answer.error, retry_after=answer.retry_after)
        if answer.verdict in (Verdict.RETRY, Verdict.DOUBT):
            return Finding(
                Found.LATER, error=answer.error, retry_after=self.limits.doubt_grace_seconds
            )
        if answer.verdict == Verdict.TOKEN:
            return Finding(Found.TOKEN, error=answer.error)
        if answer.verdict == Verdict.AMBIGUOUS:
            return Finding(Found.ABSENT)  # a deactivated person: the resend settles it
        # not_in_channel on history (chat:write.public posts without membership), a missing
        # history scope...: the post may be there and we cannot see it.
        return Finding(Found.HOLD, error=f"{IN_DOUBT}{answer.error}")
