"""The time-driven jobs: each asks the database what is due now, writes it as rows, and reports.

Every job is idempotent (unique prompt rows, outbox keys), takes the clock it should believe, and
works one workspace per transaction, so one workspace's trouble never stops the others.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from bot import metrics
from bot.checkin.prompts import PromptsQueued, next_checkins, queue_prompts
from bot.checkin.reminders import RemindersQueued, queue_reminders
from bot.clock import Clock
from bot.cycle import Due
from bot.errors import InvalidInput
from bot.hansei.reminders import HanseiReminders, queue_hansei_reminders
from schedules.delivery import Deliverer
from schedules.delivery_outcomes import DeliveryReport
from storage import prompts as store
from storage.db import session_scope
from storage.hansei import HANSEI
from storage.models import Workspace
from storage.outbox import queue as outbox
from storage.prompts import RecordedDeliveries

log = logging.getLogger(__name__)

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
T = TypeVar("T")


@dataclass
class JobReport:
    """What one run of a job did, as lines an operator reads; `errors` name failed workspaces."""

    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join([*self.lines, *(f"error: {e}" for e in self.errors)]) or "nothing to do"

    def failure(self, job: str) -> str | None:
        """One line saying what could not be done, or None when everything was."""
        if not self.errors:
            return None
        return f"{job} could not do all of its work: {'; '.join(self.errors)}"


@dataclass
class PromptReport(JobReport):
    queued: list[PromptsQueued] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(q.queued for q in self.queued)


@dataclass
class ReminderReport(JobReport):
    workspaces: list[RemindersQueued] = field(default_factory=list)
    hansei: list[HanseiReminders] = field(default_factory=list)
    recorded: RecordedDeliveries = field(default_factory=RecordedDeliveries)


@dataclass
class DeliverReport(JobReport):
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    recorded: RecordedDeliveries = field(default_factory=RecordedDeliveries)


def check_period(period: str | None) -> str | None:
    if period is not None and not PERIOD.match(period):
        raise InvalidInput(f"{period!r} is not a period: write it as YYYY-MM, like 2027-03.")
    return period


def workspace_ids(engine: Engine) -> list[tuple[int, str]]:
    """(id, team id) of every active workspace: the jobs then take one per transaction."""
    with session_scope(engine) as session:
        return [(w.id, w.team_id) for w in store.active_workspaces(session)]


def for_each_workspace(
    engine: Engine,
    work: Callable[[Session, Workspace], T],
    *,
    job: str,
    report: JobReport,
    part: str | None = None,
) -> Iterator[tuple[Workspace, T]]:
    """`work` for every workspace whose jobs run, each in its own transaction, in id order.

    Yields each workspace (detached, read in the transaction) with what `work` returned. A
    workspace suspended meanwhile is passed over; one whose work raises is rolled back, logged
    and named in `report.errors` (`part` says which part of the job failed), and the others go
    on: one workspace's trouble never stops the rest. What the caller does with a result runs
    outside the transaction and outside this guard.
    """
    what = f"{part} of workspace" if part else "workspace"
    for workspace_id, team_id in workspace_ids(engine):
        try:
            with session_scope(engine) as session:
                workspace = session.get(Workspace, workspace_id)
                if workspace is None or workspace.suspended_reason:
                    continue
                result = work(session, workspace)
        except Exception as exc:
            log.exception("%s: %s %s failed", job, what, team_id)
            label = f"{team_id} {part}" if part else team_id
            report.errors.append(f"{label}: {exc.__class__.__name__}")
            continue
        yield workspace, result


def queue_monthly_prompts(
    engine: Engine, clock: Clock, *, period: str | None = None
) -> PromptReport:
    """`monthly-checkin`: queue every check-in prompt due now (with `period`: that period's,
    for everyone, whatever the time). Running it twice queues nothing the second time."""
    check_period(period)
    report = PromptReport()
    now = clock.now()
    work = partial(queue_prompts, now=now, period=period)
    for _, results in for_each_workspace(engine, work, job="monthly-checkin", report=report):
        report.queued += results
        report.lines += [r.line() for r in results if r.queued or r.away or r.unreachable]
        report.errors += [f"{r.team_id} {r.period} {f}" for r in results for f in r.failed]
    if report.total:
        log.info("monthly-checkin: %d prompt(s) queued", report.total)
    return report


def record_deliveries(engine: Engine) -> RecordedDeliveries:
    """Copy where delivered prompts landed (channel, ts) onto their rows; failed ones unreachable.

    Check-in prompts and hansei prompts alike.
    """
    with session_scope(engine) as session:
        checkins = store.record_deliveries(session, kind=store.CHECKIN)
        hansei = store.record_deliveries(session, kind=HANSEI)
    recorded = RecordedDeliveries(
        checkins.sent + hansei.sent, checkins.unreachable + hansei.unreachable
    )
    if recorded.sent:
        metrics.PROMPTS_SENT.inc(recorded.sent)
    return recorded


def send_reminders(engine: Engine, clock: Clock) -> ReminderReport:
    """`reminders`: one reminder to owners still to answer, then one note to their manager;
    for the monthly check-in and the year-end hansei alike."""
    report = ReminderReport(recorded=record_deliveries(engine))
    now = clock.now()
    checkins = partial(queue_reminders, now=now)
    for _, result in for_each_workspace(engine, checkins, job="reminders", report=report):
        report.workspaces.append(result)
        if result.reminded or result.escalated or result.answered or result.away:
            report.lines.append(result.line())
    # The year-end hansei's (`bot/hansei/reminders.py`), in transactions of their own.
    hansei = partial(queue_hansei_reminders, now=now)
    for _, found in for_each_workspace(
        engine, hansei, job="reminders", report=report, part="hansei"
    ):
        report.hansei.append(found)
        if found.anything:
            report.lines.append(found.line())
    return report


def deliver(deliverer: Deliverer, *, max_messages: int | None = None) -> DeliverReport:
    """`deliver`: send what the outbox holds, then record where the prompts landed.

    `max_messages` bounds one run, so that the scheduler can stop within seconds even in the
    middle of a fan-out; the next run carries on.
    """
    if not waiting_posts(deliverer.engine):
        return DeliverReport()  # the usual case, two seconds after the last post: one query
    delivery = deliverer.run_once(max_messages=max_messages)
    recorded = RecordedDeliveries()
    if delivery.sent or delivery.failed or delivery.found_posted:
        recorded = record_deliveries(deliverer.engine)
    report = DeliverReport(delivery=delivery, recorded=recorded)
    if delivery.refused:  # never to be sent: an operator's run says so and exits 1
        teams = dict(workspace_ids(deliverer.engine))
        report.errors += [
            f"{teams.get(ws, f'workspace {ws}')} outbox {row} ({method}) refused: {error}"
            for ws, row, method, error in delivery.refused
        ]
    if delivery.calls:
        report.lines.append(
            f"{delivery.sent} sent, {delivery.failed} failed, {delivery.held} held, "
            f"{delivery.retried} to retry, {delivery.in_doubt} in doubt ({delivery.calls} calls)"
        )
    return report


# ---- what `hoshin jobs list` shows ----------------------------------------------------------


def _at(due: Due, zone: str) -> str:
    local = due.due_at.astimezone(ZoneInfo(zone))
    return f"{due.due_at:%Y-%m-%d %H:%M} UTC ({local:%H:%M} {zone})"


def upcoming_prompts(engine: Engine, clock: Clock) -> list[str]:
    """Per workspace, the next period's check-in and when it falls due, first to last timezone."""
    now, lines = clock.now(), []
    with session_scope(engine) as session:
        for workspace in store.active_workspaces(session):
            upcoming = next_checkins(session, workspace, now=now)
            (first_zone, first), (last_zone, last) = upcoming[0], upcoming[-1]
            line = f"{workspace.team_id}: {first.period} due {_at(first, first_zone)}"
            if len(upcoming) > 1:
                line += f" to {_at(last, last_zone)}, in {len(upcoming)} timezones"
            lines.append(line)
    return lines


def waiting_posts(engine: Engine) -> int:
    with session_scope(engine) as session:
        return outbox.pending_count(session)
