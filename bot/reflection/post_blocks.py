"""Messages around posting the annual reflection: the admins' alerts, answers to their clicks,
and the closing reply once next year's plan was started from its carry-overs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
)

from bot import ids
from bot.blocks.common import Message, clip, context, escape, section, slack_time, to_dicts
from bot.review.blocks import REASON_WORDS


def _why(reason: str) -> str:
    return REASON_WORDS.get(reason, f"Slack answered `{clip(reason, 40)}`")


def held_alert(channel: str, year: int, reason: str, *, retry_value: str) -> Message:
    """To the admins: the FY reflection cannot be posted in its channel, and how to fix it."""
    text = (
        f":warning: I cannot post the FY{year} reflection in <#{channel}>: {_why(reason)}. "
        "The reflection is kept exactly as it was built; nothing is lost.\n"
        "Unarchive the channel or invite me with `/invite @hoshin` there (or set another "
        "leadership channel), then press *Try again*."
    )
    return _alert(
        f"I cannot post the FY{year} reflection in <#{channel}> ({reason})", text, retry_value
    )


def part_words(part: str, replies: int) -> str:
    """A part of the thread (`bot.reflection.post.part_of`) as an admin reads it."""
    if part == "summary":
        return "its summary (the thread's first message)"
    if part == "chart":
        return "its bowling chart"
    if part.startswith("reply:"):
        return f"reply {int(part.split(':')[1]) + 1} of {replies} in its thread"
    return "a part of it"


def failed_alert(channel: str, year: int, part: str, reason: str, *, retry_value: str) -> Message:
    """To the admins: one part of the FY reflection failed for good, and what Try again does."""
    if reason.startswith("gave_up:"):
        said = f"Slack kept answering `{clip(reason[8:], 40)}` through every retry"
    else:
        said = f"Slack refused it with `{clip(reason, 40)}`"
    text = (
        f":warning: I could not post {part} of the FY{year} reflection in <#{channel}>: "
        f"{said}. What came before it is posted; the rest waits, in order, and nothing is lost.\n"
        "Press *Try again* to send it again (the logs say more about the error); the thread "
        "then carries on from there, and nothing already posted is posted twice."
    )
    return _alert(
        f"A part of the FY{year} reflection failed in <#{channel}> ({reason})", text, retry_value
    )


def _alert(fallback: str, text: str, retry_value: str) -> Message:
    return Message(
        fallback,
        [
            section(text),
            ActionsBlock(
                block_id=ids.BLOCK_REFLECTION_ACTIONS,
                elements=[
                    ButtonElement(
                        text="Try again",
                        action_id=ids.ACTION_REFLECTION_RETRY,
                        value=retry_value,
                        style="primary",
                    )
                ],
            ),
        ],
    )


def no_channel_alert(year: int) -> Message:
    """To the admins: the year has ended and there is nowhere to post its reflection."""
    text = (
        f":warning: FY{year} has ended, but this workspace has no leadership channel and no "
        "review channel, so I have nowhere to post its reflection. Set `leadership_channel` "
        "in the plan file's `settings` and import it again; the reflection is posted at the "
        "next run. `/hoshin reflect` shows it privately meanwhile."
    )
    return Message(
        f"FY{year}'s reflection has no channel to go to",
        [section(text)],
    )


def retry_answer(channel: str | None, year: int, state: str) -> str:
    """What an admin's Try again did: `state` is posted, posting or none (`Retried.state`)."""
    where = f"<#{channel}>" if channel else "the leadership channel"
    if state == "none":
        return f"There is no FY{year} reflection waiting to be posted."
    if state == "posted":
        return f":white_check_mark: Posted: the FY{year} reflection is in {where}."
    return (
        f":arrows_counterclockwise: Posting again now: the FY{year} reflection continues in "
        f"{where} in the background. If a part stops again, I will DM you again."
    )


# ---- the carry-over -----------------------------------------------------------------------------


def started_line(by: str, at: datetime | None, year: int, refs: list[str]) -> str:
    made = ", ".join(f"`{escape(r)}`" for r in refs[:20])
    if len(refs) > 20:
        made += f" and {len(refs) - 20} more"
    drafts = f"{len(refs)} draft objective{'s' if len(refs) != 1 else ''}"
    line = f":seedling: FY{year}'s plan was started from these carry-overs by <@{by}> "
    line += f"{slack_time(at)}: {drafts} in catchball"
    return line + (f" ({made})." if refs else ".")


def closing_started(
    closing: dict[str, Any], *, by: str, at: datetime | None, year: int, refs: list[str]
) -> dict[str, Any]:
    """The closing reply as posted, its carry-over button replaced by who started next year."""
    line = context(started_line(by, at, year, refs))
    blocks: list[dict[str, Any]] = []
    replaced = False
    for block in closing.get("blocks") or []:
        if _has_carryover_button(block):
            blocks += to_dicts([line])
            replaced = True
        else:
            blocks.append(block)
    if not replaced:
        blocks += to_dicts([line])
    return {"text": closing.get("text") or f"FY{year - 1} reflection", "blocks": blocks[:50]}


def _has_carryover_button(block: dict[str, Any]) -> bool:
    if block.get("type") != "actions":
        return False
    return any(e.get("action_id") == ids.ACTION_REFLECTION_CARRYOVER for e in block["elements"])


def has_carryover_button(message: dict[str, Any]) -> bool:
    return any(_has_carryover_button(b) for b in message.get("blocks") or [])


def carryover_answer(year: int, refs: list[str], skipped: list[str]) -> str:
    """To the admin who clicked: what was created."""
    if not refs:
        text = f"Nothing to carry into FY{year}: every carry-over already has a draft"
        return text + (f" or cannot be carried ({', '.join(skipped)})." if skipped else ".")
    text = (
        f":seedling: Started FY{year}'s plan: {len(refs)} draft annual objective"
        f"{'s' if len(refs) != 1 else ''} ({', '.join(f'`{r}`' for r in refs[:20])}), each "
        "sent to its owner in catchball. `/hoshin status "
        f"{year}` shows them."
    )
    if skipped:
        text += f" Not carried: {', '.join(skipped[:20])}."
    return text


def already_started(by: str | None, at: datetime | None, year: int) -> str:
    who = f"<@{by}>" if by else "an admin"
    return f"FY{year}'s plan was already started from these carry-overs by {who} {slack_time(at)}."
