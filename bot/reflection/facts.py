"""The facts of a fiscal year, computed from its stored rows: pure functions, no Slack, no SQL.

- Final actual: the latest actual reported in the year. Hit when it reaches the target in the
  metric's direction (at or above when higher is better, at or below when lower is better);
  "no result" when no actual was reported all year.
- Months due: the year's months before this one, and any month that has a check-in.
  An objective added mid-year is due from the month it was created.
- Green months: months of the bowling chart coloured green (rule in bot/review/bowling.py), out of
  the months due.
- Check-in response rate: months with a check-in out of the months due, leaving out the months
  the owner was away (their prompt was skipped) and said nothing.
- Gap: a missed objective's shortfall as a share of the distance it set out to cover
  (target - baseline; the target itself when there is no baseline).
- Trend: the last actual against the first, in the metric's direction; within 2 % of that
  distance is flat.
"""

from __future__ import annotations

from collections import defaultdict

from bot.periods import period_of
from bot.reflection.model import (
    BreakthroughFacts,
    Countermeasure,
    Hansei,
    ObjectiveFacts,
    Owner,
    Trend,
    YearFacts,
)
from bot.reflection.text import normalise, recurring
from bot.review.bowling import chart
from bot.review.model import BowlingMonth, Colour, MonthResult
from storage.reflection_facts import YearData, YearObjective, YearPerson
from storage.rows import CheckInAnswer

GAPS_SHOWN = 5
FLAT_SHARE = 0.02
SPARK = "▁▂▃▄▅▆▇█"


def _owner(people: dict[int, YearPerson], person_id: int | None) -> Owner | None:
    person = people.get(person_id) if person_id is not None else None
    if person is None:
        return None
    return Owner(person.slack_user_id, person.name, bool(person.unreachable_reason))


def outcome(final: float | None, target: float | None, higher_is_better: bool) -> str:
    if final is None or target is None:
        return "no result"
    reached = final >= target if higher_is_better else final <= target
    return "hit" if reached else "missed"


def gap(final, target, baseline, higher_is_better: bool) -> float | None:
    """The shortfall as a share of the distance planned (0 when hit, None when unknown)."""
    if final is None or target is None:
        return None
    shortfall = (target - final) if higher_is_better else (final - target)
    if shortfall <= 0:
        return 0.0
    distance = abs(target - baseline) if baseline is not None else abs(target)
    return shortfall / distance if distance else None


def trend(actuals: list[float], baseline, target, higher_is_better: bool) -> Trend:
    if len(actuals) < 2:
        return Trend("not enough data", actuals[0] if actuals else None, None, _spark(actuals))
    first, last = actuals[0], actuals[-1]
    scale = abs(target - baseline) if target is not None and baseline is not None else 0
    scale = scale or max(abs(first), abs(last), 1.0)
    change = (last - first) if higher_is_better else (first - last)
    if abs(change) <= FLAT_SHARE * scale:
        word = "flat"
    else:
        word = "improving" if change > 0 else "worsening"
    return Trend(word, first, last, _spark(actuals))


