"""Hansei prompts: when the year-end reflection is asked, what its DM lists, and queueing it.

Rules, in one place:
- Fiscal year Y ends on the day before the first day of fiscal year Y + 1 (`bot/periods.py`).
  Its hansei falls due `hansei_weeks_before_year_end` weeks before that first day (0: on it),
  moved back to a Monday-to-Friday when it lands on a weekend, at the workspace's check-in
  time in the *workspace's* timezone: one moment for everyone, since the reflection is a
  window of weeks, not a monthly deadline. With a January start and 3 weeks, FY2027's hansei
  is due Friday 10 December 2027 at 09:00.
- Answers are taken until the check-in of the next fiscal year's *second* month falls due
  (FY2027, January start: Tuesday 1 February 2028 at 09:00), as a month's check-ins stay open
  until the check-in two months later. After that the reflection is final: the modal says so
  inline and stores nothing. Before the due time only someone who already got the prompt (an
  operator's `--year` run) may answer.
- Each owner of active annual or cascaded objectives of that year gets one DM (one prompt row
  of kind `hansei`, period `YYYY`) listing those objectives with their target, the latest
  actual and a **Reflect** button. People who are away are asked all the same: the year-end
  comes once and the DM waits for their return (their reminder waits too, see
  `bot/hansei/reminders.py`). Only people Slack cannot reach get an `unreachable` row instead.
- A bot that was down sends the prompt when it returns, once, as long as answers are still
  taken; a closed year is never prompted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.ask.queue import payloads, prompt_state, ref_key, write_prompts
from bot.ask.timing import ask_time, away_on, local_date, workspace_zone
from bot.cycle import due_at
from bot.hansei.blocks import hansei_prompt
from bot.hansei.model import HanseiAsk, ReflectObjective
from bot.periods import fiscal_periods, fiscal_year_of
from storage import hansei as store
from storage import hansei_answers as answers
from storage.models import Workspace
from storage.prompts import NewPrompt, ObjectiveRow, OwnerRow, objectives_of, owners_without_prompt

MAX_WEEKS = 52


# ---- when -----------------------------------------------------------------------------------


def year_end(workspace: Workspace, year: int) -> date:
    """The last day of fiscal `year`."""
    return date(year + 1, workspace.fiscal_year_start_month, 1) - timedelta(days=1)


def hansei_due_at(workspace: Workspace, year: int) -> datetime:
    """The UTC instant fiscal `year`'s hansei prompts fall due (the rule is above)."""
    weeks = max(0, min(workspace.hansei_weeks_before_year_end, MAX_WEEKS))
    day = year_end(workspace, year) + timedelta(days=1) - timedelta(weeks=weeks)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    local = datetime.combine(day, ask_time(workspace))
    return local.replace(tzinfo=ZoneInfo(workspace_zone(workspace)), fold=0).astimezone(UTC)


def answers_close_at(workspace: Workspace, year: int) -> datetime:
    """When answers on fiscal `year` stop being taken: next year's second check-in falls due."""
    second_month = fiscal_periods(year + 1, workspace.fiscal_year_start_month)[1]
    return due_at(
        second_month,
        business_day_of_month=workspace.checkin_business_day,
        local_time=ask_time(workspace),
        timezone=workspace_zone(workspace),
    )


def is_closed(workspace: Workspace, year: int, now: datetime) -> bool:
    return now >= answers_close_at(workspace, year)


def year_due(workspace: Workspace, now: datetime) -> int | None:
    """The fiscal year whose hansei is due and still open at `now`, if any."""
    today = local_date(now, workspace_zone(workspace))
    current = fiscal_year_of(today, workspace.fiscal_year_start_month)
    for year in (current, current - 1):
        if hansei_due_at(workspace, year) <= now < answers_close_at(workspace, year):
            return year
    return None


def next_hansei(workspace: Workspace, now: datetime) -> tuple[int, datetime]:
    """The next fiscal year whose hansei falls due after `now`, and when (`hoshin jobs list`)."""
    today = local_date(now, workspace_zone(workspace))
    year = fiscal_year_of(today, workspace.fiscal_year_start_month)
    while hansei_due_at(workspace, year) <= now:
        year += 1
    return year, hansei_due_at(workspace, year)


# ---- what a prompt lists --------------------------------------------------------------------


def reflect_objectives(
    session: Session, workspace: Workspace, rows: list[ObjectiveRow], year: int
) -> dict[int, tuple[ReflectObjective, ...]]:
    """{owner id: their objectives of the year, in ref order, with the latest actual}."""
    periods = fiscal_periods(year, workspace.fiscal_year_start_month)
    latest = store.latest_actuals(
        session, workspace_id=workspace.id, objective_ids=[r.id for r in rows], periods=periods
    )
    grouped: dict[int, list[ReflectObjective]] = {}
    for row in sorted(rows, key=lambda r: ref_key(r.ref)):
        last = latest.get(row.id)
        grouped.setdefault(row.owner_id, []).append(
            ReflectObjective(
                objective_id=row.id,
                ref=row.ref,
                title=row.title,
                metric_name=row.metric_name,
                unit=row.metric_unit,
                target=row.target,
                actual=last.actual if last else None,
                actual_period=last.period if last else None,
                status=last.status if last else None,
            )
        )
    return {owner: tuple(objectives) for owner, objectives in grouped.items()}


