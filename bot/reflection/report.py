"""`hoshin report`: the annual reflection written for people outside Slack.

Markdown (to read), CSV (one row per objective, for a spreadsheet) and HTML (self-contained:
the bowling chart embedded as a PNG, every text escaped). The same facts as the Slack post,
with every answer whole.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from bot.blocks.common import number
from bot.blocks.common import plain_with_unit as with_unit
from bot.errors import NotFound
from bot.periods import MONTH_NAMES, parse_period
from bot.reflection.chart import FILL, MISSING, NOT_YET
from bot.reflection.model import CarryOver, ObjectiveFacts, Owner, YearFacts
from bot.reflection.service import carry_overs, chart_png, facts_for
from bot.review.model import Colour
from storage.db import session_scope
from storage.workspaces import all_workspaces

FORMATS = ("markdown", "csv", "html")
HANSEI_LABELS = (
    ("went_well", "Went well"),
    ("went_badly", "Did not go well"),
    ("root_causes", "Why (root causes)"),
    ("learned", "What we learned"),
    ("carry_over", "What carries into next year"),
)


def year_reports(
    engine: Engine, *, year: int, now: datetime, team_ids: Sequence[str] = ()
) -> list[tuple[YearFacts, list[CarryOver]]]:
    """The facts of `year` for each workspace asked for (all of them when none is named)."""
    out = []
    with session_scope(engine) as session:
        workspaces = all_workspaces(session)
        if team_ids:
            known = {w.team_id for w in workspaces}
            missing = [t for t in team_ids if t not in known]
            if missing:
                raise NotFound(f"No workspace {', '.join(missing)} in this database.")
            workspaces = [w for w in workspaces if w.team_id in team_ids]
        if not workspaces:
            raise NotFound("This database holds no workspace yet: import a plan first.")
        for workspace in workspaces:
            facts = facts_for(session, workspace, year, now=now)
            out.append((facts, carry_overs(facts)))
    return out


def render_report(reports: list[tuple[YearFacts, list[CarryOver]]], fmt: str) -> str:
    if fmt == "csv":
        return to_csv([facts for facts, _ in reports])
    if fmt == "markdown":
        return "\n\n".join(to_markdown(f, c) for f, c in reports)
    if fmt == "html":
        return to_html(reports)
    raise ValueError(f"unknown format {fmt}")


def _owner(owner: Owner | None) -> str:
    if owner is None:
        return ""
    return f"{owner.name} (has left)" if owner.left else owner.name


def _hit(o: ObjectiveFacts) -> str:
    return {"hit": "yes", "missed": "no"}.get(o.outcome, "")


def _raw(value: float | None) -> str:
    return "" if value is None else repr(float(value)).removesuffix(".0")


def to_csv(years: Sequence[YearFacts]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    periods = years[0].periods if years else []
    writer.writerow(
        [
            "workspace",
            "ref",
            "level",
            "title",
            "owner",
            "metric",
            "unit",
            "baseline",
            "target",
            "final_actual",
            "hit",
            "green_months",
            "months_due",
            "response_rate",
            *periods,
        ]
    )
    for facts in years:
        for o in facts.objectives:
            rate = o.response_rate
            writer.writerow(
                [
                    facts.workspace_name,
                    o.ref,
                    o.level,
                    o.title,
                    _owner(o.owner),
                    o.metric_name or "",
                    o.unit or "",
                    _raw(o.baseline),
                    _raw(o.target),
                    _raw(o.final_actual),
                    _hit(o),
                    o.green_months,
                    o.months_due,
                    "" if rate is None else f"{rate:.3f}",
                    *(_raw(m.actual) for m in o.months),
                ]
            )
    return buffer.getvalue()


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)} %"


def _result(o: ObjectiveFacts) -> str:
    return with_unit(o.final_actual, o.unit) if o.final_actual is not None else "–"


def _month(period: str) -> str:
    return MONTH_NAMES[parse_period(period)[1] - 1]


def _countermeasure(c) -> str:
    if c.source == "A3":
        judged = f"worked: {c.worked}" if c.worked else "not yet judged"
        return f"A3 ({_month(c.period)}): {c.text} — {judged}" + (f" ({c.note})" if c.note else "")
    if c.worked == "in use at year end":
        after = c.worked
    else:
        after = f"the month after: {c.worked}" if c.worked else "no check-in the month after"
    span = (
        _month(c.period) if c.until in (None, c.period) else f"{_month(c.period)}–{_month(c.until)}"
    )
    return f"{span}: {c.text} — {after}"


def to_markdown(facts: YearFacts, proposals: Sequence[CarryOver]) -> str:
    kind = "Annual reflection" if facts.complete else "Reflection so far"
    out = [f"# {kind} · FY{facts.year} · {facts.workspace_name}", ""]
    if facts.vision:
        out += [f"**True North:** {facts.vision}", ""]
    out.append(
        f"{len(facts.annual)} annual objectives: {facts.count('hit')} hit, "
        f"{facts.count('missed')} missed, {facts.count('no result')} with no result."
    )
    if not facts.complete:
        out.append(f"FY{facts.year} is not over: {facts.months_due} of 12 months so far.")
    if not facts.check_ins:
        out.append(f"**No check-ins were recorded in FY{facts.year}.**")
    if facts.prompts_sent:
        out.append(
            f"Check-in prompts: {facts.prompts_sent} sent, {facts.prompts_answered} answered."
        )
    for bt in facts.breakthroughs:
        out += ["", f"## {bt.ref} · {bt.title}", ""]
        out += [
            "| Ref | Objective | Owner | Target | Final actual | Result | Green months "
            "| Checked in |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for o in bt.annual:
            out.append(
                f"| {_cell(o.ref)} | {_cell(o.title)} | {_cell(_owner(o.owner))} | "
                f"{_cell(with_unit(o.target, o.unit))} | {_cell(_result(o))} | {o.outcome} | "
                f"{o.green_months} of {o.months_due} | {_percent(o.response_rate)} |"
            )
        for o in bt.objectives:
            out += ["", _objective_markdown(o)]
    if facts.gaps:
        out += ["", "## The year's biggest gaps", ""]
        out += [
            f"- **{o.ref}** {o.title}: {_result(o)} against {with_unit(o.target, o.unit)} "
            f"({_percent(o.gap)} of the planned change short)"
            for o in facts.gaps
        ]
    out += ["", f"## Carry-overs for FY{facts.year + 1}", ""]
    out += [f"- **{c.ref}** {c.title} — {c.reason}" for c in proposals] or ["Nothing carries over."]
    return "\n".join(out) + "\n"


def _objective_markdown(o: ObjectiveFacts) -> str:
    heading = "###" + "#" * min(o.depth, 2)
    notes = o.notes
    lines = [
        f"{heading} {o.ref} · {o.title}",
        "",
        f"- Owner: {_owner(o.owner) or 'none'}" + (f" · {', '.join(notes)}" if notes else ""),
        f"- Result: {o.outcome} — {_result(o)} of {with_unit(o.target, o.unit)} · "
        f"{o.green_months} of {o.months_due} months green · checked in {o.answered_months} of "
        f"{o.expected_months} months",
        "",
        "| " + " | ".join(_month(m.period) for m in o.months) + " |",
        "|" + "---|" * len(o.months),
        "| "
        + " | ".join(
            f"{number(m.actual) if m.actual is not None else '–'} / "
            f"{number(m.plan) if m.plan is not None else '–'} {m.colour if m.colour != Colour.BLANK else ''}".strip()
            for m in o.months
        )
        + " |",
        "",
        f"- Trend: {o.trend.word}"
        + (
            f" ({number(o.trend.first)} → {number(o.trend.last)})"
            if o.trend.last is not None
            else ""
        ),
    ]
    if o.challenges:
        lines.append(
            "- Recurring challenges: " + "; ".join(f"“{p}” ({n} months)" for p, n in o.challenges)
        )
    if o.countermeasures:
        lines.append("- Countermeasures tried:")
        lines += [f"  - {_countermeasure(c)}" for c in o.countermeasures]
    if o.hansei:
        lines += ["", f"Hansei by {_owner(o.hansei.owner) or 'the owner'}:", ""]
        for attr, label in HANSEI_LABELS:
            answer = (getattr(o.hansei, attr) or "").strip()
            if answer:
                quoted = "\n> ".join(answer.splitlines())
                lines += [f"> **{label}:** {quoted}", ">"]
        if lines[-1] == ">":
            lines.pop()
    return "\n".join(lines)


STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em;color:#1d1c1d;max-width:1200px}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}
th{background:#f4f4f4}td.m{text-align:center;min-width:54px}blockquote{border-left:3px solid #ccc;
margin:.3em 0;padding:.1em .8em;color:#333;white-space:pre-wrap}img{max-width:100%}
"""


