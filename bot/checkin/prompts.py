"""The monthly check-in prompt: who is due when and what a prompt lists (reminders: `reminders.py`).

Rules, in one place:
- An owner is asked once per period (`YYYY-MM`) about their active annual and cascaded
  objectives of that period's fiscal year, at the workspace's check-in time in their own
  timezone (`bot/cycle.py`). Owners with nothing to answer for get nothing. "Due" is the
  latest period whose time has come, so a first run (or a new owner mid-month) is asked about
  the month under way at once, and a bot back from downtime asks about the latest month only.
- Who is away on the day the prompt falls due (`away_until` on or after it) is skipped for that
  period: a `skipped` row, so they are not prompted later that month either; they can still
  check in late. Who Slack cannot reach gets an `unreachable` row; delivery marks a prompt
  unreachable too when its DM fails for good.
- The period asked is the owner's current one; an older period is superseded by a newer prompt
  (late answers are still accepted), so reminders and escalations concern the current one only.
- Who has not checked in on every objective of the prompt's period is reminded, and their
  manager told, by the rules of `bot/ask/reminders.py` (`bot/checkin/reminders.py` applies them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.actions.service import overdue_actions_by_owner
from bot.ask.queue import payloads, prompt_state, ref_key, write_prompts
from bot.ask.timing import ask_time, away_on, local_date, zone_of
from bot.checkin.model import AskedObjective, CheckInAsk
from bot.checkin.prompt_blocks import checkin_prompt
from bot.cycle import Due, current_due, due_at, next_due, previous_period
from bot.periods import fiscal_year_of, month_index, parse_period
from storage import a3 as a3_store
from storage import prompts as store
from storage.a3 import A3Row
from storage.models import PromptState, Workspace
from storage.prompts import CHECKIN, CheckInRow, NewPrompt, ObjectiveRow, OwnerRow

# ---- when ----------------------------------------------------------------------------------


def _schedule(workspace: Workspace) -> dict:
    return {
        "business_day_of_month": workspace.checkin_business_day,
        "local_time": ask_time(workspace),
    }


def due_now(workspace: Workspace, timezone: str, now: datetime) -> Due:
    """The period due for someone in `timezone` at `now` (the latest whose time has come)."""
    return current_due(now, timezone=timezone, **_schedule(workspace))


def due_next(workspace: Workspace, timezone: str, now: datetime) -> Due:
    return next_due(now, timezone=timezone, **_schedule(workspace))


def due_time(workspace: Workspace, timezone: str, period: str) -> datetime:
    return due_at(period, timezone=timezone, **_schedule(workspace))


def fiscal_year_of_period(period: str, start_month: int) -> int:
    year, month = parse_period(period)
    return fiscal_year_of(date(year, month, 1), start_month)


def owner_zones(session: Session, workspace: Workspace) -> dict[str | None, str]:
    """{timezone as stored: the timezone it means} for everyone who owns asked objectives."""
    stored = store.owner_timezones(session, workspace_id=workspace.id)
    return {raw: zone_of(raw, workspace.timezone) for raw in stored}


def next_checkins(
    session: Session, workspace: Workspace, *, now: datetime
) -> list[tuple[str, Due]]:
    """When the next check-in falls due in each timezone of the workspace's owners, soonest first."""
    zones = set(owner_zones(session, workspace).values()) or {zone_of(None, workspace.timezone)}
    upcoming = [(zone, due_next(workspace, zone, now)) for zone in zones]
    return sorted(upcoming, key=lambda item: (item[1].due_at, item[0]))


# ---- what a prompt lists -------------------------------------------------------------------


def asked_objective(
    row: ObjectiveRow, *, index: int | None, last: CheckInRow | None, a3: A3Row | None = None
) -> AskedObjective:
    """One objective of a prompt; `index` is the period's month in the fiscal year (0..11)."""
    plan = None
    if index is not None and row.monthly_plan and index < len(row.monthly_plan):
        plan = row.monthly_plan[index]
    return AskedObjective(
        objective_id=row.id,
        ref=row.ref,
        title=row.title,
        metric_name=row.metric_name,
        unit=row.metric_unit,
        plan=plan,
        target=row.target,
        last_actual=last.actual if last else None,
        last_status=last.status if last else None,
        a3=a3,
    )


def by_owner(
    rows: list[ObjectiveRow],
    *,
    period: str,
    year: int,
    start_month: int,
    last: dict[int, CheckInRow],
    a3s: dict[int, A3Row] | None = None,
) -> dict[int, tuple[AskedObjective, ...]]:
    grouped: dict[int, list[ObjectiveRow]] = defaultdict(list)
    for row in rows:
        grouped[row.owner_id].append(row)
    index = month_index(period, year, start_month)
    return {
        owner_id: tuple(
            asked_objective(r, index=index, last=last.get(r.id), a3=(a3s or {}).get(r.id))
            for r in sorted(owned, key=lambda r: ref_key(r.ref))
        )
        for owner_id, owned in grouped.items()
    }