def ask_for(
    session: Session,
    workspace: Workspace,
    *,
    person_id: int,
    slack_user_id: str,
    name: str,
    year: int,
) -> HanseiAsk | None:
    """The person's hansei DM as it should read now (answered objectives marked), or None."""
    rows = objectives_of(session, workspace_id=workspace.id, year=year, owner_ids=[person_id])
    objectives = reflect_objectives(session, workspace, rows, year).get(person_id)
    if not objectives:
        return None
    done = answers.answered_ids(
        session, objective_ids=[o.objective_id for o in objectives], year=year
    )
    return hansei_ask(workspace, year, slack_user_id, name, workspace.vision, objectives, done)


def hansei_ask(
    workspace: Workspace,
    year: int,
    user_id: str,
    name: str,
    vision: str | None,
    objectives: tuple[ReflectObjective, ...],
    done: set[int],
) -> HanseiAsk:
    """What the owner's hansei DM shows, `done` holding (at least) the objectives answered."""
    return HanseiAsk(
        owner_user_id=user_id,
        owner_name=name,
        year=year,
        year_end=year_end(workspace, year),
        closes_at=answers_close_at(workspace, year),
        vision=vision,
        objectives=objectives,
        done=frozenset(o.objective_id for o in objectives if o.objective_id in done),
    )


# ---- queueing the prompts -------------------------------------------------------------------


@dataclass
class HanseiQueued:
    """One workspace and year of a run: prompts queued, of which to people away, unreachable."""

    team_id: str
    year: int | None
    queued: int = 0
    away: int = 0
    unreachable: int = 0
    closed: bool = False

    def line(self) -> str:
        if self.closed:
            return f"{self.team_id} FY{self.year}: answers are closed; nothing queued"
        return (
            f"{self.team_id} FY{self.year}: {self.queued} hansei prompt(s) queued "
            f"({self.away} to people away), {self.unreachable} unreachable"
        )


def queue_hansei_prompts(
    session: Session, workspace: Workspace, *, now: datetime, year: int | None = None
) -> HanseiQueued:
    """Write the hansei prompts due now (with `year`: that year's, whatever the date) and DMs.

    Prompt rows and their outbox rows are written in the caller's one transaction; a re-run
    finds the rows and queues nothing twice. A year whose answers are closed queues nothing.
    """
    chosen = year if year is not None else year_due(workspace, now)
    report = HanseiQueued(workspace.team_id, chosen)
    if chosen is None:
        return report
    if is_closed(workspace, chosen, now):
        report.closed = True
        return report
    owners = owners_without_prompt(
        session, workspace_id=workspace.id, kind=store.HANSEI, period=str(chosen), year=chosen
    )
    if not owners:
        return report
    when = hansei_due_at(workspace, chosen)
    today = local_date(now, workspace_zone(workspace))
    reachable = [o for o in owners if not o.unreachable_reason]
    found = _payloads(session, workspace, chosen, reachable)
    # Who is away is asked all the same (the DM waits for their return); unreachable rows first.
    rows = [NewPrompt(o.person_id, when, prompt_state(o)) for o in owners if o.unreachable_reason]
    rows += [NewPrompt(o.person_id, when, prompt_state(o)) for o in reachable]
    written = write_prompts(
        session, workspace, kind=store.HANSEI, period=str(chosen), rows=rows, dms=found
    )
    created = written.created
    report.queued = written.queued
    report.unreachable = sum(1 for o in owners if o.unreachable_reason and o.person_id in created)
    report.away = sum(
        1 for o in reachable if o.person_id in created and away_on(o.away_until, today)
    )
    return report


def _payloads(
    session: Session, workspace: Workspace, year: int, owners: list[OwnerRow]
) -> dict[int, dict]:
    """{person id: the chat.postMessage payload of their hansei DM}, in a few batched reads."""
    if not owners:
        return {}
    rows = objectives_of(
        session, workspace_id=workspace.id, year=year, owner_ids=[o.person_id for o in owners]
    )
    owned = reflect_objectives(session, workspace, rows, year)
    done = answers.answered_ids(session, objective_ids=[r.id for r in rows], year=year)

    def build(owner: OwnerRow):
        objectives = owned.get(owner.person_id)
        if not objectives:
            return None
        return hansei_prompt(
            hansei_ask(
                workspace, year, owner.slack_user_id, owner.name, workspace.vision, objectives, done
            )
        )

    return payloads(owners, build)
