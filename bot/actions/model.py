"""What the action-plan builders take: plain frozen data, decided by `bot.actions.service`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from storage.models import Objective


class Mark(StrEnum):
    """What a button on an action asks for."""

    DONE = "done"
    BLOCKED = "blocked"
    REOPEN = "reopen"


@dataclass(frozen=True)
class ActionCard:
    """Everything the owner's DM shows about one action, read afresh from the database."""

    action_id: int
    title: str
    due: date | None
    state: str
    objective_ref: str
    objective_title: str
    owner: str | None  # Slack user ids from here on
    added_by: str | None
    marked_by: str | None
    marked_at: datetime | None
    today: date


@dataclass(frozen=True)
class MarkOutcome:
    """What a Done/Blocked/Reopen click did: `changed` False means nothing was touched."""

    mark: Mark
    changed: bool
    card: ActionCard
    dm: tuple[str, str] | None = None  # (channel, ts) of the owner's DM about it, if sent


@dataclass(frozen=True)
class NewAction:
    """The modal's subject: the objective an action is being added to."""

    objective: Objective
    default_owner: str | None
