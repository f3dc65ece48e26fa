"""Shared pieces of the builders: health icons, number formats, and fitting text into limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from slack_sdk.models.blocks import Block

from bot import numbers
from bot.status import Health

SECTION_TEXT_LIMIT = 3000
HEADER_LIMIT = 150
MESSAGE_BLOCK_LIMIT = 50
# Slack has refused messages whose summed block text passed ~12k characters (msg_blocks_too_long).
MESSAGE_TEXT_BUDGET = 11000

HEALTH_ICON = {
    Health.ON_TRACK: ":large_green_circle:",
    Health.AT_RISK: ":large_yellow_circle:",
    Health.OFF_TRACK: ":red_circle:",
    Health.NO_DATA: ":white_circle:",
}
HEALTH_LABEL = {
    Health.ON_TRACK: "on track",
    Health.AT_RISK: "at risk",
    Health.OFF_TRACK: "off track",
    Health.NO_DATA: "no check-in yet",
}


def shorten(text: str | None, limit: int) -> str:
    """Cut text to `limit` characters with an ellipsis; the whole text stays in the database."""
    if not text:
        return ""
    text = " ".join(text.split()) if "\n" not in text else text
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def escape(text: str | None) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def number(value: float | None) -> str:
    """A number for reading, at most numbers.SHOWN_MAX characters whatever was stored."""
    return "–" if value is None else numbers.shown(value)


def with_unit(value: float | None, unit: str | None) -> str:
    text = number(value)
    if value is None or not unit:
        return text
    return f"{text}{unit}" if unit in ("%",) else f"{text} {unit}"


def pack_lines(
    lines: Sequence[str], *, budget: int, limit: int = SECTION_TEXT_LIMIT - 100
) -> tuple[list[str], int]:
    """Pack lines into section-sized chunks within a character budget.

    Returns the chunks and how many lines did not fit, so the caller can say "…and N more".
    """
    chunks: list[str] = []
    current: list[str] = []
    size = used = 0
    for i, line in enumerate(lines):
        line = shorten(line, limit)
        if used + len(line) + 1 > budget:
            if current:
                chunks.append("\n".join(current))
            return chunks, len(lines) - i
        if size + len(line) + 1 > limit and current:
            chunks.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
        used += len(line) + 1
    if current:
        chunks.append("\n".join(current))
    return chunks, 0


def to_dicts(blocks: Iterable[Block]) -> list[dict]:
    """Serialise typed blocks; slack_sdk validates Block Kit limits here and raises if broken."""
    return [block.to_dict() for block in blocks]


class Message:
    """A message ready for Slack: validated blocks plus the plain-text fallback Slack wants."""

    __slots__ = ("blocks", "text")

    def __init__(self, text: str, blocks: Iterable[Block]) -> None:
        self.text = shorten(text, 3000)
        self.blocks = to_dicts(blocks)
        if len(self.blocks) > MESSAGE_BLOCK_LIMIT:
            raise ValueError(f"a message of {len(self.blocks)} blocks breaks Slack's limit of 50")

    def as_kwargs(self) -> dict:
        return {"text": self.text, "blocks": self.blocks}
