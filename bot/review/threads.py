"""Review threads: one per review channel and month, rebuilt from the database, posted via the outbox.

Where an objective's check-ins go, and what a thread shows: `bot.review.plan`.

A thread is synced in steps, each a set of outbox rows (delivery sends them):
1. no parent yet: the parent post is enqueued;
2. once it is sent, its ts becomes the thread's; each check-in of the month gets one reply
   (posted once; its ts copied back onto the check-in when sent), an edited check-in a
   chat.update of its reply, and the parent a chat.update whenever its content changed.
Dedup keys carry a version and a hash of the content, so an unchanged message is never updated
again and a re-run enqueues nothing. A channel the bot cannot post to holds its rows (delivery
does that): the answers stay in the database, the workspace's admins get one DM per channel,
reason and episode, with a Try again button that releases the rows.

One thread, or one reply, that cannot be built or that Slack refuses stops nothing else: each
thread syncs in its own transaction under its own guard, a reply that cannot be built is
named in `SyncReport.errors` and left for the next run, and a message Slack refused is sent
again or its refusal told to the admins (`bot.review.refused`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import Engine
from sqlmodel import Session

from bot.admin_dms import dm_admins_once
from bot.context import SlackContext
from bot.cycle import current_due, parse_local_time, previous_period
from bot.review import blocks as render
from bot.review.model import CheckInReply
from bot.review.plan import ReviewPlan, channel_for
from bot.review.refused import send_again
from storage import review as store
from storage.checkins import set_reply_ts
from storage.db import session_scope
from storage.models import Workspace
from storage.models.review import OutboxState
from storage.outbox import queue as outbox
from storage.outbox import stops
from storage.review import ThreadPost

log = logging.getLogger(__name__)

POST = "chat.postMessage"
UPDATE = "chat.update"


class ReviewChannelRef(SlackContext):
    """The review channel an admin's Try again button is about."""

    channel: str = Field(pattern=r"^[CG][A-Z0-9]{2,31}$")


@dataclass
class SyncReport:
    enqueued: int = 0  # outbox rows written
    recorded: int = 0  # ts copied from a sent row onto a thread or a check-in
    held_channels: set[str] = field(default_factory=set)
    # What could not be synced this run, one line each (workspace, thread, what failed).
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.enqueued or self.recorded)

    def add(self, other: SyncReport) -> None:
        self.enqueued += other.enqueued
        self.recorded += other.recorded
        self.held_channels |= other.held_channels
        self.errors += other.errors


# ---- where check-ins go -------------------------------------------------------------------------


def note_check_ins(
    session: Session, workspace: Workspace, objective_ids: Iterable[int], period: str
) -> list[int]:
    """The threads (created when new) that the check-ins of these objectives belong to."""
    channels = {channel_for(session, workspace, i) for i in objective_ids}
    return [
        store.thread_for(session, workspace_id=workspace.id, channel=c, period=period).id
        for c in sorted(c for c in channels if c)
    ]


# ---- syncing ------------------------------------------------------------------------------------


def _digest(payload: dict[str, Any]) -> str:
    content = {"text": payload.get("text"), "blocks": payload.get("blocks")}
    raw = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def parent_prefix(thread_id: int) -> str:
    return f"review:{thread_id}:parent:"


def reply_prefix(thread_id: int, check_in_id: int) -> str:
    return f"review:{thread_id}:reply:{check_in_id}:"


class _Writer:
    """Enqueues a thread's rows, counting them."""

    def __init__(self, session: Session, workspace_id: int, report: SyncReport) -> None:
        self.session, self.workspace_id, self.report = session, workspace_id, report

    def post_once(self, key: str, payload: dict[str, Any]) -> None:
        self.report.enqueued += 1
        outbox.enqueue(
            self.session,
            workspace_id=self.workspace_id,
            dedup_key=key,
            method=POST,
            payload=payload,
        )

    def again(self, row: ThreadPost, payload: dict[str, Any], thread: tuple[str, str]) -> None:
        """A message Slack refused: sent again as built now, or the admins told."""
        self.report.enqueued += send_again(
            self.session,
            workspace_id=self.workspace_id,
            row=row,
            payload=payload,
            changed=_digest(payload) != _digest(row.payload),
            channel=thread[0],
            period=thread[1],
        )

    def keep_current(
        self,
        prefix: str,
        rows: list[ThreadPost],
        where: tuple[str, str],
        content: dict,
        thread: tuple[str, str],
    ) -> None:
        """A chat.update when `content` differs from the latest this message was given (or
        the latest was refused: then that one again)."""
        digest = _digest(content)
        if _digest(rows[-1].payload) == digest:
            if rows[-1].method == UPDATE:
                self.again(rows[-1], rows[-1].payload, thread)
            return
        self.report.enqueued += 1
        outbox.enqueue(
            self.session,
            workspace_id=self.workspace_id,
            dedup_key=f"{prefix}u{len(rows)}:{digest}",
            method=UPDATE,
            payload={"channel": where[0], "ts": where[1], **content},
        )


