"""A fiscal year stored for the reflection's tests: hits and misses, both metric directions,
an objective added mid-year, an owner who left, archived objectives, hansei, A3s, prompts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from storage.models import A3Report, CheckInPrompt, HanseiAnswer
from tests import factories as f

TEAM = "T0ACME"
ARR_PLAN = [10.3, 10.6, 10.9, 11.2, 11.5, 11.8, 12.1, 12.4, 12.8, 13.2, 13.6, 14]
ARR_ACTUAL = [10.4, 10.7, 10.8, 11.3, 11.6, 11.9, 12.0, 12.5, 12.9, 13.3, 13.8, 14.2]
CHURN_PLAN = [7.8, 7.6, 7.4, 7.2, 7.0, 6.7, 6.4, 6.1, 5.8, 5.5, 5.2, 5.0]
CHURN_ACTUAL = [7.9, 7.9, 7.8, 7.6, 7.5, 7.4, 7.3, 7.3, 7.2, 7.2, 7.1, 7.1]
MONTHS = [f"2027-{m:02d}" for m in range(1, 13)]


@dataclass
class YearPlan:
    workspace_id: int
    ids: dict[str, int]


def year_plan(session: Session, *, check_ins: bool = True) -> YearPlan:
    ws = f.workspace(
        session,
        TEAM,
        name="Acme",
        vision="Every team ships what customers love, safely.",
        leadership_channel="C0LEAD",
    )
    dana = f.person(session, ws, "U0CEO", name="Dana", is_admin=True)
    ana = f.person(session, ws, "U0VP", name="Ana", manager_id=dana.id)
    mo = f.person(session, ws, "U0MGR", name="Mo", manager_id=ana.id)
    lee = f.person(session, ws, "U0LEE", name="Lee", unreachable_reason="account_inactive")
    early = datetime(2026, 12, 1, tzinfo=UTC)
    bt1 = f.objective(
        session, ws, "BT1", level="breakthrough", title="Double ARR by 2029", owner_id=dana.id
    )
    bt2 = f.objective(
        session, ws, "BT2", level="breakthrough", title="Customers stay", owner_id=dana.id
    )
    common = {"created_at": early}
    an1 = f.objective(
        session,
        ws,
        "AN1",
        parent_id=bt1.id,
        title="Grow ARR to 14 M$",
        owner_id=ana.id,
        metric_name="ARR",
        metric_unit="M$",
        baseline=10,
        target=14,
        monthly_plan=ARR_PLAN,
        position=1,
        **common,
    )
    an11 = f.objective(
        session,
        ws,
        "AN1.1",
        level="cascaded",
        parent_id=an1.id,
        title="Win 40 logos",
        owner_id=mo.id,
        metric_name="Logos",
        baseline=0,
        target=40,
        monthly_plan=[3, 6, 9, 12, 15, 18, 21, 24, 28, 32, 36, 40],
        position=2,
        **common,
    )
    an2 = f.objective(
        session,
        ws,
        "AN2",
        parent_id=bt2.id,
        title="Cut churn to 5%",
        owner_id=ana.id,
        metric_name="Churn",
        metric_unit="%",
        baseline=8,
        target=5,
        higher_is_better=False,
        monthly_plan=CHURN_PLAN,
        position=3,
        **common,
    )
    # Added in June, owned by someone who has since left.
    an3 = f.objective(
        session,
        ws,
        "AN3",
        parent_id=bt2.id,
        title="Launch the support portal",
        owner_id=lee.id,
        metric_name="Portal users",
        baseline=0,
        target=500,
        position=4,
        monthly_plan=[0, 0, 0, 0, 0, 50, 100, 150, 200, 300, 400, 500],
        created_at=datetime(2027, 6, 10, tzinfo=UTC),
    )
    an4 = f.objective(
        session,
        ws,
        "AN4",
        parent_id=bt1.id,
        title="Open the Paris office",
        owner_id=ana.id,
        state="archived",
        baseline=0,
        target=1,
        position=5,
        **common,
    )
    f.objective(
        session,
        ws,
        "AN5",
        parent_id=bt1.id,
        title="Never started",
        state="archived",
        position=6,
        **common,
    )
    f.objective(session, ws, "AN6", parent_id=bt1.id, title="A proposal", state="proposed")
    last_year = f.objective(session, ws, "AN2026", parent_id=bt1.id, title="Last year's", year=2026)
    ids = {"BT1": bt1.id, "BT2": bt2.id, "AN1": an1.id, "AN1.1": an11.id, "AN2": an2.id}
    ids |= {"AN3": an3.id, "AN4": an4.id}
    if not check_ins:
        return YearPlan(ws.id, ids)
    for i, period in enumerate(MONTHS):
        f.check_in(session, an1, period, actual=ARR_ACTUAL[i], person_id=ana.id)
        f.check_in(
            session,
            an2,
            period,
            actual=CHURN_ACTUAL[i],
            person_id=ana.id,
            status="off_track" if i >= 3 else "at_risk",
            challenges="Onboarding is slow. Two big accounts left."
            if i % 2
            else "onboarding is slow; Pricing confusion",
            countermeasure="Weekly churn review" if i < 6 else "Dedicated onboarding team",
        )
        if i < 9:  # Mo stopped checking in after September
            f.check_in(session, an11, period, actual=3.0 * (i + 1), person_id=mo.id)
    for period, users in (("2027-07", 60), ("2027-08", 140), ("2027-09", 180)):
        f.check_in(session, an3, period, actual=users, person_id=lee.id)
    f.check_in(session, an4, "2027-02", actual=0, status="off_track", person_id=ana.id)
    f.check_in(session, last_year, "2027-03", actual=1)
    session.add(
        A3Report(
            workspace_id=ws.id,
            objective_id=an2.id,
            period="2027-05",
            person_id=ana.id,
            problem="Churn stuck above 7 %",
            root_cause="Onboarding takes 6 weeks",
            countermeasure="Dedicated onboarding team",
            worked="partly",
            worked_note="Onboarding down to 3 weeks",
            worked_period="2027-06",
        )
    )
    session.add_all(
        [
            HanseiAnswer(
                workspace_id=ws.id,
                objective_id=an1.id,
                year=2027,
                person_id=ana.id,
                went_well="Partners brought a third of new ARR.",
                went_badly="Q3 enterprise deals slipped.",
                root_causes="Procurement cycles were longer than planned.",
                learned="Pipeline reviews weekly, not monthly.",
            ),
            HanseiAnswer(
                workspace_id=ws.id,
                objective_id=an2.id,
                year=2027,
                person_id=ana.id,
                went_badly="Churn barely moved.",
                learned="We should start onboarding before the contract is signed.",
                carry_over="Keep the onboarding team; target 6 %.",
            ),
            HanseiAnswer(workspace_id=ws.id, objective_id=an1.id, year=2026, learned="old"),
        ]
    )
    for i, period in enumerate(MONTHS):
        for person, state in ((ana, "answered"), (mo, "answered" if i < 9 else "sent")):
            session.add(
                CheckInPrompt(
                    workspace_id=ws.id,
                    person_id=person.id,
                    period=period,
                    state=state,
                    due_at=datetime(2027, i + 1, 1, 9, tzinfo=UTC),
                )
            )
    session.flush()
    return YearPlan(ws.id, ids)
