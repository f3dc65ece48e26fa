"""The status builders stay within Slack's limits whatever the plan's size, and say what they cut."""

import dataclasses
from datetime import date

import pytest

from bot.context import StatusQuery
from bot.standin.blockkit import validate_message_blocks
from bot.status.blocks import objective_detail, person_overview, plan_overview
from bot.status.rules import build_plan_status
from storage.status import ActionRow, CheckInRow, PersonRow
from tests.status.test_status import row
from tests.text import visible_text

TODAY = date(2027, 6, 15)


def big_plan(breakthroughs: int, annual_each: int, cascaded_each: int):
    rows, people, latest = [], {}, {}
    next_id = 1
    for b in range(breakthroughs):
        bt = next_id
        rows.append(row(bt, f"BT{b}", level="breakthrough"))
        next_id += 1
        for a in range(annual_each):
            an = next_id
            rows.append(row(an, f"AN{b}.{a}", parent=bt, plan=[float(m) for m in range(12)]))
            latest[an] = CheckInRow(an, "2027-05", 4.5, ["on_track", "at_risk", "off_track"][a % 3])
            next_id += 1
            for c in range(cascaded_each):
                rows.append(row(next_id, f"C{b}.{a}.{c}", level="cascaded", parent=an))
                next_id += 1
    people[1] = PersonRow(1, "U0ANA", "Ana")
    return rows, latest, people


@pytest.mark.parametrize(
    ("breakthroughs", "annual", "cascaded"), [(1, 1, 0), (3, 4, 3), (30, 10, 32), (2, 400, 10)]
)
def test_overview_fits_slack_at_any_size(breakthroughs, annual, cascaded):
    rows, latest, people = big_plan(breakthroughs, annual, cascaded)
    status = build_plan_status(rows, latest, people, year=2027, start_month=1)
    message = plan_overview(status, vision="Be the most trusted " * 40, query=StatusQuery())
    assert validate_message_blocks(message.blocks) == []
    assert len(message.blocks) <= 50
    assert len(visible_text(message.blocks)) <= 11500
    assert message.text  # the fallback notifications and screen readers use
    if breakthroughs > 20:
        assert "more top-level objectives" in visible_text(message.blocks)
    if annual > 100:
        assert "/hoshin status BT0" in visible_text(message.blocks)


def test_overview_shows_health_owner_and_progress():
    rows, latest, people = big_plan(1, 3, 2)
    status = build_plan_status(rows, latest, people, year=2027, start_month=1)
    text = visible_text(plan_overview(status, vision=None, query=StatusQuery()).blocks)
    assert "*AN0.0* Objective AN0.0 · <@U0ANA> · 4.5 M$ of 14 M$ (May, plan 4)" in text
    assert ":red_circle: *AN0.2*" in text
    assert "2 below" in text
    assert "*9* objectives in FY2027" in text


def test_detail_of_a_huge_objective_stays_within_limits():
    rows, latest, people = big_plan(1, 1, 3000)
    rows[1] = row(2, "AN0.0", parent=1, plan=[1.0] * 12)
    rows[1] = dataclasses.replace(rows[1], description="x" * 5000)
    status = build_plan_status(rows, latest, people, year=2027, start_month=1)
    history = [
        CheckInRow(2, f"2027-{m:02d}", m, "at_risk", challenges="c" * 4000, countermeasure="k")
        for m in range(1, 13)
    ]
    actions = [ActionRow(i, 2, "Do " * 100, 1, date(2027, 1, 1), "open") for i in range(500)]
    message = objective_detail(
        status,
        status.by_ref["AN0.0"],
        vision="v",
        history=history,
        actions=actions,
        people=people,
        today=TODAY,
        query=StatusQuery(kind="objective", ref="AN0.0"),
    )
    assert validate_message_blocks(message.blocks) == []
    text = visible_text(message.blocks)
    assert len(text) <= 11500
    assert "…and" in text and "more" in text
    assert "*overdue*" in text
    assert "`Dec 2027` actual 12 M$ · plan 1 M$" in text


def test_person_overview_lists_only_their_objectives_and_open_actions():
    rows, latest, people = big_plan(1, 2, 0)
    rows.append(row(99, "OTHER", owner=2))
    people[2] = PersonRow(2, "U0BOB", "Bob")
    status = build_plan_status(rows, latest, people, year=2027, start_month=1)
    actions = [
        ActionRow(1, 2, "Hire two SREs", 2, date(2027, 1, 31), "open"),
        ActionRow(2, 2, "Done thing", 2, date(2027, 1, 31), "done"),
    ]
    message = person_overview(
        status,
        people[2],
        vision=None,
        actions=actions,
        people=people,
        today=TODAY,
        query=StatusQuery(kind="person", user="U0BOB"),
    )
    text = visible_text(message.blocks)
    assert "OTHER" in text and "AN0.0" not in text
    assert "Hire two SREs" in text and "Done thing" not in text
    assert validate_message_blocks(message.blocks) == []


@pytest.mark.parametrize(
    ("state", "due", "expected", "overdue"),
    [
        ("open", date(2027, 6, 1), "due 2027-06-01", True),
        ("blocked", date(2027, 6, 1), "blocked · due 2027-06-01", True),
        (
            "done",
            date(2027, 6, 1),
            ":white_check_mark: Hire two SREs · <@U0ANA> · due 2027-06-01",
            False,
        ),
        ("open", date(2027, 7, 1), "due 2027-07-01", False),
        ("blocked", None, "blocked", False),
    ],
)
def test_action_lines_show_state_and_overdue(state, due, expected, overdue):
    from bot.status.blocks import _action_line

    people = {1: PersonRow(1, "U0ANA", "Ana")}
    line = _action_line(ActionRow(1, 2, "Hire two SREs", 1, due, state), people, TODAY)
    assert expected in line
    assert ("*overdue*" in line) is overdue