# ---- queueing the prompts ------------------------------------------------------------------


@dataclass
class PromptsQueued:
    """One workspace and period of a run: how many prompts were queued, skipped, unreachable."""

    team_id: str
    period: str
    queued: int = 0
    away: int = 0
    unreachable: int = 0
    # Owners whose prompt could not be built: named in the job's errors, asked again next run.
    failed: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.team_id} {self.period}: {self.queued} prompt(s) queued, "
            f"{self.away} skipped (away), {self.unreachable} unreachable"
        )


def queue_prompts(
    session: Session, workspace: Workspace, *, now: datetime, period: str | None = None
) -> list[PromptsQueued]:
    """Write the prompts due now (or, with `period`, that period's for everyone) and their DMs.

    Prompt rows and their outbox rows are written in the caller's one transaction: a crash
    leaves both or neither, and a re-run finds the rows and sends nothing twice.
    """
    zones = owner_zones(session, workspace)
    by_period: dict[str, list[str | None]] = defaultdict(list)
    for raw, zone in zones.items():
        by_period[period or due_now(workspace, zone, now).period].append(raw)
    return [
        _queue_period(session, workspace, p, raws, zones, now)
        for p, raws in sorted(by_period.items())
    ]


def _queue_period(
    session: Session,
    workspace: Workspace,
    period: str,
    raws: list[str | None],
    zones: dict[str | None, str],
    now: datetime,
) -> PromptsQueued:
    report = PromptsQueued(workspace.team_id, period)
    start_month = workspace.fiscal_year_start_month
    year = fiscal_year_of_period(period, start_month)
    owners = store.owners_without_prompt(
        session, workspace_id=workspace.id, kind=CHECKIN, period=period, year=year, timezones=raws
    )
    if not owners:
        return report
    states: dict[int, PromptState] = {}
    rows = []
    for owner in owners:
        zone = zones.get(owner.timezone) or zone_of(owner.timezone, workspace.timezone)
        when = due_time(workspace, zone, period)
        # Who is away on the day it falls due is skipped for the period.
        away = away_on(owner.away_until, local_date(when, zone))
        states[owner.person_id] = prompt_state(owner, away=away)
        rows.append(NewPrompt(owner.person_id, when, states[owner.person_id]))
    # Read and render everything first: the writes at the end are quick, so a fan-out holds
    # SQLite's write lock for a moment, not while thousands of messages are built.
    asking = [o for o in owners if states[o.person_id] == PromptState.QUEUED]
    found = _prompt_payloads(session, workspace, period, year, asking, now, report.failed)
    written = write_prompts(session, workspace, kind=CHECKIN, period=period, rows=rows, dms=found)
    report.queued = written.queued
    for person_id in written.created:
        report.away += states[person_id] == PromptState.SKIPPED
        report.unreachable += states[person_id] == PromptState.UNREACHABLE
    return report


def _prompt_payloads(
    session: Session,
    workspace: Workspace,
    period: str,
    year: int,
    owners: list[OwnerRow],
    now: datetime,
    failed: list[str],
) -> dict[int, dict]:
    """{person id: the chat.postMessage payload of their prompt}, read in a few batched queries.

    An owner whose prompt cannot be built is left out (no prompt row, so the next run asks
    again) and named in `failed`: one owner never holds back the workspace's other prompts.
    """
    if not owners:
        return {}
    start_month = workspace.fiscal_year_start_month
    objective_rows = store.objectives_of(
        session, workspace_id=workspace.id, year=year, owner_ids=[o.person_id for o in owners]
    )
    last = store.check_ins(
        session,
        workspace_id=workspace.id,
        objective_ids=[r.id for r in objective_rows],
        period=previous_period(period),
    )
    a3s = a3_store.written_for(
        session,
        workspace_id=workspace.id,
        objective_ids=[r.id for r in objective_rows],
        period=previous_period(period),
    )
    owned = by_owner(
        objective_rows, period=period, year=year, start_month=start_month, last=last, a3s=a3s
    )
    overdue = overdue_actions_by_owner(
        session, workspace_id=workspace.id, today=local_date(now, zone_of(None, workspace.timezone))
    )

    def build(owner: OwnerRow):
        objectives = owned.get(owner.person_id)
        if not objectives:
            return None
        ask = CheckInAsk(
            owner_user_id=owner.slack_user_id,
            owner_name=owner.name,
            period=period,
            vision=workspace.vision,
            objectives=objectives,
            overdue=tuple(overdue.get(owner.person_id, ())),
        )
        return checkin_prompt(ask)

    return payloads(owners, build, failed=failed, what=period)
