"""Builders of the hansei (year-end reflection): the DM, its reminder, the manager's note, the
modal, the confirmation, and the App Home item.

The DM stays within one message's limits however many objectives someone owns: each gets its
own **Reflect** button while they fit (40 do), and the rest are named by ref.
"""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ButtonElement, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from bot import ids
from bot.ask import blocks as shared
from bot.ask.blocks import STATUS_WORD, day
from bot.ask.model import Row
from bot.blocks import fields
from bot.blocks.common import Message, clip, context, section, slack_time, with_unit
from bot.context import HanseiRef
from bot.hansei.model import HanseiAsk, HanseiDue, HanseiEscalation, HanseiForm, ReflectObjective
from bot.periods import month_label

# Text kept for the header, True North (≤ 420), the intro (≤ 650) and the footer.
FIXED_TEXT = 1600
DONE = ":white_check_mark:"
TOO_MANY = "That is more than one person can reflect on well: ask an admin to share them out."


def outcome_text(objective: ReflectObjective, *, metric_limit: int = 40) -> str:
    """Target against the latest actual of the year, with that month's status."""
    facts = []
    if objective.metric_name:
        facts.append(clip(objective.metric_name, metric_limit))
    facts.append(f"target *{with_unit(objective.target, objective.unit)}*")
    if objective.actual_period:
        latest = f"latest actual *{with_unit(objective.actual, objective.unit)}*"
        latest += f" ({month_label(objective.actual_period)})"
        if objective.status in STATUS_WORD:
            latest += f" {STATUS_WORD[objective.status]}"
        facts.append(latest)
    else:
        facts.append("no check-in this year")
    return " · ".join(facts)


def objective_text(objective: ReflectObjective, *, title_limit: int, done: bool) -> str:
    mark = f"{DONE} " if done else ""
    head = f"{mark}*{clip(objective.ref, 64)}* · {clip(objective.title, title_limit)}"
    return head + "\n" + outcome_text(objective, metric_limit=40 if title_limit > 60 else 24)


def reflect_button(objective: ReflectObjective, year: int, *, done: bool, home: bool = False):
    return ButtonElement(
        text="Edit" if done else "Reflect",
        action_id=ids.ACTION_HANSEI_OPEN,
        value=HanseiRef(
            objective_id=objective.objective_id, year=year, home=True if home else None
        ).dump(),
        style=None if done else "primary",
    )


def objective_blocks(
    objectives: tuple[ReflectObjective, ...],
    year: int,
    done: frozenset[int],
    *,
    max_blocks: int,
    budget: int,
) -> list[Block]:
    """One section with a Reflect button per objective within `max_blocks` and `budget`; the
    rest named by ref in one closing section."""
    limit = shared.title_limit(len(objectives))
    return shared.fitted(
        objectives,
        lambda o: Row(
            ref=o.ref,
            text=objective_text(o, title_limit=limit, done=o.objective_id in done),
            button=reflect_button(o, year, done=o.objective_id in done),
        ),
        label="Reflect",
        advice=TOO_MANY,
        max_blocks=max_blocks,
        budget=budget,
    )


def _objectives(
    objectives: tuple[ReflectObjective, ...], year: int, done: frozenset[int]
) -> shared.Objectives:
    return lambda max_blocks, budget: objective_blocks(
        objectives, year, done, max_blocks=max_blocks, budget=budget
    )


def hansei_prompt(ask: HanseiAsk) -> Message:
    """The year-end DM: True North, each objective's target vs latest actual, Reflect buttons."""
    count, done = len(ask.objectives), len(ask.done)
    intro = (
        f"Hi {clip(ask.owner_name, 80)}, FY{ask.year} ends on {day(ask.year_end)}. "
        f"Please look back on each of your {count} objective(s): what went well, what did not, "
        "why, what you learned, and what carries into next year. Your answers go into the "
        "annual reflection that leadership reads."
    )
    if done:
        intro += f"\n*{done} of {count} done*" + (" — thank you! :tada:" if done >= count else "")
    blocks = shared.prompt(
        f"Year-end reflection · FY{ask.year}",
        ask.vision,
        intro,
        _objectives(ask.objectives, ask.year, ask.done),
        fixed_text=FIXED_TEXT,
        footer=f"Answers are taken until {slack_time(ask.closes_at)}; you can edit "
        "yours until then. Your App Home lists what is still open.",
    )
    text = f"Year-end reflection for FY{ask.year}: {count} objective(s) to look back on"
    if done:
        text += f", {done} done"
    return Message(text, blocks)


def hansei_reminder(ask: HanseiAsk) -> Message:
    """The one reminder: the objectives still without a reflection, with their buttons."""
    still = ask.still_open
    intro = (
        f":bell: A reminder: your year-end reflection on FY{ask.year} is still open for "
        f"{len(still)} objective(s). A few sentences each are enough; answers are taken "
        f"until {slack_time(ask.closes_at)}."
    )
    blocks = shared.reminder(
        intro, _objectives(still, ask.year, frozenset()), fixed_text=FIXED_TEXT
    )
    text = (
        f"Reminder: your year-end reflection on FY{ask.year} is open for {len(still)} objective(s)"
    )
    return Message(text, blocks)


