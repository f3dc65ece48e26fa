"""The `hansei-prompts` job: each owner's year-end reflection DM, once per fiscal year."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine

from bot.clock import Clock
from bot.hansei import HanseiQueued, next_hansei, queue_hansei_prompts
from schedules.jobs import JobReport, workspace_ids
from storage import prompts as reads
from storage.db import session_scope
from storage.models import Workspace

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
    for workspace_id, team_id in workspace_ids(engine):
        try:
            with session_scope(engine) as session:
                workspace = session.get(Workspace, workspace_id)
                if workspace is None or workspace.suspended_reason:
                    continue
                result = queue_hansei_prompts(session, workspace, now=now, year=year)
        except Exception as exc:
            log.exception("hansei-prompts: workspace %s failed", team_id)
            report.errors.append(f"{team_id}: {exc.__class__.__name__}")
            continue
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
