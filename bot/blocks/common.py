"""Shared pieces of the builders: number formats, and fitting text into limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from slack_sdk.models.blocks import (
    Block,
    BlockElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import forms, numbers
from bot.blocks import localized
from bot.i18n import Translator

SECTION_TEXT_LIMIT = 3000
HEADER_LIMIT = 150
MESSAGE_BLOCK_LIMIT = 50
# Slack has refused messages whose summed block text passed ~12k characters (msg_blocks_too_long).
MESSAGE_TEXT_BUDGET = 11000
BUTTON_TEXT_LIMIT = 75
OPTION_TEXT_LIMIT = 75
FALLBACK_LIMIT = 3000
UNIT_SHOWN = 40
_LONGEST_ENTITY = len("&amp;")
# The bot's own markup (<@U…>, <#C…>, <!date^…|…>) is short; plain_text may hold a lone `<`
# typed by a person, which must not cost more than this much of the text.
_LONGEST_MARKUP = 100


def shorten(text: str | None, limit: int) -> str:
    """Cut text that is ready for Slack to `limit` characters with an ellipsis.

    For text already escaped (or plain_text, which Slack does not parse): the cut never halves an
    entity such as `&lt;` nor the bot's own markup such as `<@U0VP>`, which would show as debris.
    The whole text stays in the database.
    """
    if not text:
        return ""
    text = " ".join(text.split()) if "\n" not in text else text
    if len(text) <= limit:
        return text
    kept = text[: max(limit - 1, 0)]
    amp = kept.rfind("&", -_LONGEST_ENTITY + 1)
    if amp != -1 and ";" not in kept[amp:]:
        kept = kept[:amp]
    angle = kept.rfind("<", -_LONGEST_MARKUP)
    if angle != -1 and ">" not in kept[angle:]:
        kept = kept[:angle]
    kept = kept.rstrip()
    if "\n" not in kept:  # cut within the first line: spaced as one-line text is, so a second
        kept = " ".join(kept.split())  # shorten leaves it as it is
    return kept + "…"


def slack_time(when: datetime | None) -> str:
    """A time Slack shows in each reader's own timezone, with a UTC fallback ("" for none)."""
    if when is None:
        return ""
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    fallback = when.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def escape(text: str | None) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters.

    Only for short, bounded pieces (refs, names in a line that is then shortened); user text that
    may be long goes through `clip`, which bounds it after escaping.
    """
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str | None, limit: int) -> str:
    """User text as Slack must receive it: escaped once, then at most `limit` characters.

    Escaping first is what makes the limit hold: 1,500 `<` become 6,000 characters once escaped,
    and Slack counts what it receives. Shortening after escaping keeps entities whole.
    """
    return shorten(escape(text), limit)


def quote(text: str | None, limit: int) -> str:
    """User text as a mrkdwn block quote: escaped, every line quoted, bounded after quoting.

    Quoting adds a character per line, so the bound comes last: 1,500 empty lines would
    otherwise double past a section's limit.
    """
    return shorten(">" + escape(text).replace("\n", "\n>"), limit)


def number(value: float | None, tr: Translator | None = None) -> str:
    """A number for reading, at most numbers.SHOWN_MAX characters whatever was stored; in `tr`'s
    locale format (1 234,5) when `tr` speaks another language than English."""
    if value is None:
        return "–"
    value = float(value)
    return localized.decimal(value, tr) if localized.local(value, tr) else numbers.shown(value)


def _joined(value: float | None, unit: str, tr: Translator | None = None) -> str:
    if value is not None and unit == "%" and localized.local(float(value), tr):
        return localized.percent(float(value), tr)  # 93,2 % in Russian
    text = number(value, tr)
    if value is None or not unit:
        return text
    return f"{text}{unit}" if unit in ("%",) else f"{text} {unit}"


def plain_with_unit(value: float | None, unit: str | None) -> str:
    """A number and its unit as typed: for plain_text, reports and other non-mrkdwn places.

    The unit is bounded to what its field holds: a unit stored longer (by hand, or before the
    limit) must not push a hint or label past Slack's limit and make the modal fail.
    """
    return _joined(value, shorten(unit, forms.UNIT_LIMIT))


def with_unit(value: float | None, unit: str | None, tr: Translator | None = None) -> str:
    """A number and its unit for mrkdwn: the unit is user text, so it is escaped and bounded.
    The number is in `tr`'s locale format when one is given (see `number`)."""
    return _joined(value, clip(unit, UNIT_SHOWN), tr)


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


def section(
    text: str, *, accessory: BlockElement | None = None, block_id: str | None = None
) -> SectionBlock:
    """A section of mrkdwn text, with an optional accessory (a button, an image)."""
    return SectionBlock(text=MarkdownTextObject(text=text), accessory=accessory, block_id=block_id)


def context(text: str, *, block_id: str | None = None) -> ContextBlock:
    """A context row of mrkdwn text: the small grey line of notes, hints and counts."""
    return ContextBlock(elements=[MarkdownTextObject(text=text)], block_id=block_id)


def to_dicts(blocks: Iterable[Block]) -> list[dict]:
    """Serialise typed blocks; slack_sdk validates Block Kit limits here and raises if broken."""
    return [block.to_dict() for block in blocks]


class Message:
    """A message ready for Slack: validated blocks plus the fallback `text` Slack wants.

    Slack parses `text` as mrkdwn, so callers pass it already escaped, built like block text
    (user text through `clip` or `escape`), never raw: `<!channel>` in a title would ping.
    """

    __slots__ = ("blocks", "text")

    def __init__(self, text: str, blocks: Iterable[Block]) -> None:
        self.text = shorten(text, FALLBACK_LIMIT)
        self.blocks = to_dicts(blocks)
        if len(self.blocks) > MESSAGE_BLOCK_LIMIT:
            raise ValueError(f"a message of {len(self.blocks)} blocks breaks Slack's limit of 50")

    def as_kwargs(self) -> dict:
        return {"text": self.text, "blocks": self.blocks}
