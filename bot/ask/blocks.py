"""The pieces every prompt's builders share: objectives with their buttons within one message's
limits, the rest named by ref; True North; the manager's note; the modal's long answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Protocol, TypeVar

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.ask.model import Row
from bot.blocks.common import (
    HEADER_LIMIT,
    MESSAGE_BLOCK_LIMIT,
    MESSAGE_TEXT_BUDGET,
    clip,
    context,
    pack_lines,
    section,
    shorten,
)

STATUS_WORD = {
    "on_track": ":large_green_circle: on track",
    "at_risk": ":large_yellow_circle: at risk",
    "off_track": ":red_circle: off track",
}
# Text kept for the closing summary of objectives that did not fit.
SUMMARY_TEXT = 1000
# The objectives' blocks of a DM within (at most this many blocks, this much text).
Objectives = Callable[[int, int], list[Block]]


class _Asked(Protocol):
    @property
    def ref(self) -> str: ...


Asked = TypeVar("Asked", bound=_Asked)


def day(when: date) -> str:
    return when.strftime("%a %d %b %Y")


def title_limit(count: int) -> int:
    """How much of each title a prompt of `count` objectives shows."""
    return 150 if count <= 10 else 90 if count <= 25 else 60


def fitted(
    objectives: Sequence[Asked],
    row: Callable[[Asked], Row],
    *,
    label: str,
    advice: str,
    max_blocks: int,
    budget: int,
) -> list[Block]:
    """One section with its button per objective (`row` builds it, and the block below it),
    within `max_blocks` and `budget`; whatever does not fit is one closing section naming the
    rest by ref, with `advice`. Rows are built only while they fit. `label`: the button text
    counted against the budget."""
    count = len(objectives)
    blocks: list[Block] = []
    used = 0
    for i, objective in enumerate(objectives):
        built = row(objective)
        size = 2 if built.below else 1
        last = i == count - 1
        # Room for this one, and (unless it is the last) for the summary that may follow it.
        fits = (
            len(blocks) + size + (0 if last else 1) <= max_blocks
            and used + len(built.text) + built.extra + (0 if last else SUMMARY_TEXT) <= budget
        )
        if not fits:
            blocks.append(_summary([o.ref for o in objectives[i:]], advice))
            break
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=built.text), accessory=built.button)
        )
        if built.below:
            blocks.append(built.below)
        used += len(built.text) + len(label) + built.extra
    return blocks


def prompt(
    header: str,
    true_north: str | None,
    intro: str,
    objectives: Objectives,
    *,
    fixed_text: int,
    footer: str,
    after: Sequence[Block] = (),
) -> list[Block]:
    """A prompt DM: the header, True North, the intro, the objectives in the room the rest
    leaves (`fixed_text`: the text kept for it), what comes `after` them, the footer."""
    blocks: list[Block] = [
        HeaderBlock(text=shorten(header, HEADER_LIMIT)),
        *vision(true_north),
        section(intro),
    ]
    fixed = len(blocks) + len(after) + 1
    blocks += objectives(MESSAGE_BLOCK_LIMIT - fixed, MESSAGE_TEXT_BUDGET - fixed_text)
    return [*blocks, *after, context(footer)]


def reminder(intro: str, objectives: Objectives, *, fixed_text: int) -> list[Block]:
    """The one reminder: the intro, then the objectives still open with their buttons."""
    return [section(intro), *objectives(MESSAGE_BLOCK_LIMIT - 1, MESSAGE_TEXT_BUDGET - fixed_text)]


def _summary(refs: Sequence[str], advice: str) -> SectionBlock:
    refs = [clip(ref, 64) for ref in refs]
    listed = ", ".join(refs)
    if len(listed) > SUMMARY_TEXT - 300:
        head = shorten(", ".join(refs[:-1]), SUMMARY_TEXT - 400 - len(refs[-1]))
        listed = f"{head} … {refs[-1]}"
    return SectionBlock(
        text=MarkdownTextObject(
            text=f"…and *{len(refs)} more objective(s)* that do not fit in one message: {listed}. "
            + advice
        )
    )


def vision(text: str | None) -> list[Block]:
    """True North above a prompt, when there is one."""
    if not text:
        return []
    return [
        ContextBlock(
            elements=[MarkdownTextObject(text=f":compass: *True North* · {clip(text, 400)}")]
        )
    ]


def manager_note(intro: str, objectives: Iterable, footer: str) -> list[Block]:
    """The manager's one note: `intro`, the objectives still open by ref and title, `footer`."""
    lines = [f"• *{clip(o.ref, 64)}* {clip(o.title, 90)}" for o in objectives]
    chunks, left = pack_lines(lines, budget=6000)
    blocks: list[Block] = [section(intro)]
    blocks += [section(chunk) for chunk in chunks]
    if left:
        blocks.append(context(f"…and {left} more objective(s)"))
    blocks.append(context(footer))
    return blocks
