"""Builders of the monthly check-in DMs: the prompt, the reminder, and the manager's escalation.

Each stays within one message's limits (50 blocks, the summed-text budget) however many
objectives someone owns: every objective gets its own **Check in** button while they fit, and the
rest are summarised by ref.
"""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ButtonElement, SectionBlock

from bot import ids
from bot.a3.blocks import worked_section, worked_text
from bot.ask import blocks as shared
from bot.ask.model import Row
from bot.blocks.common import Message, clip, pack_lines, section, slack_time, with_unit
from bot.checkin.model import AskedObjective, CheckInAsk, Escalation
from bot.context import CheckInRef
from bot.cycle import previous_period
from bot.periods import month_label

MAX_OVERDUE_LINES = 8
# Text kept for the header, True North, the intro, overdue actions and the footer.
FIXED_TEXT = 2500
# The "did it work?" select's placeholder and option labels.
WORKED_OPTIONS_TEXT = 40
TOO_MANY = (
    "That is more than one person can review in a month: ask an admin to share them out "
    "(`/hoshin check` lists owners over the limit)."
)


def _month(period: str) -> str:
    return month_label(period).split()[0]


def objective_text(objective: AskedObjective, period: str, *, title_limit: int) -> str:
    """Ref and title, then the plan for the month and how last month went."""
    head = f"*{clip(objective.ref, 64)}* · {clip(objective.title, title_limit)}"
    facts = []
    if objective.metric_name:
        facts.append(clip(objective.metric_name, 40))
    if objective.plan is not None:
        facts.append(f"plan for {_month(period)}: *{with_unit(objective.plan, objective.unit)}*")
    else:
        facts.append(f"no plan for {_month(period)}")
    if objective.last_actual is not None or objective.last_status:
        last = f"{_month(previous_period(period))} actual: {with_unit(objective.last_actual, objective.unit)}"
        if objective.last_status in shared.STATUS_WORD:
            last += f" {shared.STATUS_WORD[objective.last_status]}"
        facts.append(last)
    if objective.target is not None:
        facts.append(f"target {with_unit(objective.target, objective.unit)}")
    return head + "\n" + " · ".join(facts)


def check_in_button(objective: AskedObjective, period: str) -> ButtonElement:
    return ButtonElement(
        text="Check in",
        action_id=ids.ACTION_CHECKIN_OPEN,
        value=CheckInRef(objective_id=objective.objective_id, period=period).dump(),
        style="primary",
    )


def _row(objective: AskedObjective, period: str, title_limit: int) -> Row:
    # Last month's A3 asks below the objective whether its countermeasure worked.
    a3 = objective.a3
    return Row(
        ref=objective.ref,
        text=objective_text(objective, period, title_limit=title_limit),
        button=check_in_button(objective, period),
        below=worked_section(a3, period) if a3 else None,
        extra=len(worked_text(a3)) + WORKED_OPTIONS_TEXT if a3 else 0,
    )


def objective_blocks(
    objectives: tuple[AskedObjective, ...], period: str, *, max_blocks: int, budget: int
) -> list[Block]:
    """One section with a Check in button per objective, within `max_blocks` and `budget`.

    Whatever does not fit is one closing section naming the rest by ref.
    """
    limit = shared.title_limit(len(objectives))
    return shared.fitted(
        objectives,
        lambda o: _row(o, period, limit),
        label="Check in",
        advice=TOO_MANY,
        max_blocks=max_blocks,
        budget=budget,
    )


def _objectives(objectives: tuple[AskedObjective, ...], period: str) -> shared.Objectives:
    return lambda max_blocks, budget: objective_blocks(
        objectives, period, max_blocks=max_blocks, budget=budget
    )


def _overdue_section(ask: CheckInAsk) -> SectionBlock | None:
    if not ask.overdue:
        return None
    lines = [
        f"• `{clip(a.objective_ref, 64)}` {clip(a.title, 90)} — due "
        f"{a.due:%d %b %Y}" + (" (blocked)" if a.state == "blocked" else "")
        for a in ask.overdue[:MAX_OVERDUE_LINES]
    ]
    more = len(ask.overdue) - MAX_OVERDUE_LINES
    if more > 0:
        lines.append(f"…and {more} more")
    chunks, _ = pack_lines([":warning: *Overdue actions*", *lines], budget=1500)
    return section(chunks[0])


def checkin_prompt(ask: CheckInAsk) -> Message:
    """The monthly DM: True North, each objective with its plan and last month, overdue actions."""
    month = month_label(ask.period)
    count = len(ask.objectives)
    intro = (
        f"Hi {clip(ask.owner_name, 80)}, it is time to check in for *{month}*: for each of "
        f"your {count} objective(s), the actual, how it went and what you will do about any gap."
    )
    overdue = _overdue_section(ask)
    blocks = shared.prompt(
        f"Monthly check-in · {month}",
        ask.vision,
        intro,
        _objectives(ask.objectives, ask.period),
        fixed_text=FIXED_TEXT,
        footer="Late answers are welcome. Your App Home lists your objectives; "
        "`/hoshin status` shows the whole plan.",
        after=[overdue] if overdue else [],
    )
    text = f"Monthly check-in for {month}: {count} objective(s) to check in on"
    if ask.overdue:
        text += f", {len(ask.overdue)} overdue action(s)"
    return Message(text, blocks)


def checkin_reminder(ask: CheckInAsk) -> Message:
    """The one reminder: which objectives are still open for the period, with their buttons."""
    month = month_label(ask.period)
    count = len(ask.objectives)
    intro = (
        f":bell: A reminder: your check-in for *{month}* is still open for {count} "
        "objective(s). It takes a minute each; late answers are welcome."
    )
    blocks = shared.reminder(intro, _objectives(ask.objectives, ask.period), fixed_text=FIXED_TEXT)
    return Message(f"Reminder: your check-in for {month} is open for {count} objective(s)", blocks)


def checkin_escalation(escalation: Escalation) -> Message:
    """The manager's one note: whose check-in is still open, on what, since when."""
    month = month_label(escalation.period)
    count = len(escalation.open_objectives)
    owner = f"<@{escalation.owner_user_id}>"
    intro = (
        f":hourglass: {owner} has not checked in for *{month}* on {count} objective(s), "
        f"{escalation.days} day(s) after the prompt of {slack_time(escalation.prompted_at)}. "
        "They have had a reminder; a word from you may help."
    )
    footer = (
        "You get this once a month per person. `/hoshin status @"
        f"{clip(escalation.owner_name, 60)}` shows their objectives."
    )
    text = (
        f"{clip(escalation.owner_name, 80)} has not checked in for {month} on {count} objective(s)"
    )
    return Message(text, shared.manager_note(intro, escalation.open_objectives, footer))
