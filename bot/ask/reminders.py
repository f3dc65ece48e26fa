"""Reminders and escalation, written once for every kind of prompt.

The rules:
- An owner who has not answered every objective of their prompt gets one reminder
  `reminder_after_days` days after the prompt reached them, and their manager is told once
  after `escalate_after_days` days, when there is a manager Slack can reach who is not the owner.
- Nobody is reminded twice in a day (`REMIND_GAP`: a reminder this recent holds the next one
  back until a later run), nor after answering: a prompt found fully answered is marked so.
- Nobody is reminded while away. A kind says whether being away holds back the manager's note
  too (the monthly check-in) or not (the hansei, whose note says when they are back).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from sqlmodel import Session

from bot.ask.queue import post
from bot.blocks.common import Message
from storage import prompts as store
from storage.models import Workspace
from storage.outbox import queue as outbox
from storage.prompts import OpenPrompt

# "Nobody is reminded twice in a day": a reminder this recent holds back the next one.
REMIND_GAP = timedelta(hours=20)

T = TypeVar("T")


@dataclass
class Chased:
    """What one workspace's run did for one kind of prompt."""

    team_id: str
    reminded: int = 0
    escalated: int = 0
    answered: int = 0
    away: int = 0
    held_back: int = 0  # reminded less than a day ago about another prompt

    @property
    def anything(self) -> bool:
        return bool(self.reminded or self.escalated or self.answered or self.away)


def open_prompts(
    session: Session,
    workspace: Workspace,
    *,
    kind: str,
    periods: Iterable[str],
    now: datetime,
    recent_kinds: Iterable[str] | None,
) -> list[OpenPrompt]:
    """The delivered prompts of `kind` and `periods` that may be due a reminder or a note."""
    return store.open_prompts(
        session,
        workspace_id=workspace.id,
        kind=kind,
        periods=periods,
        remind_before=now - timedelta(days=workspace.reminder_after_days),
        escalate_before=now - timedelta(days=workspace.escalate_after_days),
        reminded_since=now - REMIND_GAP,
        recent_kinds=recent_kinds,
    )


def reminder_due(prompt: OpenPrompt, workspace: Workspace, now: datetime) -> bool:
    """Never reminded, and `reminder_after_days` since the prompt reached the owner."""
    return (
        prompt.reminded_at is None
        and prompt.sent_at + timedelta(days=workspace.reminder_after_days) <= now
    )


def should_escalate(prompt: OpenPrompt, workspace: Workspace, now: datetime) -> bool:
    """The manager is told once, `escalate_after_days` after the prompt reached the owner,
    when there is a manager Slack can reach who is not the owner."""
    return (
        prompt.escalated_at is None
        and prompt.sent_at + timedelta(days=workspace.escalate_after_days) <= now
        and bool(prompt.manager_user_id)
        and not prompt.manager_unreachable
        and prompt.manager_id != prompt.person_id
    )


@dataclass(frozen=True)
class Chase(Generic[T]):
    """How one kind of prompt is chased. `reminder(prompt, still)` and
    `escalation(prompt, still, days, away_until)` build the DMs from what is still open."""

    kind: str
    reminder: Callable[[OpenPrompt, T], Message]
    escalation: Callable[[OpenPrompt, T, int, date | None], Message]
    away_holds_escalation: bool


C = TypeVar("C", bound=Chased)


def chase(
    session: Session,
    workspace: Workspace,
    report: C,
    how: Chase[T],
    *,
    candidates: list[OpenPrompt],
    still_open: Mapping[int, T],
    away: Callable[[OpenPrompt], date | None],
    now: datetime,
) -> C:
    """Write the reminders and escalations due now among `candidates` and mark answered the
    prompts missing from `still_open` (what each prompt with something still open shows, by
    prompt id); `away(prompt)`: until when its owner is away, if they are."""
    messages, reminded, escalated, answered = [], [], [], []
    for prompt in candidates:
        still = still_open.get(prompt.id)
        if still is None:
            answered.append(prompt.id)
            continue
        away_until = away(prompt)
        if away_until and how.away_holds_escalation:
            report.away += 1
            continue
        if reminder_due(prompt, workspace, now):
            if away_until:
                report.away += 1
            elif prompt.reminded_recently:
                report.held_back += 1
            else:
                message = how.reminder(prompt, still)
                messages.append(
                    post(f"{how.kind}-reminder:{prompt.id}", prompt.slack_user_id, message)
                )
                reminded.append(prompt.id)
        if should_escalate(prompt, workspace, now):
            days = (now - prompt.sent_at).days
            message = how.escalation(prompt, still, days, away_until)
            messages.append(
                post(f"{how.kind}-escalation:{prompt.id}", prompt.manager_user_id, message)
            )
            escalated.append(prompt.id)
    # Writes last, all batched: the write lock is held for a moment only.
    report.answered = store.mark_answered(session, prompt_ids=answered)
    outbox.enqueue_many(session, workspace_id=workspace.id, messages=messages)
    store.mark_reminded(session, prompt_ids=reminded, at=now)
    store.mark_escalated(session, prompt_ids=escalated, at=now)
    report.reminded, report.escalated = len(reminded), len(escalated)
    return report
