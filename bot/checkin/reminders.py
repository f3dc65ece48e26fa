"""Reminders and escalation of the monthly check-in: who still owes an answer, and who is told.

The rules are `bot/ask/reminders.py`'s, for the owner's current period only (an older prompt was
superseded by a newer one); someone away gets neither a reminder nor a note to their manager.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.ask import reminders as chasing
from bot.ask.timing import away_on, local_date, zone_of
from bot.blocks.common import Message
from bot.checkin.model import AskedObjective, CheckInAsk, Escalation
from bot.checkin.prompt_blocks import checkin_escalation, checkin_reminder
from bot.checkin.prompts import by_owner, due_now, fiscal_year_of_period, owner_zones
from storage import prompts as store
from storage.models import Workspace
from storage.prompts import CHECKIN, OpenPrompt


@dataclass
class RemindersQueued(chasing.Chased):
    periods: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.team_id}: {self.reminded} reminder(s), {self.escalated} escalation(s) queued; "
            f"{self.answered} prompt(s) found answered, {self.away} owner(s) away"
        )


def _reminder(prompt: OpenPrompt, objectives: tuple[AskedObjective, ...]) -> Message:
    ask = CheckInAsk(
        owner_user_id=prompt.slack_user_id,
        owner_name=prompt.name,
        period=prompt.period,
        vision=None,
        objectives=objectives,
    )
    return checkin_reminder(ask)


def _escalation(
    prompt: OpenPrompt, objectives: tuple[AskedObjective, ...], days: int, away: date | None
) -> Message:
    escalation = Escalation(
        owner_user_id=prompt.slack_user_id,
        owner_name=prompt.name,
        period=prompt.period,
        open_objectives=objectives,
        prompted_at=prompt.sent_at,
        days=days,
    )
    return checkin_escalation(escalation)


CHASE = chasing.Chase(CHECKIN, _reminder, _escalation, away_holds_escalation=True)


def queue_reminders(session: Session, workspace: Workspace, *, now: datetime) -> RemindersQueued:
    """Write the reminders and escalations due now, and mark fully answered prompts answered."""
    report = RemindersQueued(workspace.team_id)
    zones = owner_zones(session, workspace)
    current = {raw: due_now(workspace, zone, now).period for raw, zone in zones.items()}
    candidates = chasing.open_prompts(
        session,
        workspace,
        kind=CHECKIN,
        periods=current.values(),
        now=now,
        recent_kinds=(CHECKIN,),
    )

    def zone(raw: str | None) -> str:
        return zones.get(raw) or zone_of(raw, workspace.timezone)

    # Only the owner's own current period: an older prompt was superseded by a newer one.
    candidates = [
        c
        for c in candidates
        if c.period == (current.get(c.timezone) or due_now(workspace, zone(c.timezone), now).period)
    ]
    report.periods = sorted({c.period for c in candidates})
    still_open = _still_open(session, workspace, candidates, report.periods)
    return chasing.chase(
        session,
        workspace,
        report,
        CHASE,
        candidates=candidates,
        still_open={c.id: still_open[c.person_id] for c in candidates if c.person_id in still_open},
        away=lambda prompt: away_on(prompt.away_until, local_date(now, zone(prompt.timezone))),
        now=now,
    )


def _still_open(
    session: Session, workspace: Workspace, candidates: list[OpenPrompt], periods: list[str]
) -> dict[int, tuple[AskedObjective, ...]]:
    """{person id: their objectives with no check-in yet for their prompt's period}."""
    start_month = workspace.fiscal_year_start_month
    found: dict[int, tuple[AskedObjective, ...]] = {}
    for period in periods:
        year = fiscal_year_of_period(period, start_month)
        owners = [c.person_id for c in candidates if c.period == period]
        rows = store.unanswered(
            session, workspace_id=workspace.id, year=year, period=period, owner_ids=owners
        )
        found.update(by_owner(rows, period=period, year=year, start_month=start_month, last={}))
    return found
