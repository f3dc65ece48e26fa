"""What the App Home builder takes: the person's Home, decided by `bot.home.service`.

`Home` is filled in step by step as `assemble_home` reads; the builder only lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.hansei.model import HanseiDue
from bot.objectives.model import AlignmentIssue
from bot.status.model import PlanStatus, StatusNode
from storage.a3 import A3Row
from storage.home import OpenActionRow, OwnedObjectiveRow, PendingDecisionRow


@dataclass(frozen=True)
class CheckInDue:
    """A monthly check-in the person still owes; filled in by `check_ins_due`."""

    objective_ref: str
    objective_title: str
    period: str
    due: date | None = None
    objective_id: int | None = None  # for the Check in button


@dataclass(frozen=True)
class HomeObjective:
    """One objective on the Home with the buttons this person gets on it."""

    node: StatusNode
    can_edit: bool  # admins, on breakthrough and annual objectives
    can_cascade: bool  # owners: propose a cascaded objective, add an action


@dataclass
class Home:
    """Everything one person's Home shows, decided; the builder only lays it out."""

    slack_user_id: str
    today: date
    has_plan: bool = True
    vision: str | None = None
    values: list[str] = field(default_factory=list)
    known: bool = False  # False: someone the plan does not know yet
    is_admin: bool = False
    status: PlanStatus | None = None
    mine: list[HomeObjective] = field(default_factory=list)
    in_catchball: list[OwnedObjectiveRow] = field(default_factory=list)
    pending: list[PendingDecisionRow] = field(default_factory=list)
    pending_total: int = 0
    actions: list[OpenActionRow] = field(default_factory=list)
    actions_total: int = 0
    check_ins_due: list[CheckInDue] = field(default_factory=list)
    a3s_due: list[A3Row] = field(default_factory=list)  # A3s asked of them, not written yet
    hansei_due: list[HanseiDue] = field(default_factory=list)  # year-end reflections (issue 5)
    plan: list[HomeObjective] = field(default_factory=list)  # admins: the top of the plan
    alignment: list[AlignmentIssue] | None = None  # admins: what breaks the X-matrix
