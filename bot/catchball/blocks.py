"""Catchball's modals and messages: the proposal, the decision DM and its outcome, the notices."""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import forms, ids, numbers
from bot.blocks import fields
from bot.blocks.common import (
    Message,
    clip,
    context,
    escape,
    number,
    quote,
    section,
    shorten,
    slack_time,
    with_unit,
)
from bot.catchball.model import (
    DESCRIPTION_FIELD_LIMIT,
    FIELD_NAMES,
    NOTE_LIMIT,
    DecisionContext,
    Move,
    ProposeForm,
    RoundKind,
    RoundView,
)
from bot.context import RoundRef
from storage.models import CatchballDecision as Decision

DESCRIPTION_SHOWN = 600
NOTE_SHOWN = 1500
TITLE_SHOWN = 150

# ---- modals ---------------------------------------------------------------------------------


def propose_modal(form: ProposeForm) -> dict:
    """The proposal: every field of the objective, prefilled for a change or a revision."""
    initial = form.initial
    parent = form.parent
    where = f"*{parent.ref}* {clip(parent.title, TITLE_SHOWN)}"
    if parent.target is not None:
        where += f" · target {with_unit(parent.target, parent.metric_unit)}"
    if form.mode == "new":
        intro = (
            f"A new objective cascaded from {where} (FY{parent.year}). It goes to "
            f"<@{form.approver}>, who owns {parent.ref}; an owner other than you is asked first."
        )
    elif form.mode == "change":
        intro = (
            f"A change to *{form.ref}*, cascaded from {where}. It keeps its current values "
            f"until the change is agreed with <@{form.approver}>."
        )
    else:
        intro = f"Revising the proposal for *{form.ref}*, cascaded from {where}."
        if form.asked:
            intro += f"\n<@{form.asked_by}> asked:\n" + quote(form.asked, NOTE_SHOWN)
    description = initial.description if initial else None
    too_long = len(description or "") > DESCRIPTION_FIELD_LIMIT
    blocks: list[Block] = [
        section(shorten(intro, 2900)),
        fields.title(initial.title if initial else None),
        fields.owner(initial.owner if initial else form.default_owner),
        *fields.metric(
            name=initial.metric_name if initial else None,
            unit=initial.metric_unit if initial else None,
            baseline=initial.baseline if initial else None,
            target=initial.target if initial else None,
            higher_is_better=initial.higher_is_better if initial else True,
        ),
        fields.monthly_plan(initial.monthly_plan if initial else None),
        _description_too_long(len(description)) if too_long else fields.description(description),
    ]
    blocks.append(
        InputBlock(
            block_id=ids.FIELD_NOTE,
            label="Note for the approver",
            optional=True,
            hint="Why this objective, why this target: it travels with this round.",
            element=PlainTextInputElement(
                action_id=ids.FIELD_ACTION, multiline=True, max_length=NOTE_LIMIT
            ),
        )
    )
    title = {
        "new": "Propose objective",
        "change": "Propose a change",
        "revision": "Revise proposal",
    }
    return View(
        type="modal",
        callback_id=ids.VIEW_PROPOSE,
        title=title[form.mode],
        submit="Send proposal",
        close="Cancel",
        private_metadata=form.context.dump(),
        blocks=blocks,
    ).to_dict()


def counter_modal(view: RoundView) -> dict:
    """The proposed owner's counter: a different title, target or plan, and why."""
    p = view.proposal
    intro = (
        f"<@{view.proposer}> proposes *{view.ref}* (round {view.round_no}) with a target of "
        f"{with_unit(p.target, p.metric_unit)}. Change what you can commit to; your "
        f"counter-proposal goes to <@{view.approver}>."
    )
    blocks: list[Block] = [
        section(intro),
        fields.title(p.title),
        InputBlock(
            block_id=ids.FIELD_TARGET,
            label=f"Target ({shorten(p.metric_unit, forms.UNIT_LIMIT)})"
            if p.metric_unit
            else "Target",
            element=PlainTextInputElement(
                action_id=ids.FIELD_ACTION,
                initial_value=None if p.target is None else numbers.plain(p.target),
                max_length=numbers.FIELD_MAX,
                placeholder="Where it should be at year end",
            ),
        ),
        fields.monthly_plan(p.monthly_plan),
        fields.reason(label="Why this counter-proposal?"),
    ]
    return View(
        type="modal",
        callback_id=ids.VIEW_COUNTER,
        title="Counter-propose",
        submit="Send counter",
        close="Cancel",
        private_metadata=RoundRef(round_id=view.round_id).dump(),
        blocks=blocks,
    ).to_dict()


