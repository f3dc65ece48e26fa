"""Builders for the countermeasure A3: the owner's DM, the modal, and next month's "did it work?"."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.a3.model import A3Card, A3Form, WorkedAnswer
from bot.blocks import fields
from bot.blocks.common import Message, clip, escape
from bot.blocks.localized import period_label
from bot.context import A3Ref, A3WorkedRef
from bot.cycle import previous_period
from bot.i18n import ENGLISH, N_, Translator
from bot.periods import month_label
from storage.a3 import A3Row

WORKED_OPTIONS = (("yes", "Yes"), ("partly", "Partly"), ("no", "No"))
WORKED_WORD = {
    "yes": N_("it worked"),
    "partly": N_("it partly worked"),
    "no": N_("it did not work"),
}


def _months(period: str) -> str:
    return f"{month_label(previous_period(period))} and {month_label(period)}"


def _objective(card: A3Card) -> str:
    return f"*{clip(card.objective_ref, 64)}* {clip(card.objective_title, 150)}"


def a3_button(a3_id: int, *, written: bool) -> ButtonElement:
    return ButtonElement(
        text="Edit the A3" if written else "Write the A3",
        action_id=ids.ACTION_A3_OPEN,
        value=A3Ref(a3_id=a3_id).dump(),
        style=None if written else "primary",
    )


def a3_summary(card: A3Card) -> str:
    """The written A3 in a few lines (the DM once written)."""
    lines = [
        f"*Problem* {clip(card.problem, 600)}",
        f"*Root cause* {clip(card.root_cause, 600)}",
        f"*Countermeasure* {clip(card.countermeasure, 600)}",
    ]
    owner = f"<@{card.action_owner}>" if card.action_owner else "–"
    due = f"{card.due:%a %d %b %Y}" if card.due else "–"
    lines.append(f"*Owner* {owner} · *Due* {due}")
    return "\n".join(lines)


def a3_request(card: A3Card) -> Message:
    """The owner's DM: off track two months running, please write a short A3 (or: here it is)."""
    head = (
        f":rotating_light: {_objective(card)} has been *off track two months running* "
        f"({_months(card.period)})."
    )
    if card.written:
        body = f"{head}\n:memo: The A3 is written:\n{a3_summary(card)}"
        note = "Next month's check-in asks whether the countermeasure worked."
        text = f"A3 for {card.objective_ref} ({month_label(card.period)}) written"
    else:
        body = (
            f"{head}\nA short A3 helps the team see what is going on: the problem, its root "
            "cause, the countermeasure, who owns it and by when."
        )
        note = "Next month's check-in will ask whether the countermeasure worked."
        text = (
            f"{card.objective_ref} has been off track two months running: please write a short A3"
        )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=body)),
        ActionsBlock(
            block_id=ids.BLOCK_A3_ACTIONS, elements=[a3_button(card.a3_id, written=card.written)]
        ),
        ContextBlock(elements=[MarkdownTextObject(text=note)]),
    ]
    return Message(text, blocks)


def a3_modal(form: A3Form) -> dict:
    """The A3 modal: problem, root cause, countermeasure, its owner and due date."""
    card = form.card
    intro = (
        f"{_objective(card)}\nOff track in *{month_label(form.previous_period)}* and "
        f"*{month_label(card.period)}*. Keep it short: a few lines each."
    )
    countermeasure = card.countermeasure or form.suggested_countermeasure
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        fields.long_text(
            ids.FIELD_PROBLEM,
            "Problem",
            card.problem,
            placeholder="What is off, by how much, since when",
            optional=False,
        ),
        fields.long_text(
            ids.FIELD_ROOT_CAUSE,
            "Root cause",
            card.root_cause,
            placeholder="Why it happens (ask why 5×)",
            optional=False,
        ),
        fields.long_text(
            ids.FIELD_COUNTERMEASURE,
            "Countermeasure",
            countermeasure,
            placeholder="What will be done about the root cause",
            optional=False,
        ),
        InputBlock(
            block_id=ids.FIELD_A3_OWNER,
            label="Owner of the countermeasure",
            element=UserSelectElement(
                action_id=ids.FIELD_ACTION,
                initial_user=card.action_owner or card.owner_user_id,
                placeholder="Pick a person",
            ),
        ),
        InputBlock(
            block_id=ids.FIELD_DUE,
            label="Due date",
            element=DatePickerElement(
                action_id=ids.FIELD_ACTION,
                initial_date=card.due.isoformat() if card.due else None,
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.VIEW_A3,
        title="Edit the A3" if card.written else "A3 countermeasure",
        submit="Save",
        close="Cancel",
        private_metadata=A3Ref(a3_id=card.a3_id).dump(),
        blocks=blocks,
    ).to_dict()


# ---- did it work? -------------------------------------------------------------------------------


def worked_text(a3: A3Row) -> str:
    due = f" (due {a3.due:%d %b})" if a3.due else ""
    text = (
        f":memo: *Did it work?* Your A3 of {month_label(a3.period)} set the countermeasure: "
        f"“{clip(a3.countermeasure, 300)}”{due}"
    )
    if a3.worked in WORKED_WORD:
        text += f"\nYou said {WORKED_WORD[a3.worked]}."
    return text


def worked_select(a3: A3Row, period: str) -> StaticSelectElement:
    options = [
        Option(value=A3WorkedRef(a3_id=a3.id, period=period, worked=v).dump(), label=label)
        for v, label in WORKED_OPTIONS
    ]
    chosen = next(
        (o for o, (v, _) in zip(options, WORKED_OPTIONS, strict=True) if v == a3.worked), None
    )
    return StaticSelectElement(
        action_id=ids.ACTION_A3_WORKED,
        placeholder="Did it work?",
        options=options,
        initial_option=chosen,
    )


def worked_section(a3: A3Row, period: str) -> SectionBlock:
    """Below an objective of the prompt: the A3's countermeasure, and a Yes / Partly / No select."""
    return SectionBlock(
        text=MarkdownTextObject(text=worked_text(a3)), accessory=worked_select(a3, period)
    )


def worked_reply(answer: WorkedAnswer) -> str:
    """The private confirmation of a "did it work?" answer."""
    word = WORKED_WORD.get(answer.worked, answer.worked)
    ref = escape(answer.objective_ref)
    if not answer.changed:
        return f"Already noted: on *{ref}*, {word}. Nothing was changed."
    return (
        f":white_check_mark: Noted: on *{ref}*, {word}. It shows under `/hoshin status {ref}`; "
        "pick again to change it."
    )


def a3_status_line(a3: A3Row, tr: Translator = ENGLISH) -> str:
    """One A3 in the `/hoshin status REF` drill-down, in `tr`'s language."""
    month = period_label(a3.period, tr)
    if not a3.submitted:
        return tr.gettext(":memo: {month}: A3 asked, not written yet").format(month=month)
    line = tr.gettext(":memo: {month}: “{countermeasure}”").format(
        month=month, countermeasure=clip(a3.countermeasure, 200)
    )
    if a3.due:
        line += " · " + tr.gettext("due {date}").format(date=a3.due.isoformat())
    if a3.worked in WORKED_WORD:
        line += f" · {tr.gettext(WORKED_WORD[a3.worked])}"
    return line
