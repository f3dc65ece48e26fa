"""The facts of a year: results, green months, response rates, gaps, trends, carry-overs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.periods import fiscal_periods
from bot.reflection.facts import gap, objective_facts, outcome, trend, year_facts
from bot.reflection.service import carry_overs, facts_for
from bot.reflection.text import names_a_change, normalise, recurring
from bot.review.model import Colour
from storage.models import Workspace
from storage.reflection_facts import YearData, YearObjective, YearPerson
from storage.rows import CheckInAnswer
from tests.reflection.plans import year_plan

PERIODS = fiscal_periods(2027, 1)
YEAR_END = datetime(2028, 1, 5, tzinfo=UTC)


def row(**changes) -> YearObjective:
    fields = dict(
        id=1,
        ref="AN1",
        level="annual",
        parent_id=None,
        title="Grow",
        owner_id=1,
        start_year=None,
        end_year=None,
        year=2027,
        metric_name="ARR",
        metric_unit="M$",
        baseline=10.0,
        target=14.0,
        higher_is_better=True,
        monthly_plan_json="[10,10,11,11,12,12,12,13,13,13,14,14]",
        state="active",
        position=0,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    return YearObjective(**{**fields, **changes})


def ci(period, actual=None, status=None, **text) -> CheckInAnswer:
    fields = dict(what_happened=None, challenges=None, countermeasure=None, comment=None)
    return CheckInAnswer(1, period, 1, actual, status, **{**fields, **text})


PEOPLE = {1: YearPerson(1, "U0VP", "Ana", None), 2: YearPerson(2, "U0LEE", "Lee", "gone")}


@pytest.mark.parametrize(
    ("final", "target", "higher", "expected"),
    [
        (14.2, 14, True, "hit"),
        (14, 14, True, "hit"),
        (13.9, 14, True, "missed"),
        (5.0, 5, False, "hit"),
        (7.1, 5, False, "missed"),
        (None, 5, False, "no result"),
        (3, None, True, "no result"),
    ],
)
def test_hit_or_missed_respects_the_metrics_direction(final, target, higher, expected):
    assert outcome(final, target, higher) == expected


def test_a_gap_is_the_shortfall_over_the_distance_planned():
    assert gap(12, 14, 10, True) == pytest.approx(0.5)
    assert gap(7.1, 5, 8, False) == pytest.approx(0.7)
    assert gap(15, 14, 10, True) == 0.0
    assert gap(90, 100, None, True) == pytest.approx(0.1)
    assert gap(None, 14, 10, True) is None


def test_the_trend_follows_the_direction_and_calls_small_moves_flat():
    assert trend([10, 11, 12], 10, 14, True).word == "improving"
    assert trend([7.9, 7.5, 7.1], 8, 5, False).word == "improving"
    assert trend([7.1, 7.9], 8, 5, False).word == "worsening"
    assert trend([10, 10.05], 10, 14, True).word == "flat"
    assert trend([10], 10, 14, True).word == "not enough data"
    assert trend([1, 2, 3, 4], None, None, True).spark == "▁▃▆█"


def test_challenges_recur_by_their_words_not_their_punctuation_or_plural():
    assert normalise("The deals slipped!") == normalise("deal slipped") == "deal slipped"
    said = [
        ("2027-01", "Deals slipped. Hiring is slow"),
        ("2027-02", "deal slipped; pricing"),
        ("2027-03", "The deals slipped. Hiring is slow. Deals slipped"),
        ("2027-04", "Pricing"),
    ]
    assert recurring(said) == [("Deals slipped", 3), ("Pricing", 2), ("Hiring is slow", 2)]
    assert recurring([("2027-01", "once only")]) == []


def test_a_lesson_names_a_change_by_its_words():
    assert names_a_change("We should start onboarding earlier")
    assert names_a_change("Next year, hire before the quarter")
    assert not names_a_change("Customers liked the product")
    assert not names_a_change(None)


def test_an_objective_added_mid_year_is_counted_from_the_month_it_was_added():
    facts = objective_facts(
        row(created_at=datetime(2027, 6, 10, tzinfo=UTC)),
        [ci("2027-07", 12), ci("2027-08", 13)],
        periods=PERIODS,
        now_period="2028-01",
        people=PEOPLE,
    )
    assert facts.added_period == "2027-06"
    assert facts.expected_months == 7 and facts.answered_months == 2
    assert facts.response_rate == pytest.approx(2 / 7)
    assert facts.due[:5] == [False] * 5 and all(facts.due[5:])


def test_months_away_are_not_held_against_the_owner_and_green_follows_the_bowling_rule():
    facts = objective_facts(
        row(),
        [ci("2027-01", 10.5), ci("2027-02", 9.9), ci("2027-03", 10, "off_track")],
        periods=PERIODS,
        now_period="2027-05",
        people=PEOPLE,
        skipped={"2027-04"},
    )
    assert [m.colour for m in facts.months[:4]] == [
        Colour.GREEN,
        Colour.AMBER,
        Colour.RED,
        Colour.BLANK,
    ]
    assert facts.months_due == 4 and facts.green_months == 1
    assert (facts.answered_months, facts.expected_months) == (3, 3)
    assert facts.final_actual == 10 and facts.final_period == "2027-03"
    assert facts.outcome == "missed"


def test_countermeasures_say_what_followed_them():
    facts = objective_facts(
        row(),
        [
            ci("2027-01", 9, countermeasure="Weekly review"),
            ci("2027-02", 9.5, countermeasure="weekly review!"),
            ci("2027-03", 11),
        ],
        periods=PERIODS,
        now_period="2027-04",
        people=PEOPLE,
    )
    [tried] = facts.countermeasures
    assert (tried.text, tried.period, tried.until) == ("Weekly review", "2027-01", "2027-02")
    assert tried.worked == "green"  # March, the month after it was last named


def test_the_stored_year_gives_its_results_gaps_and_labels(session):
    year_plan(session)
    workspace = session.exec(select(Workspace)).one()
    facts = facts_for(session, workspace, 2027, now=YEAR_END)
    assert facts.complete and [b.ref for b in facts.breakthroughs] == ["BT1", "BT2"]
    by = {o.ref: o for o in facts.objectives}
    assert [o.ref for o in facts.annual] == ["AN1", "AN4", "AN2", "AN3"]
    assert (by["AN1"].outcome, by["AN1"].final_actual) == ("hit", 14.2)
    assert by["AN1"].green_months == 10  # July (12.0 vs 12.1) and March are within 5 %: amber
    assert (by["AN2"].outcome, by["AN2"].final_actual, by["AN2"].green_months) == (
        "missed",
        7.1,
        0,
    )
    assert by["AN2"].challenges[0] == ("Onboarding is slow", 12)
    assert [c.source for c in by["AN2"].countermeasures] == ["check-in", "A3", "check-in"]
    assert by["AN3"].added_period == "2027-06" and by["AN3"].owner.left
    assert (by["AN3"].answered_months, by["AN3"].expected_months) == (3, 7)
    assert by["AN4"].archived and by["AN4"].outcome == "missed"
    assert by["AN1.1"].depth == 1 and by["AN1.1"].answered_months == 9
    # Short of the planned change: AN4 all of it, AN2 70 % (7.1 of 8 → 5), AN3 64 % (180 of 500).
    assert [o.ref for o in facts.gaps] == ["AN4", "AN2", "AN3"]
    assert (facts.prompts_sent, facts.prompts_answered) == (24, 21)
    assert by["AN1"].hansei.owner.name == "Ana"


def test_carry_overs_are_the_misses_and_the_lessons_that_name_a_change(session):
    year_plan(session)
    workspace = session.exec(select(Workspace)).one()
    proposals = carry_overs(facts_for(session, workspace, 2027, now=YEAR_END))
    assert [c.ref for c in proposals] == ["AN4", "AN2", "AN3"]
    an2 = next(c for c in proposals if c.ref == "AN2")
    assert an2.reason == "missed: 7.1% of 5%; lesson: Keep the onboarding team; target 6 %."
    # AN1 was hit and its lesson ("weekly, not monthly") names no change: it does not carry.


def test_a_year_without_check_ins_is_labelled_and_every_objective_has_no_result(session):
    year_plan(session, check_ins=False)
    workspace = session.exec(select(Workspace)).one()
    facts = facts_for(session, workspace, 2027, now=YEAR_END)
    assert facts.check_ins == 0
    assert {o.outcome for o in facts.annual} == {"no result"}
    assert [c.reason[:9] for c in carry_overs(facts)] == [
        "no result"
    ] * 3  # AN4, archived with no check-in, is gone


def test_a_plan_deeper_than_pythons_recursion_limit_still_has_its_facts():
    # Catchball cascades below any depth a plan file may hold; the walk must not recurse.
    rows = [row(id=1)] + [
        row(id=i, ref=f"C{i}", level="cascaded", parent_id=i - 1) for i in range(2, 1502)
    ]
    facts = year_facts(
        YearData(objectives=rows, people=PEOPLE),
        year=2027,
        periods=PERIODS,
        now_period="2027-12",
        workspace_name="Acme",
        vision=None,
    )
    assert [o.depth for o in facts.objectives] == list(range(1501))
    assert [o.ref for o in facts.annual] == ["AN1"]
