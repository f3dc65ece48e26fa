"""A person's App Home, assembled from the database: True North, their objectives, what waits.

Reads a fixed number of queries whatever the plan's size (the status readers plus
`storage.home`), rolls health up with the status domain, and decides which buttons each
objective gets; `bot.home.blocks` only renders what this module decided.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time

from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlmodel import Session

from bot.checkin.service import PeriodState, period_state
from bot.hansei.answers import reflections_due
from bot.hansei.model import HanseiDue
from bot.home.blocks import home_view as render_home
from bot.home.model import CheckInDue, Home, HomeObjective
from bot.objectives.checks import find_alignment_issues
from bot.periods import fiscal_year_of, parse_period
from bot.scope import Scope
from bot.status.model import PlanStatus, StatusNode
from bot.status.rules import build_plan_status, choose_year
from storage import a3 as a3_store
from storage import checkins as checkin_store
from storage import home as reads
from storage import status as status_reads
from storage.db import session_scope
from storage.models import ObjectiveLevel, ObjectiveState
from storage.workspaces import find_person, find_workspace

log = logging.getLogger(__name__)

# How much of each list is read in detail; the rest is counted and summarised.
PENDING_SHOWN = 10
ACTIONS_SHOWN = 8
A3S_SHOWN = 3
# Breakthroughs and annual objectives are shaped by admins; cascaded ones through catchball.
ADMIN_LEVELS = frozenset({ObjectiveLevel.BREAKTHROUGH, ObjectiveLevel.ANNUAL})
# Objectives that can have cascaded objectives and action plans below them.
CASCADING_LEVELS = frozenset({ObjectiveLevel.ANNUAL, ObjectiveLevel.CASCADED})


def may_edit(level: str, *, is_admin: bool) -> bool:
    return is_admin and level in ADMIN_LEVELS


def may_cascade(level: str, *, owner_id: int | None, person_id: int | None) -> bool:
    return person_id is not None and owner_id == person_id and level in CASCADING_LEVELS


def check_ins_due(session: Session, scope: Scope, *, today: date) -> list[CheckInDue]:
    """The monthly check-ins this person still owes, from their latest check-in prompt.

    Nothing before they were prompted: the Home never shows made-up work. The prompt's month
    must still take check-ins; the objectives listed are those they own now that have no
    status for it yet (a DM comment alone does not answer a check-in). Three queries.
    """
    person = scope.person
    if person is None:
        return []
    workspace = scope.workspace
    prompt = checkin_store.latest_prompt(session, workspace_id=workspace.id, person_id=person.id)
    # The start of the day: a month closing later today still shows, and says so when clicked.
    start_of_day = datetime.combine(today, time(0), tzinfo=UTC)
    if prompt is None or period_state(workspace, prompt.period, start_of_day) != PeriodState.OPEN:
        return []
    year, month = parse_period(prompt.period)
    fiscal = fiscal_year_of(date(year, month, 1), workspace.fiscal_year_start_month)
    owned = checkin_store.owned_objectives(
        session, workspace_id=workspace.id, person_id=person.id, year=fiscal
    )
    given = checkin_store.statuses(
        session,
        workspace_id=workspace.id,
        objective_ids=[o.id for o in owned],
        period=prompt.period,
    )
    due = prompt.due_at.date() if prompt.due_at else None
    return [
        CheckInDue(o.ref, o.title, prompt.period, due=due, objective_id=o.id)
        for o in owned
        if not given.get(o.id)
    ]


def hansei_due(session: Session, scope: Scope, *, today: date) -> list[HanseiDue]:
    """The year-end reflections this person still owes (`bot.hansei.answers`): open as long as
    answers are taken on `today`."""
    assert scope.person is not None
    start_of_day = datetime.combine(today, time.min, tzinfo=UTC)
    return reflections_due(session, scope.workspace, person_id=scope.person.id, now=start_of_day)


def assemble_home(session: Session, *, team_id: str, user_id: str, today: date) -> Home:
    workspace = find_workspace(session, team_id=team_id)
    if workspace is None:
        return Home(slack_user_id=user_id, today=today, has_plan=False)
    person = find_person(session, workspace_id=workspace.id, slack_user_id=user_id)
    home = Home(
        slack_user_id=user_id,
        today=today,
        vision=workspace.vision,
        values=list(workspace.values or []),
        known=person is not None,
        is_admin=bool(person and person.is_admin),
    )
    if person is None:
        return home

    rows = status_reads.active_objectives(session, workspace_id=workspace.id)
    latest = status_reads.latest_check_ins(session, workspace_id=workspace.id)
    people = status_reads.people(session, workspace_id=workspace.id)
    start_month = workspace.fiscal_year_start_month
    year = choose_year(rows, fiscal_year_of(today, start_month))
    status = build_plan_status(rows, latest, people, year=year, start_month=start_month)
    home.status = status

    def on_home(node: StatusNode) -> HomeObjective:
        level = node.row.level
        return HomeObjective(
            node=node,
            can_edit=may_edit(level, is_admin=home.is_admin),
            can_cascade=may_cascade(level, owner_id=node.row.owner_id, person_id=person.id),
        )

    home.mine = [on_home(node) for node in _tree_order(status) if node.row.owner_id == person.id]
    owned = reads.owned_objectives(session, workspace_id=workspace.id, owner_id=person.id)
    home.in_catchball = [o for o in owned if o.state == ObjectiveState.PROPOSED]
    home.pending, home.pending_total = reads.pending_decisions(
        session, workspace_id=workspace.id, decider_id=person.id, limit=PENDING_SHOWN
    )
    home.actions, home.actions_total = reads.open_actions(
        session, workspace_id=workspace.id, owner_id=person.id, limit=ACTIONS_SHOWN
    )
    home.check_ins_due = check_ins_due(session, Scope(workspace, person), today=today)
    home.a3s_due = a3_store.pending_for(
        session, workspace_id=workspace.id, owner_id=person.id, limit=A3S_SHOWN
    )
    home.hansei_due = hansei_due(session, Scope(workspace, person), today=today)
    if home.is_admin:
        home.plan = [on_home(n) for n in _tree_order(status) if n.row.level in ADMIN_LEVELS]
        home.alignment = find_alignment_issues(session, workspace=workspace, today=today)
    return home


def _tree_order(status: PlanStatus) -> list[StatusNode]:
    """Nodes as the plan reads: each breakthrough, then what hangs below it."""
    order: list[StatusNode] = []
    stack = list(reversed(status.roots))
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(node.children))
    return order


def home_view(engine: Engine, *, team_id: str, user_id: str, today: date) -> dict:
    with session_scope(engine) as session:
        home = assemble_home(session, team_id=team_id, user_id=user_id, today=today)
    return render_home(home)


def publish_home(client, engine: Engine, *, team_id: str, user_id: str, today: date) -> bool:
    """Publish the person's Home afresh; a failure is logged, never raised at the person."""
    try:
        view = home_view(engine, team_id=team_id, user_id=user_id, today=today)
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else "unknown"
        log.error("views.publish failed for a Home: %s", error)
        return False
    return True
