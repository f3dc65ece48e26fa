"""The Home builder: valid for Slack at every size, with the right buttons for each person."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime

import pytest

from bot import ids
from bot.context import ActionRef, ObjectiveRef
from bot.home.blocks import due_phrase, home_view
from bot.home.model import CheckInDue, Home, HomeObjective
from bot.standin.blockkit import validate_view
from bot.status.rules import build_plan_status
from storage.home import OpenActionRow, OwnedObjectiveRow, PendingDecisionRow
from storage.status import CheckInRow, PersonRow
from tests.status.test_status import row
from tests.text import visible_text

TODAY = date(2027, 6, 15)


def buttons(view: dict) -> list[dict]:
    found = []
    for block in view["blocks"]:
        if block["type"] == "actions":
            found += block["elements"]
        elif block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def make_home(*, owned: int, pending: int, actions: int, admin: bool, title_len: int = 40) -> Home:
    rows = [row(1, "BT1", level="breakthrough", owner=1)]
    latest = {}
    for i in range(owned):
        r = row(10 + i, f"AN{i}", parent=1, owner=1, plan=[float(m) for m in range(12)])
        rows.append(dataclasses.replace(r, title="T" * title_len))
        latest[10 + i] = CheckInRow(
            10 + i, "2027-05", 4.5, ["on_track", "at_risk", "off_track"][i % 3]
        )
    people = {1: PersonRow(1, "U0ANA", "Ana")}
    status = build_plan_status(rows, latest, people, year=2027, start_month=1)
    mine = [
        HomeObjective(
            node,
            can_edit=admin and node.row.level != "cascaded",
            can_cascade=node.row.level != "breakthrough",
        )
        for node in [status.by_id[1], *(status.by_id[10 + i] for i in range(owned))]
    ]
    created = datetime(2027, 6, 1, tzinfo=UTC)
    return Home(
        slack_user_id="U0ANA",
        today=TODAY,
        vision="Be the partner customers trust. " * 200,
        values=[f"Value {i} " + "v" * 140 for i in range(20)],
        known=True,
        is_admin=admin,
        status=status,
        mine=mine,
        in_catchball=[
            OwnedObjectiveRow(900 + i, f"AN0.{i}", "cascaded", "proposed", "P" * 200, 2027)
            for i in range(30)
        ],
        pending=[
            PendingDecisionRow(
                i + 1,
                2,
                500 + i,
                f"AN1.{i}",
                "Q" * 300,
                "AN1",
                "Parent",
                "U0MO",
                "Mo",
                "D0ANA",
                created,
            )
            for i in range(min(pending, 10))
        ],
        pending_total=pending,
        actions=[
            OpenActionRow(
                i + 1,
                "Step " + "s" * 500,
                date(2027, 6, 1 + i % 28),
                "blocked" if i % 4 == 0 else "open",
                10,
                "AN0",
            )
            for i in range(min(actions, 8))
        ],
        actions_total=actions,
        check_ins_due=[
            CheckInDue(f"AN{i}", "C" * 200, "2027-05", date(2027, 6, 3)) for i in range(40)
        ],
        plan=mine if admin else [],
    )


@pytest.mark.parametrize(
    ("owned", "pending", "actions", "admin"),
    [
        (0, 0, 0, False),
        (2, 1, 1, False),
        (3, 2, 2, True),
        (200, 50, 200, True),
        (200, 50, 200, False),
    ],
)
def test_home_fits_slack_at_any_size(owned, pending, actions, admin):
    view = home_view(
        make_home(owned=owned, pending=pending, actions=actions, admin=admin, title_len=200)
    )
    assert validate_view(view, expected_type="home") == []
    assert len(view["blocks"]) <= 100
    assert len(json.dumps(view).encode()) < 100_000
    assert view["blocks"][0]["text"]["text"] == "True North"


def test_the_heaviest_home_summarises_what_does_not_fit():
    view = home_view(make_home(owned=200, pending=50, actions=200, admin=True))
    text = text_of(view)
    assert "*Proposals to decide* (50)" in text and "…and 40 more proposals" in text
    assert "*Actions due* (200)" in text and "…and 192 more actions" in text
    assert "mention yourself to see them all" in text
    assert "…and 193 more. `/hoshin edit REF`" in text  # 201 plan rows, 8 with buttons
    propose = [b for b in buttons(view) if b["action_id"] == ids.ACTION_HOME_PROPOSE]
    assert len(propose) == 9  # the first ten objectives minus the breakthrough


def test_buttons_follow_the_persons_role():
    admin = home_view(make_home(owned=1, pending=0, actions=1, admin=True))
    found = {(b["action_id"], b.get("value")) for b in buttons(admin)}
    an0 = ObjectiveRef(objective_id=10).dump()
    assert {
        (ids.ACTION_HOME_EDIT_VISION, None),
        (ids.ACTION_HOME_NEW_BREAKTHROUGH, None),
        (ids.ACTION_HOME_NEW_ANNUAL, None),
        (ids.ACTION_HOME_EDIT_OBJECTIVE, an0),
        (ids.ACTION_HOME_PROPOSE, an0),
        (ids.ACTION_HOME_ADD_ACTION, an0),
        (ids.ACTION_ACTION_DONE, ActionRef(action_id=1).dump()),
    } <= found
    owner = home_view(make_home(owned=1, pending=0, actions=0, admin=False))
    on_owner = {b["action_id"] for b in buttons(owner)}
    assert on_owner == {ids.ACTION_HOME_PROPOSE, ids.ACTION_HOME_ADD_ACTION}


def test_blocked_actions_offer_done_but_not_blocked_again():
    view = home_view(make_home(owned=0, pending=0, actions=1, admin=False))  # action 1 is blocked
    assert [b["action_id"] for b in buttons(view)] == [ids.ACTION_ACTION_DONE]
    assert ":no_entry: blocked" in text_of(view)


def test_unknown_person_and_missing_plan():
    unknown = home_view(Home(slack_user_id="U0NEW", today=TODAY, vision="North", values=["A"]))
    assert validate_view(unknown, expected_type="home") == []
    assert "not part of this workspace's Hoshin plan yet" in text_of(unknown)
    assert buttons(unknown) == []
    no_plan = home_view(Home(slack_user_id="U0NEW", today=TODAY, has_plan=False))
    assert validate_view(no_plan, expected_type="home") == []
    assert "no Hoshin plan yet" in text_of(no_plan)


def test_nothing_waiting_says_so():
    view = home_view(make_home(owned=1, pending=0, actions=0, admin=False))
    assert "Nothing is waiting for you" not in text_of(view)  # check-ins are due in make_home
    home = make_home(owned=1, pending=0, actions=0, admin=False)
    home.check_ins_due = []
    assert "Nothing is waiting for you right now" in text_of(home_view(home))


@pytest.mark.parametrize(
    ("due", "state", "expected"),
    [
        (date(2027, 6, 1), "open", ":warning: *overdue* since 01 Jun 2027"),
        (TODAY, "open", "*due today*"),
        (date(2027, 7, 1), "open", "due 01 Jul 2027"),
        (None, "open", "no due date"),
        (date(2027, 6, 1), "blocked", ":no_entry: blocked · due 01 Jun 2027"),
    ],
)
def test_due_phrase(due, state, expected):
    assert due_phrase(due, TODAY, state) == expected


def text_of(view: dict) -> str:
    return visible_text(view["blocks"])
