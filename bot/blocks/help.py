"""The `/hoshin help` answer, generated from the registry that routes subcommands."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.blocks.common import Message, clip, escape, pack_lines
from bot.i18n import ENGLISH, Translator
from bot.i18n.commands import words_in


def help_message(
    entries: Sequence[tuple[str, str, str]],
    *,
    unknown: str | None = None,
    tr: Translator = ENGLISH,
) -> Message:
    """The help in `tr`'s language. `entries` are the registry's (usage, summary, name) in its
    order, in English (marked with `N_` where they are defined): they are translated here, and
    each subcommand's words in the reader's language are listed beside its usage.
    `unknown` is the word asked for when no subcommand has that name."""
    words = [words_in(tr.language, name) for _, _, name in entries]
    entries = [(tr.gettext(usage), tr.gettext(summary)) for usage, summary, _ in entries]
    blocks = [HeaderBlock(text=tr.gettext("Hoshin Bot: what you can ask"))]
    if unknown:
        note = tr.gettext("I don't know `/hoshin {word}`. Here is what I can do:")
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=note.format(word=clip(unknown, 64))))
        )
    lines = [
        f"`{escape(usage)}`{''.join(f' · `/hoshin {w}`' for w in local)}\n      {escape(summary)}"
        for (usage, summary), local in zip(entries, words, strict=True)
    ]
    chunks, _ = pack_lines(lines, budget=9000)
    blocks += [SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in chunks]
    private = tr.gettext("Answers to these commands are private to you unless you share them.")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=private)]))
    summary = "; ".join(usage for usage, _ in entries)
    return Message(tr.gettext("Hoshin Bot commands: {summary}").format(summary=summary), blocks)
