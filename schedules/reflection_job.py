"""`annual-reflection`: when a workspace's fiscal year has ended, post its reflection, once.

Each run, per workspace: the fiscal year that ended last (workspace timezone; `--year` names one
instead) is claimed when it had a plan and nobody claimed it yet — built, snapshotted, its
parent queued — and every reflection still on its way takes its next step
(`bot.reflection.post`). Given a `deliver` callable (the CLI, the demo, tests), a run goes on,
step and delivery in turn, until the thread is complete; the scheduler's `deliver` job and the
app's deliverer (after a click) call `follow_delivery` after sending, so there each step
follows its delivery within seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from bot.clock import Clock
from bot.reflection import post as posting
from bot.reflection.service import build_reflection_post
from schedules.delivery_outcomes import DeliveryReport
from schedules.jobs import JobReport, workspace_ids
from storage import reflections as store
from storage.db import session_scope
from storage.models import Reflection, Workspace

log = logging.getLogger(__name__)


@dataclass
class ReflectionReport(JobReport):
    claimed: list[tuple[str, int]] = field(default_factory=list)  # (team id, year)
    posted: list[tuple[str, int]] = field(default_factory=list)
    held: list[tuple[str, int, str]] = field(default_factory=list)


def run_annual_reflection(
    engine: Engine,
    clock: Clock,
    *,
    year: int | None = None,
    build: posting.Builder | None = None,
    deliver: Callable[[], Any] | None = None,
    rounds: int = 40,
) -> ReflectionReport:
    """One run of the job (see the module docstring). Running it again posts nothing new."""
    report = ReflectionReport()
    now = clock.now()
    for workspace_id, team_id in workspace_ids(engine):
        try:
            reflection_id = _claim(engine, workspace_id, team_id, year, build, now, report)
        except Exception as exc:
            log.exception("annual-reflection: workspace %s failed", team_id)
            report.errors.append(f"{team_id}: {exc.__class__.__name__}")
            continue
        if reflection_id is None:
            continue
        try:
            _settle(engine, clock, reflection_id, team_id, deliver, rounds, report)
        except Exception as exc:
            log.exception("annual-reflection: reflection %d of %s failed", reflection_id, team_id)
            report.errors.append(f"{team_id} reflection: {exc.__class__.__name__}")
    if deliver is not None:
        deliver()  # what else was queued: the admins' alerts when there is no channel
    return report


def _claim(
    engine: Engine,
    workspace_id: int,
    team_id: str,
    year: int | None,
    build: posting.Builder | None,
    now,
    report: ReflectionReport,
) -> int | None:
    """The reflection to work on for this workspace (claimed now if due), or None."""
    with session_scope(engine) as session:
        workspace = session.get(Workspace, workspace_id)
        if workspace is None or workspace.suspended_reason:
            return None
        wanted = year if year is not None else posting.ended_year(workspace, now)
        found = store.find(session, workspace_id=workspace_id, year=wanted)
        if found is not None:
            return None if found.posted_at is not None else found.id
        if year is None and not posting.recently_ended(workspace, wanted, now):
            return None  # too long ago to post unasked; an operator can with --year
        if not store.has_annual_objectives(session, workspace_id=workspace_id, year=wanted):
            if year is not None:
                report.lines.append(f"{team_id}: FY{wanted} has no annual objectives to reflect on")
            return None
        if posting.channel_of(workspace) is None:
            if posting.tell_no_channel(session, workspace, wanted):
                report.lines.append(
                    f"{team_id}: FY{wanted} has ended but there is no leadership or review "
                    "channel; the admins were told"
                )
            return None
        row = posting.start(
            session, workspace, wanted, build=build or build_reflection_post, now=now
        )
        if row is None:  # another instance claimed it a moment ago: it posts it
            return None
        report.claimed.append((team_id, wanted))
        report.lines.append(f"{team_id}: FY{wanted} reflection built, posting to <#{row.channel}>")
        return row.id


def _settle(
    engine: Engine,
    clock: Clock,
    reflection_id: int,
    team_id: str,
    deliver: Callable[[], Any] | None,
    rounds: int,
    report: ReflectionReport,
) -> None:
    for _ in range(rounds if deliver is not None else 1):
        with session_scope(engine) as session:
            step = posting.advance(session, reflection_id=reflection_id, now=clock.now())
            reflection = session.get(Reflection, reflection_id)
            year = reflection.year if reflection else 0
        if step.done:
            report.posted.append((team_id, year))
            report.lines.append(f"{team_id}: FY{year} reflection posted")
            return
        if step.held or step.failed:
            reason = step.held or step.failed or ""
            report.held.append((team_id, year, reason))
            what = "held" if step.held else "stopped, a part failed"
            report.lines.append(
                f"{team_id}: FY{year} reflection {what} ({reason}); the admins were told"
            )
            # Not posted: an operator's run says so and exits non-zero (`hoshin jobs run`).
            stop = "held" if step.held else "failed"
            report.errors.append(f"{team_id} FY{year} reflection {step.part} {stop}: {reason}")
            if deliver is not None and step.queued:
                deliver()  # the admins' alerts
            return
        if deliver is None:
            return
        deliver()


def follow_delivery(engine: Engine, clock: Clock, delivery: DeliveryReport) -> int:
    """After a delivery run (any deliverer's): when it moved a row, reflections take a step.

    A part sent queues the next; a part held or failed tells the admins. Rows queued.
    """
    moved = delivery.sent + delivery.held + delivery.failed + delivery.found_posted
    return advance_unfinished(engine, clock) if moved else 0


def advance_unfinished(engine: Engine, clock: Clock) -> int:
    """One step of every reflection on its way; rows queued (for the deliver job)."""
    with session_scope(engine) as session:
        todo = store.unfinished(session)
    queued = 0
    for _workspace_id, reflection_id in todo:
        try:
            with session_scope(engine) as session:
                queued += posting.advance(
                    session, reflection_id=reflection_id, now=clock.now()
                ).queued
        except Exception:
            log.exception("reflection %d: could not take its next step", reflection_id)
    return queued
