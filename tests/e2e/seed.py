"""A small plan stored directly, for end-to-end tests that are not about importing."""

from datetime import date

from sqlmodel import Session

from storage.models import ActionItem
from tests import factories as f
from tests.e2e.conftest import TEAM


def small_plan(engine) -> dict:
    with Session(engine) as session:
        ws = f.workspace(
            session,
            TEAM,
            vision="Every team ships what customers love, safely.",
            values=["Customers first", "Candour"],
            review_channel="C0HOSHIN",
        )
        dana = f.person(session, ws, "U0CEO", name="Dana", is_admin=True)
        ana = f.person(session, ws, "U0VP", name="Ana", manager_id=dana.id)
        mo = f.person(session, ws, "U0MGR", name="Mo", manager_id=ana.id)
        bt = f.objective(
            session, ws, "BT1", level="breakthrough", title="Double ARR by 2029", owner_id=dana.id
        )
        an1 = f.objective(
            session,
            ws,
            "AN1",
            parent_id=bt.id,
            title="Grow ARR to 14 M$",
            owner_id=ana.id,
            metric_name="ARR",
            metric_unit="M$",
            baseline=10,
            target=14,
            monthly_plan=[10.3, 10.6, 10.9, 11.2, 11.5, 11.8, 12.1, 12.4, 12.8, 13.2, 13.6, 14],
        )
        an11 = f.objective(
            session,
            ws,
            "AN1.1",
            level="cascaded",
            parent_id=an1.id,
            title="Win 40 new mid-market logos",
            owner_id=mo.id,
            metric_name="New logos",
            baseline=0,
            target=40,
            monthly_plan=[3, 6, 9, 12, 15, 18, 21, 24, 28, 32, 36, 40],
        )
        f.objective(
            session,
            ws,
            "AN2",
            parent_id=bt.id,
            title="Cut churn to 5%",
            owner_id=ana.id,
            metric_name="Churn",
            metric_unit="%",
            baseline=8,
            target=5,
            higher_is_better=False,
        )
        f.check_in(session, an11, "2027-04", actual=10, status="at_risk")
        f.check_in(
            session,
            an11,
            "2027-05",
            actual=12,
            status="off_track",
            challenges="Two deals slipped",
            countermeasure="Weekly pipeline review",
        )
        session.add(
            ActionItem(
                workspace_id=ws.id,
                objective_id=an11.id,
                title="Hire two AEs",
                owner_id=mo.id,
                due=date(2027, 3, 31),
            )
        )
        session.commit()
        return {"workspace_id": ws.id}