def reason_modal(view: RoundView, move: Move) -> dict:
    """Asking for changes or rejecting needs a reason, which the proposer will read."""
    changes = move == Move.REQUEST_CHANGES
    what = "ask for changes to" if changes else "reject"
    intro = (
        f"You {what} *{view.ref}* {clip(view.proposal.title, TITLE_SHOWN)} "
        f"(round {view.round_no}), proposed by <@{view.proposer}>, who will read your reason."
    )
    return View(
        type="modal",
        callback_id=ids.VIEW_DECISION_REASON,
        title="Request changes" if changes else "Reject proposal",
        submit="Send" if changes else "Reject",
        close="Cancel",
        private_metadata=DecisionContext(round_id=view.round_id, move=move.value).dump(),
        blocks=[
            section(intro),
            fields.reason(label="What should change?" if changes else "Why reject it?"),
        ],
    ).to_dict()


# ---- the decision DM --------------------------------------------------------------------------


def decision_message(view: RoundView) -> Message:
    """The round for its decider: buttons while pending, the outcome once answered."""
    p = view.proposal
    if view.kind == RoundKind.ANSWER:
        ask = f"for <@{p.owner}>: accept it, or counter-propose what you can commit to."
    else:
        ask = f"under *{view.parent_ref}*: approve it, ask for changes, or reject it."
    what = f"a change to *{view.ref}*" if view.is_change else f"*{view.ref}*"
    blocks: list[Block] = [
        HeaderBlock(text=shorten(f"{_label(view)} · round {view.round_no}", 150)),
        section(f"<@{view.proposer}> proposes {what} {ask}"),
        *proposal_blocks(view),
    ]
    if view.decision == Decision.PENDING:
        value = RoundRef(round_id=view.round_id).dump()
        if view.kind == RoundKind.ANSWER:
            buttons = [
                _button("Accept", ids.ACTION_CATCHBALL_ACCEPT, value, "primary"),
                _button("Counter-propose", ids.ACTION_CATCHBALL_COUNTER, value),
            ]
        else:
            buttons = [
                _button("Approve", ids.ACTION_CATCHBALL_APPROVE, value, "primary"),
                _button("Request changes", ids.ACTION_CATCHBALL_REQUEST_CHANGES, value),
                _button("Reject", ids.ACTION_CATCHBALL_REJECT, value, "danger"),
            ]
        blocks.append(ActionsBlock(block_id=ids.BLOCK_CATCHBALL_ACTIONS, elements=buttons))
    else:
        blocks.extend(_outcome_blocks(view))
    text = f"{_label(view)} (round {view.round_no}) from <@{view.proposer}>: {clip(p.title, 200)}"
    if view.decision != Decision.PENDING:
        text = f"{text} — {_plain(_outcome_line(view))}"
    return Message(text, blocks)


