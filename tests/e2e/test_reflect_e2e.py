"""`/hoshin reflect [year]` end to end: the reflection so far, privately, within Slack's limits."""

from __future__ import annotations

from sqlmodel import Session

from bot.standin.blockkit import validate_message_blocks
from tests.e2e.conftest import visible
from tests.reflection.plans import year_plan


def store_year(engine) -> None:
    with Session(engine) as session:
        year_plan(session)
        session.commit()


def test_reflect_shows_this_years_reflection_so_far_privately(slack):
    store_year(slack.engine)
    answer = slack.command("U0VP", "reflect")
    assert answer["response_type"] == "ephemeral"
    assert validate_message_blocks(answer["blocks"]) == [] and len(answer["blocks"]) <= 50
    text = visible(answer)
    assert "Reflection so far · FY2027" in text
    assert "True North:* Every team ships" in text
    assert ":white_check_mark: *AN1* Grow ARR to 14 M$ · 14.2 M$ of 14 M$ (Dec)" in text
    assert ":x: *AN2* Cut churn to 5%" in text and "The year's biggest gaps" in text
    assert "*BT2*: 2 annual · 0 hit · 2 missed · 1 of 2 hansei answers" in text
    assert "recurring: “Onboarding is slow”" in text
    assert "Only you can see this" in text and "posted to <#C0LEAD> when FY2027 ends" in text
    # Nothing was posted anywhere but the private answer.
    assert slack.standin.calls_to("chat.postMessage") == []


def test_reflect_a_given_year_and_bad_years_get_clear_answers(slack):
    store_year(slack.engine)
    assert "Reflection so far · FY2027" in visible(slack.command("U0CEO", "reflect FY2027"))
    last_year = visible(slack.command("U0CEO", "reflect 2026"))
    assert "Annual reflection · FY2026" in last_year and "once FY2026 is over" in last_year
    empty = visible(slack.command("U0CEO", "reflect 2025"))
    assert "FY2025 has no annual objectives" in empty
    future = visible(slack.command("U0CEO", "reflect 2031"))
    assert "FY2031 starts in Jan 2031: there is nothing to reflect on yet" in future
    bad = visible(slack.command("U0CEO", "reflect last-year"))
    assert "`last-year` is not a fiscal year" in bad and "`/hoshin reflect 2027`" in bad
    assert "Traceback" not in empty + future + bad


def test_reflect_before_any_plan_says_how_to_load_one(slack):
    assert "no Hoshin plan yet" in visible(slack.command("U0CEO", "reflect"))


def test_help_lists_reflect(slack):
    assert "/hoshin reflect [YEAR]" in visible(slack.command("U0CEO", "help"))