def sync_thread(
    session: Session, plan: ReviewPlan, thread_id: int, *, label: str = ""
) -> SyncReport:
    """One step of one thread (see the module docstring); run it again after delivery.

    A reply that cannot be built is named in the report's errors (`label` says whose thread)
    and the rest of the thread goes on."""
    report = SyncReport()
    thread = store.lock_thread(session, thread_id=thread_id)
    if thread is None:
        return report
    posts = store.thread_posts(
        session, workspace_id=plan.workspace_id, prefix=f"review:{thread.id}:"
    )
    rows: dict[str, list[ThreadPost]] = defaultdict(list)
    for post in posts:
        rows[_prefix_of(post.dedup_key)].append(post)
    held = [p for p in posts if p.state == OutboxState.HELD]
    store.set_blocked(session, thread_id=thread.id, reason=held[0].last_error if held else None)
    if held:
        report.held_channels.add(thread.channel)
    summary = plan.summary(session, thread.channel, thread.period)
    parent = render.review_parent(summary).as_kwargs()
    write = _Writer(session, plan.workspace_id, report)
    here = (thread.channel, thread.period)
    parent_rows = rows.get(parent_prefix(thread.id), [])
    if thread.ts is None:
        if not parent_rows:
            write.post_once(
                parent_prefix(thread.id) + "post", {"channel": thread.channel, **parent}
            )
            return report
        first = parent_rows[0]
        if first.state != OutboxState.SENT or not first.result_ts:
            write.again(first, {"channel": thread.channel, **parent}, here)
            return report  # on its way, held or refused: nothing can hang below it yet
        store.set_ts(session, thread_id=thread.id, ts=first.result_ts)
        thread.ts = first.result_ts
        report.recorded += 1
    channel = parent_rows[0].result_channel if parent_rows else None
    channel = channel or thread.channel
    if parent_rows:
        where = (channel, thread.ts)
        write.keep_current(parent_prefix(thread.id), parent_rows, where, parent, here)
    for line in summary.lines:
        check_in = line.check_in
        if check_in is None:
            continue
        try:
            reply = render.check_in_reply(
                CheckInReply(line, thread.period, plan.person_slack_id(check_in.person_id))
            ).as_kwargs()
        except Exception as exc:
            log.exception("review thread %d: the reply for %s cannot be built", thread.id, line.ref)
            where = f"{label} {thread.channel} {thread.period}".strip()
            report.errors.append(f"{where} {line.ref}: {exc.__class__.__name__}")
            continue
        prefix = reply_prefix(thread.id, check_in.id)
        mine = rows.get(prefix, [])
        post = {"channel": channel, "thread_ts": thread.ts, **reply}
        if not mine:
            write.post_once(prefix + "post", post)
            continue
        reply_ts = check_in.thread_reply_ts
        if reply_ts is None:
            if mine[0].state != OutboxState.SENT or not mine[0].result_ts:
                write.again(mine[0], post, here)
                continue
            reply_ts = mine[0].result_ts
            set_reply_ts(session, check_in_id=check_in.id, ts=reply_ts)
            report.recorded += 1
        where = (mine[0].result_channel or channel, reply_ts)
        write.keep_current(prefix, mine, where, reply, here)
    return report


def _prefix_of(key: str) -> str:
    """The message a row is about: `review:7:reply:12:post` and `review:7:reply:12:u3:<hash>`
    are both about `review:7:reply:12:`."""
    parts = key.split(":")
    keep = parts[:-1] if parts[-1] == "post" else parts[:-2]
    return ":".join(keep) + ":"


# ---- a channel the bot cannot post to ---------------------------------------------------------


def held_alert_key(channel: str, reason: str, oldest_id: int, admin: str) -> str:
    """Once per channel, reason and episode (the oldest row held), per admin."""
    return f"review-held:{channel}:{reason}:{oldest_id}:{admin}"


def alert_admins(session: Session, *, workspace_id: int, channels: set[str]) -> int:
    """DM the workspace's admins about review channels whose rows are held; returns rows new."""
    held = [
        h
        for h in stops.held_by_channel(session, workspace_id=workspace_id)
        if h.channel in channels
    ]
    if not held:
        return 0
    new = 0
    for h in held:
        reason = (h.reason or "cannot_post")[:40]
        channel = h.channel or ""
        message = render.held_alert(
            channel, reason, retry_value=ReviewChannelRef(channel=channel).dump()
        ).as_kwargs()
        queued = dm_admins_once(
            session,
            workspace_id=workspace_id,
            message=message,
            key_for=lambda a, c=channel, r=reason, o=h.oldest_id: held_alert_key(c, r, o, a),
        )
        if queued is None:
            log.warning("review rows held in %d channel(s) and no admin to tell", len(held))
            break
        new += queued
    return new


