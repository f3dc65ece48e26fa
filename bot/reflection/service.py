"""The annual reflection (hansei) of one workspace and fiscal year, built from the database.

`build_reflection_post` is what the annual-reflection job posts; `answer_reflect` is the private
preview of `/hoshin reflect`; bot/reflection/report.py writes the same facts to files. The facts are in
bot/reflection/facts.py, the chart in bot/reflection/chart.py, the messages in bot/reflection/blocks.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from bot.blocks.common import Message, clip, plain_with_unit, shorten
from bot.errors import InvalidInput, NotFound, WorkspaceNotSetUp
from bot.periods import fiscal_periods, fiscal_year_of, month_label, period_of
from bot.reflection import blocks
from bot.reflection.chart import ChartRow, render
from bot.reflection.facts import year_facts
from bot.reflection.model import CarryOver, ObjectiveFacts, ReflectionPost, YearFacts
from bot.reflection.text import names_a_change
from bot.scope import NO_PLAN
from storage.db import session_scope
from storage.models import Workspace
from storage.reflection_facts import read_year
from storage.workspaces import find_workspace

LESSON_LIMIT = 160


def facts_for(session: Session, workspace: Workspace, year: int, *, now: datetime) -> YearFacts:
    """Read the year (seven queries) and compute its facts."""
    periods = fiscal_periods(year, workspace.fiscal_year_start_month)
    data = read_year(session, workspace_id=workspace.id, year=year, periods=periods)
    return year_facts(
        data,
        year=year,
        periods=periods,
        now_period=period_of(now.date()),
        workspace_name=workspace.name or workspace.team_id,
        vision=workspace.vision,
    )


def _lesson(o: ObjectiveFacts) -> str | None:
    """The lesson of an objective's hansei that names a change, if any, in the owner's words."""
    h = o.hansei
    if h is None:
        return None
    if h.carry_over and h.carry_over.strip():
        return h.carry_over.strip()
    if names_a_change(h.learned):
        return h.learned.strip()
    return None


def carry_overs(facts: YearFacts) -> list[CarryOver]:
    """One proposal per annual objective that was missed (or had no result) or whose hansei, or
    a hansei of an objective cascaded from it, names a change; in plan order."""
    found = []
    for bt in facts.breakthroughs:
        annual_id = None
        lessons: dict[int, list[str]] = {}
        for o in bt.objectives:
            if o.depth == 0:
                annual_id = o.id if o.level == "annual" else None
            if annual_id is None:
                continue
            lesson = _lesson(o)
            if lesson:
                prefix = "" if o.id == annual_id else f"{o.ref}: "
                lessons.setdefault(annual_id, []).append(
                    prefix + shorten(" ".join(lesson.split()), LESSON_LIMIT)
                )
        for o in bt.annual:
            reasons = []
            if o.outcome == "missed":
                reasons.append(
                    f"missed: {plain_with_unit(o.final_actual, o.unit)} of {plain_with_unit(o.target, o.unit)}"
                )
            elif o.outcome == "no result" and facts.complete:
                reasons.append("no result: no actual was reported all year")
            reasons.extend(f"lesson: {text}" for text in lessons.get(o.id, []))
            if reasons:
                # Kept whole: each place that shows it escapes first, then bounds.
                reason = "; ".join(reasons)
                found.append(CarryOver(objective_id=o.id, ref=o.ref, title=o.title, reason=reason))
    return found


def chart_rows(facts: YearFacts) -> list[ChartRow]:
    return [ChartRow(o.ref, o.title, o.months, o.due) for o in facts.annual]


def chart_title(facts: YearFacts) -> str:
    return f"Bowling chart · FY{facts.year} · {facts.workspace_name}"


def chart_png(facts: YearFacts) -> bytes:
    return render(chart_rows(facts), title=chart_title(facts), periods=facts.periods)


def facts_json(facts: YearFacts) -> dict:
    """What is stored on Reflection.summary: the figures of the year, JSON-able."""
    return {
        "year": facts.year,
        "complete": facts.complete,
        "months_due": facts.months_due,
        "annual": len(facts.annual),
        "objectives": len(facts.objectives),
        "hit": facts.count("hit"),
        "missed": facts.count("missed"),
        "no_result": facts.count("no result"),
        "check_ins": facts.check_ins,
        "prompts_sent": facts.prompts_sent,
        "prompts_answered": facts.prompts_answered,
        "gaps": [o.ref for o in facts.gaps],
        "by_objective": {
            o.ref: {
                "final_actual": o.final_actual,
                "target": o.target,
                "outcome": o.outcome,
                "green_months": o.green_months,
                "months_due": o.months_due,
                "answered_months": o.answered_months,
                "expected_months": o.expected_months,
            }
            for o in facts.annual
        },
    }


def build_reflection_post(
    session: Session, workspace: Workspace, year: int, *, now: datetime
) -> ReflectionPost:
    """The whole reflection of fiscal `year`, every message within Slack's limits."""
    facts = facts_for(session, workspace, year, now=now)
    proposals = carry_overs(facts)
    replies = [m for bt in facts.breakthroughs for m in blocks.breakthrough_replies(bt, year=year)]
    replies.append(blocks.closing(facts, proposals, workspace_id=workspace.id))
    return ReflectionPost(
        year=year,
        summary=blocks.summary(facts),
        replies=replies,
        chart_png=chart_png(facts),
        chart_filename=f"bowling-chart-{year}.png",
        chart_title=chart_title(facts),
        carry_overs=proposals,
        facts=facts_json(facts),
    )


def parse_year(args: str, *, default: int) -> int:
    """`/hoshin reflect [year]`: nothing, `2027` or `FY2027`."""
    word = args.strip()
    if not word:
        return default
    digits = word[2:] if word.upper().startswith("FY") else word
    if not (digits.isdigit() and len(digits) == 4) or not 2000 <= int(digits) <= 2999:
        raise InvalidInput(
            f"`{clip(word, 40)}` is not a fiscal year. Try `/hoshin reflect` for this year "
            f"or `/hoshin reflect {default}`."
        )
    return int(digits)


def answer_reflect(engine: Engine, *, team_id: str, args: str, now: datetime) -> Message:
    """The private preview of the reflection so far."""
    with session_scope(engine) as session:
        workspace = find_workspace(session, team_id=team_id)
        if workspace is None:
            raise WorkspaceNotSetUp(NO_PLAN)
        current = fiscal_year_of(now.date(), workspace.fiscal_year_start_month)
        year = parse_year(args, default=current)
        periods = fiscal_periods(year, workspace.fiscal_year_start_month)
        if period_of(now.date()) < periods[0]:
            raise InvalidInput(
                f"FY{year} starts in {month_label(periods[0])}: there is nothing to reflect on "
                f"yet. `/hoshin reflect {current}` shows this year so far."
            )
        facts = facts_for(session, workspace, year, now=now)
        if not facts.objectives and not facts.annual:
            raise NotFound(
                f"FY{year} has no annual objectives, so there is nothing to reflect on. "
                "`/hoshin status` shows the plan."
            )
        return blocks.preview(facts, leadership_channel=workspace.leadership_channel)