def proposal_blocks(view: RoundView) -> list[Block]:
    """The proposed objective, its parent, what changed since the round before, and the note."""
    p = view.proposal
    unit = p.metric_unit
    metric = escape(p.metric_name or "–") + (f" ({escape(unit)})" if unit else "")
    direction = "higher is better" if p.higher_is_better else "lower is better"
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(text=f"*{clip(p.title, 200)}*"),
            fields=[
                MarkdownTextObject(text=f"*Owner*\n<@{p.owner}>"),
                MarkdownTextObject(text=f"*Metric*\n{shorten(metric, 200)}"),
                MarkdownTextObject(
                    text=f"*Baseline → target*\n{with_unit(p.baseline, unit)} → "
                    f"{with_unit(p.target, unit)}, {direction}"
                ),
                MarkdownTextObject(text=f"*Fiscal year*\nFY{view.year}"),
                MarkdownTextObject(text=f"*Monthly plan*\n{_plan(p.monthly_plan)}"),
            ],
        )
    ]
    if p.description:
        text = clip(p.description, DESCRIPTION_SHOWN)
        if len(p.description) > DESCRIPTION_SHOWN:
            text += f" _(shortened here; all {len(p.description):,} characters are kept)_"
        blocks.append(section(f"*Description*\n{text}"))
    parent = f"Cascaded from *{view.parent_ref}* {clip(view.parent_title, 150)}"
    if view.parent_target is not None:
        parent += f" · target {with_unit(view.parent_target, view.parent_unit)}"
    blocks.append(context(parent))
    if view.diff:
        since = (
            f"since round {view.compared_with}"
            if view.compared_with
            else f"to {view.ref} as it stands"
        )
        lines = [
            f"• {FIELD_NAMES.get(k, k)}: {_value(k, a)} → {_value(k, b)}"
            for k, (a, b) in view.diff.items()
        ]
        text = shorten(f"*Changes {since}*\n" + "\n".join(lines), 2900)
        blocks.append(section(text))
    elif view.diff == {} and view.compared_with:
        blocks.append(context(f"Unchanged since round {view.compared_with}."))
    if view.note:
        blocks.append(section(_quote(f"Note from <@{view.proposer}>", view.note)))
    return blocks


# ---- what the proposer hears ------------------------------------------------------------------


def receipt_message(view: RoundView) -> Message:
    """Right after proposing: where the proposal went (or that it needed nobody's approval)."""
    title = clip(view.proposal.title, TITLE_SHOWN)
    if view.decision == Decision.APPROVED and view.decided_by == view.proposer:
        what = (
            f"Your change to *{view.ref}* applies"
            if view.is_change
            else f"*{view.ref}* {title} is active"
        )
        text = (
            f":white_check_mark: {what} now: you own {view.parent_ref}, so nobody else had to "
            "agree."
        )
    else:
        how = (
            "who is asked to accept it or counter-propose"
            if view.kind == RoundKind.ANSWER
            else "for approval"
        )
        text = (
            f":outbox_tray: Sent {_what(view)} *{title}* (round {view.round_no}) to "
            f"<@{view.decider}>, {how}. You'll hear here when they answer."
        )
    return Message(text, [section(text)])


def notice_message(view: RoundView) -> Message:
    """How the round was answered, for its proposer; "changes requested" carries Revise."""
    by, when = f"<@{view.decided_by}>", slack_time(view.decided_at)
    title = clip(view.proposal.title, TITLE_SHOWN)
    subject = f"your change to *{view.ref}*" if view.is_change else f"*{view.ref}* {title}"
    if view.decision == Decision.APPROVED:
        verb = "accepted" if view.kind == RoundKind.ANSWER else "approved"
        after = (
            "It applies now."
            if view.is_change
            else "It's active now: it shows in `/hoshin status` and gets monthly check-ins."
        )
        text = f":white_check_mark: {by} {verb} {subject} {when}. {after}"
    elif view.decision == Decision.REJECTED:
        after = f" {view.ref} stays as it was." if view.is_change else ""
        text = f":x: {by} rejected {subject} {when}.{after}"
    elif view.decision == Decision.CHANGES_REQUESTED:
        text = f":pencil2: {by} asks for changes to {subject} (round {view.round_no}) {when}."
    else:
        verb = "accepted" if view.decision == Decision.ACCEPTED else "counter-proposed on"
        text = (
            f":leftwards_arrow_with_hook: {by} {verb} {subject} {when}; round "
            f"{view.successor_no} is now with <@{view.successor_decider}>."
        )
    blocks: list[Block] = [section(text)]
    if view.reason:
        blocks.append(section(_quote("Reason", view.reason)))
    if view.decision == Decision.CHANGES_REQUESTED:
        blocks.append(
            ActionsBlock(
                block_id=ids.BLOCK_CATCHBALL_ACTIONS,
                elements=[
                    _button(
                        "Revise",
                        ids.ACTION_CATCHBALL_REVISE,
                        RoundRef(round_id=view.round_id).dump(),
                        "primary",
                    )
                ],
            )
        )
    reason = f" Reason: {clip(view.reason, NOTE_SHOWN)}" if view.reason else ""
    return Message(_plain(text) + reason, blocks)


