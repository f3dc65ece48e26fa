"""Builders of the X-matrix checks: the `/hoshin check` answer and the section on an admin's Home."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    HeaderBlock,
)

from bot.blocks.common import (
    MESSAGE_TEXT_BUDGET,
    SECTION_TEXT_LIMIT,
    Message,
    context,
    escape,
    pack_lines,
    section,
)
from bot.objectives.model import AlignmentIssue, IssueKind

# (heading in /hoshin check, one of them, several of them)
KIND_WORDS: dict[IssueKind, tuple[str, str, str]] = {
    IssueKind.ANNUAL_WITHOUT_BREAKTHROUGH: (
        "Annual objectives with no breakthrough",
        "annual objective with no breakthrough",
        "annual objectives with no breakthrough",
    ),
    IssueKind.BREAKTHROUGH_WITHOUT_ANNUAL: (
        "Breakthroughs with no annual objective",
        "breakthrough with no annual objective",
        "breakthroughs with no annual objective",
    ),
    IssueKind.NO_OWNER: (
        "Objectives with no owner",
        "objective with no owner",
        "objectives with no owner",
    ),
    IssueKind.NO_METRIC: (
        "Objectives with no metric or target",
        "objective with no metric",
        "objectives with no metric",
    ),
    IssueKind.NO_MONTHLY_PLAN: (
        "Objectives with no monthly plan",
        "objective with no monthly plan",
        "objectives with no monthly plan",
    ),
    IssueKind.OWNER_OVERLOADED: (
        "Owners over the objective limit",
        "owner over the limit",
        "owners over the limit",
    ),
    IssueKind.PROPOSAL_WAITING: (
        "Catchball proposals waiting over a week",
        "proposal waiting over a week",
        "proposals waiting over a week",
    ),
}
FOOTER = (
    "Admins fix these in the App Home or the plan file (`hoshin plan import`); "
    "`/hoshin status REF` shows any objective."
)
SECTION_BUDGET = SECTION_TEXT_LIMIT - 200


def issue_line(issue: AlignmentIssue) -> str:
    """One issue on one line: the ref in bold, what is wrong, and whom it concerns."""
    line = f"*{escape(issue.ref)}* " if issue.ref else ""
    line += escape(issue.message)
    if issue.person:
        waiting = issue.kind is IssueKind.PROPOSAL_WAITING
        line += f" · {'waiting on ' if waiting else ''}<@{issue.person}>"
    return line


def _count_words(kind: IssueKind, n: int) -> str:
    _, one, many = KIND_WORDS[kind]
    return f"{n} {one if n == 1 else many}"


def summary(issues: Sequence[AlignmentIssue]) -> str:
    """ "12 issues: 3 annual objectives with no breakthrough · 2 with no owner · …"."""
    counts = Counter(issue.kind for issue in issues)
    parts = [_count_words(kind, counts[kind]) for kind in IssueKind if counts[kind]]
    noun = "issue" if len(issues) == 1 else "issues"
    return f"{len(issues)} {noun}: " + " · ".join(parts)


def checks_section(issues: Sequence[AlignmentIssue], *, limit: int) -> list[Block]:
    """At most three blocks for an admin's Home: the counts, the first `limit` issues, the rest."""
    if not issues:
        return [section(":white_check_mark: *Plan checks:* nothing breaks the plan's alignment.")]
    blocks: list[Block] = [section(f"*Plan checks* · {escape(summary(issues))}")]
    shown = list(issues[: max(0, limit)])
    chunks, left = pack_lines([f"• {issue_line(i)}" for i in shown], budget=SECTION_BUDGET)
    if chunks:
        blocks.append(section(chunks[0]))
        left += sum(1 for chunk in chunks[1:] for _ in chunk.split("\n"))
    rest = left + len(issues) - len(shown)
    if rest:
        blocks.append(context(f"…and {rest} more: `/hoshin check` lists them all."))
    return blocks


def check_message(issues: Sequence[AlignmentIssue], *, year: int) -> Message:
    """The whole `/hoshin check` answer: grouped by kind, within 50 blocks and the text limits."""
    header = HeaderBlock(text=f"Plan checks · FY{year}")
    if not issues:
        text = (
            f"Nothing breaks the alignment of FY{year}'s plan: every annual objective serves a "
            "breakthrough, every breakthrough has annual objectives, every objective has an "
            "owner, a metric and a plan, nobody owns too many, and no proposal is waiting."
        )
        return Message(
            f"Plan checks FY{year}: all clear.",
            [header, section(f":white_check_mark: {text}")],
        )
    noun = "thing breaks" if len(issues) == 1 else "things break"
    counts = summary(issues).split(": ", 1)[1]
    head = f":warning: *{len(issues)} {noun} the alignment of FY{year}'s plan*\n{escape(counts)}"
    blocks: list[Block] = [
        header,
        section(head[:SECTION_BUDGET]),
        DividerBlock(),
    ]
    by_kind = {kind: [i for i in issues if i.kind is kind] for kind in IssueKind}
    kinds = [kind for kind in IssueKind if by_kind[kind]]
    budget = MESSAGE_TEXT_BUDGET - len(head) - len(FOOTER) - 500
    for n, kind in enumerate(kinds):
        share = min(budget // (len(kinds) - n), SECTION_BUDGET)
        found = by_kind[kind]
        title = f"*{KIND_WORDS[kind][0]}* ({len(found)})"
        chunks, left = pack_lines(
            [f"• {issue_line(i)}" for i in found], budget=max(0, share - len(title) - 40)
        )
        left += sum(1 for chunk in chunks[1:] for _ in chunk.split("\n"))
        text = title + ("\n" + chunks[0] if chunks else "")
        if left:
            text += f"\n…and {left} more."
        budget -= len(text)
        blocks.append(section(text))
    blocks.append(context(FOOTER))
    return Message(f"Plan checks FY{year}: {summary(issues)}", blocks)
