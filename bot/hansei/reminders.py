"""Reminders and escalation of the hansei, run by the `reminders` job beside the check-in's.

As for check-ins: an owner who has not reflected on every objective of their hansei prompt
gets one reminder `reminder_after_days` after the prompt reached them, and their manager is
told once after `escalate_after_days`. Nobody is reminded twice in a day (a check-in reminder
in the last 20 hours holds the hansei reminder back until the next run after it), after
answering, or after answers closed. Someone away gets their reminder once they are back (if
answers are still taken); their manager is told on time, with the date they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.checkin.reminders import REMIND_GAP, should_escalate
from bot.hansei.blocks import hansei_escalation, hansei_reminder
from bot.hansei.prompts import (
    HanseiAsk,
    ReflectObjective,
    answers_close_at,
    reflect_objectives,
    workspace_zone,
    year_end,
)
from storage import hansei as store
from storage import hansei_answers as answers
from storage import prompts as prompt_store
from storage.models import Workspace
from storage.outbox import queue as outbox
from storage.outbox.queue import NewMessage
from storage.prompts import OpenPrompt, objectives_of

POST = "chat.postMessage"


@dataclass(frozen=True)
class HanseiEscalation:
    """What an owner's manager is told when a hansei stays open too long."""

    owner_user_id: str
    owner_name: str
    year: int
    open_objectives: tuple[ReflectObjective, ...]
    prompted_at: datetime
    closes_at: datetime
    days: int
    away_until: date | None = None


@dataclass
class HanseiReminders:
    team_id: str
    reminded: int = 0
    escalated: int = 0
    answered: int = 0
    away: int = 0
    held_back: int = 0

    def line(self) -> str:
        return (
            f"{self.team_id} hansei: {self.reminded} reminder(s), {self.escalated} "
            f"escalation(s) queued; {self.answered} prompt(s) found answered, "
            f"{self.away} owner(s) away"
        )

    @property
    def anything(self) -> bool:
        return bool(self.reminded or self.escalated or self.answered or self.away)


def queue_hansei_reminders(
    session: Session, workspace: Workspace, *, now: datetime
) -> HanseiReminders:
    """Write the hansei reminders and escalations due now; mark fully answered prompts."""
    report = HanseiReminders(workspace.team_id)
    years = [
        y
        for y in store.hansei_years(session, workspace_id=workspace.id)
        if now < answers_close_at(workspace, y)
    ]
    candidates = prompt_store.open_prompts(
        session,
        workspace_id=workspace.id,
        kind=store.HANSEI,
        periods=[str(y) for y in years],
        remind_before=now - timedelta(days=workspace.reminder_after_days),
        escalate_before=now - timedelta(days=workspace.escalate_after_days),
        reminded_since=now - REMIND_GAP,
        recent_kinds=None,  # a check-in reminder today holds the hansei one back too
    )
    today = now.astimezone(ZoneInfo(workspace_zone(workspace))).date()
    asks = _asks(session, workspace, candidates)
    messages, reminded, escalated, answered = [], [], [], []
    for prompt in candidates:
        ask = asks.get(prompt.id)
        still = _still_open(ask)
        if not still:
            answered.append(prompt.id)
            continue
        away = prompt.away_until if prompt.away_until and prompt.away_until >= today else None
        remind_at = prompt.sent_at + timedelta(days=workspace.reminder_after_days)
        if prompt.reminded_at is None and remind_at <= now:
            if away:
                report.away += 1
            elif prompt.reminded_recently:
                report.held_back += 1
            else:
                messages.append(
                    _post(
                        f"hansei-reminder:{prompt.id}", prompt.slack_user_id, hansei_reminder(ask)
                    )
                )
                reminded.append(prompt.id)
        if should_escalate(prompt, workspace, now):
            escalation = HanseiEscalation(
                owner_user_id=prompt.slack_user_id,
                owner_name=prompt.name,
                year=prompt.year,
                open_objectives=still,
                prompted_at=prompt.sent_at,
                closes_at=ask.closes_at,
                days=(now - prompt.sent_at).days,
                away_until=away,
            )
            messages.append(
                _post(
                    f"hansei-escalation:{prompt.id}",
                    prompt.manager_user_id,
                    hansei_escalation(escalation),
                )
            )
            escalated.append(prompt.id)
    # Writes last, batched: the write lock is held for a moment only.
    report.answered = store.mark_answered(session, prompt_ids=answered)
    outbox.enqueue_many(session, workspace_id=workspace.id, messages=messages)
    store.mark_reminded(session, prompt_ids=reminded, at=now)
    store.mark_escalated(session, prompt_ids=escalated, at=now)
    report.reminded, report.escalated = len(reminded), len(escalated)
    return report


def _asks(
    session: Session, workspace: Workspace, candidates: list[OpenPrompt]
) -> dict[int, HanseiAsk]:
    """{prompt id: what its owner's hansei shows now}, a few batched reads per year."""
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
            found[prompt.id] = HanseiAsk(
                owner_user_id=prompt.slack_user_id,
                owner_name=prompt.name,
                year=year,
                year_end=year_end(workspace, year),
                closes_at=answers_close_at(workspace, year),
                vision=None,
                objectives=objectives,
                done=frozenset(o.objective_id for o in objectives if o.objective_id in done),
            )
    return found


def _still_open(ask: HanseiAsk | None) -> tuple[ReflectObjective, ...]:
    if ask is None:
        return ()
    return tuple(o for o in ask.objectives if o.objective_id not in ask.done)


def _post(key: str, channel: str, message) -> NewMessage:
    return NewMessage(
        dedup_key=key, method=POST, payload={"channel": channel, **message.as_kwargs()}
    )