@dataclass(frozen=True)
class Released:
    rows: int
    thread_ids: list[int]


def release_channel(session: Session, *, workspace_id: int, channel: str) -> Released:
    """An admin says the channel is fixed: its held rows go out again (held again if not)."""
    rows = stops.release_channel(session, workspace_id=workspace_id, channel=channel)
    thread_ids = []
    for thread in store.threads(session, workspace_id=workspace_id, channel=channel):
        store.set_blocked(session, thread_id=thread.id, reason=None)
        thread_ids.append(thread.id)
    return Released(rows, thread_ids)


def held_reason(engine: Engine, *, workspace_id: int, channel: str) -> str | None:
    """Why rows for `channel` are held right now, or None when none are."""
    with session_scope(engine) as session:
        for h in stops.held_by_channel(session, workspace_id=workspace_id):
            if h.channel == channel:
                return h.reason or "cannot_post"
    return None


# ---- running the steps ----------------------------------------------------------------------------


def open_periods(workspace: Workspace, now: datetime) -> tuple[str, str]:
    """The months whose check-ins can still change: the one due now and the one before.

    The same rule as `bot.checkin.service.period_state`: a month closes once the check-in of the month
    two after it has fallen due.
    """
    due = current_due(
        now,
        business_day_of_month=workspace.checkin_business_day,
        local_time=parse_local_time(workspace.checkin_time),
        timezone=workspace.timezone,
    )
    return due.period, previous_period(due.period)


def sync_workspace(
    engine: Engine,
    workspace_id: int,
    *,
    thread_ids: Iterable[int] | None = None,
    periods: Iterable[str] | None = None,
) -> SyncReport:
    """One step of the workspace's threads (all, or those named), each in its own transaction.

    A thread whose step fails is rolled back, logged and named in the report's errors; the
    others go on, and the next run tries it again.
    """
    with session_scope(engine) as session:
        workspace = session.get(Workspace, workspace_id)
        if workspace is None:
            return SyncReport()
        team_id = workspace.team_id
        plan = ReviewPlan(session, workspace)
        chosen = store.threads(
            session, workspace_id=workspace_id, periods=periods, thread_ids=thread_ids
        )
        threads = [(t.id, t.channel, t.period) for t in chosen]
    report = SyncReport()
    for thread_id, channel, period in threads:
        try:
            with session_scope(engine) as session:
                report.add(sync_thread(session, plan, thread_id, label=team_id))
        except Exception as exc:
            log.exception(
                "review thread %d (%s %s %s) not synced", thread_id, team_id, channel, period
            )
            report.errors.append(f"{team_id} {channel} {period}: {exc.__class__.__name__}")
    if report.held_channels:
        with session_scope(engine) as session:
            report.enqueued += alert_admins(
                session, workspace_id=workspace_id, channels=report.held_channels
            )
    return report


def sync_all(engine: Engine, *, now: datetime, workspace_id: int | None = None) -> SyncReport:
    """One step of every thread that can still change, in every workspace not suspended.

    For a periodic job: threads of the open months, and any thread not posted yet or blocked.
    It only writes outbox rows; delivery sends them, and the next run takes the next step.
    """
    with session_scope(engine) as session:
        workspaces = [
            (w.id, open_periods(w, now))
            for w in store.workspaces_with_threads(session)
            if workspace_id is None or w.id == workspace_id
        ]
    report = SyncReport()
    for ws_id, periods in workspaces:
        try:
            report.add(sync_workspace(engine, ws_id, periods=periods))
        except Exception as exc:  # its plan could not be read: the next workspaces go on
            log.exception("review threads of workspace %d not synced", ws_id)
            report.errors.append(f"workspace {ws_id}: {exc.__class__.__name__}")
    return report


def settle(
    engine: Engine,
    deliver: Callable[[], Any],
    *,
    now: datetime,
    workspace_id: int | None = None,
    thread_ids: Iterable[int] | None = None,
    rounds: int = 5,
) -> SyncReport:
    """Sync and deliver in turn until nothing changes: parent, then replies, then their ts.

    `deliver` is one delivery pass (`Deliverer.run_once`). With `thread_ids` only those
    threads are synced (after one check-in); without, every open thread (`sync_all`).
    """
    chosen = list(thread_ids) if thread_ids is not None else None
    total = SyncReport()
    for _ in range(rounds):
        if chosen is not None and workspace_id is not None:
            report = sync_workspace(engine, workspace_id, thread_ids=chosen)
        else:
            report = sync_all(engine, now=now, workspace_id=workspace_id)
        total.add(report)
        if not report.changed:
            break
        deliver()
    return total
