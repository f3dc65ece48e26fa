"""Posting the annual reflection: once per workspace and year, step by step through the outbox.

The reflection is built (`bot.reflection.build_reflection_post`) and snapshotted when its row is
claimed: the summary becomes the parent's outbox row, the chart and the replies wait in
`reflection.summary["_post"]` beside the facts. Then, one step at a time (each step is one
transaction; delivery sends what it queued, and the next step follows):

1. the parent is sent: its ts becomes the reflection's, and the chart's upload is queued into
   its thread (a "files upload v2" row, `schedules.files_upload`);
2. the chart is shared: its file id is recorded, and the first reply is queued;
3. each reply sent queues the next, so the thread reads in order even if one is retried;
4. the last reply sent: `posted_at` is set, and nothing is ever queued again.

A channel the bot cannot post to holds the rows (delivery does that); the reflection keeps
them, records why in `blocked_reason` and tells the admins once, with a Try again button.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.blocks import reflection_post as render
from bot.context import ReflectionRef
from bot.periods import fiscal_year_of
from bot.prompts import zone_of
from bot.reflection_model import ReflectionPost
from bot.slack_limits import FILES_UPLOAD_V2
from storage import outbox
from storage import reflections as store
from storage import review as review_store
from storage.models import Reflection, Workspace
from storage.models.review import OutboxState

log = logging.getLogger(__name__)

POST = "chat.postMessage"
UPDATE = "chat.update"
UPLOAD = FILES_UPLOAD_V2  # an outbox row's pseudo-method: the three-call upload of one file
SNAPSHOT = "_post"  # the key of reflection.summary that holds what is still to be posted

Builder = Callable[..., ReflectionPost]


def key_prefix(reflection_id: int) -> str:
    return f"reflection:{reflection_id}:"


def parent_key(reflection_id: int) -> str:
    return key_prefix(reflection_id) + "summary"


def chart_key(reflection_id: int) -> str:
    return key_prefix(reflection_id) + "chart"


def reply_key(reflection_id: int, index: int) -> str:
    return key_prefix(reflection_id) + f"reply:{index:03d}"


# ---- where and when -------------------------------------------------------------------------


def channel_of(workspace: Workspace) -> str | None:
    """The leadership channel; without one, the review channel (documented in the README)."""
    return workspace.leadership_channel or workspace.review_channel


# The job claims a year by itself only this long after it ended: a bot first deployed in
# June does not post last year's reflection out of the blue (`--year` still can).
AUTO_CLAIM_DAYS = 60


def _local_date(workspace: Workspace, now: datetime) -> date:
    return now.astimezone(ZoneInfo(zone_of(None, workspace.timezone))).date()


def ended_year(workspace: Workspace, now: datetime) -> int:
    """The latest fiscal year that has ended by `now`, in the workspace's timezone.

    The first tick on or after the first day of fiscal year Y+1, local time, finds Y here.
    """
    return fiscal_year_of(_local_date(workspace, now), workspace.fiscal_year_start_month) - 1


def recently_ended(workspace: Workspace, year: int, now: datetime) -> bool:
    """Whether fiscal year `year` ended at most AUTO_CLAIM_DAYS ago (local time)."""
    next_start = date(year + 1, workspace.fiscal_year_start_month, 1)
    return (_local_date(workspace, now) - next_start).days <= AUTO_CLAIM_DAYS


# ---- claiming and snapshotting ----------------------------------------------------------------


@dataclass
class Step:
    """What one step did: rows queued, facts recorded, and why it waits if it does."""

    queued: int = 0
    recorded: int = 0
    held: str | None = None  # the reason the bot cannot post (is_archived...)
    failed: str | None = None
    done: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.queued or self.recorded)


def start(
    session: Session, workspace: Workspace, year: int, *, build: Builder, now: datetime
) -> Reflection | None:
    """Claim (workspace, year), build the reflection and queue its parent; None if claimed.

    One transaction: a build that fails leaves no row, and the next run tries again.
    """
    channel = channel_of(workspace)
    if channel is None:
        return None
    row = store.claim(session, workspace_id=workspace.id, year=year, channel=channel)
    if row is None:
        return None
    post = build(session, workspace, year, now=now)
    summary = dict(post.facts)
    summary[SNAPSHOT] = {
        "replies": [{"text": m.text, "blocks": m.blocks} for m in post.replies],
        "chart": {
            "filename": post.chart_filename,
            "title": post.chart_title,
            "png_b64": base64.b64encode(post.chart_png).decode("ascii"),
        },
        "carry_overs": [asdict(c) for c in post.carry_overs],
    }
    row.summary = summary
    session.add(row)
    session.flush()
    outbox.enqueue(
        session,
        workspace_id=workspace.id,
        dedup_key=parent_key(row.id),
        method=POST,
        payload={"channel": channel, "text": post.summary.text, "blocks": post.summary.blocks},
    )
    return row


def snapshot_of(reflection: Reflection) -> dict[str, Any]:
    return dict((reflection.summary or {}).get(SNAPSHOT) or {})


# ---- one step ---------------------------------------------------------------------------------


def advance(session: Session, *, reflection_id: int, now: datetime) -> Step:
    """One step of the posting (see the module docstring); run it again after delivery."""
    step = Step()
    reflection = store.lock(session, reflection_id=reflection_id)
    if reflection is None or reflection.posted_at is not None or reflection.summary is None:
        return step
    rows = {
        p.dedup_key: p
        for p in review_store.thread_posts(
            session, workspace_id=reflection.workspace_id, prefix=key_prefix(reflection.id)
        )
    }
    mine = [p for k, p in rows.items() if not k.endswith(":closing")]
    held = next((p for p in mine if p.state == OutboxState.HELD), None)
    failed = next((p for p in mine if p.state == OutboxState.FAILED), None)
    blocked = (held.last_error or "cannot_post") if held else None
    blocked = blocked or ((failed.last_error or "failed") if failed else None)
    if blocked != reflection.blocked_reason:
        store.set_fields(session, reflection_id=reflection.id, blocked_reason=blocked)
    if held is not None:
        step.held = blocked
        step.queued += alert_admins(session, reflection, blocked or "cannot_post", held.id)
        return step
    if failed is not None:
        step.failed = blocked
        return step
    snapshot = snapshot_of(reflection)
    parent = rows.get(parent_key(reflection.id))
    if parent is None or parent.state != OutboxState.SENT or not parent.result_ts:
        return step  # on its way: nothing can hang below it yet
    channel = parent.result_channel or reflection.channel
    if reflection.ts is None:
        store.set_fields(session, reflection_id=reflection.id, ts=parent.result_ts, channel=channel)
        reflection.ts = parent.result_ts
        step.recorded += 1
    where = {"channel": channel, "thread_ts": reflection.ts}
    chart = rows.get(chart_key(reflection.id))
    if chart is None:
        picture = snapshot.get("chart") or {}
        outbox.enqueue(
            session,
            workspace_id=reflection.workspace_id,
            dedup_key=chart_key(reflection.id),
            method=UPLOAD,
            payload={**where, **picture},
        )
        step.queued += 1
        return step
    if chart.state != OutboxState.SENT:
        return step
    if reflection.chart_file_id is None:
        file_id = (chart.payload or {}).get("file_id")
        store.set_fields(session, reflection_id=reflection.id, chart_file_id=file_id)
        step.recorded += 1
    for index, reply in enumerate(snapshot.get("replies") or []):
        row = rows.get(reply_key(reflection.id, index))
        if row is None:
            outbox.enqueue(
                session,
                workspace_id=reflection.workspace_id,
                dedup_key=reply_key(reflection.id, index),
                method=POST,
                payload={**where, "text": reply.get("text") or "", "blocks": reply.get("blocks")},
            )
            step.queued += 1
            return step
        if row.state != OutboxState.SENT:
            return step
    store.set_fields(session, reflection_id=reflection.id, posted_at=now)
    step.recorded += 1
    step.done = True
    return step


# ---- a channel the bot cannot post to --------------------------------------------------------


def alert_admins(session: Session, reflection: Reflection, reason: str, held_id: int) -> int:
    """DM each admin once per reflection, reason and episode (the held row); rows queued."""
    admins = review_store.admins(session, workspace_id=reflection.workspace_id)
    if not admins:
        log.warning("reflection %d held (%s) and no admin to tell", reflection.id, reason)
    message = render.held_alert(
        reflection.channel or "",
        reflection.year,
        reason,
        retry_value=ReflectionRef(
            workspace_id=reflection.workspace_id, year=reflection.year
        ).dump(),
    ).as_kwargs()
    new = 0
    for admin in admins:
        key = f"reflection-held:{reflection.id}:{reason[:40]}:{held_id}:{admin.slack_user_id}"
        if outbox.by_key(session, workspace_id=reflection.workspace_id, dedup_key=key):
            continue
        outbox.enqueue(
            session,
            workspace_id=reflection.workspace_id,
            dedup_key=key,
            method=POST,
            payload={"channel": admin.slack_user_id, **message},
        )
        new += 1
    return new


def tell_no_channel(session: Session, workspace: Workspace, year: int) -> int:
    """No leadership and no review channel: each admin is told once, nothing is claimed."""
    message = render.no_channel_alert(year).as_kwargs()
    new = 0
    for admin in review_store.admins(session, workspace_id=workspace.id):
        key = f"reflection-nochannel:{year}:{admin.slack_user_id}"
        if outbox.by_key(session, workspace_id=workspace.id, dedup_key=key):
            continue
        outbox.enqueue(
            session,
            workspace_id=workspace.id,
            dedup_key=key,
            method=POST,
            payload={"channel": admin.slack_user_id, **message},
        )
        new += 1
    return new


@dataclass(frozen=True)
class Released:
    rows: int
    reflection_id: int | None


def release(session: Session, *, workspace_id: int, year: int) -> Released:
    """An admin fixed the channel: the reflection's held rows go out again (held again if not).

    Rows held for the channel by other features (a review thread there) go too, as their own
    Try again would do: the channel is the same, and so is the fix.
    """
    reflection = store.find(session, workspace_id=workspace_id, year=year)
    if reflection is None:
        return Released(0, None)
    rows = 0
    channels = {
        (p.payload or {}).get("channel")
        for p in review_store.thread_posts(
            session, workspace_id=workspace_id, prefix=key_prefix(reflection.id)
        )
        if p.state == OutboxState.HELD
    }
    for channel in sorted(c for c in channels if c):
        rows += outbox.release_channel(session, workspace_id=workspace_id, channel=channel)
    store.set_fields(session, reflection_id=reflection.id, blocked_reason=None)
    return Released(rows, reflection.id)
