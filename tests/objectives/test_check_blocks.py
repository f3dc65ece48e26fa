"""The X-matrix builders stay within Slack's limits however many issues there are."""

from __future__ import annotations

import re

import pytest

from bot.blocks.common import to_dicts
from bot.objectives.checks_blocks import (
    KIND_WORDS,
    check_message,
    checks_section,
    issue_line,
    summary,
)
from bot.objectives.model import AlignmentIssue, IssueKind
from bot.standin.blockkit import validate_message_blocks, validate_view
from tests.text import visible_text


def many(n: int, *, message_length: int = 60) -> list[AlignmentIssue]:
    kinds = list(IssueKind)
    issues = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        person = (
            f"U{i:06d}"
            if kind in (IssueKind.OWNER_OVERLOADED, IssueKind.PROPOSAL_WAITING)
            else None
        )
        ref = None if kind is IssueKind.OWNER_OVERLOADED else f"C{i}.{i}.{i}"
        issues.append(AlignmentIssue(kind, "x" * message_length, ref=ref, person=person))
    return sorted(issues, key=lambda i: kinds.index(i.kind))


def home_view(blocks) -> dict:
    return {"type": "home", "blocks": to_dicts(blocks)}


def test_lines_name_the_ref_what_is_wrong_and_who_holds_it():
    waiting = AlignmentIssue(
        IssueKind.PROPOSAL_WAITING, "Win <North> — round 2 has waited 9 days", "AN1.5", "U0VP"
    )
    assert issue_line(waiting) == (
        "*AN1.5* Win &lt;North&gt; — round 2 has waited 9 days · waiting on <@U0VP>"
    )
    owner = AlignmentIssue(IssueKind.OWNER_OVERLOADED, "Ana owns 6", person="U0VP")
    assert issue_line(owner) == "Ana owns 6 · <@U0VP>"
    assert summary([owner, waiting]) == (
        "2 issues: 1 owner over the limit · 1 proposal waiting over a week"
    )


def test_a_clean_plan_says_so_in_the_message_and_on_the_home():
    message = check_message([], year=2027)
    assert validate_message_blocks(message.blocks) == []
    assert "Nothing breaks the alignment of FY2027's plan" in visible(message.blocks)
    section = checks_section([], limit=5)
    assert validate_view(home_view(section)) == []
    assert "nothing breaks the plan's alignment" in visible(to_dicts(section))


def accounted(text: str) -> tuple[int, int]:
    """(lines shown, lines the text says it left out) in one section or context."""
    shown = sum(1 for line in text.splitlines() if line.startswith("• "))
    more = re.search(r"…and (\d+) more", text)
    return shown, int(more.group(1)) if more else 0


@pytest.mark.parametrize("count", [1, 7, 60, 500, 5000])
def test_the_check_message_fits_slack_and_accounts_for_every_issue(count):
    issues = many(count)
    message = check_message(issues, year=2027)
    assert validate_message_blocks(message.blocks) == []
    assert len(message.blocks) <= 50
    assert f"*{count} thing" in visible(message.blocks)
    assert message.text.startswith(f"Plan checks FY2027: {count} issue")
    for kind in IssueKind:
        found = sum(1 for i in issues if i.kind is kind)
        heading = f"*{KIND_WORDS[kind][0]}* ({found})"
        sections = [
            b["text"]["text"]
            for b in message.blocks
            if b["type"] == "section" and b["text"]["text"].startswith(heading)
        ]
        if not found:
            assert sections == []
            continue
        (text,) = sections
        shown, more = accounted(text)
        assert shown >= 1 and shown + more == found


def test_five_hundred_issues_of_one_kind_with_long_messages():
    issues = [
        AlignmentIssue(IssueKind.NO_OWNER, "t" * 5000 + " — no owner", ref=f"AN{i}")
        for i in range(500)
    ]
    message = check_message(issues, year=2027)
    assert validate_message_blocks(message.blocks) == []
    assert "more." in visible(message.blocks)
    assert len(message.text) <= 3000


@pytest.mark.parametrize("count", [1, 3, 500])
@pytest.mark.parametrize("limit", [0, 5, 50, 1000])
def test_the_home_section_stays_small_and_points_to_the_command(count, limit):
    issues = many(count, message_length=400)
    section = to_dicts(checks_section(issues, limit=limit))
    assert validate_view({"type": "home", "blocks": section}) == []
    assert len(section) <= 3
    assert f"*Plan checks* · {count} issue" in visible(section)
    shown = sum(accounted(visible(block))[0] for block in section[1:])
    more = sum(accounted(visible(block))[1] for block in section[1:])
    assert shown <= limit and shown + more == count
    if more:
        assert "`/hoshin check` lists them all" in visible(section[-1])


def visible(blocks) -> str:
    return visible_text(blocks)
