"""Builders of True North (Hoshin step 1): the vision and values, and the admins' edit modal."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    HeaderBlock,
    InputBlock,
    PlainTextInputElement,
)
from slack_sdk.models.views import View

from bot import forms, ids
from bot.blocks.common import Message, clip, context, quote, section, shorten

NO_VISION = "No vision has been written down yet."


def true_north_blocks(vision: str | None, values: Sequence[str]) -> list[Block]:
    """The vision as a quote, the values on one line below it."""
    text = quote(vision, 2500) if vision else NO_VISION
    blocks: list[Block] = [section(text)]
    if values:
        shown = " · ".join(clip(v, forms.VALUE_LIMIT) for v in values[: forms.VALUES_MAX])
        blocks.append(context(shorten(f"*Values:* {shown}", 2900)))
    return blocks


def vision_message(vision: str | None, values: Sequence[str], *, can_edit: bool) -> Message:
    """`/hoshin vision`: True North for anyone; admins get an Edit button."""
    blocks: list[Block] = [HeaderBlock(text="True North"), *true_north_blocks(vision, values)]
    if can_edit:
        blocks.append(
            ActionsBlock(
                block_id=ids.BLOCK_VISION_ACTIONS,
                elements=[ButtonElement(text="Edit", action_id=ids.ACTION_HOME_EDIT_VISION)],
            )
        )
    else:
        blocks.append(context("Admins keep the vision and values current."))
    fallback = f"True North: {clip(vision, 2000)}" if vision else NO_VISION
    if values:
        fallback += " Values: " + "; ".join(
            clip(v, forms.VALUE_LIMIT) for v in values[: forms.VALUES_MAX]
        )
    return Message(fallback, blocks)


def vision_modal(vision: str | None, values: Sequence[str]) -> dict:
    """The admins' modal: the vision in one field, the values one per line in another."""
    values_text = "\n".join(values)
    hint = "Where the organisation is heading in the long run: its True North."
    if vision and len(vision) > forms.VISION_LIMIT:
        hint = (
            f"The stored vision has {len(vision):,} characters and a Slack field holds "
            f"{forms.VISION_LIMIT:,}, so it is shortened here; saving stores what the field holds."
        )
    blocks = [
        InputBlock(
            block_id=ids.FIELD_VISION,
            label="Vision",
            hint=hint,
            element=PlainTextInputElement(
                action_id=ids.FIELD_ACTION,
                multiline=True,
                max_length=forms.VISION_LIMIT,
                initial_value=shorten(vision, forms.VISION_LIMIT) if vision else None,
            ),
        ),
        InputBlock(
            block_id=ids.FIELD_VALUES,
            label="Values",
            optional=True,
            hint=f"One value per line, at most {forms.VALUES_MAX}.",
            element=PlainTextInputElement(
                action_id=ids.FIELD_ACTION,
                multiline=True,
                max_length=3000,
                initial_value=shorten(values_text, 3000) if values_text else None,
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.VIEW_VISION,
        title="Vision and values",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    ).to_dict()
