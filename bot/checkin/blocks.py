"""Builders for the check-in: the modal, the receipt of a DM reply, and being away."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import forms, ids, numbers
from bot.ask.blocks import day
from bot.blocks import fields
from bot.blocks.common import (
    Message,
    clip,
    escape,
    plain_with_unit,
    shorten,
    with_unit,
)
from bot.checkin.model import AwayChange, CheckInForm, KeptReply
from bot.periods import month_label
from bot.status.blocks import HEALTH_ICON, HEALTH_LABEL
from bot.status.model import Health

STATUS_OPTIONS = (
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("off_track", "Off track"),
)


def _status_line(status: str | None) -> str:
    health = Health(status) if status else Health.NO_DATA
    return f"{HEALTH_ICON[health]} {HEALTH_LABEL[health]}"


def checkin_modal(form: CheckInForm) -> dict:
    """The check-in modal: the objective and its numbers on top, the answer's five fields below."""
    unit = form.unit
    month = month_label(form.ref.period)
    intro = f"*{clip(form.objective_ref, 64)}* · {clip(form.title, 300)}\nCheck-in for *{month}*"
    last = form.previous
    last_text = (
        f"{with_unit(last.actual, unit)} · {_status_line(last.status)}" if last else "no check-in"
    )
    facts = [
        MarkdownTextObject(text=f"*Target*\n{with_unit(form.target, unit)}"),
        MarkdownTextObject(text=f"*Plan for {month}*\n{with_unit(form.plan, unit)}"),
        MarkdownTextObject(text=f"*Last month ({month_label(form.previous_period)})*\n{last_text}"),
    ]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        SectionBlock(fields=facts),
    ]
    if form.comment:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(text=f"You replied in DM: “{clip(form.comment, 500)}”")
                ]
            )
        )
    existing = form.existing
    metric = shorten(form.metric_name, 100) if form.metric_name else None
    label = f"Actual {metric}" if metric else "Actual"
    if unit:
        label += f" ({shorten(unit, forms.UNIT_LIMIT)})"
    blocks.append(
        InputBlock(
            block_id=ids.FIELD_ACTUAL,
            label=label,
            optional=not form.metric_name,
            hint=f"This month's value; the plan is {plain_with_unit(form.plan, unit)}."
            if form.plan is not None
            else None,
            element=PlainTextInputElement(
                action_id=ids.FIELD_ACTION,
                max_length=numbers.FIELD_MAX,
                initial_value=numbers.plain(existing.actual)
                if existing and existing.actual is not None
                else None,
                placeholder="A number, like 12.5",
            ),
        )
    )
    options = [Option(value=value, label=text) for value, text in STATUS_OPTIONS]
    chosen = next((o for o in options if existing and o.value == existing.status), None)
    blocks.append(
        InputBlock(
            block_id=ids.FIELD_STATUS,
            label="Status",
            element=StaticSelectElement(
                action_id=ids.FIELD_ACTION,
                placeholder="On track, at risk or off track?",
                options=options,
                initial_option=chosen,
            ),
        )
    )
    blocks += [
        fields.long_text(
            ids.FIELD_WHAT_HAPPENED,
            "What happened",
            existing.what_happened if existing else None,
            placeholder="What moved the number this month",
        ),
        fields.long_text(
            ids.FIELD_CHALLENGES,
            "Challenges",
            existing.challenges if existing else None,
            placeholder="What stands in the way",
        ),
        fields.long_text(
            ids.FIELD_COUNTERMEASURE,
            "Countermeasure",
            existing.countermeasure if existing else None,
            placeholder="What you will do about it, by when",
            hint="Needed when the objective is at risk or off track.",
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.VIEW_CHECKIN,
        title="Edit check-in" if existing else "Check in",
        submit="Save" if existing else "Check in",
        close="Cancel",
        private_metadata=form.ref.dump(),
        blocks=blocks,
    ).to_dict()


def dm_reply_receipt(kept: KeptReply) -> Message:
    """The answer to words written back to the prompt DM."""
    month = month_label(kept.period)
    if kept.refs:
        shown = ", ".join(f"*{escape(r)}*" for r in kept.refs[:10])
        if len(kept.refs) > 10:
            shown += f" and {len(kept.refs) - 10} more"
        text = (
            f"Thanks, I kept that as your comment for {month} on {shown}; it shows in the "
            "review thread. To give the numbers, press *Check in* on my message above."
        )
    else:
        text = (
            "Thanks. I keep replies to my check-in messages as comments on the objectives you "
            f"own, but you own none for {month}, so nothing was kept."
        )
    return Message(text, [SectionBlock(text=MarkdownTextObject(text=text))])


def away_notice(person: str, until: date | None) -> Message:
    """To the manager: someone paused (or resumed) their check-in prompts."""
    if until is None:
        text = f"<@{person}> is back: their monthly check-in prompts resume."
    else:
        text = (
            f"<@{person}> is away until {day(until)}: their monthly check-in prompts are "
            "paused until then."
        )
    return Message(text, [SectionBlock(text=MarkdownTextObject(text=text))])


def away_answer(change: AwayChange) -> str:
    """The ephemeral answer to `/hoshin away …`."""
    if not change.asked:
        if change.until is None:
            return (
                "You are not away: your check-in prompts come as usual. "
                "`/hoshin away until 2027-04-15` pauses them."
            )
        return (
            f"You are away until {day(change.until)}: no check-in prompts until then. "
            "`/hoshin away off` ends it."
        )
    told = f" I told <@{change.manager}>." if change.manager and change.changed else ""
    if change.until is None:
        if not change.changed:
            return "You were not away: your check-in prompts come as usual."
        return f":wave: Welcome back: your check-in prompts resume.{told}"
    if not change.changed:
        return f"You are already away until {day(change.until)}."
    return (
        f":palm_tree: Check-in prompts paused until {day(change.until)} (inclusive).{told} "
        "`/hoshin away off` ends it early."
    )
