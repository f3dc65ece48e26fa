"""The `hansei-prompts` job: each owner's year-end reflection DM, once per fiscal year."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import Engine

from bot.clock import Clock
from bot.hansei.prompts import HanseiQueued, next_hansei, queue_hansei_prompts
from schedules.jobs import JobReport, for_each_workspace
from storage import prompts as reads
from storage.db import session_scope

log = logging.getLogger(__name__)


@dataclass
class HanseiReport(JobReport):
    queued: list[HanseiQueued] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(q.queued for q in self.queued)


def run_hansei_prompts(engine: Engine, clock: Clock, *, year: int | None = None) -> HanseiReport:
    """`hansei-prompts`: queue the hansei DMs due now (with `year`: that fiscal year's, for
    everyone, whatever the date). Running it twice queues nothing the second time."""
    report = HanseiReport()
    now = clock.now()
    work = partial(queue_hansei_prompts, now=now, year=year)
    for _, result in for_each_workspace(engine, work, job="hansei-prompts", report=report):
        report.queued.append(result)
        if result.queued or result.unreachable or result.closed:
            report.lines.append(result.line())
    if report.total:
        log.info("hansei-prompts: %d prompt(s) queued", report.total)
    return report


def upcoming_hansei(engine: Engine, clock: Clock) -> list[str]:
    """Per workspace, the next fiscal year's hansei and when it falls due (`hoshin jobs list`)."""
    now, lines = clock.now(), []
    with session_scope(engine) as session:
        for workspace in reads.active_workspaces(session):
            year, due = next_hansei(workspace, now)
            lines.append(f"{workspace.team_id}: FY{year} due {due:%Y-%m-%d %H:%M} UTC")
    return lines
