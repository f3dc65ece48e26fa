"""Builders for a review thread: the month at a glance (parent), one reply per check-in, alerts."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import ids
from bot.blocks import common as kit
from bot.periods import MONTH_NAMES, month_label, parse_period
from bot.review.model import (
    DOT,
    BowlingMonth,
    CheckInReply,
    Colour,
    ObjectiveLine,
    ThreadSummary,
    dots,
)
from bot.status.blocks import HEALTH_ICON, HEALTH_LABEL
from bot.status.model import Health

WAITING_SHOWN = 25
# Text every parent spends outside the objective lines (header, counts, waiting list, legend).
PARENT_OVERHEAD = 2200
ANSWER_LIMIT = 1500  # what happened, challenges, countermeasure, comment: each, in a reply
REASON_WORDS = {
    "not_in_channel": "I am not a member of it",
    "is_archived": "it is archived",
    "channel_not_found": "it does not exist, or it is private and I am not in it",
    "restricted_action": "posting there is restricted",
    "missing_scope": "I lack a permission for it",
}


def _health(status: str | None) -> Health:
    return Health(status) if status in ("on_track", "at_risk", "off_track") else Health.NO_DATA


def _short_month(period: str) -> str:
    return MONTH_NAMES[parse_period(period)[1] - 1]


def _value(value: float | None, unit: str | None) -> str:
    return kit.with_unit(value, unit) if value is not None else "–"


def _numbers(month: BowlingMonth, unit: str | None) -> str:
    return f"{_value(month.actual, unit)} vs plan {_value(month.plan, unit)}"


def _line(line: ObjectiveLine) -> str:
    owner = f"<@{line.owner}>" if line.owner else "_no owner_"
    text = f"{dots(line.months)} *{kit.escape(line.ref)}* {kit.clip(line.title, 60)} · {owner}"
    if line.checked_in:
        month = line.this_month
        status = line.check_in.status if line.check_in else None
        text += f" · {_numbers(month, line.unit)}"
        if status:
            text += f" · {HEALTH_LABEL[_health(status)]}"
    elif line.check_in is not None and line.check_in.comment:
        text += " · replied in DM, no numbers yet"
    else:
        text += " · _no check-in yet_"
    return text


def review_parent(summary: ThreadSummary) -> kit.Message:
    """The thread's parent: who has checked in, each objective's status, its bowling row."""
    label = month_label(summary.period)
    owned = [line for line in summary.lines if line.owner]
    done = [line for line in owned if line.checked_in]
    owners = {line.owner for line in owned}
    waiting = sorted({line.owner for line in owned if not line.checked_in})
    counts = {c: 0 for c in Colour}
    for line in summary.lines:
        counts[line.this_month.colour] += 1
    head = (
        f"*{len(done)} of {len(owned)}* objectives checked in · "
        f"{len(owners) - len(waiting)} of {len(owners)} owners done"
    )
    if summary.lines:
        head += (
            f"\n{DOT[Colour.GREEN]} {counts[Colour.GREEN]} on track · "
            f"{DOT[Colour.AMBER]} {counts[Colour.AMBER]} at risk · "
            f"{DOT[Colour.RED]} {counts[Colour.RED]} off track · "
            f"{DOT[Colour.BLANK]} {counts[Colour.BLANK]} no data"
        )
    blocks: list[Block] = [
        HeaderBlock(text=kit.shorten(f"Monthly review · {label}", 150)),
        kit.section(head),
    ]
    if waiting:
        shown = ", ".join(f"<@{w}>" for w in waiting[:WAITING_SHOWN])
        more = len(waiting) - WAITING_SHOWN
        blocks.append(
            kit.context(f"Waiting for {shown}" + (f" and {more} more" if more > 0 else ""))
        )
    if summary.lines:
        chunks, left = kit.pack_lines(
            [_line(line) for line in summary.lines],
            budget=kit.MESSAGE_TEXT_BUDGET - PARENT_OVERHEAD,
        )
        blocks.extend(kit.section(c) for c in chunks)
        if left:
            blocks.append(
                kit.section(f"…and {left} more objectives: `/hoshin status` shows every one.")
            )
        first, last = summary.lines[0].months[0].period, summary.period
        blocks.append(
            kit.context(
                f"One dot per month of FY{summary.year}, {_short_month(first)} → "
                f"{_short_month(last)}: {DOT[Colour.GREEN]} on track or plan met · "
                f"{DOT[Colour.AMBER]} at risk or within 5 % of plan · "
                f"{DOT[Colour.RED]} off track or further off · {DOT[Colour.BLANK]} no "
                "data. Each check-in is a reply in this thread."
            )
        )
    else:
        blocks.append(kit.section("No objective reports to this channel."))
    text = f"Monthly review {label}: {len(done)} of {len(owned)} objectives checked in"
    return kit.Message(text, blocks)


def _chart_line(months: tuple[BowlingMonth, ...], unit: str | None) -> str:
    parts = []
    for m in months:
        numbers = f"{_value(m.actual, unit)} / {_value(m.plan, unit)}"
        parts.append(f"{DOT[m.colour]} `{_short_month(m.period)}` {numbers}")
    return " · ".join(parts)


def check_in_reply(reply: CheckInReply) -> kit.Message:
    """One check-in in its thread: status, actual against plan, the words, the chart so far."""
    line = reply.line
    check_in = line.check_in
    health = _health(check_in.status if check_in else None)
    who = f"<@{reply.person}>" if reply.person else "Someone"
    head = (
        f"{HEALTH_ICON[health]} *{kit.escape(line.ref)}* {kit.clip(line.title, 150)}\n"
        f"{who} checked in for {month_label(reply.period)}"
        + (f" · *{HEALTH_LABEL[health]}*" if health is not Health.NO_DATA else "")
    )
    blocks: list[Block] = [kit.section(head)]
    month = line.this_month
    if check_in is not None and (check_in.actual is not None or month.plan is not None):
        metric = kit.clip(line.metric_name, 60) if line.metric_name else "Actual"
        fields = [
            MarkdownTextObject(text=f"*{metric}*\n{kit.with_unit(check_in.actual, line.unit)}"),
            MarkdownTextObject(text=f"*Plan*\n{kit.with_unit(month.plan, line.unit)}"),
        ]
        if line.target is not None:
            fields.append(
                MarkdownTextObject(text=f"*Target*\n{kit.with_unit(line.target, line.unit)}")
            )
        blocks.append(SectionBlock(fields=fields))
    for title, value in (
        ("What happened", check_in.what_happened if check_in else None),
        ("Challenges", check_in.challenges if check_in else None),
        ("Countermeasure", check_in.countermeasure if check_in else None),
        ("Replied in DM", check_in.comment if check_in else None),
    ):
        if value:
            text = f"*{title}*\n{kit.clip(value, ANSWER_LIMIT)}"
            blocks.append(kit.section(text))
    blocks.append(
        kit.context(kit.shorten("Plan vs actual: " + _chart_line(line.months, line.unit), 1900))
    )
    said = HEALTH_LABEL[health] if health is not Health.NO_DATA else "replied in DM"
    return kit.Message(f"{line.ref} {month_label(reply.period)}: {said}", blocks)


def held_alert(channel: str, reason: str, *, retry_value: str) -> kit.Message:
    """To the admins: the review thread cannot be posted in a channel, and how to fix it.

    `retry_value` is the Try again button's context (a `ReviewChannelRef`, dumped)."""
    why = REASON_WORDS.get(reason, f"Slack answered `{kit.clip(reason, 40)}`")
    text = (
        f":warning: I cannot post the monthly review in <#{channel}>: {why}. Every check-in is "
        "kept and nothing is lost; the thread goes up as soon as I can post there.\n"
        "Invite me with `/invite @hoshin` in that channel (or name another review channel), "
        "then press *Try again*."
    )
    return kit.Message(
        f"I cannot post the monthly review in <#{channel}> ({reason})",
        [
            kit.section(text),
            ActionsBlock(
                block_id=ids.BLOCK_REVIEW_ACTIONS,
                elements=[
                    ButtonElement(
                        text="Try again",
                        action_id=ids.ACTION_REVIEW_RETRY,
                        value=retry_value,
                        style="primary",
                    )
                ],
            ),
        ],
    )


