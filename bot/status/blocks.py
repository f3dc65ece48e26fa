"""Builders of `/hoshin status` answers: the plan overview, one objective, one person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot import ids
from bot.a3.blocks import a3_status_line
from bot.blocks import common as kit
from bot.context import StatusQuery
from bot.periods import month_label
from bot.status.model import Health, PlanStatus, StatusNode
from storage.a3 import A3Row
from storage.status import ActionRow, CheckInRow, PersonRow

MAX_ROOT_SECTIONS = 20
# How a health shows wherever it is shown (status, check-ins, the review thread, the Home).
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
ACTION_ICON = {
    "open": ":ballot_box_with_check:",
    "done": ":white_check_mark:",
    "blocked": ":no_entry:",
}


def node_line(status: PlanStatus, node: StatusNode) -> str:
    """One objective on one line: health, ref, title, owner, latest actual against target."""
    row = node.row
    parts = [f"{HEALTH_ICON[node.health]} *{kit.escape(row.ref)}* {kit.clip(row.title, 90)}"]
    if row.state == "proposed":
        parts.append("_draft, in catchball_")
    if node.owner:
        parts.append(f"<@{node.owner.slack_user_id}>")
    if row.target is not None:
        progress = f"{kit.with_unit(node.latest.actual if node.latest else None, row.metric_unit)}"
        progress += f" of {kit.with_unit(row.target, row.metric_unit)}"
        if node.latest:
            plan = status.plan_value(node, node.latest.period)
            month = month_label(node.latest.period).split()[0]
            progress += f" ({month}" + (f", plan {kit.number(plan)})" if plan is not None else ")")
        parts.append(progress)
    if node.children:
        parts.append(f"{node.descendants} below")
    return " · ".join(parts)


def _summary(status: PlanStatus) -> str:
    counts = status.counts()
    total = sum(counts.values())
    shown = " · ".join(
        f"{HEALTH_ICON[h]} {counts[h]} {HEALTH_LABEL[h]}" for h in Health if counts[h]
    )
    return f"*{total}* objectives in FY{status.year}: {shown}" if total else "No objectives yet."


def _share_actions(query: StatusQuery) -> ActionsBlock:
    return ActionsBlock(
        block_id=ids.BLOCK_STATUS_ACTIONS,
        elements=[
            ButtonElement(
                text="Share in channel", action_id=ids.ACTION_STATUS_SHARE, value=query.dump()
            )
        ],
    )


def _true_north(vision: str | None) -> list[Block]:
    if not vision:
        return []
    return [kit.context(f"*True North:* {kit.clip(vision, 280)}")]


def plan_overview(status: PlanStatus, *, vision: str | None, query: StatusQuery) -> kit.Message:
    blocks: list[Block] = [HeaderBlock(text=f"Hoshin status · FY{status.year}")]
    blocks += _true_north(vision)
    blocks.append(kit.section(_summary(status)))
    blocks.append(DividerBlock())
    budget = kit.MESSAGE_TEXT_BUDGET - 1500
    roots = status.roots[:MAX_ROOT_SECTIONS]
    for i, root in enumerate(roots):
        share = budget // (len(roots) - i)
        title = node_line(status, root)
        lines = [f"      {node_line(status, child)}" for child in root.children]
        chunks, left = kit.pack_lines([title, *lines], budget=min(share, 2800))
        text = chunks[0] if chunks else kit.shorten(title, 2800)
        if left:
            text += f"\n      …and {left} more: `/hoshin status {kit.escape(root.row.ref)}`"
        budget -= len(text)
        blocks.append(kit.section(text))
    hint = "Drill down with `/hoshin status REF` or `/hoshin status @person`."
    if len(status.roots) > MAX_ROOT_SECTIONS:
        hint = f"…and {len(status.roots) - MAX_ROOT_SECTIONS} more top-level objectives. " + hint
    if not status.roots:
        hint = "This year's plan is empty. An admin can load one with `hoshin plan import`."
    blocks.append(kit.context(hint))
    blocks.append(_share_actions(query))
    counts = status.counts()
    text = (
        f"Hoshin status FY{status.year}: {counts[Health.ON_TRACK]} on track, "
        f"{counts[Health.AT_RISK]} at risk, {counts[Health.OFF_TRACK]} off track, "
        f"{counts[Health.NO_DATA]} without a check-in yet."
    )
    return kit.Message(text, blocks)


def _bowling_lines(status: PlanStatus, node: StatusNode, history: list[CheckInRow]) -> list[str]:
    unit = node.row.metric_unit
    lines = []
    for check_in in history:
        plan = status.plan_value(node, check_in.period)
        icon = (
            HEALTH_ICON[Health(check_in.status)] if check_in.status else HEALTH_ICON[Health.NO_DATA]
        )
        lines.append(
            f"{icon} `{month_label(check_in.period)}` actual {kit.with_unit(check_in.actual, unit)}"
            + (f" · plan {kit.with_unit(plan, unit)}" if plan is not None else "")
        )
    return lines


def _action_line(action: ActionRow, people: dict[int, PersonRow], today: date) -> str:
    owner = people.get(action.owner_id)
    line = f"{ACTION_ICON.get(action.state, '')} {kit.clip(action.title, 120)}"
    if owner:
        line += f" · <@{owner.slack_user_id}>"
    if action.state == "blocked":  # the icon says done; blocked needs saying in words
        line += " · blocked"
    if action.due:
        line += f" · due {action.due.isoformat()}"
        if action.state != "done" and action.due < today:
            line += " · :warning: *overdue*"
    return line


def objective_detail(
    status: PlanStatus,
    node: StatusNode,
    *,
    vision: str | None,
    history: list[CheckInRow],
    actions: list[ActionRow],
    people: dict[int, PersonRow],
    today: date,
    query: StatusQuery,
    a3s: Sequence[A3Row] = (),
) -> kit.Message:
    row = node.row
    blocks: list[Block] = [
        HeaderBlock(text=kit.shorten(f"{row.ref} · {row.title}", kit.HEADER_LIMIT))
    ]
    blocks += _true_north(vision)
    fields = [
        f"*Health*\n{HEALTH_ICON[node.health]} {HEALTH_LABEL[node.health]}",
        f"*Owner*\n<@{node.owner.slack_user_id}>" if node.owner else "*Owner*\nnobody yet",
    ]
    if row.metric_name:
        direction = "higher is better" if row.higher_is_better else "lower is better"
        fields.append(f"*Metric*\n{kit.clip(row.metric_name, 80)} ({direction})")
        fields.append(
            f"*Baseline → target*\n{kit.with_unit(row.baseline, row.metric_unit)} → "
            f"{kit.with_unit(row.target, row.metric_unit)}"
        )
    if node.latest:
        plan = status.plan_value(node, node.latest.period)
        latest = f"{kit.with_unit(node.latest.actual, row.metric_unit)} in {month_label(node.latest.period)}"
        if plan is not None:
            latest += f" (plan {kit.number(plan)})"
        fields.append(f"*Latest actual*\n{latest}")
    parent = status.by_id.get(row.parent_id) if row.parent_id else None
    if parent:
        fields.append(f"*Part of*\n{kit.escape(parent.row.ref)} · {kit.clip(parent.row.title, 60)}")
    blocks.append(SectionBlock(fields=[MarkdownTextObject(text=f) for f in fields]))
    budget = kit.MESSAGE_TEXT_BUDGET - 2500
    if row.description:
        text = kit.clip(row.description, 1500)
        budget -= len(text)
        blocks.append(kit.section(text))
    sections = [
        ("Plan vs actual", _bowling_lines(status, node, history), None),
        (
            "Cascaded objectives",
            [node_line(status, child) for child in node.children],
            f"/hoshin status {row.ref}",
        ),
        ("Action plan", [_action_line(a, people, today) for a in actions], None),
        ("A3 countermeasures", [a3_status_line(a) for a in a3s], None),
    ]
    latest_notes = history[-1] if history else None
    if latest_notes and (latest_notes.challenges or latest_notes.countermeasure):
        notes = []
        if latest_notes.challenges:
            notes.append(f"*Challenges:* {kit.clip(latest_notes.challenges, 600)}")
        if latest_notes.countermeasure:
            notes.append(f"*Countermeasure:* {kit.clip(latest_notes.countermeasure, 600)}")
        sections.append((f"Notes from {month_label(latest_notes.period)}", notes, None))
    for title, lines, _ in sections:
        if not lines:
            continue
        chunks, left = kit.pack_lines(lines, budget=min(budget // 2, 2800))
        text = f"*{title}*\n" + (chunks[0] if chunks else "")
        if left:
            text += f"\n…and {left} more."
        budget -= len(text)
        blocks.append(kit.section(text))
    blocks.append(_share_actions(query))
    text = f"{kit.escape(row.ref)} {kit.clip(row.title, 200)}: {HEALTH_LABEL[node.health]}"
    return kit.Message(text, blocks)


def person_overview(
    status: PlanStatus,
    person: PersonRow,
    *,
    vision: str | None,
    actions: list[ActionRow],
    people: dict[int, PersonRow],
    today: date,
    query: StatusQuery,
) -> kit.Message:
    owned = status.owned_by(person.id)
    blocks: list[Block] = [
        HeaderBlock(
            text=kit.shorten(f"{person.name}'s objectives · FY{status.year}", kit.HEADER_LIMIT)
        )
    ]
    blocks += _true_north(vision)
    if owned:
        chunks, left = kit.pack_lines([node_line(status, n) for n in owned], budget=6000)
        for chunk in chunks:
            blocks.append(kit.section(chunk))
        if left:
            blocks.append(kit.context(f"…and {left} more objectives."))
    else:
        blocks.append(
            kit.section(f"<@{person.slack_user_id}> owns no active objective in FY{status.year}.")
        )
    open_actions = [a for a in actions if a.state != "done"]
    if open_actions:
        chunks, left = kit.pack_lines(
            [_action_line(a, people, today) for a in open_actions], budget=2500
        )
        text = "*Open actions*\n" + chunks[0] + (f"\n…and {left} more." if left else "")
        blocks.append(kit.section(text))
    blocks.append(_share_actions(query))
    return kit.Message(
        f"{kit.clip(person.name, 80)}: {len(owned)} objectives in FY{status.year}", blocks
    )
