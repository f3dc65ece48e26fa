"""What an answer from Slack does to the outbox, the workspace and its people, and the tally."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.clock import Clock
from schedules.ratelimit import DeliveryLimits
from schedules.slack_answers import Answer, Verdict, ask, is_person
from storage.db import session_scope
from storage.models.review import OutboxState
from storage.outbox import claims, stops
from storage.outbox import queue as outbox
from storage.outbox.claims import ClaimedMessage

log = logging.getLogger("schedules.delivery")

# Which DeliveryReport count a verdict adds to (429s are counted where they are received).
COUNTED = {
    Verdict.OK: "sent",
    Verdict.RETRY: "retried",
    Verdict.DOUBT: "in_doubt",
    Verdict.HOLD: "held",
    Verdict.UNREACHABLE: "failed",
    Verdict.FAIL: "failed",
}


@dataclass
class DeliveryReport:
    """What one run did, in counts and ids only (never message bodies)."""

    sent: int = 0
    rate_limited: int = 0  # 429s received
    retried: int = 0  # deferred with backoff (5xx, connection refused...)
    in_doubt: int = 0  # "may have succeeded": to be looked for
    found_posted: int = 0  # in doubt, found in Slack: marked sent without a resend
    resent: int = 0  # in doubt, certainly absent: queued again
    held: int = 0
    failed: int = 0
    calls: int = 0
    dispatched: int = 0  # rows taken up by the run (a full batch means more may be due)
    held_channels: list[tuple[int, str | None, str]] = field(default_factory=list)
    unreachable_people: list[tuple[int, str]] = field(default_factory=list)
    suspended_workspaces: list[int] = field(default_factory=list)
    # Rows that will never be sent, refused by Slack or given up: (workspace, row, method, error).
    refused: list[tuple[int, int, str, str]] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            setattr(self, f.name, mine + theirs)


class Outcomes:
    """Settling a row after its call; mixed into Deliverer, whose state it shares."""

    engine: Engine
    clock: Clock
    limits: DeliveryLimits
    client_for: Callable[[int], WebClient]
    _lock: threading.Lock
    _report: DeliveryReport
    _suspended: set[int]

    def _paced(self, workspace_id: int, method: str, channel: str | None, call) -> Answer:
        raise NotImplementedError

    def _bump(self, name: str) -> None:
        with self._lock:
            setattr(self._report, name, getattr(self._report, name) + 1)

    def _settle(self, row: ClaimedMessage, answer: Answer) -> None:
        verdict, error = answer.verdict, answer.error or ""
        if verdict == Verdict.AMBIGUOUS:
            verdict = self._person_or_token(row.workspace_id)
        user_id = None
        if verdict == Verdict.UNREACHABLE:  # asked before the transaction: no lock over a call
            user_id = row.channel if is_person(row.channel) else self._dm_user(row)
        now = self.clock.now()
        with session_scope(self.engine) as session:
            if verdict == Verdict.OK:
                claims.mark_sent(
                    session, message_id=row.id, ts=answer.ts, channel=answer.channel, at=now
                )
            elif verdict == Verdict.RATE_LIMITED:
                until = now + timedelta(seconds=answer.retry_after or 1.0)
                claims.defer(session, message_id=row.id, until=until, error=error)
            elif verdict == Verdict.RETRY:
                self._retry_later(session, row, error, now)
            elif verdict == Verdict.DOUBT:
                until = now + timedelta(seconds=self.limits.doubt_grace_seconds)
                claims.mark_in_doubt(session, message_id=row.id, until=until, error=error)
            elif verdict == Verdict.HOLD:
                self._hold(session, row.id, row.workspace_id, row.channel, error)
            elif verdict == Verdict.UNREACHABLE:
                self._unreachable(session, row, user_id, error)
            elif verdict == Verdict.TOKEN:
                self._suspend(session, row.workspace_id, error)
                claims.defer(session, message_id=row.id, until=now, error=error)
            else:
                stops.fail(session, message_id=row.id, error=error)
                self._refused(row, error)
                log.error(
                    "outbox %d failed: %s (%s); its builder must prevent this",
                    row.id,
                    error,
                    row.method,
                )
        self._count(verdict)

    def _followed(self, row: ClaimedMessage) -> ClaimedMessage | None:
        """An update of a post enqueued earlier, given that post's channel and ts once it is sent.

        None when it cannot be sent now: its post is still on its way (it waits, without the
        claim counting as an attempt), held (it is held with it, and released with it), or
        never sent (there is nothing to update: it fails).
        """
        key = row.payload[outbox.UPDATE_OF]
        with session_scope(self.engine) as session:
            post = outbox.by_key(session, workspace_id=row.workspace_id, dedup_key=key)
            if post is not None and post.state == OutboxState.SENT and post.result_ts:
                where = {"channel": post.result_channel or post.channel, "ts": post.result_ts}
                return replace(row, payload={**row.payload, **where})
            if post is None or post.state in (OutboxState.SENT, OutboxState.FAILED):
                stops.fail(session, message_id=row.id, error=f"nothing_to_update:{key}"[:255])
                self._bump("failed")
            elif post.state == OutboxState.HELD:
                stops.hold(session, message_id=row.id, reason=post.last_error or "held")
                self._bump("held")
            else:
                until = max(post.not_before, self.clock.now()) + timedelta(seconds=1)
                claims.postpone(session, message_id=row.id, until=until, reason=f"after:{key}")
        return None

    def _count(self, verdict: Verdict) -> None:
        name = COUNTED.get(verdict)
        if name:
            self._bump(name)

    def _retry_later(self, session, row: ClaimedMessage, error: str, now: datetime) -> None:
        if row.attempts >= self.limits.max_attempts:
            stops.fail(session, message_id=row.id, error=f"gave_up:{error}")
            self._refused(row, f"gave_up:{error}")
            log.error("outbox %d failed after %d attempts: %s", row.id, row.attempts, error)
            return
        backoff = self.limits.backoff_base_seconds * 2 ** min(row.attempts - 1, 16)
        delay = min(self.limits.backoff_max_seconds, backoff) * random.uniform(0.8, 1.2)
        claims.defer(session, message_id=row.id, until=now + timedelta(seconds=delay), error=error)

    def _refused(self, row: ClaimedMessage, error: str) -> None:
        with self._lock:
            self._report.refused.append((row.workspace_id, row.id, row.method, error))

    def _hold(self, session, message_id: int, workspace_id: int, channel: str | None, reason: str):
        stops.hold(session, message_id=message_id, reason=reason)
        if channel:
            stops.hold_channel(session, workspace_id=workspace_id, channel=channel, reason=reason)
        log.warning("outbox %d held: %s in channel %s", message_id, reason, channel)
        with self._lock:
            self._report.held_channels.append((workspace_id, channel, reason))

    def _unreachable(self, session, row: ClaimedMessage, user_id: str | None, error: str) -> None:
        # Failing a row (here and with its channel) queues its IF_UNREACHABLE post, if any.
        stops.fail(session, message_id=row.id, error=error)
        if not row.channel or not user_id:
            return
        stops.fail_channel(session, workspace_id=row.workspace_id, channel=row.channel, error=error)
        stops.mark_person_unreachable(
            session, workspace_id=row.workspace_id, slack_user_id=user_id, reason=error
        )
        log.warning("outbox %d: person %s unreachable (%s)", row.id, user_id, error)
        with self._lock:
            self._report.unreachable_people.append((row.workspace_id, user_id))

    def _dm_user(self, row: ClaimedMessage) -> str | None:
        """Whose DM a D… channel is, so that the person can be marked unreachable."""
        if not row.channel or not row.channel.startswith("D"):
            return None
        client = self.client_for(row.workspace_id)
        answer = self._paced(
            row.workspace_id,
            "conversations.info",
            None,
            lambda: client.conversations_info(channel=row.channel),
        )
        user = ((answer.data or {}).get("channel") or {}).get("user")
        return user if isinstance(user, str) else None

    def _person_or_token(self, workspace_id: int) -> Verdict:
        """account_inactive: auth.test tells a dead token from a deactivated person."""
        client = self.client_for(workspace_id)
        probe = ask(client.auth_test, method="auth.test")
        with self._lock:
            self._report.calls += 1
        if probe.verdict in (Verdict.TOKEN, Verdict.AMBIGUOUS):
            return Verdict.TOKEN
        return Verdict.UNREACHABLE

    def _suspend(self, session, workspace_id: int, reason: str) -> None:
        with self._lock:
            self._suspended.add(workspace_id)
        if stops.suspend_workspace(session, workspace_id=workspace_id, reason=reason):
            log.error(
                "workspace %d suspended: %s; delivery stops until the token is fixed",
                workspace_id,
                reason,
            )
            with self._lock:
                self._report.suspended_workspaces.append(workspace_id)