def _fill(month, due: bool) -> str:
    if month.colour in FILL:
        return FILL[month.colour]
    return MISSING if due else NOT_YET


def to_html(reports: list[tuple[YearFacts, list[CarryOver]]]) -> str:
    e = html.escape
    first = reports[0][0]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Annual reflection FY{first.year}</title><style>{STYLE}</style></head><body>",
    ]
    for facts, proposals in reports:
        kind = "Annual reflection" if facts.complete else "Reflection so far"
        parts.append(f"<h1>{e(kind)} · FY{facts.year} · {e(facts.workspace_name)}</h1>")
        if facts.vision:
            parts.append(f"<p><b>True North:</b> {e(facts.vision)}</p>")
        parts.append(
            f"<p>{len(facts.annual)} annual objectives: {facts.count('hit')} hit, "
            f"{facts.count('missed')} missed, {facts.count('no result')} with no result.</p>"
        )
        if not facts.check_ins:
            parts.append(f"<p><b>No check-ins were recorded in FY{facts.year}.</b></p>")
        png = base64.b64encode(chart_png(facts)).decode("ascii")
        parts.append(f'<img alt="Bowling chart FY{facts.year}" src="data:image/png;base64,{png}">')
        parts.append("<h2>Every objective, month by month</h2><table><tr><th>Ref</th>")
        parts.append("<th>Objective</th><th>Owner</th><th>Target</th><th>Final</th><th>Result</th>")
        parts += [f"<th>{_month(p)}</th>" for p in facts.periods]
        parts.append("</tr>")
        for o in facts.objectives:
            cells = "".join(
                f'<td class="m" style="background:{_fill(m, d)}">'
                f"{e(number(m.actual)) if m.actual is not None else ''}</td>"
                for m, d in zip(o.months, o.due, strict=True)
            )
            indent = "&nbsp;&nbsp;" * o.depth
            parts.append(
                f"<tr><td>{indent}{e(o.ref)}</td><td>{e(o.title)}</td><td>{e(_owner(o.owner))}</td>"
                f"<td>{e(with_unit(o.target, o.unit))}</td><td>{e(_result(o))}</td>"
                f"<td>{e(o.outcome)}</td>{cells}</tr>"
            )
        parts.append("</table>")
        for bt in facts.breakthroughs:
            parts.append(f"<h2>{e(bt.ref)} · {e(bt.title)}</h2>")
            for o in bt.objectives:
                parts.append(_objective_html(o))
        parts.append(f"<h2>Carry-overs for FY{facts.year + 1}</h2><ul>")
        parts += [f"<li><b>{e(c.ref)}</b> {e(c.title)} — {e(c.reason)}</li>" for c in proposals]
        parts.append("</ul>" if proposals else "<li>Nothing carries over.</li></ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _objective_html(o: ObjectiveFacts) -> str:
    e = html.escape
    notes = o.notes
    out = [
        f"<h3>{e(o.ref)} · {e(o.title)}</h3>",
        f"<p>Owner: {e(_owner(o.owner) or 'none')}"
        + (f" · <i>{e(', '.join(notes))}</i>" if notes else "")
        + f"<br>Result: {e(o.outcome)} — {e(_result(o))} of {e(with_unit(o.target, o.unit))} · "
        f"{o.green_months} of {o.months_due} months green · checked in {o.answered_months} of "
        f"{o.expected_months} months<br>Trend: {e(o.trend.word)}</p>",
    ]
    if o.challenges:
        said = "; ".join(f"“{e(p)}” ({n} months)" for p, n in o.challenges)
        out.append(f"<p>Recurring challenges: {said}</p>")
    if o.countermeasures:
        out.append("<ul>" + "".join(f"<li>{e(_countermeasure(c))}</li>" for c in o.countermeasures))
        out.append("</ul>")
    if o.hansei:
        out.append(f"<p>Hansei by {e(_owner(o.hansei.owner) or 'the owner')}:</p>")
        for attr, label in HANSEI_LABELS:
            answer = (getattr(o.hansei, attr) or "").strip()
            if answer:
                out.append(f"<blockquote><b>{e(label)}:</b> {e(answer)}</blockquote>")
    return "\n".join(out)
