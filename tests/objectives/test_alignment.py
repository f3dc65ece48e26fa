"""find_alignment_issues: each kind of problem, what is left out, and a fixed number of queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event
from sqlmodel import select

from bench.common import generate_plan
from bot.objectives.checks import check_plan, find_alignment_issues
from bot.objectives.model import AlignmentIssue, IssueKind
from storage.models import Workspace
from tests import factories as f
from tests.actions.plans import METRIC, PLAN, clean_plan, troubled_plan

TODAY = date(2027, 6, 15)


def by_kind(issues: list[AlignmentIssue]) -> dict[IssueKind, list[str | None]]:
    found: dict[IssueKind, list[str | None]] = {}
    for issue in issues:
        found.setdefault(issue.kind, []).append(issue.ref or issue.person)
    return found


def test_every_kind_of_problem_is_found_once_in_order(session):
    plan = troubled_plan(session)
    issues = find_alignment_issues(session, workspace=plan["workspace"], today=TODAY)
    assert by_kind(issues) == {
        IssueKind.ANNUAL_WITHOUT_BREAKTHROUGH: ["AN3"],
        IssueKind.BREAKTHROUGH_WITHOUT_ANNUAL: ["BT2"],
        IssueKind.NO_OWNER: ["AN1.1"],
        IssueKind.NO_METRIC: ["AN1.2", "AN1.4"],
        IssueKind.NO_MONTHLY_PLAN: ["AN1.3"],
        IssueKind.OWNER_OVERLOADED: ["U0VP"],
        IssueKind.PROPOSAL_WAITING: ["AN1.5"],
    }
    assert [i.kind for i in issues] == sorted((i.kind for i in issues), key=list(IssueKind).index)
    waiting = issues[-1]
    assert waiting.person == "U0VP"  # who holds it: the round's decider
    assert waiting.message == "Win the North — round 2 from Mo has waited 14 days for an answer"
    overloaded = next(i for i in issues if i.kind is IssueKind.OWNER_OVERLOADED)
    assert overloaded.message == (
        "Ana owns 4 active objectives, over the limit of 2: AN1, AN3, AN1.2, AN1.3"
    )


def test_a_clean_plan_has_no_issues(session):
    plan = clean_plan(session)
    assert find_alignment_issues(session, workspace=plan["workspace"], today=TODAY) == []


def test_a_proposal_waits_longer_than_a_week_by_the_services_clock(session):
    plan = troubled_plan(session)
    # AN1.6's round was proposed on 10 Jun: 7 days on the 17th is a week, not longer.
    on_17th = find_alignment_issues(session, workspace=plan["workspace"], today=date(2027, 6, 17))
    on_18th = find_alignment_issues(session, workspace=plan["workspace"], today=date(2027, 6, 18))
    waiting = [i.ref for i in on_17th if i.kind is IssueKind.PROPOSAL_WAITING]
    assert waiting == ["AN1.5"]
    waiting = [i.ref for i in on_18th if i.kind is IssueKind.PROPOSAL_WAITING]
    assert waiting == ["AN1.5", "AN1.6"]


def test_breakthroughs_need_no_monthly_plan_and_other_years_are_left_alone(session):
    ws = f.workspace(session)
    owner = f.person(session, ws, "U0A", name="A")
    # A breakthrough that ended last year: neither it nor its missing annual objective counts.
    f.objective(session, ws, "BT0", level="breakthrough", start_year=2024, end_year=2026)
    bt = f.objective(session, ws, "BT1", level="breakthrough", owner_id=owner.id, **METRIC)
    f.objective(session, ws, "AN1", parent_id=bt.id, owner_id=owner.id, monthly_plan=PLAN, **METRIC)
    old_bt = f.objective(
        session, ws, "BT9", level="breakthrough", start_year=2020, end_year=2022, owner_id=owner.id
    )
    f.objective(
        session,
        ws,
        "AN9",
        parent_id=old_bt.id,
        owner_id=owner.id,
        monthly_plan=PLAN,
        **METRIC,
    )
    f.objective(session, ws, "AN8", year=2026, parent_id=None)
    session.commit()
    issues = find_alignment_issues(session, workspace=ws, today=TODAY)
    assert [(i.kind, i.ref, i.message) for i in issues] == [
        (
            IssueKind.ANNUAL_WITHOUT_BREAKTHROUGH,
            "AN9",
            "Objective AN9 — its breakthrough BT9 does not cover FY2027",
        )
    ]


def test_the_year_checked_is_the_one_status_shows(session):
    ws = f.workspace(session, fiscal_year_start_month=4)
    owner = f.person(session, ws, "U0A", name="A")
    bt = f.objective(
        session, ws, "BT1", level="breakthrough", owner_id=owner.id, start_year=2027, **METRIC
    )
    f.objective(session, ws, "AN1", parent_id=bt.id, year=2027, owner_id=owner.id, **METRIC)
    session.commit()
    # 15 Mar 2028 is still FY2027 when the fiscal year starts in April.
    result = check_plan(session, workspace=ws, today=date(2028, 3, 15))
    assert result.year == 2027
    assert [(i.kind, i.ref) for i in result.issues] == [(IssueKind.NO_MONTHLY_PLAN, "AN1")]


def test_the_number_of_queries_does_not_grow_with_the_plan(engine, session):
    small = clean_plan(session)
    generate_plan(engine, objectives=3000, team_id="T0BIG")
    big = session.exec(select(Workspace).where(Workspace.team_id == "T0BIG")).one()
    counts = []
    for ws in (small["workspace"], big):
        statements: list[str] = []

        def count(*args, statements=statements):
            statements.append(args[2])

        event.listen(engine, "before_cursor_execute", count)
        try:
            issues = find_alignment_issues(session, workspace=ws, today=TODAY)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1] == 3
    assert issues  # the generated plan overloads its owners
    assert {i.kind for i in issues} == {IssueKind.OWNER_OVERLOADED}
