"""Reminders and escalation of the hansei, run by the `reminders` job beside the check-in's.

The rules are `bot/ask/reminders.py`'s, for the years whose answers are still taken; a check-in
reminder in the last 20 hours holds the hansei reminder back too. Someone away gets their
reminder once they are back (if answers are still taken); their manager is told on time, with
the date they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.ask import reminders as chasing
from bot.ask.timing import away_on, local_date, workspace_zone
from bot.blocks.common import Message
from bot.hansei.blocks import hansei_escalation, hansei_reminder
from bot.hansei.model import HanseiAsk, HanseiEscalation
from bot.hansei.prompts import answers_close_at, hansei_ask, reflect_objectives
from storage import hansei as store
from storage import hansei_answers as answers
from storage.models import Workspace
from storage.prompts import OpenPrompt, objectives_of


@dataclass
class HanseiReminders(chasing.Chased):
    def line(self) -> str:
        return (
            f"{self.team_id} hansei: {self.reminded} reminder(s), {self.escalated} "
            f"escalation(s) queued; {self.answered} prompt(s) found answered, "
            f"{self.away} owner(s) away"
        )


def _escalation(prompt: OpenPrompt, ask: HanseiAsk, days: int, away: date | None) -> Message:
    escalation = HanseiEscalation(
        owner_user_id=prompt.slack_user_id,
        owner_name=prompt.name,
        year=prompt.year,
        open_objectives=ask.still_open,
        prompted_at=prompt.sent_at,
        closes_at=ask.closes_at,
        days=days,
        away_until=away,
    )
    return hansei_escalation(escalation)


CHASE = chasing.Chase(
    store.HANSEI,
    lambda _prompt, ask: hansei_reminder(ask),
    _escalation,
    away_holds_escalation=False,
)


def queue_hansei_reminders(
    session: Session, workspace: Workspace, *, now: datetime
) -> HanseiReminders:
    """Write the hansei reminders and escalations due now; mark fully answered prompts."""
    years = [
        y
        for y in store.hansei_years(session, workspace_id=workspace.id)
        if now < answers_close_at(workspace, y)
    ]
    candidates = chasing.open_prompts(
        session,
        workspace,
        kind=store.HANSEI,
        periods=[str(y) for y in years],
        now=now,
        recent_kinds=None,  # a check-in reminder today holds the hansei one back too
    )
    today = local_date(now, workspace_zone(workspace))
    return chasing.chase(
        session,
        workspace,
        HanseiReminders(workspace.team_id),
        CHASE,
        candidates=candidates,
        still_open=_still_open(session, workspace, candidates),
        away=lambda prompt: away_on(prompt.away_until, today),
        now=now,
    )


def _still_open(
    session: Session, workspace: Workspace, candidates: list[OpenPrompt]
) -> dict[int, HanseiAsk]:
    """{prompt id: what its owner's hansei shows now}, for those with objectives still open;
    a few batched reads per year."""
    found: dict[int, HanseiAsk] = {}
    for year in sorted({c.year for c in candidates}):
        of_year = [c for c in candidates if c.year == year]
        rows = objectives_of(
            session, workspace_id=workspace.id, year=year, owner_ids=[c.person_id for c in of_year]
        )
        owned = reflect_objectives(session, workspace, rows, year)
        done = answers.answered_ids(session, objective_ids=[r.id for r in rows], year=year)
        for prompt in of_year:
            objectives = owned.get(prompt.person_id)
            if not objectives:
                continue
            ask = hansei_ask(
                workspace, year, prompt.slack_user_id, prompt.name, None, objectives, done
            )
            if ask.still_open:
                found[prompt.id] = ask
    return found
