"""Builders for the annual reflection: the summary, one or more replies per breakthrough, the
closing reply with the carry-overs, and the private preview of `/hoshin reflect`.

Everything is cut to fit: a section holds at most ~2,900 characters, a message at most 45
blocks and ~11,000 characters of text; what does not fit one message goes on in the next reply
(per breakthrough), or is counted ("…and 12 more") where a single message must do.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    HeaderBlock,
)

from bot import ids
from bot.blocks.common import (
    MESSAGE_TEXT_BUDGET,
    SECTION_TEXT_LIMIT,
    Message,
    clip,
    context,
    escape,
    pack_lines,
    section,
    shorten,
    with_unit,
)
from bot.context import ReflectionRef
from bot.periods import MONTH_NAMES, parse_period
from bot.reflection.model import (
    BreakthroughFacts,
    CarryOver,
    ObjectiveFacts,
    Owner,
    ReflectionMessage,
    YearFacts,
)
from bot.review.model import DOT, Colour, dots

REPLY_BLOCKS = 45
SECTION = SECTION_TEXT_LIMIT - 100
REASON_LIMIT = 300  # a carry-over's reason as shown, escaped; the model keeps it whole
HANSEI_FIELD = (
    420  # each of the five answers, quoted (five fit one section); reports hold them whole
)
OUTCOME_ICON = {"hit": ":white_check_mark:", "missed": ":x:", "no result": ":white_circle:"}
HANSEI_FIELDS = (
    ("went_well", "Went well"),
    ("went_badly", "Did not go well"),
    ("root_causes", "Why"),
    ("learned", "Learned"),
    ("carry_over", "Carries into next year"),
)


def _month(period: str | None) -> str:
    return MONTH_NAMES[parse_period(period)[1] - 1] if period else ""


def owner_text(owner: Owner | None) -> str:
    if owner is None:
        return "_no owner_"
    if owner.left:
        return f"{escape(owner.name)} _(has left)_"
    return f"<@{owner.slack_user_id}>"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)} %"


def result_text(o: ObjectiveFacts) -> str:
    """'13.2 of 14 M$ (Dec)', or 'no actual reported' — the final actual against the target."""
    if o.final_actual is None:
        return "no actual reported"
    target = with_unit(o.target, o.unit) if o.target is not None else "no target"
    return f"{with_unit(o.final_actual, o.unit)} of {target} ({_month(o.final_period)})"


def labels(o: ObjectiveFacts) -> str:
    return f" · _{', '.join(o.notes)}_" if o.notes else ""


def summary_line(o: ObjectiveFacts) -> str:
    return (
        f"{OUTCOME_ICON[o.outcome]} *{escape(o.ref)}* {clip(o.title, 70)} · "
        f"{result_text(o)} · {o.green_months} of {o.months_due} months green · "
        f"{percent(o.response_rate)} checked in{labels(o)}"
    )


def _gap_line(o: ObjectiveFacts) -> str:
    short = abs((o.target or 0) - (o.final_actual or 0))
    return (
        f"*{escape(o.ref)}* {clip(o.title, 70)}: {with_unit(o.final_actual, o.unit)} "
        f"against {with_unit(o.target, o.unit)}, short by {with_unit(short, o.unit)} "
        f"({percent(o.gap)} of the planned change) · {owner_text(o.owner)}"
    )


def _title(facts: YearFacts) -> str:
    kind = "Annual reflection" if facts.complete else "Reflection so far"
    return f"{kind} · FY{facts.year}"


def _summary_blocks(facts: YearFacts, *, budget: int) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=shorten(_title(facts), 150))]
    if facts.vision:
        blocks.append(section(f"*True North:* {clip(facts.vision, 1000)}"))
    head = (
        f"*{len(facts.annual)} annual objectives* · {OUTCOME_ICON['hit']} {facts.count('hit')} "
        f"hit · {OUTCOME_ICON['missed']} {facts.count('missed')} missed · "
        f"{OUTCOME_ICON['no result']} {facts.count('no result')} with no result"
    )
    if facts.prompts_sent:
        head += (
            f"\nCheck-in prompts: {facts.prompts_sent} sent, {facts.prompts_answered} answered "
            f"({percent(facts.prompts_answered / facts.prompts_sent)})"
        )
    if not facts.complete:
        head += f"\n_FY{facts.year} is not over: {facts.months_due} of 12 months so far._"
    if not facts.check_ins:
        head += f"\n:warning: *No check-ins were recorded in FY{facts.year}*: no objective has a result."
    blocks.append(section(head))

    lines: list[str] = []
    for bt in facts.breakthroughs:
        lines.append(f"*{escape(bt.ref)} · {clip(bt.title, 120)}*")
        lines.extend(summary_line(o) for o in bt.annual)
        if not bt.annual:
            lines.append("_no annual objective this year_")
    gap_lines = [_gap_line(o) for o in facts.gaps]
    gap_budget = sum(len(g) + 1 for g in gap_lines) + 40
    chunks, left = pack_lines(lines, budget=max(1000, budget - gap_budget), limit=SECTION)
    blocks.extend(section(c) for c in chunks)
    if left:
        blocks.append(context(f"…and {left} more lines: the thread has every annual objective."))
    if gap_lines:
        text = "*The year's biggest gaps*\n" + "\n".join(gap_lines)
        blocks.append(section(shorten(text, SECTION)))
    return blocks


def summary(facts: YearFacts) -> ReflectionMessage:
    """The parent message in the leadership channel."""
    blocks = _summary_blocks(facts, budget=MESSAGE_TEXT_BUDGET - 2500)
    blocks.append(
        context(
            "In this thread: the bowling chart, one reply per breakthrough (trend, "
            "challenges, countermeasures, the owners' hansei) and the carry-overs."
        )
    )
    return _message(f"{_title(facts)}: {facts.count('hit')} of {len(facts.annual)} hit", blocks)


def _message(text: str, blocks: Sequence[Block]) -> ReflectionMessage:
    built = Message(text, blocks)
    return ReflectionMessage(text=built.text, blocks=built.blocks)


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def hansei_text(o: ObjectiveFacts) -> str | None:
    h = o.hansei
    if h is None:
        return None
    who = owner_text(h.owner) if h.owner else "the owner"
    if h.owner is not None and not h.owner.left:
        who = f"{escape(h.owner.name)} ({who})"
    parts = [f"*Hansei on {escape(o.ref)}*, by {who}:"]
    cut = False
    for attr, label in HANSEI_FIELDS:
        answer = (getattr(h, attr) or "").strip()
        if not answer:
            continue
        cut = cut or len(escape(answer)) > HANSEI_FIELD
        parts.append(_quote(f"*{label}:* {clip(answer, HANSEI_FIELD)}"))
    if cut:
        parts.append("_Shortened here; `hoshin report` has every answer whole._")
    return shorten("\n".join(parts), SECTION)


def _countermeasure(c) -> str:
    if c.source == "A3":
        worked = f"worked: *{c.worked}*" if c.worked else "not yet judged"
        note = f" ({clip(c.note, 120)})" if c.note else ""
        return f"A3 {_month(c.period)}: {clip(c.text, 200)} — {worked}{note}"
    after = {
        "green": f"the month after {DOT[Colour.GREEN]}",
        "amber": f"the month after {DOT[Colour.AMBER]}",
        "red": f"the month after {DOT[Colour.RED]}",
        "in use at year end": "in use at year end",
    }.get(c.worked or "", "no check-in the month after")
    return f"{_months(c.period, c.until)}: {clip(c.text, 200)} — {after}"


def _months(first: str, last: str | None) -> str:
    return _month(first) if not last or last == first else f"{_month(first)}–{_month(last)}"


def objective_text(o: ObjectiveFacts) -> str:
    """One objective's year in a section: result, bowling row, trend, challenges, countermeasures."""
    indent = "↳ " * o.depth
    lines = [
        f"{indent}{OUTCOME_ICON[o.outcome]} *{escape(o.ref)}* {clip(o.title, 120)} · "
        f"{owner_text(o.owner)}{labels(o)}",
        f"{dots(o.months)} {o.outcome}: {result_text(o)} · {o.green_months} of {o.months_due} "
        f"months green · checked in {o.answered_months} of {o.expected_months} months",
    ]
    t = o.trend
    if t.last is not None:
        lines.append(
            f"Trend: *{t.word}* {t.spark} {with_unit(t.first, o.unit)} → {with_unit(t.last, o.unit)}"
        )
    else:
        lines.append(f"Trend: {t.word}")
    if o.challenges:
        said = " · ".join(f"“{clip(p, 150)}” ({n} months)" for p, n in o.challenges)
        lines.append(f"Recurring challenges: {said}")
    if o.countermeasures:
        shown = o.countermeasures[:6]
        lines.append("Countermeasures tried:")
        lines.extend(f"• {_countermeasure(c)}" for c in shown)
        if len(o.countermeasures) > len(shown):
            lines.append(f"• …and {len(o.countermeasures) - len(shown)} more")
    return shorten("\n".join(lines), SECTION)


