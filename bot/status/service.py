"""Answering a status query: read the plan in a fixed number of queries, roll up, render."""

from __future__ import annotations

import difflib
import re
from datetime import date

from sqlalchemy import Engine

from bot.blocks.common import Message, clip
from bot.context import StatusQuery
from bot.errors import NotFound, WorkspaceNotSetUp
from bot.periods import fiscal_year_of
from bot.scope import NO_PLAN
from bot.status.blocks import objective_detail, person_overview, plan_overview
from bot.status.rules import build_plan_status, choose_year
from storage import a3 as a3_reads
from storage import status as reads
from storage.db import session_scope
from storage.workspaces import find_people_by_name, find_workspace

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def answer_status(engine: Engine, *, team_id: str, query: StatusQuery, today: date) -> Message:
    with session_scope(engine) as session:
        workspace = find_workspace(session, team_id=team_id)
        if workspace is None:
            raise WorkspaceNotSetUp(NO_PLAN)
        rows = reads.active_objectives(session, workspace_id=workspace.id, drafts=True)
        latest = reads.latest_check_ins(session, workspace_id=workspace.id)
        people = reads.people(session, workspace_id=workspace.id)
        start_month = workspace.fiscal_year_start_month
        year = query.year or choose_year(rows, fiscal_year_of(today, start_month))

        if query.kind == "objective":
            wanted = (query.ref or "").upper()
            row = next((r for r in rows if r.ref.upper() == wanted), None)
            if row is None:
                close = difflib.get_close_matches(wanted, [r.ref.upper() for r in rows], n=3)
                hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
                raise NotFound(
                    f"There is no active objective `{query.ref}`.{hint} "
                    "`/hoshin status` shows the whole plan."
                )
            if row.level != "breakthrough" and row.year is not None and row.year != year:
                year = row.year
            status = build_plan_status(rows, latest, people, year=year, start_month=start_month)
            node = status.by_id.get(row.id)
            if node is None:
                raise NotFound(
                    f"`{row.ref}` is not part of FY{year}'s plan (its parent is not active)."
                )
            return objective_detail(
                status,
                node,
                vision=workspace.vision,
                history=reads.check_ins_of(session, objective_id=row.id),
                actions=reads.actions(session, workspace_id=workspace.id, objective_id=row.id),
                people=people,
                today=today,
                query=query,
                a3s=a3_reads.of_objective(session, workspace_id=workspace.id, objective_id=row.id),
            )

        status = build_plan_status(rows, latest, people, year=year, start_month=start_month)
        if query.kind == "person":
            person = _resolve_person(session, workspace.id, query.user or "", people)
            return person_overview(
                status,
                person,
                vision=workspace.vision,
                actions=reads.actions(session, workspace_id=workspace.id, owner_id=person.id),
                people=people,
                today=today,
                query=query.model_copy(update={"user": person.slack_user_id}),
            )
        return plan_overview(status, vision=workspace.vision, query=query)


def _resolve_person(session, workspace_id: int, who: str, people: dict) -> reads.PersonRow:
    if SLACK_USER_ID.match(who):
        match = next((p for p in people.values() if p.slack_user_id == who), None)
        if match is None:
            raise NotFound(f"<@{who}> is not part of this workspace's Hoshin plan.")
        return match
    found = find_people_by_name(session, workspace_id=workspace_id, name=who)
    if not found:
        raise NotFound(
            f"Nobody called `{clip(who, 80)}` is part of the plan. Mention the person (`@name`) so "
            "Slack fills in who you mean."
        )
    if len(found) > 1:
        raise NotFound(f"Several people are called `{clip(who, 80)}`: mention the one you mean.")
    return people[found[0].id]
