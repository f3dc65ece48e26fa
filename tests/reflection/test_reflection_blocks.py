"""The reflection's messages: what they say, and that none breaks Slack's limits at any size."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlmodel import select

from bot import ids
from bot.context import ReflectionRef
from bot.periods import fiscal_periods
from bot.reflection import blocks
from bot.reflection.facts import year_facts
from bot.reflection.model import CarryOver
from bot.reflection.service import build_reflection_post, carry_overs, facts_for
from bot.standin.blockkit import validate_message_blocks
from storage.models import HanseiAnswer, Objective, Workspace
from storage.reflection_facts import YearData, YearHansei, YearObjective, YearPerson
from storage.rows import CheckInAnswer
from tests import factories as f
from tests.reflection.plans import year_plan
from tests.text import visible_text

PERIODS = fiscal_periods(2027, 1)
YEAR_END = datetime(2028, 1, 5, tzinfo=UTC)
HUGE = "We learned a lot about onboarding & <pricing>; " * 110  # over 5,000 characters


def assert_fits(message) -> None:
    assert validate_message_blocks(message.blocks) == [], message.text
    assert len(message.blocks) <= 50
    assert message.text and len(message.text) <= 3000


def big_year(objectives: int = 1000) -> YearData:
    """`objectives` annual and cascaded objectives under 5 breakthroughs, a full year each."""

    def obj(i, ref, level, parent, **extra):
        fields = dict(
            id=i,
            ref=ref,
            level=level,
            parent_id=parent,
            title=f"Objective {ref} " + "x" * 80,
            owner_id=i % 50,
            start_year=None,
            end_year=None,
            year=2027,
            metric_name="M",
            metric_unit="k€",
            baseline=0.0,
            target=12.0,
            higher_is_better=True,
            monthly_plan_json=json.dumps([float(m) for m in range(1, 13)]),
            state="active",
            position=i,
            created_at=datetime(2026, 12, 1, tzinfo=UTC),
        )
        return YearObjective(**{**fields, **extra})

    breakthroughs = [
        obj(i, f"BT{i}", "breakthrough", None, start_year=2027, end_year=2029, year=None)
        for i in range(1, 6)
    ]
    rows, next_id = [], 10
    for i in range(objectives):
        parent = breakthroughs[i % 5].id if i < 100 else 10 + (i % 100)
        rows.append(obj(next_id, f"O{i}", "annual" if i < 100 else "cascaded", parent))
        next_id += 1
    check_ins = [
        CheckInAnswer(
            o.id,
            p,
            o.owner_id,
            float(m + 1) - (o.id % 3),
            None,
            "x" * 200,
            "Hiring is slow. " + "y" * 300,
            "Weekly review " + str(m % 4),
            None,
        )
        for o in rows
        for m, p in enumerate(PERIODS)
    ]
    hansei = [YearHansei(o.id, o.owner_id, HUGE, HUGE, HUGE, HUGE, HUGE) for o in rows]
    people = {i: YearPerson(i, f"U{i:05d}", f"Person {i}", None) for i in range(50)}
    return YearData(breakthroughs, rows, people, check_ins, hansei, [], [])


def test_a_thousand_objectives_and_5000_character_answers_fit_in_as_many_replies_as_needed():
    facts = year_facts(
        big_year(),
        year=2027,
        periods=PERIODS,
        now_period="2028-01",
        workspace_name="Acme",
        vision="V" * 5000,
    )
    summary = blocks.summary(facts)
    assert_fits(summary)
    replies = [m for bt in facts.breakthroughs for m in blocks.breakthrough_replies(bt, year=2027)]
    for reply in replies:
        assert_fits(reply)
    text = "\n".join(visible_text(r.blocks) for r in replies)
    # Every objective of the year is in the thread, each with its (shortened) hansei.
    for o in facts.objectives:
        assert f"*{o.ref}* Objective {o.ref}" in text
    assert text.count("*Hansei on") == 1000
    assert "`hoshin report` has every answer whole" in text
    assert "&lt;pricing&gt;" in text and "<pricing>" not in text
    assert len(replies) > 5  # several replies per breakthrough
    closing = blocks.closing(facts, carry_overs(facts), workspace_id=1)
    assert_fits(closing)
    preview = blocks.preview(facts, leadership_channel="C0LEAD")
    assert_fits(preview)


def test_the_summary_shows_vision_results_green_months_rates_and_gaps(session):
    year_plan(session)
    workspace = session.exec(select(Workspace)).one()
    post = build_reflection_post(session, workspace, 2027, now=YEAR_END)
    text = visible_text(post.summary.blocks)
    assert "Annual reflection · FY2027" in text
    assert "True North:* Every team ships" in text
    assert "*BT1 · Double ARR by 2029*" in text and "*BT2 · Customers stay*" in text
    assert (
        ":white_check_mark: *AN1* Grow ARR to 14 M$ · 14.2 M$ of 14 M$ (Dec) · "
        "10 of 12 months green · 100 % checked in"
    ) in text
    assert ":x: *AN2* Cut churn to 5% · 7.1% of 5% (Dec) · 0 of 12 months green" in text
    assert "*AN3* Launch the support portal" in text
    assert "_added in Jun, owner has left_" in text and "43 % checked in" in text
    assert "AN4* Open the Paris office" in text and "archived" in text
    assert "The year's biggest gaps" in text
    assert "Check-in prompts: 24 sent, 21 answered (88 %)" in text
    assert post.chart_png.startswith(b"\x89PNG") and post.chart_filename == "bowling-chart-2027.png"
    assert post.facts["hit"] == 1 and post.facts["missed"] == 3
    json.dumps(post.facts)  # stored on Reflection.summary: must be JSON
    for message in [post.summary, *post.replies]:
        assert_fits(message)


def test_each_breakthrough_reply_has_trend_challenges_countermeasures_and_quoted_hansei(session):
    year_plan(session)
    workspace = session.exec(select(Workspace)).one()
    post = build_reflection_post(session, workspace, 2027, now=YEAR_END)
    bt1, bt2, _closing = post.replies
    bt2_text = visible_text(bt2.blocks)
    assert "BT2 · Customers stay" in bt2_text
    assert "Trend: *improving* " in bt2_text and "7.9% → 7.1%" in bt2_text
    assert "Recurring challenges: “Onboarding is slow” (12 months)" in bt2_text
    assert "A3 May: Dedicated onboarding team — worked: *partly* (Onboarding down to 3 weeks)" in (
        bt2_text
    )
    assert "Jan–Jun: Weekly churn review — the month after 🔴" in bt2_text
    assert "Jul–Dec: Dedicated onboarding team — in use at year end" in bt2_text
    assert "*Hansei on AN2*, by Ana (<@U0VP>)" in bt2_text
    assert "> *Carries into next year:* Keep the onboarding team; target 6 %." in bt2_text
    assert "Lee _(has left)_" in bt2_text
    bt1_text = visible_text(bt1.blocks)
    assert "↳ " in bt1_text and "*AN1.1* Win 40 logos" in bt1_text
    assert "> *Went well:* Partners brought a third of new ARR." in bt1_text


def test_the_closing_reply_lists_carry_overs_and_a_button_that_carries_only_ids(session):
    plan = year_plan(session)
    workspace = session.exec(select(Workspace)).one()
    post = build_reflection_post(session, workspace, 2027, now=YEAR_END)
    closing = post.replies[-1]
    text = visible_text(closing.blocks)
    assert "Carry-overs for FY2028" in text
    assert "*AN2* Cut churn to 5% — missed: 7.1% of 5%; lesson: Keep the onboarding team" in text
    [actions] = [b for b in closing.blocks if b["type"] == "actions"]
    assert actions["block_id"] == ids.BLOCK_REFLECTION_ACTIONS
    [button] = actions["elements"]
    assert button["action_id"] == ids.ACTION_REFLECTION_CARRYOVER
    assert ReflectionRef.parse(button["value"]) == ReflectionRef(
        workspace_id=plan.workspace_id, year=2027
    )
    assert [c.ref for c in post.carry_overs] == ["AN4", "AN2", "AN3"]


def test_nothing_to_carry_over_says_so_without_a_button():
    facts = year_facts(
        YearData(),
        year=2027,
        periods=PERIODS,
        now_period="2028-01",
        workspace_name="A",
        vision=None,
    )
    closing = blocks.closing(facts, [], workspace_id=1)
    assert "Nothing carries over" in visible_text(closing.blocks)
    assert not any(b["type"] == "actions" for b in closing.blocks)


def test_a_carry_over_reason_is_bounded_after_escaping_and_kept_whole_in_the_model(session):
    # The reason is stored raw; only the closing reply escapes and then bounds it, so 1,000 `<`
    # show as at most REASON_LIMIT characters, never 4,000 (or 1,200 once cut before escaping).
    facts = year_facts(
        YearData(),
        year=2027,
        periods=PERIODS,
        now_period="2028-01",
        workspace_name="A",
        vision=None,
    )
    hostile = CarryOver(objective_id=1, ref="AN1", title="T", reason="<" * 1000)
    closing = blocks.closing(facts, [hostile], workspace_id=1)
    assert_fits(closing)
    line = next(line for line in visible_text(closing.blocks).split("\n") if "*AN1*" in line)
    shown = line.split(" — ", 1)[1]
    assert shown.startswith("&lt;&lt;") and len(shown) <= blocks.REASON_LIMIT


def test_carry_over_reasons_are_not_shortened_in_the_model(session):
    year_plan(session)
    workspace = session.exec(select(Workspace)).one()
    an2 = session.exec(select(Objective).where(Objective.ref == "AN2")).one()
    # Three objectives cascaded from AN2, each with a lesson of 150 characters: AN2's reason
    # holds all three whole (over 450 characters), however the reply then shortens it.
    for n in (1, 2, 3):
        child = f.objective(
            session,
            workspace,
            f"AN2.{n}",
            level="cascaded",
            parent_id=an2.id,
            owner_id=an2.owner_id,
            year=2027,
            position=10 + n,
        )
        session.add(
            HanseiAnswer(
                workspace_id=workspace.id,
                objective_id=child.id,
                year=2027,
                person_id=an2.owner_id,
                carry_over=f"<{n}>" * 50,
            )
        )
    session.commit()
    proposals = carry_overs(facts_for(session, workspace, 2027, now=YEAR_END))
    [reason] = [c.reason for c in proposals if c.ref == "AN2"]
    assert all(f"AN2.{n}: " + f"<{n}>" * 50 in reason for n in (1, 2, 3))
