"""The `/hoshin help` answer, generated from the registry that routes subcommands."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.blocks.common import Message, escape, pack_lines


def help_message(entries: Sequence[tuple[str, str]], *, note: str | None = None) -> Message:
    """`entries` are (usage, summary) pairs, in the order the registry lists them."""
    blocks = [HeaderBlock(text="Hoshin Bot: what you can ask")]
    if note:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=note)))
    lines = [f"`{escape(usage)}`\n      {escape(summary)}" for usage, summary in entries]
    chunks, _ = pack_lines(lines, budget=9000)
    blocks += [SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in chunks]
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Answers to these commands are private to you unless you share them."
                )
            ]
        )
    )
    summary = "; ".join(usage for usage, _ in entries)
    return Message(f"Hoshin Bot commands: {summary}", blocks)
