"""`/hoshin check` end to end: every kind of alignment problem listed with its ref, or all clear."""

from __future__ import annotations

from sqlmodel import Session

from bot.standin.blockkit import validate_message_blocks
from tests.actions.plans import clean_plan, troubled_plan
from tests.e2e.conftest import TEAM, visible


def test_check_lists_every_kind_of_problem_with_its_refs(slack):
    with Session(slack.engine) as session:
        troubled_plan(session, TEAM)
    answer = slack.command("U0MGR", "check")
    assert answer["response_type"] == "ephemeral"
    assert validate_message_blocks(answer["blocks"]) == []
    text = visible(answer)
    assert "Plan checks · FY2027" in text
    assert "8 things break the alignment of FY2027's plan" in text
    assert "2 objectives with no metric" in text
    expected = [
        "*Annual objectives with no breakthrough* (1)",
        "*AN3* Open a partner channel — serves no active breakthrough",
        "*Breakthroughs with no annual objective* (1)",
        "*BT2* Enter Japan — no annual objective in FY2027",
        "*Objectives with no owner* (1)",
        "*AN1.1* Nobody's baby — no owner",
        "*Objectives with no metric or target* (2)",
        "*AN1.2* Be better — no metric",
        "*AN1.4* Metric without target — metric “NPS” has no target",
        "*Objectives with no monthly plan* (1)",
        "*AN1.3* Ship the app — no monthly plan",
        "*Owners over the objective limit* (1)",
        "Ana owns 4 active objectives, over the limit of 2: AN1, AN3, AN1.2, AN1.3 · <@U0VP>",
        "*Catchball proposals waiting over a week* (1)",
        "*AN1.5* Win the North — round 2 from Mo has waited 14 days for an answer · "
        "waiting on <@U0VP>",
    ]
    for line in expected:
        assert line in text, line
    positions = [text.index(line) for line in expected]
    assert positions == sorted(positions)  # grouped, in the order of the kinds
    for quiet in ("AN1.6", "AN0", "AN2026", "*BT1*", "*AN1* "):
        assert quiet not in text


def test_a_clean_plan_says_so(slack):
    with Session(slack.engine) as session:
        clean_plan(session, TEAM)
    text = visible(slack.command("U0CEO", "check"))
    assert "Plan checks FY2027: all clear." in text
    assert "Nothing breaks the alignment of FY2027's plan" in text


def test_check_before_any_plan_says_how_to_load_one(slack):
    assert "no Hoshin plan yet" in visible(slack.command("U0CEO", "check"))
