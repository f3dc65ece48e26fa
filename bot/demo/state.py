"""The demo's state through the year, the scheduler's tick, and reading what reached Slack.

Part of the demo's composition root (with `bot.demo.run`), so it may reach into `schedules/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.clock import ManualClock
from bot.demo.transcript import Transcript
from bot.standin import StoredMessage
from bot.standin.slack_side import SlackSide
from schedules.scheduler import DELIVER, REVIEW_SYNC, JobContext, registry
from storage import checkins
from storage import hansei as hansei_reads
from storage import status as reads
from storage.db import session_scope


@dataclass
class MonthResult:
    """What happened in one month's cycle, by Slack member id."""

    period: str
    prompted: list[str] = field(default_factory=list)
    checked_in: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)  # owners whose manager was told
    away: list[str] = field(default_factory=list)
    replied_in_words: list[str] = field(default_factory=list)


@dataclass
class DemoYear:
    """The state a step of the demo continues from: the clock, the people, the cast's Slack."""

    t: Transcript
    ui: SlackSide
    clock: ManualClock
    jobs: JobContext
    workspace_id: int
    people: dict[str, Any]  # Slack member id -> reads.PersonRow
    objectives: list[reads.ObjectiveRow]
    channel_names: dict[str, str]
    managers: dict[str, str]  # Slack member id -> their manager's
    months: list[MonthResult] = field(default_factory=list)
    # What the transcript has shown once already ("reminder", ...).
    shown: set[str] = field(default_factory=set)
    # A check-in modal as the bot opened it: the shape of every check-in's submission.
    modal: dict | None = None
    # The same for the year-end reflection (hansei), and what the hansei week wrote.
    hansei_modal: dict | None = None
    yearend_lines: list[str] = field(default_factory=list)
    reminded_hansei: list[str] = field(default_factory=list)

    def name(self, slack_user_id: str) -> str:
        return self.people[slack_user_id].name

    def names(self, slack_user_ids: list[str]) -> str:
        return ", ".join(self.name(u) for u in slack_user_ids) or "nobody"


# ---- the scheduler's jobs, run as the scheduler runs them -----------------------------------


def tick(year: DemoYear, *, jobs: bool = True, review: bool = False) -> None:
    """The scheduler at the clock's time: every job (`jobs`), delivery until the outbox is empty,
    and with `review` the review-sync job until the threads are current.

    The scheduler runs each job every few seconds or minutes; the demo runs them at the moments
    that matter, which is what the scheduler would have done by then. Between those moments
    the app keeps the review threads current itself (`ReviewPoster`, after each check-in), so
    review-sync, whose every-minute runs would find little, runs once the month's answers are in.
    """
    deliverer = year.jobs.deliverer()
    for job in registry() if jobs else ():
        if job not in (DELIVER, REVIEW_SYNC):
            job.run(year.jobs)
    deliverer.run_until_idle(timeout=60)
    # The threads step by step: parent, replies, their ts, the parent's update.
    for _ in range(6 if review else 0):
        report = REVIEW_SYNC.run(year.jobs)
        deliverer.run_until_idle(timeout=60)
        if not report.lines:
            break


# ---- reading what reached Slack ----------------------------------------------------------------


def current(standin, message: StoredMessage) -> StoredMessage:
    return next(m for m in standin.messages(message.channel) if m.ts == message.ts)


def dms_since(year: DemoYear, mark: int, words: str) -> dict[str, list[str]]:
    """{member id: texts of the DMs with `words` posted to them since call number `mark`}."""
    found: dict[str, list[str]] = {}
    for call in year.ui.standin.calls[mark:]:
        text = call.args.get("text") or ""
        if call.method == "chat.postMessage" and call.ok and words in text:
            found.setdefault(call.args.get("channel", ""), []).append(text)
    return found


def dms_with(year: DemoYear, user: str, words: str) -> list[StoredMessage]:
    return [m for m in year.ui.dms(user) if words in m.text]


def escalations(year: DemoYear, manager: str, owner: str) -> list[StoredMessage]:
    return [
        m
        for m in year.ui.dms(manager)
        if m.text.startswith(f"{year.name(owner)} has not checked in")
    ]


def manager_of(year: DemoYear, user: str) -> str | None:
    return year.managers.get(user)


def statuses(year: DemoYear, period: str) -> dict[str, str | None]:
    """{objective ref: its stored status for `period`}, in plan order, as the database has it."""
    with session_scope(year.jobs.engine) as session:
        stored = checkins.statuses(
            session,
            workspace_id=year.workspace_id,
            objective_ids=[o.id for o in year.objectives],
            period=period,
        )
    return {o.ref: stored[o.id] for o in year.objectives if o.id in stored}


def latest_actuals(year: DemoYear) -> dict[int, float | None]:
    """{objective id: its latest actual of the story's year}, as the database has it."""
    from bot.demo.story import PERIODS

    with session_scope(year.jobs.engine) as session:
        found = hansei_reads.latest_actuals(
            session,
            workspace_id=year.workspace_id,
            objective_ids=[o.id for o in year.objectives],
            periods=PERIODS,
        )
    return {objective_id: row.actual for objective_id, row in found.items()}


def thread_parents(standin, channel: str) -> dict[str, StoredMessage]:
    """{period label ("Apr 2027"): the thread's parent as it now stands} of a review channel."""
    found = {}
    for message in standin.messages(channel):
        if message.thread_ts:
            continue
        for block in message.blocks or []:
            if block.get("type") == "header":
                found[block["text"]["text"].split("·")[-1].strip()] = message
    return found
