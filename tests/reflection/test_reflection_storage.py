"""The year's reads: the right rows of the right year, in a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import event

from bot.periods import fiscal_periods
from storage.reflection_facts import read_year
from tests import factories as f
from tests.reflection.plans import year_plan

PERIODS = fiscal_periods(2027, 1)


def test_the_year_holds_its_objectives_archived_ones_with_check_ins_and_nothing_else(session):
    plan = year_plan(session)
    data = read_year(session, workspace_id=plan.workspace_id, year=2027, periods=PERIODS)
    assert [o.ref for o in data.objectives] == ["AN1", "AN1.1", "AN2", "AN3", "AN4"]
    assert [b.ref for b in data.breakthroughs] == ["BT1", "BT2"]
    an3 = next(o for o in data.objectives if o.ref == "AN3")
    assert an3.created_at.month == 6 and an3.monthly_plan[-1] == 500
    lee = next(p for p in data.people.values() if p.slack_user_id == "U0LEE")
    assert lee.unreachable_reason == "account_inactive"
    # 12 (AN1) + 12 (AN2) + 9 (AN1.1) + 3 (AN3) + 1 (AN4); last year's objective left out.
    assert len(data.check_ins) == 37
    assert {c.objective_id for c in data.check_ins} == {
        plan.ids[r] for r in ("AN1", "AN1.1", "AN2", "AN3", "AN4")
    }
    assert {h.objective_id for h in data.hansei} == {plan.ids["AN1"], plan.ids["AN2"]}
    assert [(a.countermeasure, a.worked) for a in data.a3s] == [
        ("Dedicated onboarding team", "partly")
    ]
    assert len(data.prompts) == 24
    assert sum(p.state == "answered" for p in data.prompts) == 21


def test_other_workspaces_and_other_years_stay_out(session):
    plan = year_plan(session)
    other = f.workspace(session, "T0OTHER")
    stranger = f.objective(session, other, "AN1", title="Theirs")
    f.check_in(session, stranger, "2027-03", actual=5)
    data = read_year(session, workspace_id=plan.workspace_id, year=2027, periods=PERIODS)
    assert stranger.id not in {o.id for o in data.objectives}
    assert stranger.id not in {c.objective_id for c in data.check_ins}
    next_year = read_year(
        session, workspace_id=plan.workspace_id, year=2028, periods=fiscal_periods(2028, 1)
    )
    assert next_year.objectives == [] and next_year.check_ins == [] and next_year.hansei == []


def test_the_number_of_queries_does_not_grow_with_the_plan(session, engine):
    small = year_plan(session)
    session.commit()
    big = f.workspace(session, "T0BIG")
    owner = f.person(session, big, "U0BIG")
    parent = f.objective(session, big, "BT", level="breakthrough")
    for i in range(60):
        o = f.objective(session, big, f"AN{i}", parent_id=parent.id, owner_id=owner.id)
        for m in range(1, 13):
            f.check_in(session, o, f"2027-{m:02d}", actual=float(m))
    session.commit()
    counts = []
    for workspace_id in (small.workspace_id, big.id):
        seen: list[int] = []

        def listener(*_args, seen=seen) -> None:
            seen.append(1)

        event.listen(engine, "before_cursor_execute", listener)
        try:
            read_year(session, workspace_id=workspace_id, year=2027, periods=PERIODS)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        counts.append(len(seen))
    assert counts[0] == counts[1] == 7