def _cards(bt: BreakthroughFacts) -> list[str]:
    cards = []
    for o in bt.objectives:
        cards.append(objective_text(o))
        if quote := hansei_text(o):
            cards.append(quote)
    if not cards:
        cards.append("_No annual objective under this breakthrough this year._")
    return cards


def breakthrough_replies(bt: BreakthroughFacts, *, year: int) -> list[ReflectionMessage]:
    """One breakthrough's objectives, in as many replies as it takes."""
    pages: list[list[str]] = [[]]
    used = 0
    budget = MESSAGE_TEXT_BUDGET - 600
    for card in _cards(bt):
        if pages[-1] and (used + len(card) > budget or len(pages[-1]) >= REPLY_BLOCKS - 3):
            pages.append([])
            used = 0
        pages[-1].append(card)
        used += len(card)
    title = f"{bt.ref} · {bt.title}"
    owner = f" · {owner_text(bt.owner)}" if bt.owner else ""
    messages = []
    for n, page in enumerate(pages, start=1):
        part = f" ({n} of {len(pages)})" if len(pages) > 1 else ""
        blocks: list[Block] = [
            HeaderBlock(text=shorten(f"{title}{part}", 150)),
            context(
                f"FY{year} · {len(bt.annual)} annual objectives, {len(bt.objectives)} in all{owner}"
            ),
        ]
        blocks.extend(section(card) for card in page)
        fallback = f"FY{year} reflection: {escape(bt.ref)} · {clip(bt.title, 200)}{part}"
        messages.append(_message(fallback, blocks))
    return messages


