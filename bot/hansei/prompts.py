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

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.checkin.prompts import POST, _ref_key, checkin_time, zone_of
from bot.cycle import due_at
from bot.hansei.blocks import hansei_prompt
from bot.periods import fiscal_periods, fiscal_year_of
from storage import hansei as store
from storage import hansei_answers as answers
from storage.models import PromptState, Workspace
from storage.outbox import queue as outbox
from storage.outbox.queue import NewMessage
from storage.prompts import ObjectiveRow, OwnerRow, objectives_of

MAX_WEEKS = 52


# ---- when -----------------------------------------------------------------------------------


def workspace_zone(workspace: Workspace) -> str:
    return zone_of(None, workspace.timezone)


def year_end(workspace: Workspace, year: int) -> date:
    """The last day of fiscal `year`."""
    return date(year + 1, workspace.fiscal_year_start_month, 1) - timedelta(days=1)


def hansei_due_at(workspace: Workspace, year: int) -> datetime:
    """The UTC instant fiscal `year`'s hansei prompts fall due (the rule is above)."""
    weeks = max(0, min(workspace.hansei_weeks_before_year_end, MAX_WEEKS))
    day = year_end(workspace, year) + timedelta(days=1) - timedelta(weeks=weeks)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    local = datetime.combine(day, checkin_time(workspace))
    return local.replace(tzinfo=ZoneInfo(workspace_zone(workspace)), fold=0).astimezone(UTC)


def answers_close_at(workspace: Workspace, year: int) -> datetime:
    """When answers on fiscal `year` stop being taken: next year's second check-in falls due."""
    second_month = fiscal_periods(year + 1, workspace.fiscal_year_start_month)[1]
    return due_at(
        second_month,
        business_day_of_month=workspace.checkin_business_day,
        local_time=checkin_time(workspace),
        timezone=workspace_zone(workspace),
    )


def is_closed(workspace: Workspace, year: int, now: datetime) -> bool:
    return now >= answers_close_at(workspace, year)


def year_due(workspace: Workspace, now: datetime) -> int | None:
    """The fiscal year whose hansei is due and still open at `now`, if any."""
    today = now.astimezone(ZoneInfo(workspace_zone(workspace))).date()
    current = fiscal_year_of(today, workspace.fiscal_year_start_month)
    for year in (current, current - 1):
        if hansei_due_at(workspace, year) <= now < answers_close_at(workspace, year):
            return year
    return None


def next_hansei(workspace: Workspace, now: datetime) -> tuple[int, datetime]:
    """The next fiscal year whose hansei falls due after `now`, and when (`hoshin jobs list`)."""
    today = now.astimezone(ZoneInfo(workspace_zone(workspace))).date()
    year = fiscal_year_of(today, workspace.fiscal_year_start_month)
    while hansei_due_at(workspace, year) <= now:
        year += 1
    return year, hansei_due_at(workspace, year)


# ---- what a prompt lists --------------------------------------------------------------------


@dataclass(frozen=True)
class ReflectObjective:
    """One objective of a hansei DM: its target and how far it got."""

    objective_id: int
    ref: str
    title: str
    metric_name: str | None
    unit: str | None
    target: float | None
    actual: float | None = None
    actual_period: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class HanseiAsk:
    """What one owner's hansei DM (or its reminder) shows; `done`: objectives answered."""

    owner_user_id: str
    owner_name: str
    year: int
    year_end: date
    closes_at: datetime
    vision: str | None
    objectives: tuple[ReflectObjective, ...]
    done: frozenset[int] = field(default_factory=frozenset)


def reflect_objectives(
    session: Session, workspace: Workspace, rows: list[ObjectiveRow], year: int
) -> dict[int, tuple[ReflectObjective, ...]]:
    """{owner id: their objectives of the year, in ref order, with the latest actual}."""
    periods = fiscal_periods(year, workspace.fiscal_year_start_month)
    latest = store.latest_actuals(
        session, workspace_id=workspace.id, objective_ids=[r.id for r in rows], periods=periods
    )
    grouped: dict[int, list[ReflectObjective]] = {}
    for row in sorted(rows, key=lambda r: _ref_key(r.ref)):
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
    return HanseiAsk(
        owner_user_id=slack_user_id,
        owner_name=name,
        year=year,
        year_end=year_end(workspace, year),
        closes_at=answers_close_at(workspace, year),
        vision=workspace.vision,
        objectives=objectives,
        done=frozenset(done),
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
    owners = store.owners_without_prompt(session, workspace_id=workspace.id, year=chosen)
    if not owners:
        return report
    when = hansei_due_at(workspace, chosen)
    today = now.astimezone(ZoneInfo(workspace_zone(workspace))).date()
    reachable = [o for o in owners if not o.unreachable_reason]
    payloads = _payloads(session, workspace, chosen, reachable)
    rows = [
        store.NewPrompt(o.person_id, when, PromptState.UNREACHABLE)
        for o in owners
        if o.unreachable_reason
    ] + [
        store.NewPrompt(o.person_id, when, PromptState.QUEUED)
        for o in reachable
        if o.person_id in payloads
    ]
    created = store.insert_prompts(session, workspace_id=workspace.id, year=chosen, prompts=rows)
    messages = [
        NewMessage(dedup_key=store.prompt_key(created[person_id]), method=POST, payload=payload)
        for person_id, payload in payloads.items()
        if person_id in created
    ]
    outbox.enqueue_many(session, workspace_id=workspace.id, messages=messages)
    report.queued = len(messages)
    report.unreachable = sum(1 for o in owners if o.unreachable_reason and o.person_id in created)
    report.away = sum(1 for o in reachable if o.person_id in created and _away(o, today))
    return report


def _away(owner: OwnerRow, today: date) -> bool:
    return owner.away_until is not None and owner.away_until >= today


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
    payloads = {}
    for owner in owners:
        objectives = owned.get(owner.person_id)
        if not objectives:
            continue
        ask = HanseiAsk(
            owner_user_id=owner.slack_user_id,
            owner_name=owner.name,
            year=year,
            year_end=year_end(workspace, year),
            closes_at=answers_close_at(workspace, year),
            vision=workspace.vision,
            objectives=objectives,
            done=frozenset(o.objective_id for o in objectives if o.objective_id in done),
        )
        payloads[owner.person_id] = {
            "channel": owner.slack_user_id,
            **hansei_prompt(ask).as_kwargs(),
        }
    return payloads
