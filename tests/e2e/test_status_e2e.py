"""`/hoshin help` and `/hoshin status` end to end: signed requests in, answers at the stand-in."""

import json

from tests.e2e.conftest import visible
from tests.e2e.seed import small_plan


def test_help_lists_every_registered_subcommand(slack):
    answer = slack.command("U0CEO", "help")
    text = visible(answer)
    assert "/hoshin help" in text and "/hoshin status [REF | @person | YEAR]" in text
    assert answer.get("response_type", "ephemeral") == "ephemeral"


def test_unknown_subcommand_gets_help_not_a_stack_trace(slack):
    text = visible(slack.command("U0CEO", "frobnicate now"))
    assert "I don't know `/hoshin frobnicate`" in text
    assert "/hoshin status" in text and "Traceback" not in text


def test_status_before_any_plan_says_how_to_load_one(slack):
    text = visible(slack.command("U0CEO", "status"))
    assert "no Hoshin plan yet" in text and "hoshin plan import" in text


def test_status_shows_the_tree_with_rolled_up_health(slack):
    small_plan(slack.engine)
    answer = slack.command("U0CEO", "status")
    text = visible(answer)
    assert answer["response_type"] == "ephemeral"
    assert "Hoshin status · FY2027" in text
    assert "True North:* Every team ships" in text
    # AN1.1 is off track; AN1 has no own check-in, so it rolls up to off track from its child.
    assert ":red_circle: *AN1* Grow ARR to 14 M$ · <@U0VP>" in text
    assert ":white_circle: *AN2*" in text
    buttons = [e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Share in channel"]


def test_drill_down_into_one_objective(slack):
    small_plan(slack.engine)
    text = visible(slack.command("U0VP", "status an1.1"))
    assert "AN1.1 · Win 40 new mid-market logos" in text
    assert "12 in May 2027 (plan 15)" in text
    assert "`Apr 2027` actual 10 · plan 12" in text
    assert "Hire two AEs" in text and "*overdue*" in text
    assert "Weekly pipeline review" in text


def test_one_persons_objectives_by_mention_and_by_name(slack):
    small_plan(slack.engine)
    by_mention = visible(slack.command("U0CEO", "status <@U0VP|ana>"))
    by_name = visible(slack.command("U0CEO", "status @ana"))
    for text in (by_mention, by_name):
        assert "Ana's objectives · FY2027" in text
        assert "*AN1*" in text and "*AN2*" in text and "*AN1.1*" not in text


def test_unknown_ref_suggests_close_ones(slack):
    small_plan(slack.engine)
    text = visible(slack.command("U0CEO", "status AN11"))
    assert "no active objective `AN11`" in text and "`AN1.1`" in text


def test_share_posts_the_same_answer_in_the_channel(slack):
    small_plan(slack.engine)
    answer = slack.command("U0VP", "status AN1")
    share = next(b for b in answer["blocks"] if b["type"] == "actions")["elements"][0]
    delivery = slack.sender.block_action(
        user_id="U0VP", action_id=share["action_id"], value=share["value"], is_ephemeral=True
    )
    assert delivery.status == 200
    shared = slack.answer_to(delivery)
    assert shared["response_type"] == "in_channel"
    assert "<@U0VP> shared" in shared["text"]
    assert "AN1 · Grow ARR to 14 M$" in visible(shared)
    assert not any(b["type"] == "actions" for b in shared["blocks"])


def test_a_tampered_share_button_gets_a_clear_message(slack):
    small_plan(slack.engine)
    delivery = slack.sender.block_action(
        user_id="U0VP", action_id="status_share", value=json.dumps({"kind": "drop table"})
    )
    assert delivery.status == 200
    assert "no longer matches anything" in slack.answer_to(delivery)["text"]
