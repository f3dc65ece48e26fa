"""Two workspaces in one database, with the same Slack user ids in both, for security tests."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from storage.models import ActionItem, CatchballRound, Objective, Workspace
from tests import factories as f
from tests.e2e.seed import small_plan

OTHER = "T0OTHER"


def other_workspace(engine) -> dict[str, int]:
    """Workspace B: the same people's ids as A, its own plan, a pending round and an action."""
    with Session(engine) as session:
        ws = f.workspace(session, OTHER, review_channel="C0OTHER")
        dana = f.person(session, ws, "U0CEO", name="Dana B", is_admin=True)
        ana = f.person(session, ws, "U0VP", name="Ana B", manager_id=dana.id)
        mo = f.person(session, ws, "U0MGR", name="Mo B", manager_id=ana.id)
        bt = f.objective(session, ws, "BT9", level="breakthrough", title="B's breakthrough")
        an = f.objective(
            session,
            ws,
            "AN9",
            parent_id=bt.id,
            title="B's secret annual objective",
            owner_id=ana.id,
            metric_name="Secret",
            baseline=0,
            target=10,
            monthly_plan=[float(m) for m in range(1, 13)],
        )
        cascaded = f.objective(
            session,
            ws,
            "AN9.1",
            level="cascaded",
            parent_id=an.id,
            title="B's cascaded objective",
            owner_id=mo.id,
            metric_name="Secret",
            target=5,
        )
        proposal = {
            "title": "B's proposal",
            "owner": "U0MGR",
            "metric_name": "Secret",
            "metric_unit": None,
            "baseline": 0,
            "target": 5,
            "direction": "higher",
            "monthly_plan": [float(m) for m in range(1, 13)],
            "description": None,
        }
        round_ = CatchballRound(
            workspace_id=ws.id,
            objective_id=cascaded.id,
            round_no=1,
            proposer_id=ana.id,
            decider_id=mo.id,
            proposal=proposal,
        )
        action = ActionItem(
            workspace_id=ws.id,
            objective_id=an.id,
            title="B's action",
            owner_id=mo.id,
            due=date(2027, 9, 30),
        )
        session.add_all([round_, action])
        f.check_in(session, an, "2027-04", actual=3, status="on_track")
        session.commit()
        return {
            "objective": an.id,
            "cascaded": cascaded.id,
            "round": round_.id,
            "action": action.id,
            "breakthrough": bt.id,
        }


def snapshot(engine) -> dict[str, list]:
    """Every row of every table, to compare before and after."""
    with Session(engine) as session:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in session.execute(sa_select(table))),
            )
            for table in SQLModel.metadata.sorted_tables
        }


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def objective_id(engine, ref: str, team_id: str = "T0ACME") -> int:
    with Session(engine) as session:
        return session.exec(
            select(Objective.id)
            .join(Workspace, Workspace.id == Objective.workspace_id)
            .where(Objective.ref == ref, Workspace.team_id == team_id)
        ).one()


@pytest.fixture
def beds(slack):
    small_plan(slack.engine)
    for user, name in (("U0CEO", "Dana"), ("U0VP", "Ana"), ("U0MGR", "Mo")):
        slack.standin.add_user(user, name=name.lower(), real_name=name)
    return slack, other_workspace(slack.engine)
