"""Builders for action plans: the add-an-action modal, the owner's DM, and replies to clicks."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import ids
from bot.actions.model import ActionCard, MarkOutcome, NewAction
from bot.blocks import fields
from bot.blocks.common import Message, clip, escape, shorten, slack_time
from bot.context import ActionRef, ObjectiveRef
from bot.forms import TITLE_LIMIT

STATE_ICON = {"open": ":clipboard:", "done": ":white_check_mark:", "blocked": ":no_entry:"}
STATE_WORD = {"open": "open", "done": "done", "blocked": "blocked"}
MARK_WORD = {"done": "done", "blocked": "blocked", "reopen": "reopened"}


def add_action_modal(subject: NewAction, *, title: str | None = None) -> dict:
    """The modal behind `/hoshin action REF [title]` and the Home's "Add action" button."""
    objective = subject.objective
    intro = f"*{escape(objective.ref)}* · {clip(objective.title, 200)}"
    if subject.default_owner:
        intro += f"\nOwner <@{subject.default_owner}>"
    if objective.year:
        intro += f" · FY{objective.year}"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        InputBlock(
            block_id=ids.FIELD_TITLE,
            label="What will be done",
            element=PlainTextInputElement(
                action_id=ids.FIELD_ACTION,
                max_length=TITLE_LIMIT,
                initial_value=shorten(title, TITLE_LIMIT) if title else None,
                placeholder="Hire two account executives",
            ),
        ),
        fields.owner(subject.default_owner, label="Who will do it"),
        fields.due(),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="The owner gets a DM with *Done* and *Blocked* buttons; the action "
                    f"shows under `/hoshin status {escape(objective.ref)}`."
                )
            ]
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.VIEW_ACTION,
        title="Add an action",
        submit="Add action",
        close="Cancel",
        private_metadata=ObjectiveRef(objective_id=objective.id).dump(),
        blocks=blocks,
    ).to_dict()


def _buttons(card: ActionCard) -> ActionsBlock:
    value = ActionRef(action_id=card.action_id).dump()
    done = ButtonElement(
        text="Done", action_id=ids.ACTION_ACTION_DONE, value=value, style="primary"
    )
    blocked = ButtonElement(
        text="Blocked", action_id=ids.ACTION_ACTION_BLOCKED, value=value, style="danger"
    )
    reopen = ButtonElement(text="Reopen", action_id=ids.ACTION_ACTION_REOPEN, value=value)
    elements = {
        "open": [done, blocked],
        "blocked": [done, reopen],
        "done": [reopen],
    }.get(card.state, [done, blocked])
    return ActionsBlock(block_id=ids.BLOCK_ACTION_BUTTONS, elements=elements)


def _due_line(card: ActionCard) -> str:
    if card.due is None:
        return "No due date"
    line = f":calendar: Due {card.due:%a %d %b %Y}"
    if card.state != "done" and card.due < card.today:
        line += " · :warning: *overdue*"
    return line


def _outcome_line(card: ActionCard) -> str | None:
    """Who marked the action how, and when: the DM's record of the last click."""
    if card.marked_by is None:
        return None
    when = f" {slack_time(card.marked_at)}" if card.marked_at else ""
    if card.state == "open":
        return f":arrows_counterclockwise: Reopened by <@{card.marked_by}>{when}"
    word = STATE_WORD.get(card.state, card.state).capitalize()
    return f"{STATE_ICON.get(card.state, '')} *{word}* — marked by <@{card.marked_by}>{when}"


def action_message(card: ActionCard) -> Message:
    """The owner's DM about one action; rebuilt whole after every click so it never drifts."""
    objective = f"*{escape(card.objective_ref)}* {clip(card.objective_title, 150)}"
    if card.added_by and card.added_by != card.owner:
        intro = f":clipboard: <@{card.added_by}> added an action for you to {objective}"
    else:
        intro = f":clipboard: A new action of yours for {objective}"
    title = clip(card.title, 500)
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        SectionBlock(text=MarkdownTextObject(text=f"*{title}*\n{_due_line(card)}")),
    ]
    outcome = _outcome_line(card)
    if outcome:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=outcome)]))
    blocks.append(_buttons(card))
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="You, the objective's owner or an admin can mark it. Your actions show "
                    f"under `/hoshin status {escape(card.objective_ref)}`."
                )
            ]
        )
    )
    due = f", due {card.due:%d %b %Y}" if card.due else ""
    if card.state == "open" and card.marked_by is None:
        text = f"New action for you on {card.objective_ref}: {clip(card.title, 200)}{due}"
    else:
        state = "reopened" if card.state == "open" else card.state
        text = f"Action on {card.objective_ref} {state}: {clip(card.title, 200)}{due}"
    return Message(text, blocks)


def mark_reply(outcome: MarkOutcome, *, message_updated: bool) -> str | None:
    """What to tell the clicker privately; None when the updated DM already says it all."""
    card = outcome.card
    title = f"“{clip(card.title, 200)}”"
    if outcome.changed:
        if message_updated:
            return None
        return f"Marked {title} {MARK_WORD[outcome.mark]} (on {escape(card.objective_ref)})."
    verb = "reopened" if card.state == "open" else "marked"
    by = f" — {verb} by <@{card.marked_by}>" if card.marked_by else ""
    when = f" {slack_time(card.marked_at)}" if card.marked_by and card.marked_at else ""
    state = STATE_WORD.get(card.state, card.state)
    if outcome.mark == "blocked" and card.state == "done":
        return (
            f"{title} is already done{by}{when}, so it can't be marked blocked; reopen it first "
            "if work has stopped again. Nothing was changed."
        )
    return f"{title} is already {state}{by}{when}. Nothing was changed."