def closing(
    facts: YearFacts, carry_overs: Sequence[CarryOver], *, workspace_id: int
) -> ReflectionMessage:
    """The last reply: what carries into next year, and the admins' button to start from it."""
    following = facts.year + 1
    blocks: list[Block] = [HeaderBlock(text=f"Carry-overs for FY{following}")]
    if not carry_overs:
        blocks.append(
            section(
                "Nothing carries over: every annual objective was hit and no lesson names a change."
            )
        )
        return _message(f"FY{facts.year} reflection: nothing carries over", blocks)
    lines = [
        f"• *{escape(c.ref)}* {clip(c.title, 80)} — {clip(c.reason, REASON_LIMIT)}"
        for c in carry_overs
    ]
    chunks, left = pack_lines(lines, budget=MESSAGE_TEXT_BUDGET - 1500, limit=SECTION)
    blocks.extend(section(c) for c in chunks[:40])
    if left:
        blocks.append(context(f"…and {left} more, all of them carried over."))
    count = len(carry_overs)
    blocks.append(DividerBlock())
    blocks.append(
        ActionsBlock(
            block_id=ids.BLOCK_REFLECTION_ACTIONS,
            elements=[
                ButtonElement(
                    text=f"Start FY{following} from these",
                    action_id=ids.ACTION_REFLECTION_CARRYOVER,
                    value=ReflectionRef(workspace_id=workspace_id, year=facts.year).dump(),
                    style="primary",
                    confirm=ConfirmObject(
                        title=f"Start FY{following}?",
                        text=f"Drafts {count} annual objectives for FY{following} under the same "
                        "breakthroughs, each entering catchball with its owner. Once only.",
                        confirm="Start",
                        deny="Not yet",
                    ),
                )
            ],
        )
    )
    blocks.append(
        context(
            "Only admins can start next year's plan; anyone else is told so "
            "privately and nothing changes."
        )
    )
    return _message(f"FY{facts.year} reflection: {count} carry-overs for FY{following}", blocks)


def preview(facts: YearFacts, *, leadership_channel: str | None) -> Message:
    """`/hoshin reflect`: the summary and one line per breakthrough, privately, within 50 blocks."""
    blocks = _summary_blocks(facts, budget=MESSAGE_TEXT_BUDGET - 5000)
    lines = []
    for bt in facts.breakthroughs:
        recurring = [p for o in bt.objectives for p, _ in o.challenges][:1]
        line = (
            f"*{escape(bt.ref)}*: {len(bt.annual)} annual · "
            f"{sum(o.outcome == 'hit' for o in bt.annual)} hit · "
            f"{sum(o.outcome == 'missed' for o in bt.annual)} missed · "
            f"{sum(1 for o in bt.objectives if o.hansei)} of {len(bt.objectives)} hansei answers"
        )
        if recurring:
            line += f" · recurring: “{clip(recurring[0], 80)}”"
        lines.append(line)
    chunks, left = pack_lines(lines, budget=2500, limit=SECTION)
    blocks.append(DividerBlock())
    blocks.extend(section(c) for c in chunks)
    where = f"<#{leadership_channel}>" if leadership_channel else "the leadership channel"
    when = (
        f"is posted to {where} once FY{facts.year} is over"
        if facts.complete
        else f"is posted to {where} when FY{facts.year} ends"
    )
    note = (
        f"Only you can see this. The full reflection (the bowling chart, one reply per "
        f"breakthrough with the owners' hansei, and the carry-overs) {when}. "
        f"`hoshin report --year {facts.year}` writes it to a file."
    )
    if left:
        note = f"…and {left} more breakthroughs. " + note
    blocks.append(context(note))
    return Message(f"{_title(facts)}: {facts.count('hit')} of {len(facts.annual)} hit", blocks)
