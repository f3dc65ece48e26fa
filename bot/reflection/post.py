"""Posting the annual reflection: once per workspace and year, step by step through the outbox.

The reflection is built (`bot.reflection.service.build_reflection_post`) and snapshotted when its row is
claimed: the summary becomes the parent's outbox row, the chart and the replies wait in
`reflection.summary["_post"]` beside the facts. Then, one step at a time (each step is one
transaction; delivery sends what it queued, and the next step follows):

1. the parent is sent: its ts becomes the reflection's, and the chart's upload is queued into
   its thread (a "files upload v2" row, `schedules.files_upload`);
2. the chart is shared: its file id is recorded, and the first reply is queued;
3. each reply sent queues the next, so the thread reads in order even if one is retried;
4. the last reply sent: `posted_at` is set, and nothing is ever queued again.

A part that stops is told to the admins once per stop, with a Try again button: held (a channel
the bot cannot post to; delivery holds the rows) or failed (Slack refused it for good, or every
retry came back "nothing happened"). The reflection keeps everything, records why in
`blocked_reason`, and waits: nothing after the stopped part is queued. Try again queues the
held and failed parts again (sent ones stay sent), and the steps carry on from there in order.
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

from bot.admin_dms import dm_admins_once
from bot.ask.timing import zone_of
from bot.context import ReflectionRef
from bot.periods import fiscal_year_of
from bot.reflection import post_blocks as render
from bot.reflection.model import ReflectionPost
from bot.slack_limits import FILES_UPLOAD_V2
from storage import reflections as store
from storage import review as review_store
from storage.models import Reflection, Workspace
from storage.models.review import OutboxState
from storage.outbox import queue as outbox
from storage.outbox import stops
from storage.review import ThreadPost

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


def closing_key(reflection_id: int) -> str:
    """The closing reply's update once next year was started from it (`bot.reflection.carryover`)."""
    return key_prefix(reflection_id) + "closing"


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
    part: str | None = None  # the part held or failed: "summary", "chart" or "reply:N"
    done: bool = False


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
    mine = [p for k, p in rows.items() if k != closing_key(reflection.id)]
    stopped = next((p for p in mine if p.state == OutboxState.HELD), None)
    stopped = stopped or next((p for p in mine if p.state == OutboxState.FAILED), None)
    blocked = _why_stopped(stopped) if stopped is not None else None
    if blocked != reflection.blocked_reason:
        store.set_fields(session, reflection_id=reflection.id, blocked_reason=blocked)
    if stopped is not None:
        step.part = part_of(reflection, stopped)
        if stopped.state == OutboxState.HELD:
            step.held = blocked
        else:
            step.failed = blocked
        step.queued += alert_admins(session, reflection, stopped)
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


# ---- a part that stopped: held or failed --------------------------------------------------


def _why_stopped(row: ThreadPost) -> str:
    if row.state == OutboxState.HELD:
        return row.last_error or "cannot_post"
    return row.last_error or "failed"


def part_of(reflection: Reflection, row: ThreadPost) -> str:
    """Which part of the thread a row is: "summary", "chart" or "reply:N" (from 0)."""
    part = row.dedup_key.removeprefix(key_prefix(reflection.id))
    if part.startswith("reply:"):
        return f"reply:{int(part.split(':')[1])}"
    return part


def alert_admins(session: Session, reflection: Reflection, stopped: ThreadPost) -> int:
    """DM each admin once per stop of a part (held or failed); rows queued.

    The key names the row and how many times it stopped: another tick finding the same stop
    tells nobody again, and a part that stops again after a Try again is a new stop, told anew.
    """
    reason = _why_stopped(stopped)
    retry_value = ReflectionRef(workspace_id=reflection.workspace_id, year=reflection.year).dump()
    channel = reflection.channel or ""
    if stopped.state == OutboxState.HELD:
        kind = "held"
        message = render.held_alert(channel, reflection.year, reason, retry_value=retry_value)
    else:
        kind = "failed"
        replies = len(snapshot_of(reflection).get("replies") or [])
        part = render.part_words(part_of(reflection, stopped), replies)
        message = render.failed_alert(
            channel, reflection.year, part, reason, retry_value=retry_value
        )
    told = _tell_admins(
        session,
        reflection.workspace_id,
        f"reflection-{kind}:{reflection.id}:{stopped.id}:{stopped.stops}",
        message.as_kwargs(),
    )
    if told is None:
        log.warning("reflection %d %s (%s) and no admin to tell", reflection.id, kind, reason)
    return told or 0


def tell_no_channel(session: Session, workspace: Workspace, year: int) -> int:
    """No leadership and no review channel: each admin is told once, nothing is claimed."""
    message = render.no_channel_alert(year).as_kwargs()
    return _tell_admins(session, workspace.id, f"reflection-nochannel:{year}", message) or 0


def _tell_admins(
    session: Session, workspace_id: int, key: str, message: dict[str, Any]
) -> int | None:
    """One DM per admin under `key`, each queued once; rows queued (None: no admin at all)."""
    return dm_admins_once(
        session, workspace_id=workspace_id, message=message, key_for=lambda a: f"{key}:{a}"
    )


@dataclass(frozen=True)
class Released:
    rows: int
    reflection_id: int | None


def release(session: Session, *, workspace_id: int, year: int) -> Released:
    """An admin's Try again: the reflection's stopped parts go out again; sent ones stay sent.

    Held rows go again for their channel (held again if it is still not fixed); rows held there
    by other features (a review thread) go too, as their own Try again would do: the channel is
    the same, and so is the fix. Failed parts are queued again, by id: only the reflection's.
    """
    reflection = store.find(session, workspace_id=workspace_id, year=year)
    if reflection is None:
        return Released(0, None)
    posts = review_store.thread_posts(
        session, workspace_id=workspace_id, prefix=key_prefix(reflection.id)
    )
    channels = {(p.payload or {}).get("channel") for p in posts if p.state == OutboxState.HELD}
    rows = 0
    for channel in sorted(c for c in channels if c):
        rows += stops.release_channel(session, workspace_id=workspace_id, channel=channel)
    rows += stops.requeue_failed(
        session,
        workspace_id=workspace_id,
        message_ids=[p.id for p in posts if p.state == OutboxState.FAILED],
    )
    store.set_fields(session, reflection_id=reflection.id, blocked_reason=None)
    return Released(rows, reflection.id)


@dataclass(frozen=True)
class Retried:
    state: str  # "none" (no such reflection), "posted" (already whole) or "posting"
    channel: str | None
    rows: int  # rows queued again


def try_again(session: Session, *, workspace_id: int, year: int, now: datetime) -> Retried:
    """Release what stopped and take one step (it queues the next part when one is due).

    Delivery does the rest in the background: each part sent, the next follows
    (`schedules.reflection_job.follow_delivery`), and a part that stops again is a new stop,
    told to the admins anew.
    """
    released = release(session, workspace_id=workspace_id, year=year)
    if released.reflection_id is None:
        return Retried("none", None, 0)
    step = advance(session, reflection_id=released.reflection_id, now=now)
    reflection = session.get(Reflection, released.reflection_id)  # as the step read it
    posted = step.done or (reflection is not None and reflection.posted_at is not None)
    channel = reflection.channel if reflection is not None else None
    return Retried("posted" if posted else "posting", channel, released.rows)
