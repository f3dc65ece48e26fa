"""The action-plan builders: the modal, the owner's DM in every state, and replies to clicks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import ids
from bot.actions.blocks import action_message, add_action_modal, mark_reply
from bot.actions.model import ActionCard, Mark, MarkOutcome, NewAction
from bot.blocks.common import slack_time
from bot.context import ActionRef, ObjectiveRef
from bot.standin.blockkit import validate_message_blocks, validate_view
from storage.models import Objective
from tests.objectives.test_check_blocks import visible

TODAY = date(2027, 6, 15)
MARKED_AT = datetime(2027, 6, 15, 9, 0, tzinfo=UTC)


def card(**changes) -> ActionCard:
    fields = {
        "action_id": 7,
        "title": "Hire two AEs",
        "due": date(2027, 7, 1),
        "state": "open",
        "objective_ref": "AN1.1",
        "objective_title": "Win 40 new mid-market logos",
        "owner": "U0MGR",
        "added_by": "U0VP",
        "marked_by": None,
        "marked_at": None,
        "today": TODAY,
    }
    return ActionCard(**{**fields, **changes})


def buttons(blocks) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_the_modal_asks_what_who_and_by_when_and_carries_the_objective():
    objective = Objective(
        id=42, workspace_id=1, ref="AN1.1", level="cascaded", title="Win", year=2027
    )
    view = add_action_modal(NewAction(objective, "U0MGR"), title="Call <everyone>")
    assert validate_view(view, expected_type="modal") == []
    assert view["callback_id"] == ids.VIEW_ACTION
    assert ObjectiveRef.parse(view["private_metadata"]).objective_id == 42
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == [ids.FIELD_TITLE, ids.FIELD_OWNER, ids.FIELD_DUE]
    assert inputs[ids.FIELD_TITLE]["initial_value"] == "Call <everyone>"
    assert inputs[ids.FIELD_OWNER]["initial_user"] == "U0MGR"
    assert inputs[ids.FIELD_DUE]["type"] == "datepicker"
    assert "*AN1.1* · Win\nOwner <@U0MGR> · FY2027" in visible(view["blocks"])


def test_the_modal_takes_huge_titles_and_no_owner():
    objective = Objective(id=1, workspace_id=1, ref="X" * 64, level="annual", title="t" * 5000)
    view = add_action_modal(NewAction(objective, None), title="a" * 5000)
    assert validate_view(view, expected_type="modal") == []
    owner = next(b for b in view["blocks"] if b.get("block_id") == ids.FIELD_OWNER)
    assert "initial_user" not in owner["element"]


@pytest.mark.parametrize(
    ("changes", "expected_buttons", "expected_text"),
    [
        (
            {},
            [ids.ACTION_ACTION_DONE, ids.ACTION_ACTION_BLOCKED],
            "<@U0VP> added an action for you",
        ),
        (
            {"state": "done", "marked_by": "U0MGR", "marked_at": MARKED_AT},
            [ids.ACTION_ACTION_REOPEN],
            "*Done* — marked by <@U0MGR> <!date^1813050000^{date_short_pretty} at {time}|"
            "15 Jun 2027 09:00 UTC>",
        ),
        (
            {"state": "blocked", "marked_by": "U0CEO", "marked_at": MARKED_AT},
            [ids.ACTION_ACTION_DONE, ids.ACTION_ACTION_REOPEN],
            ":no_entry: *Blocked* — marked by <@U0CEO>",
        ),
        (
            {"state": "open", "marked_by": "U0MGR", "marked_at": MARKED_AT},
            [ids.ACTION_ACTION_DONE, ids.ACTION_ACTION_BLOCKED],
            "Reopened by <@U0MGR>",
        ),
        ({"added_by": "U0MGR"}, None, "A new action of yours for *AN1.1*"),
        ({"due": date(2027, 6, 1)}, None, "Due Tue 01 Jun 2027 · :warning: *overdue*"),
    ],
)
def test_the_dm_shows_the_state_and_offers_the_next_steps(changes, expected_buttons, expected_text):
    message = action_message(card(**changes))
    assert validate_message_blocks(message.blocks) == []
    assert message.text
    assert expected_text in visible(message.blocks)
    if expected_buttons is not None:
        assert buttons(message.blocks) == expected_buttons
    actions = next(b for b in message.blocks if b["type"] == "actions")
    assert actions["block_id"] == ids.BLOCK_ACTION_BUTTONS
    assert {ActionRef.parse(e["value"]).action_id for e in actions["elements"]} == {7}


def test_a_done_action_past_its_due_date_is_not_overdue():
    done = card(state="done", due=date(2027, 1, 1), marked_by="U0MGR", marked_at=MARKED_AT)
    assert "overdue" not in visible(action_message(done).blocks)


def test_the_dm_takes_huge_titles():
    message = action_message(card(title="<b>" * 2000, objective_title="o" * 5000, due=None))
    assert validate_message_blocks(message.blocks) == []
    assert len(message.text) <= 3000
    assert "&lt;b&gt;" in visible(message.blocks)


def test_replies_to_clicks():
    done = card(state="done", marked_by="U0MGR", marked_at=MARKED_AT)
    changed = MarkOutcome(Mark.DONE, True, done)
    assert mark_reply(changed, message_updated=True) is None
    assert mark_reply(changed, message_updated=False) == "Marked “Hire two AEs” done (on AN1.1)."
    again = mark_reply(MarkOutcome(Mark.DONE, False, done), message_updated=True)
    assert again.startswith("“Hire two AEs” is already done — marked by <@U0MGR> <!date^")
    assert again.endswith("Nothing was changed.")
    blocked = mark_reply(MarkOutcome(Mark.BLOCKED, False, done), message_updated=True)
    assert "can't be marked blocked; reopen it first" in blocked
    reopened = card(state="open", marked_by="U0CEO", marked_at=MARKED_AT)
    text = mark_reply(MarkOutcome(Mark.REOPEN, False, reopened), message_updated=False)
    assert text.startswith("“Hire two AEs” is already open — reopened by <@U0CEO>")
    plain = mark_reply(MarkOutcome(Mark.REOPEN, False, card()), message_updated=False)
    assert plain == "“Hire two AEs” is already open. Nothing was changed."


def test_times_show_in_each_readers_timezone_with_a_utc_fallback():
    naive = datetime(2027, 6, 15, 9, 0)
    assert slack_time(naive) == slack_time(MARKED_AT)
    assert slack_time(MARKED_AT).endswith("|15 Jun 2027 09:00 UTC>")