def _spark(values: list[float]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARK[3] * len(values)
    return "".join(SPARK[round((v - low) / (high - low) * (len(SPARK) - 1))] for v in values)


def _months_due(periods: list[str], now_period: str, checked: set[str]) -> list[bool]:
    # A month with a check-in has happened, whatever the clock says (the demo moves it).
    return [p < now_period or p in checked for p in periods]


def _added(row: YearObjective, periods: list[str]) -> str | None:
    if row.created_at is None:
        return None
    created = period_of(row.created_at.date())
    return created if periods[0] < created <= periods[-1] else None


def _countermeasures(
    check_ins: list[CheckInAnswer], months: list[BowlingMonth], a3s
) -> list[Countermeasure]:
    colour = {m.period: m.colour for m in months}
    order = [m.period for m in months]
    first: dict[str, tuple[str, str]] = {}
    last: dict[str, str] = {}
    for c in check_ins:
        key = normalise(c.countermeasure or "")
        if not key:
            continue
        first.setdefault(key, (c.period, c.countermeasure.strip()))
        last[key] = c.period
    found = []
    for key, (period, text) in first.items():
        after = order.index(last[key]) + 1 if last[key] in order else len(order)
        following = colour.get(order[after]) if after < len(order) else None
        worked = None if following in (None, Colour.BLANK) else str(following)
        if after >= len(order):
            worked = "in use at year end"
        found.append(Countermeasure(text, period, "check-in", worked, until=last[key]))
    for a3 in a3s:
        if a3.countermeasure:
            found.append(
                Countermeasure(
                    a3.countermeasure.strip(), a3.period, "A3", a3.worked, a3.worked_note
                )
            )
    found.sort(key=lambda c: (c.period, c.source))
    return found


def objective_facts(
    row: YearObjective,
    check_ins: list[CheckInAnswer],
    *,
    periods: list[str],
    now_period: str,
    people: dict[int, YearPerson],
    skipped: set[str] = frozenset(),
    a3s=(),
    hansei=None,
    depth: int = 0,
) -> ObjectiveFacts:
    """The facts of one objective from its check-ins of the year (ordered by period)."""
    by_period = {c.period: c for c in check_ins}
    checked = {c.period for c in check_ins}
    months = chart(
        periods,
        row.monthly_plan,
        {p: MonthResult(c.actual, c.status) for p, c in by_period.items()},
        higher_is_better=row.higher_is_better,
    )
    due = _months_due(periods, now_period, checked)
    added = _added(row, periods)
    if added:  # a check-in before the recorded creation (a back-filled month) still counts
        due = [d and (p >= added or p in checked) for d, p in zip(due, periods, strict=True)]
    due_periods = [p for p, d in zip(periods, due, strict=True) if d]
    answered = sum(1 for p in due_periods if p in checked)
    expected = sum(1 for p in due_periods if p in checked or p not in skipped)
    actuals = [(c.period, c.actual) for c in check_ins if c.actual is not None]
    final_period, final = actuals[-1] if actuals else (None, None)
    owner_id = row.owner_id
    quote = None
    if hansei is not None:
        quote = Hansei(
            _owner(people, hansei.person_id or owner_id),
            hansei.went_well,
            hansei.went_badly,
            hansei.root_causes,
            hansei.learned,
            hansei.carry_over,
        )
    return ObjectiveFacts(
        id=row.id,
        ref=row.ref,
        level=row.level,
        title=row.title,
        parent_id=row.parent_id,
        owner=_owner(people, owner_id),
        metric_name=row.metric_name,
        unit=row.metric_unit,
        baseline=row.baseline,
        target=row.target,
        higher_is_better=row.higher_is_better,
        archived=row.state == "archived",
        months=months,
        due=due,
        final_actual=final,
        final_period=final_period,
        outcome=outcome(final, row.target, row.higher_is_better),
        green_months=sum(
            1 for m, d in zip(months, due, strict=True) if d and m.colour == Colour.GREEN
        ),
        months_due=len(due_periods),
        answered_months=answered,
        expected_months=expected,
        added_period=added,
        gap=gap(final, row.target, row.baseline, row.higher_is_better),
        trend=trend([a for _, a in actuals], row.baseline, row.target, row.higher_is_better),
        challenges=recurring((c.period, c.challenges) for c in check_ins),
        countermeasures=_countermeasures(check_ins, months, a3s),
        hansei=quote,
        depth=depth,
    )


def year_facts(
    data: YearData,
    *,
    year: int,
    periods: list[str],
    now_period: str,
    workspace_name: str,
    vision: str | None,
) -> YearFacts:
    """Every objective's facts, grouped under its breakthrough in plan order."""
    check_ins: dict[int, list[CheckInAnswer]] = defaultdict(list)
    for c in data.check_ins:
        check_ins[c.objective_id].append(c)
    a3s = defaultdict(list)
    for a3 in data.a3s:
        a3s[a3.objective_id].append(a3)
    hansei = {h.objective_id: h for h in data.hansei}
    skipped = defaultdict(set)
    for prompt in data.prompts:
        if prompt.state == "skipped":
            skipped[prompt.person_id].add(prompt.period)

    children: dict[int | None, list[YearObjective]] = defaultdict(list)
    ids = {o.id for o in data.objectives}
    for o in data.objectives:
        children[o.parent_id if o.parent_id in ids else None].append(o)

    def facts(row: YearObjective, depth: int) -> ObjectiveFacts:
        return objective_facts(
            row,
            check_ins.get(row.id, []),
            periods=periods,
            now_period=now_period,
            people=data.people,
            skipped=skipped.get(row.owner_id, set()),
            a3s=a3s.get(row.id, ()),
            hansei=hansei.get(row.id),
            depth=depth,
        )

    def walk(top: YearObjective, out: list[ObjectiveFacts]) -> None:
        # In plan order, without recursion: catchball cascades to any depth.
        todo = [(top, 0)]
        while todo:
            row, depth = todo.pop()
            out.append(facts(row, depth))
            todo += [(child, depth + 1) for child in reversed(children.get(row.id, []))]

    # Top-level rows of the year: annual objectives, and cascaded ones whose parent is not in it.
    groups: dict[int | None, BreakthroughFacts] = {}
    bt_by_id = {b.id: b for b in data.breakthroughs}
    for b in data.breakthroughs:
        spans = (b.start_year or year) <= year <= (b.end_year or year)
        if spans and b.state == "active":
            groups[b.id] = BreakthroughFacts(b.id, b.ref, b.title, _owner(data.people, b.owner_id))
    for row in children.get(None, []):
        bt = bt_by_id.get(row.parent_id)
        key = bt.id if bt is not None else None
        if key not in groups:
            groups[key] = (
                BreakthroughFacts(bt.id, bt.ref, bt.title, _owner(data.people, bt.owner_id))
                if bt is not None
                else BreakthroughFacts(None, "–", "Not under a breakthrough", None)
            )
        group = groups[key]
        subtree: list[ObjectiveFacts] = []
        walk(row, subtree)
        if row.level == "annual":
            group.annual.append(subtree[0])
        group.objectives.extend(subtree)
    ordered = [g for k, g in groups.items() if k is not None] + (
        [groups[None]] if None in groups else []
    )
    annual = [o for g in ordered for o in g.annual]
    missed = [o for o in annual if o.outcome == "missed" and o.gap is not None]
    missed.sort(key=lambda o: (-o.gap, o.ref))
    sent = [p for p in data.prompts if p.state in ("sent", "answered", "unreachable")]
    return YearFacts(
        year=year,
        workspace_name=workspace_name,
        vision=vision,
        periods=periods,
        months_due=sum(1 for p in periods if p < now_period),
        complete=now_period > periods[-1],
        breakthroughs=ordered,
        objectives=[o for g in ordered for o in g.objectives],
        annual=annual,
        gaps=missed[:GAPS_SHOWN],
        prompts_sent=len(sent),
        prompts_answered=sum(1 for p in sent if p.state == "answered"),
    )
