"""What the shared builders take: plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import Block, ButtonElement


@dataclass(frozen=True)
class Row:
    """One objective of a prompt: its text and button, maybe a block below it, and `extra`
    text counted against the message's budget (that block's)."""

    ref: str
    text: str
    button: ButtonElement
    below: Block | None = None
    extra: int = 0
