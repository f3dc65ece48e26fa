"""The check-in DMs as Slack would receive them: limits kept at any size, buttons that parse."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot import ids
from bot.checkin.model import AskedObjective, CheckInAsk, Escalation
from bot.checkin.prompt_blocks import checkin_escalation, checkin_prompt, checkin_reminder
from bot.context import CheckInRef
from bot.standin.blockkit import validate_message_blocks
from storage.actions import OverdueRow
from tests.text import visible_text

PERIOD = "2027-03"


def objective(i: int, **changes) -> AskedObjective:
    fields = {
        "objective_id": i,
        "ref": f"AN{i}",
        "title": f"Objective number {i}",
        "metric_name": "ARR",
        "unit": "M$",
        "plan": 10.9,
        "target": 14,
        "last_actual": 10.5,
        "last_status": "at_risk",
    }
    return AskedObjective(**{**fields, **changes})


def ask(objectives, **changes) -> CheckInAsk:
    fields = {
        "owner_user_id": "U0BERTA",
        "owner_name": "Berta",
        "period": PERIOD,
        "vision": "Every finance team closes its books in a day.",
        "objectives": tuple(objectives),
        "overdue": (),
    }
    return CheckInAsk(**{**fields, **changes})


def overdue(i: int, **changes) -> OverdueRow:
    fields = {
        "action_id": i,
        "title": f"Action {i}",
        "due": date(2027, 2, 15),
        "state": "open",
        "owner_id": 1,
        "objective_id": 1,
        "objective_ref": "AN1",
        "objective_title": "Grow ARR",
    }
    return OverdueRow(**{**fields, **changes})


def buttons(blocks: list[dict]) -> list[dict]:
    return [b["accessory"] for b in blocks if b.get("accessory", {}).get("type") == "button"]


def test_the_prompt_shows_true_north_plan_last_month_overdue_and_a_button_each():
    message = checkin_prompt(
        ask(
            [objective(1), objective(2, plan=None, last_actual=None, last_status=None)],
            overdue=(overdue(7, title="Hire two AEs", state="blocked"),),
        )
    )
    assert validate_message_blocks(message.blocks) == []
    text = visible_text(message.blocks)
    assert message.blocks[0]["type"] == "header" and "Mar 2027" in text
    assert ":compass: *True North* · Every finance team closes its books in a day." in text
    assert "*AN1* · Objective number 1\nARR · plan for Mar: *10.9 M$* · Feb actual: 10.5 M$" in text
    assert ":large_yellow_circle: at risk · target 14 M$" in text
    assert "no plan for Mar" in text
    assert "`AN1` Hire two AEs — due 15 Feb 2027 (blocked)" in text
    refs = [CheckInRef.parse(b["value"]) for b in buttons(message.blocks)]
    assert [(r.objective_id, r.period) for r in refs] == [(1, PERIOD), (2, PERIOD)]
    assert {b["action_id"] for b in buttons(message.blocks)} == {ids.ACTION_CHECKIN_OPEN}
    assert "Monthly check-in for Mar 2027: 2 objective(s)" in message.text


def test_no_vision_no_true_north_line():
    message = checkin_prompt(ask([objective(1)], vision=None))
    assert "True North" not in visible_text(message.blocks)
    assert validate_message_blocks(message.blocks) == []


def test_forty_objectives_each_get_their_button_within_slacks_limits():
    message = checkin_prompt(ask([objective(i) for i in range(1, 41)], overdue=(overdue(1),)))
    assert validate_message_blocks(message.blocks) == []
    assert len(message.blocks) <= 50
    assert len(buttons(message.blocks)) == 40
    assert "more objective" not in visible_text(message.blocks)


def test_two_hundred_huge_objectives_are_summarised_by_ref():
    huge = "x" * 5000
    objectives = [objective(i, title=huge, metric_name=huge, ref=f"AN{i}") for i in range(1, 201)]
    message = checkin_prompt(
        ask(objectives, vision=huge, owner_name=huge, overdue=tuple(overdue(i) for i in range(30)))
    )
    assert validate_message_blocks(message.blocks) == []
    shown = len(buttons(message.blocks))
    assert 10 <= shown < 200
    text = visible_text(message.blocks)
    assert f"…and *{200 - shown} more objective(s)*" in text and "AN200" in text
    assert "…and 22 more" in text  # overdue actions beyond the first eight


def test_the_reminder_lists_what_is_still_open_with_buttons():
    message = checkin_reminder(ask([objective(2)], vision=None))
    assert validate_message_blocks(message.blocks) == []
    assert "still open for 1 objective(s)" in visible_text(message.blocks)
    assert [CheckInRef.parse(b["value"]).objective_id for b in buttons(message.blocks)] == [2]
    big = checkin_reminder(ask([objective(i, title="y" * 5000) for i in range(1, 201)]))
    assert validate_message_blocks(big.blocks) == []


def test_the_escalation_names_the_owner_and_what_is_open():
    escalation = Escalation(
        owner_user_id="U0BERTA",
        owner_name="Berta",
        period=PERIOD,
        open_objectives=(objective(1), objective(2)),
        prompted_at=datetime(2027, 3, 1, 8, 0, tzinfo=UTC),
        days=7,
    )
    message = checkin_escalation(escalation)
    assert validate_message_blocks(message.blocks) == []
    text = visible_text(message.blocks)
    assert "<@U0BERTA> has not checked in for *Mar 2027* on 2 objective(s), 7 day(s)" in text
    assert "*AN1* Objective number 1" in text and "*AN2*" in text
    assert message.text == "Berta has not checked in for Mar 2027 on 2 objective(s)"
    many = Escalation(**{**escalation.__dict__, "open_objectives": tuple(
        objective(i, title="z" * 5000) for i in range(1, 201)
    )})  # fmt: skip
    big = checkin_escalation(many)
    assert validate_message_blocks(big.blocks) == []
    assert "more objective(s)" in visible_text(big.blocks)