def revised_notice(view: RoundView) -> Message:
    """The "changes requested" message once revised: its Revise button gives way to the news."""
    text = (
        f":leftwards_arrow_with_hook: You revised *{view.ref}*: round {view.round_no} is with "
        f"<@{view.decider}>."
    )
    return Message(text, [section(text)])


def undelivered_message(view: RoundView, error: str | None = None) -> Message:
    """For the proposer, when the round's decider can't be reached in Slack."""
    why = f"Slack said `{error}`" if error else "Slack can't reach them"
    text = (
        f":warning: I couldn't send round {view.round_no} of *{view.ref}* to <@{view.decider}> "
        f"({why}). Ask an admin to help, or revise it for someone else."
    )
    return Message(text, [section(text)])


# ---- pieces ---------------------------------------------------------------------------------


def _label(view: RoundView) -> str:
    return f"Change to {view.ref}" if view.is_change else f"Proposal {view.ref}"


def _what(view: RoundView) -> str:
    return f"your change to {view.ref}" if view.is_change else f"your proposal {view.ref}"


def _outcome_line(view: RoundView) -> str:
    by, when = f"<@{view.decided_by}>", slack_time(view.decided_at)
    after = (
        f" Round {view.successor_no} is with <@{view.successor_decider}>."
        if view.successor_no
        else ""
    )
    if view.decision == Decision.APPROVED:
        verb = "Accepted" if view.kind == RoundKind.ANSWER else "Approved"
        applies = "The change applies now." if view.is_change else f"{view.ref} is active now."
        return f":white_check_mark: {verb} by {by} {when}. {applies}"
    if view.decision == Decision.ACCEPTED:
        return f":ballot_box_with_check: Accepted by {by} {when}.{after}"
    if view.decision == Decision.COUNTERED:
        return f":leftwards_arrow_with_hook: Counter-proposed by {by} {when}.{after}"
    if view.decision == Decision.CHANGES_REQUESTED:
        if view.successor_no:
            after = f" Superseded by the revised round {view.successor_no}, with <@{view.successor_decider}>."
        return f":pencil2: Changes requested by {by} {when}.{after}"
    if view.decision == Decision.REJECTED:
        return f":x: Rejected by {by} {when}."
    return f":arrows_counterclockwise: Superseded {when}: {by} revised it.{after}"


def _outcome_blocks(view: RoundView) -> list[Block]:
    blocks: list[Block] = [context(_outcome_line(view))]
    if view.reason and view.decision != Decision.COUNTERED:  # a counter's reason is its note
        blocks.append(section(_quote("Reason", view.reason)))
    return blocks


def _description_too_long(length: int) -> InputBlock:
    """Left empty: a Slack text field holds less, and prefilling it would cut the text."""
    return InputBlock(
        block_id=ids.FIELD_DESCRIPTION,
        label="Description",
        optional=True,
        hint=f"The current description ({length:,} characters) is longer than this field "
        "holds; it is kept unless you type a new one.",
        element=PlainTextInputElement(action_id=ids.FIELD_ACTION, multiline=True),
    )


def _button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=text, action_id=action_id, value=value, style=style)


def _quote(label: str, text: str) -> str:
    return f"*{label}:*\n" + quote(text, NOTE_SHOWN)


def _plan(plan: tuple[float, ...] | None) -> str:
    return " · ".join(number(v) for v in plan) if plan else "–"


def _value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if key == "owner":
        return f"<@{value}>"
    if key == "monthly_plan" and isinstance(value, list | tuple):
        return _plan(tuple(value))
    if isinstance(value, int | float):
        return number(value)
    if key == "direction":
        return f"{value} is better"
    return clip(str(value), 120)


def _plain(text: str) -> str:
    """A text fallback without Slack's date tokens, which notifications don't render."""
    return re.sub(r"<!date\^[^|>]*\|([^>]*)>", r"\1", text)