def hansei_escalation(escalation: HanseiEscalation) -> Message:
    """The manager's one note: whose reflection is still open, on what, since when."""
    count = len(escalation.open_objectives)
    owner = f"<@{escalation.owner_user_id}>"
    text = (
        f":hourglass: {owner} has not written their year-end reflection on FY{escalation.year} "
        f"for {count} objective(s), {escalation.days} day(s) after the prompt of "
        f"{slack_time(escalation.prompted_at)}."
    )
    if escalation.away_until:
        text += f" They are away until {day(escalation.away_until)}."
    else:
        text += " A word from you may help."
    footer = (
        f"You get this once a year per person. Answers are taken until "
        f"{slack_time(escalation.closes_at)}."
    )
    fallback = (
        f"{clip(escalation.owner_name, 80)} has not written their year-end reflection on "
        f"FY{escalation.year} for {count} objective(s)"
    )
    return Message(fallback, shared.manager_note(text, escalation.open_objectives, footer))


def hansei_receipt(ask: HanseiAsk, ref: str) -> Message:
    """A private confirmation, when there is no DM to update."""
    still = ask.still_open
    text = (
        f"{DONE} Thanks, your reflection on *{clip(ref, 64)}* for FY{ask.year} is "
        f"saved: {len(ask.done)} of {len(ask.objectives)} done."
    )
    if still:
        shown = ", ".join(f"*{clip(o.ref, 64)}*" for o in still[:10])
        if len(still) > 10:
            shown += f" and {len(still) - 10} more"
        text += f" Still open: {shown} (your App Home has their Reflect buttons)."
    return Message(text, [section(text)])


def hansei_modal(form: HanseiForm) -> dict:
    """The hansei modal: the objective and how its year ended on top, the five questions below."""
    year = form.ref.year
    intro = (
        f"*{clip(form.objective_ref, 64)}* · {clip(form.title, 300)}\n"
        f"Year-end reflection on *FY{year}*"
    )
    latest = "no check-in this year"
    if form.actual_period:
        latest = f"{with_unit(form.actual, form.unit)} ({month_label(form.actual_period)})"
    facts = [
        MarkdownTextObject(text=f"*Target*\n{with_unit(form.target, form.unit)}"),
        MarkdownTextObject(text=f"*Latest actual*\n{latest}"),
    ]
    existing = form.existing
    blocks: list[Block] = [
        section(intro),
        SectionBlock(fields=facts),
        fields.long_text(
            ids.FIELD_WENT_WELL,
            "What went well",
            existing.went_well if existing else None,
            placeholder="What worked this year, and why",
            optional=False,
        ),
        fields.long_text(
            ids.FIELD_WENT_BADLY,
            "What did not go well",
            existing.went_badly if existing else None,
            placeholder="Where the year fell short of the plan",
            optional=False,
        ),
        fields.long_text(
            ids.FIELD_ROOT_CAUSES,
            "Why (root causes)",
            existing.root_causes if existing else None,
            placeholder="Ask why until you reach a cause you can act on",
            optional=True,
        ),
        fields.long_text(
            ids.FIELD_LEARNED,
            "What we learned",
            existing.learned if existing else None,
            placeholder="What you would tell someone starting this next year",
            optional=True,
        ),
        fields.long_text(
            ids.FIELD_CARRY_OVER,
            "What carries into next year",
            existing.carry_over if existing else None,
            placeholder="Objectives, targets or changes for next year's plan",
            optional=True,
        ),
        context(
            f"Answers are taken until {slack_time(form.closes_at)}; "
            "you can edit this one until then."
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.VIEW_HANSEI,
        title="Edit reflection" if existing else "Year-end reflection",
        submit="Save",
        close="Cancel",
        private_metadata=form.ref.dump(),
        blocks=blocks,
    ).to_dict()


def home_hansei_blocks(due: list[HanseiDue]) -> list[Block]:
    """The App Home's "Year-end reflection" item for the newest open year: a line, then one
    Reflect button per open objective (at most `HOME_SHOWN`); the DM has them all."""
    if not due:
        return []
    item = due[0]
    text = (
        f":memo: *Year-end reflection · FY{item.year}*\n{item.open_total} objective(s) still "
        f"to reflect on ({item.done} done), until {slack_time(item.closes_at)}."
    )
    if item.open_total > len(item.open_objectives):
        text += " The DM from Hoshin Bot lists them all."
    blocks: list[Block] = [section(text)]
    for objective in item.open_objectives:
        line = f"*{clip(objective.ref, 64)}* · {clip(objective.title, 90)}"
        line += "\n" + outcome_text(objective)
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=line),
                accessory=reflect_button(objective, item.year, done=False, home=True),
            )
        )
    return blocks
