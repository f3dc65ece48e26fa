"""The status roll-up: a parent is as healthy as its children say."""

import json

import pytest

from bot.status.model import Health
from bot.status.rules import build_plan_status, choose_year, roll_up
from storage.status import CheckInRow, ObjectiveRow, PersonRow

G, A, R, N = Health.ON_TRACK, Health.AT_RISK, Health.OFF_TRACK, Health.NO_DATA


@pytest.mark.parametrize(
    ("own", "children", "expected"),
    [
        (N, [], N),
        (G, [], G),
        (N, [G, G, G], G),
        (N, [G, G, R], A),  # one red child is never hidden
        (N, [R, R, G], R),
        (N, [A, A, G], A),
        (N, [N, N], N),
        (G, [N, R, R], R),  # children without data do not dilute
        (R, [G, G], R),  # the node's own red stays red
        (N, [G, A, G, G], G),
    ],
)
def test_roll_up(own, children, expected):
    assert roll_up(own, children) is expected


def row(id, ref, level="annual", parent=None, year=2027, owner=1, plan=None, **kw):
    return ObjectiveRow(
        id=id,
        ref=ref,
        level=level,
        parent_id=parent,
        title=f"Objective {ref}",
        description=None,
        owner_id=owner,
        start_year=2027 if level == "breakthrough" else None,
        end_year=2029 if level == "breakthrough" else None,
        year=None if level == "breakthrough" else year,
        metric_name="ARR",
        metric_unit="M$",
        baseline=10,
        target=14,
        higher_is_better=True,
        monthly_plan_json=None if plan is None else json.dumps(plan),
        review_channel=None,
        position=id,
        **kw,
    )


PEOPLE = {1: PersonRow(1, "U0ANA", "Ana")}


def test_tree_rolls_up_from_leaves_and_keeps_the_year():
    rows = [
        row(1, "BT1", level="breakthrough"),
        row(2, "AN1", parent=1),
        row(3, "AN1.1", level="cascaded", parent=2),
        row(4, "AN1.2", level="cascaded", parent=2),
        row(5, "AN9", parent=1, year=2028),  # another year: not part of FY2027's tree
        row(6, "AN7"),  # linked to no breakthrough
    ]
    latest = {
        3: CheckInRow(3, "2027-03", 1.0, "off_track"),
        4: CheckInRow(4, "2027-03", 1.0, "off_track"),
    }
    status = build_plan_status(rows, latest, PEOPLE, year=2027, start_month=1)
    assert [n.row.ref for n in status.roots] == ["BT1", "AN7"]
    assert status.by_ref["AN1"].health is Health.OFF_TRACK
    assert status.by_ref["BT1"].health is Health.OFF_TRACK
    assert status.by_ref["BT1"].descendants == 3
    assert "AN9" not in status.by_ref
    assert status.counts()[Health.OFF_TRACK] == 3  # AN1, AN1.1, AN1.2; breakthroughs not counted


def test_plan_value_follows_the_fiscal_year():
    plan = [float(i) for i in range(12)]
    status = build_plan_status([row(1, "AN1", plan=plan)], {}, PEOPLE, year=2027, start_month=4)
    node = status.by_ref["AN1"]
    assert status.plan_value(node, "2027-04") == 0
    assert status.plan_value(node, "2028-03") == 11
    assert status.plan_value(node, "2027-03") is None


def test_a_deep_cascade_does_not_recurse():
    rows = [row(1, "AN1")] + [
        row(i, f"C{i}", level="cascaded", parent=i - 1) for i in range(2, 5002)
    ]
    status = build_plan_status(rows, {}, PEOPLE, year=2027, start_month=1)
    assert status.by_ref["AN1"].descendants == 5000


def test_choose_year_prefers_current_then_upcoming():
    rows = [row(1, "A", year=2027), row(2, "B", year=2025)]
    assert choose_year(rows, 2027) == 2027
    assert choose_year(rows, 2026) == 2027
    assert choose_year(rows, 2030) == 2027
    assert choose_year([], 2026) == 2026
