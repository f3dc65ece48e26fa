"""The SQLModel tables of the whole Hoshin domain; importing this package registers them all."""

from storage.models.people import AuditEntry, Person, Workspace
from storage.models.plan import (
    ActionItem,
    ActionState,
    CatchballDecision,
    CatchballRound,
    Objective,
    ObjectiveLevel,
    ObjectiveState,
)
from storage.models.review import (
    CheckIn,
    CheckInPrompt,
    CheckInStatus,
    OutboxMessage,
    ProcessedEvent,
    PromptState,
    Reflection,
    ReviewThread,
)
from storage.models.yearend import A3Report, HanseiAnswer, SchedulerLease

__all__ = [
    "A3Report",
    "ActionItem",
    "ActionState",
    "AuditEntry",
    "CatchballDecision",
    "CatchballRound",
    "CheckIn",
    "CheckInPrompt",
    "CheckInStatus",
    "HanseiAnswer",
    "Objective",
    "ObjectiveLevel",
    "ObjectiveState",
    "OutboxMessage",
    "Person",
    "ProcessedEvent",
    "PromptState",
    "Reflection",
    "ReviewThread",
    "SchedulerLease",
    "Workspace",
]
