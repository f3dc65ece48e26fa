"""Small builders of stored rows for tests; every field has a sensible default."""

from __future__ import annotations

import itertools

from sqlmodel import Session

from storage.models import CheckIn, Objective, Person, Workspace

_counter = itertools.count(1)


def workspace(session: Session, team_id: str = "T0ACME", **fields) -> Workspace:
    ws = Workspace(team_id=team_id, **fields)
    session.add(ws)
    session.flush()
    return ws


def person(session: Session, ws: Workspace, slack_user_id: str | None = None, **fields) -> Person:
    fields.setdefault("name", f"Person {next(_counter)}")
    row = Person(
        workspace_id=ws.id, slack_user_id=slack_user_id or f"U{next(_counter):05d}", **fields
    )
    session.add(row)
    session.flush()
    return row


def objective(session: Session, ws: Workspace, ref: str, **fields) -> Objective:
    fields.setdefault("title", f"Objective {ref}")
    fields.setdefault("level", "annual")
    if fields["level"] == "breakthrough":
        fields.setdefault("start_year", 2027)
        fields.setdefault("end_year", 2029)
    else:
        fields.setdefault("year", 2027)
    row = Objective(workspace_id=ws.id, ref=ref, **fields)
    session.add(row)
    session.flush()
    return row


def check_in(session: Session, objective: Objective, period: str, **fields) -> CheckIn:
    row = CheckIn(
        workspace_id=objective.workspace_id, objective_id=objective.id, period=period, **fields
    )
    session.add(row)
    session.flush()
    return row
