"""The admins' modals for breakthrough and annual objectives, and the archive confirmation."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.blocks import fields
from bot.blocks.common import Message, clip, context, escape, section, shorten
from bot.context import ObjectiveRef
from storage.models import Objective

YEARS_INPUT_MAX = 20  # "2027" or "2027-2029": a year field, not a metric's unit

DESCRIPTION_FIELD_LIMIT = 3000  # what a Slack text input holds
TITLES = {"breakthrough": "New breakthrough", "annual": "New annual objective"}
ABOUT = {
    "breakthrough": "A breakthrough objective is a big change that takes three to five years.",
    "annual": "An annual objective is this year's step towards a breakthrough, with a target "
    "and a plan for each month.",
}


def objective_modal(
    level: str,
    metadata: str,
    *,
    objective: Objective | None = None,
    owner_slack_id: str | None = None,
    breakthroughs: Sequence[Objective] = (),
    year: int | None = None,
    parent_id: int | None = None,
) -> dict:
    """Create (no `objective`) or edit a breakthrough or an annual objective."""
    o = objective
    about = ABOUT[level] if o is None else f"*{escape(o.ref)}* · {clip(o.title, 200)}"
    blocks: list[Block] = [context(about)]
    blocks.append(fields.title(o.title if o else None))
    blocks.append(_description(o.description if o else None))
    blocks.append(fields.owner(owner_slack_id))
    annual = level == "annual"
    if annual:
        blocks.append(
            _short_input(ids.FIELD_YEAR, "Fiscal year", str(year) if year else None, "2027")
        )
        blocks.append(_parent(breakthroughs, parent_id))
    else:
        span = f"{o.start_year}-{o.end_year}" if o and o.start_year and o.end_year else None
        first = year or 2027
        blocks.append(
            _short_input(
                ids.FIELD_YEARS, "Years", span, f"{first}-{first + 2}", "First and last year."
            )
        )
    blocks += fields.metric(
        name=o.metric_name if o else None,
        unit=o.metric_unit if o else None,
        baseline=o.baseline if o else None,
        target=o.target if o else None,
        higher_is_better=o.higher_is_better if o else True,
        optional=not annual,
    )
    if annual:
        blocks.append(fields.monthly_plan(o.monthly_plan if o else None, optional=True))
    if o is not None:
        blocks.append(_archive_button(o))
    title = TITLES[level] if o is None else shorten(f"Edit {o.ref}", 24)
    return View(
        type="modal",
        callback_id=ids.VIEW_OBJECTIVE,
        title=title,
        submit="Create" if o is None else "Save",
        close="Cancel",
        private_metadata=metadata,
        blocks=[b for b in blocks if b is not None],
    ).to_dict()


def _description(text: str | None) -> Block:
    if text and len(text) > DESCRIPTION_FIELD_LIMIT:
        # Prefilling a cut copy would cut the stored text on save: show it, keep it whole.
        return context(
            f"*Description* ({len(text):,} characters, longer than a Slack field "
            f"holds, so it is kept as it is): {clip(text, 400)}"
        )
    return fields.description(text)


def _short_input(
    block_id: str, label: str, initial: str | None, placeholder: str, hint: str | None = None
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        element=PlainTextInputElement(
            action_id=ids.FIELD_ACTION,
            initial_value=initial,
            placeholder=placeholder,
            max_length=YEARS_INPUT_MAX,
        ),
    )


def _parent(breakthroughs: Sequence[Objective], parent_id: int | None) -> Block:
    if not breakthroughs:
        return context(
            "No active breakthrough yet: this objective will stand on its own. "
            "`/hoshin new breakthrough` creates one."
        )
    shown = list(breakthroughs[:100])
    options = [Option(value=str(b.id), label=shorten(f"{b.ref} · {b.title}", 75)) for b in shown]
    initial = next((options[i] for i, b in enumerate(shown) if b.id == parent_id), None)
    return InputBlock(
        block_id=ids.FIELD_PARENT,
        label="Breakthrough it serves",
        optional=True,
        element=StaticSelectElement(
            action_id=ids.FIELD_ACTION,
            options=options,
            initial_option=initial,
            placeholder="Pick a breakthrough",
        ),
    )


def _archive_button(objective: Objective) -> ActionsBlock:
    return ActionsBlock(
        block_id=ids.BLOCK_OBJECTIVE_ARCHIVE,
        elements=[
            ButtonElement(
                text=shorten(f"Archive {objective.ref}", 75),
                action_id=ids.ACTION_OBJECTIVE_ARCHIVE,
                value=ObjectiveRef(objective_id=objective.id).dump(),
                style="danger",
                confirm=ConfirmObject(
                    title=shorten(f"Archive {objective.ref}?", 100),
                    text="It leaves the status and the Home, with the objectives below it. "
                    "Nothing is deleted: its history stays in the audit log.",
                    confirm="Archive",
                    deny="Keep it",
                    style="danger",
                ),
            )
        ],
    )


def archive_confirmation(objective: Objective, below: Sequence[Objective]) -> Message:
    """`/hoshin archive REF`: what archiving would take away, and the button to do it."""
    text = (
        f"Archive *{escape(objective.ref)}* {clip(objective.title, 150)}? It leaves "
        "the status and the Home; its row and history are kept."
    )
    if below:
        refs = ", ".join(f"`{escape(o.ref)}`" for o in below[:20])
        more = f" and {len(below) - 20} more" if len(below) > 20 else ""
        text += f"\nThe {len(below)} objective(s) below it are archived too: {refs}{more}."
    blocks = [section(text), _archive_button(objective)]
    return Message(f"Archive {objective.ref}?", blocks)


def archived_text(ref: str, below: Sequence[str], *, already: bool = False) -> str:
    if already:
        return f"`{ref}` was already archived; nothing changed."
    text = f":file_cabinet: Archived `{ref}`"
    if below:
        text += f" and the {len(below)} objective(s) below it"
    return text + ". Its history is kept in the audit log."


def archived_modal(ref: str, below: Sequence[str], *, already: bool = False) -> dict:
    """What the edit modal turns into once its objective is archived."""
    return View(
        type="modal",
        callback_id=ids.VIEW_OBJECTIVE,
        title=shorten(f"Archived {ref}", 24),
        close="Close",
        blocks=[section(archived_text(ref, below, already=already))],
    ).to_dict()
