"""Reminders and escalation of the monthly check-in: who still owes an answer, and who is told.

The rules are those at the top of `bot/checkin/prompts.py`: one reminder `reminder_after_days` after the
prompt reached the owner, one note to their manager after `escalate_after_days`, about the
owner's current period only; never twice in a day, after answering, or while away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.checkin.prompt_blocks import checkin_escalation, checkin_reminder
from bot.checkin.prompts import (
    POST,
    AskedObjective,
    CheckInAsk,
    by_owner,
    due_now,
    fiscal_year_of_period,
    local_date,
    owner_zones,
    zone_of,
)
from storage import prompts as store
from storage.models import Workspace
from storage.outbox import queue as outbox
from storage.outbox.queue import NewMessage
from storage.prompts import OpenPrompt

# "Nobody is reminded twice in a day": a reminder this recent holds back the next one.
REMIND_GAP = timedelta(hours=20)


@dataclass(frozen=True)
class Escalation:
    """What an owner's manager is told when a check-in stays open too long."""

    owner_user_id: str
    owner_name: str
    period: str
    open_objectives: tuple[AskedObjective, ...]
    prompted_at: datetime
    days: int


@dataclass
class RemindersQueued:
    team_id: str
    reminded: int = 0
    escalated: int = 0
    answered: int = 0
    away: int = 0
    held_back: int = 0  # reminded less than a day ago about another prompt
    periods: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.team_id}: {self.reminded} reminder(s), {self.escalated} escalation(s) queued; "
            f"{self.answered} prompt(s) found answered, {self.away} owner(s) away"
        )


def queue_reminders(session: Session, workspace: Workspace, *, now: datetime) -> RemindersQueued:
    """Write the reminders and escalations due now, and mark fully answered prompts answered."""
    report = RemindersQueued(workspace.team_id)
    zones = owner_zones(session, workspace)
    current = {raw: due_now(workspace, zone, now).period for raw, zone in zones.items()}
    candidates = store.open_prompts(
        session,
        workspace_id=workspace.id,
        periods=current.values(),
        remind_before=now - timedelta(days=workspace.reminder_after_days),
        escalate_before=now - timedelta(days=workspace.escalate_after_days),
        reminded_since=now - REMIND_GAP,
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
    answered = [c.id for c in candidates if c.person_id not in still_open]
    report.answered = len(answered)

    messages, reminded, escalated = [], [], []
    for prompt in candidates:
        objectives = still_open.get(prompt.person_id)
        if not objectives:
            continue
        if prompt.away_until is not None and prompt.away_until >= local_date(
            now, zone(prompt.timezone)
        ):
            report.away += 1
            continue
        remind_at = prompt.sent_at + timedelta(days=workspace.reminder_after_days)
        if prompt.reminded_at is None and remind_at <= now:
            if prompt.reminded_recently:
                report.held_back += 1
            else:
                ask = CheckInAsk(
                    owner_user_id=prompt.slack_user_id,
                    owner_name=prompt.name,
                    period=prompt.period,
                    vision=None,
                    objectives=objectives,
                )
                messages.append(
                    _post(f"checkin-reminder:{prompt.id}", ask.owner_user_id, checkin_reminder(ask))
                )
                reminded.append(prompt.id)
        if should_escalate(prompt, workspace, now):
            escalation = Escalation(
                owner_user_id=prompt.slack_user_id,
                owner_name=prompt.name,
                period=prompt.period,
                open_objectives=objectives,
                prompted_at=prompt.sent_at,
                days=(now - prompt.sent_at).days,
            )
            messages.append(
                _post(
                    f"checkin-escalation:{prompt.id}",
                    prompt.manager_user_id,
                    checkin_escalation(escalation),
                )
            )
            escalated.append(prompt.id)
    # Writes last, all batched: the write lock is held for a moment only.
    store.mark_answered(session, prompt_ids=answered)
    outbox.enqueue_many(session, workspace_id=workspace.id, messages=messages)
    store.mark_reminded(session, prompt_ids=reminded, at=now)
    store.mark_escalated(session, prompt_ids=escalated, at=now)
    report.reminded, report.escalated = len(reminded), len(escalated)
    return report


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


def _post(key: str, channel: str, message) -> NewMessage:
    return NewMessage(
        dedup_key=key, method=POST, payload={"channel": channel, **message.as_kwargs()}
    )


def should_escalate(prompt, workspace: Workspace, now: datetime) -> bool:
    """The manager is told once, `escalate_after_days` after the prompt reached the owner,
    when there is a manager Slack can reach who is not the owner. For check-in and hansei
    prompts alike (both rows carry these fields)."""
    return (
        prompt.escalated_at is None
        and prompt.sent_at + timedelta(days=workspace.escalate_after_days) <= now
        and bool(prompt.manager_user_id)
        and not prompt.manager_unreachable
        and prompt.manager_id != prompt.person_id
    )
