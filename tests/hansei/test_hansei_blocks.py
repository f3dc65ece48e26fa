"""The hansei builders as Slack would receive them: within limits at any size, buttons that parse."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import ids
from bot.context import HanseiRef
from bot.hansei.blocks import (
    hansei_escalation,
    hansei_modal,
    hansei_prompt,
    hansei_receipt,
    hansei_reminder,
    home_hansei_blocks,
)
from bot.hansei.model import (
    HanseiAsk,
    HanseiDue,
    HanseiEscalation,
    HanseiForm,
    Reflection,
    ReflectObjective,
)
from bot.home.blocks import home_view
from bot.standin.blockkit import validate_message_blocks, validate_view
from tests.home.test_home_blocks import make_home
from tests.text import visible_text

CLOSES = datetime(2028, 2, 1, 9, tzinfo=UTC)


def objective(i: int, **changes) -> ReflectObjective:
    fields = {
        "objective_id": i,
        "ref": f"AN{i}",
        "title": f"Objective number {i}",
        "metric_name": "ARR",
        "unit": "M$",
        "target": 14,
        "actual": 12.1,
        "actual_period": "2027-11",
        "status": "at_risk",
    }
    return ReflectObjective(**{**fields, **changes})


def ask(objectives, **changes) -> HanseiAsk:
    fields = {
        "owner_user_id": "U0ANA",
        "owner_name": "Ana",
        "year": 2027,
        "year_end": date(2027, 12, 31),
        "closes_at": CLOSES,
        "vision": "Every team ships what customers love, safely.",
        "objectives": tuple(objectives),
    }
    return HanseiAsk(**{**fields, **changes})


def buttons(blocks: list[dict]) -> list[dict]:
    return [b["accessory"] for b in blocks if b.get("accessory", {}).get("type") == "button"]


def text(blocks: list[dict]) -> str:
    return visible_text(blocks)


def test_the_prompt_shows_true_north_each_objective_and_a_reflect_button():
    message = hansei_prompt(ask([objective(1), objective(2, actual=None, actual_period=None)]))
    assert validate_message_blocks(message.blocks) == []
    shown = text(message.blocks)
    assert message.blocks[0]["text"]["text"] == "Year-end reflection · FY2027"
    assert ":compass: *True North* · Every team ships" in shown
    assert "FY2027 ends on Fri 31 Dec 2027" in shown
    assert (
        "*AN1* · Objective number 1\nARR · target *14 M$* · latest actual *12.1 M$* (Nov 2027)"
        in (shown)
    )
    assert ":large_yellow_circle: at risk" in shown
    assert "AN2* · Objective number 2\nARR · target *14 M$* · no check-in this year" in shown
    assert f"<!date^{int(CLOSES.timestamp())}^" in shown  # answers are taken until then
    found = buttons(message.blocks)
    assert [b["text"]["text"] for b in found] == ["Reflect", "Reflect"]
    assert {b["action_id"] for b in found} == {ids.ACTION_HANSEI_OPEN}
    assert HanseiRef.parse(found[1]["value"]) == HanseiRef(objective_id=2, year=2027)
    assert "2 objective(s)" in message.text


def test_done_objectives_are_marked_and_their_button_edits():
    message = hansei_prompt(ask([objective(1), objective(2)], done=frozenset({2})))
    shown = text(message.blocks)
    assert "*1 of 2 done*" in shown
    assert ":white_check_mark: *AN2*" in shown and ":white_check_mark: *AN1*" not in shown
    assert [b["text"]["text"] for b in buttons(message.blocks)] == ["Reflect", "Edit"]
    everything = hansei_prompt(ask([objective(1), objective(2)], done=frozenset({1, 2})))
    assert "*2 of 2 done* — thank you!" in text(everything.blocks)


def test_without_a_vision_there_is_no_true_north_line():
    message = hansei_prompt(ask([objective(1)], vision=None))
    assert "True North" not in text(message.blocks)
    assert validate_message_blocks(message.blocks) == []


@pytest.mark.parametrize("count", [1, 10, 40])
def test_an_owner_with_up_to_forty_objectives_gets_a_button_for_each(count):
    owned = [
        objective(i, ref=f"AN{i}.{i}", title="T" * 400, metric_name="M" * 200)
        for i in range(1, count + 1)
    ]
    message = hansei_prompt(ask(owned, vision="V" * 5000, owner_name="N" * 500))
    assert validate_message_blocks(message.blocks) == []
    assert len(message.blocks) <= 50
    assert len(buttons(message.blocks)) == count


def test_forty_objectives_with_the_longest_refs_stay_within_limits():
    owned = [objective(i, ref=f"AN{i}." + "9" * 60, title="T" * 400) for i in range(1, 41)]
    message = hansei_prompt(ask(owned, vision="V" * 5000, done=frozenset(range(1, 20))))
    assert validate_message_blocks(message.blocks) == []
    assert len(message.blocks) <= 50
    assert len(buttons(message.blocks)) >= 30


def test_hundreds_of_objectives_stay_within_limits_and_name_the_rest():
    many = [objective(i, title="T" * 400) for i in range(1, 301)]
    message = hansei_prompt(ask(many, done=frozenset(range(1, 100))))
    assert validate_message_blocks(message.blocks) == []
    assert len(message.blocks) <= 50
    shown = text(message.blocks)
    assert "more objective(s)* that do not fit in one message" in shown and "AN300" in shown
    reminder = hansei_reminder(ask(many, done=frozenset(range(1, 100))))
    assert validate_message_blocks(reminder.blocks) == []
    assert "still open for 201 objective(s)" in text(reminder.blocks)


def test_the_reminder_lists_only_what_is_still_open():
    reminder = hansei_reminder(ask([objective(1), objective(2)], done=frozenset({1})))
    assert validate_message_blocks(reminder.blocks) == []
    assert [HanseiRef.parse(b["value"]).objective_id for b in buttons(reminder.blocks)] == [2]
    assert "is open for 1 objective(s)" in reminder.text


def test_the_escalation_names_the_owner_and_what_is_open():
    escalation = HanseiEscalation(
        owner_user_id="U0MO",
        owner_name="Mo",
        year=2027,
        open_objectives=tuple(objective(i, title="T" * 300) for i in range(1, 201)),
        prompted_at=datetime(2027, 12, 10, 9, tzinfo=UTC),
        closes_at=CLOSES,
        days=7,
        away_until=date(2027, 12, 24),
    )
    message = hansei_escalation(escalation)
    assert validate_message_blocks(message.blocks) == []
    shown = text(message.blocks)
    assert "<@U0MO> has not written their year-end reflection on FY2027 for 200" in shown
    assert "away until Fri 24 Dec 2027" in shown and "more objective(s)" in shown


def form(existing: Reflection | None = None) -> HanseiForm:
    return HanseiForm(
        ref=HanseiRef(objective_id=7, year=2027),
        objective_ref="AN1.1",
        title="Win 40 new mid-market logos",
        metric_name="New logos",
        unit=None,
        target=40,
        actual=36,
        actual_period="2027-11",
        closes_at=CLOSES,
        existing=existing,
    )


def inputs(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def test_the_modal_asks_five_questions_two_required():
    view = hansei_modal(form())
    assert validate_view(view, expected_type="modal") == []
    assert view["callback_id"] == ids.VIEW_HANSEI and view["title"]["text"] == "Year-end reflection"
    assert HanseiRef.parse(view["private_metadata"]) == HanseiRef(objective_id=7, year=2027)
    fields = inputs(view)
    assert list(fields) == [
        ids.FIELD_WENT_WELL,
        ids.FIELD_WENT_BADLY,
        ids.FIELD_ROOT_CAUSES,
        ids.FIELD_LEARNED,
        ids.FIELD_CARRY_OVER,
    ]
    assert [f.get("optional", False) for f in fields.values()] == [False, False, True, True, True]
    shown = visible_text(view["blocks"])
    assert "*Target*\n40" in shown and "*Latest actual*\n36 (Nov 2027)" in shown


def test_the_modal_is_prefilled_when_editing():
    existing = Reflection(
        "Pipeline reviews", "Legal was slow", "No contract template", None, "x" * 3000
    )
    view = hansei_modal(form(existing))
    assert validate_view(view, expected_type="modal") == []
    assert view["title"]["text"] == "Edit reflection"
    fields = inputs(view)
    assert fields[ids.FIELD_WENT_WELL]["element"]["initial_value"] == "Pipeline reviews"
    assert fields[ids.FIELD_ROOT_CAUSES]["element"]["initial_value"] == "No contract template"
    assert "initial_value" not in fields[ids.FIELD_LEARNED]["element"]
    assert fields[ids.FIELD_CARRY_OVER]["element"]["initial_value"] == "x" * 3000


def test_the_receipt_says_what_is_still_open():
    message = hansei_receipt(ask([objective(1), objective(2)], done=frozenset({1})), "AN1")
    assert validate_message_blocks(message.blocks) == []
    assert "reflection on *AN1* for FY2027 is saved: 1 of 2 done" in message.text
    assert "Still open: *AN2*" in message.text


def due(count: int) -> HanseiDue:
    return HanseiDue(
        year=2027,
        year_end=date(2027, 12, 31),
        closes_at=CLOSES,
        open_objectives=tuple(objective(i, title="T" * 300) for i in range(1, min(count, 5) + 1)),
        open_total=count,
        done=1,
    )


def test_the_home_item_has_reflect_buttons_for_the_first_few():
    blocks = [b.to_dict() for b in home_hansei_blocks([due(12)])]
    assert validate_message_blocks(blocks) == []
    shown = visible_text(blocks)
    assert "*Year-end reflection · FY2027*\n12 objective(s) still to reflect on (1 done)" in shown
    assert "lists them all" in shown
    refs = [HanseiRef.parse(b["value"]) for b in buttons(blocks)]
    assert len(refs) == 5 and all(r.home and r.year == 2027 for r in refs)
    assert home_hansei_blocks([]) == []


def test_the_heaviest_home_with_a_reflection_due_still_fits():
    home = make_home(owned=200, pending=50, actions=200, admin=True, title_len=200)
    home.hansei_due = [due(40)]
    view = home_view(home)
    assert validate_view(view, expected_type="home") == []
    assert len(view["blocks"]) <= 100
    assert "Year-end reflection · FY2027" in visible_text(view["blocks"])
