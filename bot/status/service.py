"""Answering a status query: read the plan in a fixed number of queries, roll up, render."""

from __future__ import annotations

import difflib
import re
from datetime import date

from sqlalchemy import Engine

from bot.blocks.common import Message, clip
from bot.context import StatusQuery
from bot.errors import NotFound, WorkspaceNotSetUp
from bot.i18n import ENGLISH, Translator
from bot.periods import fiscal_year_of
from bot.scope import NO_PLAN
from bot.status.blocks import objective_detail, person_overview, plan_overview
from bot.status.rules import build_plan_status, choose_year
from storage import a3 as a3_reads
from storage import status as reads
from storage.db import session_scope
from storage.workspaces import find_people_by_name, find_workspace

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def answer_status(
    engine: Engine, *, team_id: str, query: StatusQuery, today: date, tr: Translator = ENGLISH
) -> Message:
    """The answer to `query`, in `tr`'s language (the asker's; the workspace's when shared)."""
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
                refs = ", ".join(f"`{c}`" for c in close)
                if close:
                    text = tr.gettext(
                        "There is no active objective `{ref}`. Did you mean {refs}? "
                        "`/hoshin status` shows the whole plan."
                    )
                else:
                    text = tr.gettext(
                        "There is no active objective `{ref}`. `/hoshin status` shows the whole plan."
                    )
                raise NotFound(text.format(ref=query.ref, refs=refs))
            if row.level != "breakthrough" and row.year is not None and row.year != year:
                year = row.year
            status = build_plan_status(rows, latest, people, year=year, start_month=start_month)
            node = status.by_id.get(row.id)
            if node is None:
                text = tr.gettext(
                    "`{ref}` is not part of FY{year}'s plan (its parent is not active)."
                )
                raise NotFound(text.format(ref=row.ref, year=year))
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
                tr=tr,
            )

        status = build_plan_status(rows, latest, people, year=year, start_month=start_month)
        if query.kind == "person":
            person = _resolve_person(session, workspace.id, query.user or "", people, tr)
            return person_overview(
                status,
                person,
                vision=workspace.vision,
                actions=reads.actions(session, workspace_id=workspace.id, owner_id=person.id),
                people=people,
                today=today,
                query=query.model_copy(update={"user": person.slack_user_id}),
                tr=tr,
            )
        return plan_overview(status, vision=workspace.vision, query=query, tr=tr)


def _resolve_person(
    session, workspace_id: int, who: str, people: dict, tr: Translator
) -> reads.PersonRow:
    if SLACK_USER_ID.match(who):
        match = next((p for p in people.values() if p.slack_user_id == who), None)
        if match is None:
            text = tr.gettext("<@{user}> is not part of this workspace's Hoshin plan.")
            raise NotFound(text.format(user=who))
        return match
    found = find_people_by_name(session, workspace_id=workspace_id, name=who)
    if not found:
        text = tr.gettext(
            "Nobody called `{name}` is part of the plan. Mention the person (`@name`) so "
            "Slack fills in who you mean."
        )
        raise NotFound(text.format(name=clip(who, 80)))
    if len(found) > 1:
        text = tr.gettext("Several people are called `{name}`: mention the one you mean.")
        raise NotFound(text.format(name=clip(who, 80)))
    return people[found[0].id]
