"""Plans stored for the action-plan and X-matrix tests: one clean, one with every kind of problem."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from storage.models import CatchballRound
from tests import factories as f

PLAN = [float(m) for m in range(1, 13)]
METRIC = {"metric_name": "Score", "baseline": 0.0, "target": 12.0}


def clean_plan(session: Session, team_id: str = "T0ACME") -> dict:
    ws = f.workspace(session, team_id)
    dana = f.person(session, ws, "U0CEO", name="Dana", is_admin=True)
    ana = f.person(session, ws, "U0VP", name="Ana", manager_id=dana.id)
    mo = f.person(session, ws, "U0MGR", name="Mo", manager_id=ana.id)
    bt = f.objective(session, ws, "BT1", level="breakthrough", owner_id=dana.id, **METRIC)
    an = f.objective(
        session, ws, "AN1", parent_id=bt.id, owner_id=ana.id, monthly_plan=PLAN, **METRIC
    )
    f.objective(
        session,
        ws,
        "AN1.1",
        level="cascaded",
        parent_id=an.id,
        owner_id=mo.id,
        monthly_plan=PLAN,
        **METRIC,
    )
    session.commit()
    return {"workspace": ws, "dana": dana, "ana": ana, "mo": mo}


def troubled_plan(session: Session, team_id: str = "T0ACME") -> dict:
    """Every kind of alignment problem once, beside objectives that are fine.

    Today is 15 Jun 2027 in these tests; the owner limit is 2.
    """
    ws = f.workspace(session, team_id, owner_objective_limit=2)
    dana = f.person(session, ws, "U0CEO", name="Dana", is_admin=True)
    ana = f.person(session, ws, "U0VP", name="Ana", manager_id=dana.id)
    mo = f.person(session, ws, "U0MGR", name="Mo", manager_id=ana.id)
    bt1 = f.objective(session, ws, "BT1", level="breakthrough", owner_id=dana.id, **METRIC)
    f.objective(
        session, ws, "BT2", level="breakthrough", title="Enter Japan", owner_id=dana.id, **METRIC
    )
    an1 = f.objective(
        session, ws, "AN1", parent_id=bt1.id, owner_id=ana.id, monthly_plan=PLAN, **METRIC
    )
    f.objective(
        session,
        ws,
        "AN3",
        title="Open a partner channel",
        owner_id=ana.id,
        monthly_plan=PLAN,
        **METRIC,
    )
    cascaded = {"level": "cascaded", "parent_id": an1.id}
    f.objective(
        session, ws, "AN1.1", title="Nobody's baby", monthly_plan=PLAN, **cascaded, **METRIC
    )
    f.objective(
        session, ws, "AN1.2", title="Be better", owner_id=ana.id, monthly_plan=PLAN, **cascaded
    )
    f.objective(session, ws, "AN1.3", title="Ship the app", owner_id=ana.id, **cascaded, **METRIC)
    f.objective(
        session,
        ws,
        "AN1.4",
        title="Metric without target",
        owner_id=mo.id,
        monthly_plan=PLAN,
        metric_name="NPS",
        **cascaded,
    )
    # Not part of the current plan, so not reported: archived, or another year.
    f.objective(session, ws, "AN0", title="Archived and empty", state="archived")
    f.objective(session, ws, "AN2026", title="Last year's", year=2026)
    proposed = f.objective(
        session, ws, "AN1.5", title="Win the North", state="proposed", owner_id=mo.id, **cascaded
    )
    fresh = f.objective(
        session, ws, "AN1.6", title="Fresh idea", state="proposed", owner_id=mo.id, **cascaded
    )
    for objective, day in ((proposed, 1), (fresh, 10)):
        session.add(
            CatchballRound(
                workspace_id=ws.id,
                objective_id=objective.id,
                round_no=2 if day == 1 else 1,
                proposer_id=mo.id,
                decider_id=ana.id,
                proposal={"title": objective.title},
                created_at=datetime(2027, 6, day, 10, 0, tzinfo=UTC),
            )
        )
    session.commit()
    return {"workspace": ws, "dana": dana, "ana": ana, "mo": mo}