def retry_answer(channel: str, reason: str | None, released: int, *, posted: bool = True) -> str:
    """What an admin's Try again click did (`posted`: the delivery run finished meanwhile)."""
    if not released and reason is None:
        return f"Nothing was waiting for <#{channel}>: the review thread is up to date."
    if reason is None and not posted:
        return f":hourglass_flowing_sand: Posting: the review thread in <#{channel}> is on its way."
    if reason is None:
        return f":white_check_mark: Posted: the review thread in <#{channel}> is up to date."
    why = REASON_WORDS.get(reason, reason)
    return (
        f":warning: I still cannot post in <#{channel}>: {why}. The check-ins stay kept; "
        "invite me with `/invite @hoshin` there and press Try again."
    )


def refused_alert(
    channel: str, period: str, reason: str, *, times: int, reference: int
) -> kit.Message:
    """To the admins: Slack keeps refusing one message of a review thread; the rest goes on."""
    why = kit.clip(reason, 60)  # Slack's error code: short
    text = (
        f":warning: Slack refused a message of the monthly review of {month_label(period)} in "
        f"<#{channel}> (`{why}`) {times} times, so I stopped sending it. Every check-in is kept "
        "and the rest of the thread goes on; the message is sent again as soon as what it shows "
        f"changes. Whoever runs the bot finds it in the logs as outbox {reference}."
    )
    return kit.Message(
        f"Slack refused a message of the {month_label(period)} review in <#{channel}> ({why})",
        [kit.section(text)],
    )
