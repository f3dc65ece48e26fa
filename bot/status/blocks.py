"""Builders of `/hoshin status` answers: the plan overview, one objective, one person.

Each takes `tr`, the reader's language (English unless told): every word goes through its
catalog, every count through `ngettext`, every number through its locale format.
"""

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
from bot.blocks import localized
from bot.context import StatusQuery
from bot.i18n import ENGLISH, N_, Translator
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
# English; translated where shown, by `tr.gettext(HEALTH_LABEL[health])`.
HEALTH_LABEL = {
    Health.ON_TRACK: N_("on track"),
    Health.AT_RISK: N_("at risk"),
    Health.OFF_TRACK: N_("off track"),
    Health.NO_DATA: N_("no check-in yet"),
}
ACTION_ICON = {
    "open": ":ballot_box_with_check:",
    "done": ":white_check_mark:",
    "blocked": ":no_entry:",
}


def _progress(status: PlanStatus, node: StatusNode, tr: Translator) -> str:
    """Latest actual against target, and the plan for the latest month when there is one."""
    row = node.row
    unit = row.metric_unit
    actual = kit.with_unit(node.latest.actual if node.latest else None, unit, tr)
    target = kit.with_unit(row.target, unit, tr)
    if not node.latest:
        return tr.gettext("{actual} of {target}").format(actual=actual, target=target)
    plan = status.plan_value(node, node.latest.period)
    month = localized.short_month(node.latest.period, tr)
    if plan is None:
        text = tr.gettext("{actual} of {target} ({month})")
        return text.format(actual=actual, target=target, month=month)
    text = tr.gettext("{actual} of {target} ({month}, plan {plan})")
    return text.format(actual=actual, target=target, month=month, plan=kit.number(plan, tr))


def node_line(status: PlanStatus, node: StatusNode, tr: Translator = ENGLISH) -> str:
    """One objective on one line: health, ref, title, owner, latest actual against target."""
    row = node.row
    parts = [f"{HEALTH_ICON[node.health]} *{kit.escape(row.ref)}* {kit.clip(row.title, 90)}"]
    if row.state == "proposed":
        parts.append(tr.gettext("_draft, in catchball_"))
    if node.owner:
        parts.append(f"<@{node.owner.slack_user_id}>")
    if row.target is not None:
        parts.append(_progress(status, node, tr))
    if node.children:
        below = tr.ngettext("{n} below", "{n} below", node.descendants)
        parts.append(below.format(n=node.descendants))
    return " · ".join(parts)


def _summary(status: PlanStatus, tr: Translator = ENGLISH) -> str:
    counts = status.counts()
    total = sum(counts.values())
    if not total:
        return tr.gettext("No objectives yet.")
    shown = " · ".join(
        tr.ngettext("{icon} {n} {health}", "{icon} {n} {health}", counts[h]).format(
            icon=HEALTH_ICON[h], n=counts[h], health=tr.gettext(HEALTH_LABEL[h])
        )
        for h in Health
        if counts[h]
    )
    text = tr.ngettext(
        "*{n}* objective in FY{year}: {health}", "*{n}* objectives in FY{year}: {health}", total
    )
    return text.format(n=total, year=status.year, health=shown)


def _share_actions(query: StatusQuery, tr: Translator) -> ActionsBlock:
    return ActionsBlock(
        block_id=ids.BLOCK_STATUS_ACTIONS,
        elements=[
            ButtonElement(
                text=tr.gettext("Share in channel"),
                action_id=ids.ACTION_STATUS_SHARE,
                value=query.dump(),
            )
        ],
    )


def _true_north(vision: str | None, tr: Translator) -> list[Block]:
    if not vision:
        return []
    text = tr.gettext("*True North:* {vision}").format(vision=kit.clip(vision, 280))
    return [kit.context(text)]


def _more(left: int, tr: Translator) -> str:
    return tr.ngettext("…and {n} more.", "…and {n} more.", left).format(n=left)


def plan_overview(
    status: PlanStatus, *, vision: str | None, query: StatusQuery, tr: Translator = ENGLISH
) -> kit.Message:
    header = tr.gettext("Hoshin status · FY{year}").format(year=status.year)
    blocks: list[Block] = [HeaderBlock(text=kit.shorten(header, kit.HEADER_LIMIT))]
    blocks += _true_north(vision, tr)
    blocks.append(kit.section(_summary(status, tr)))
    blocks.append(DividerBlock())
    budget = kit.MESSAGE_TEXT_BUDGET - 1500
    roots = status.roots[:MAX_ROOT_SECTIONS]
    for i, root in enumerate(roots):
        share = budget // (len(roots) - i)
        title = node_line(status, root, tr)
        lines = [f"      {node_line(status, child, tr)}" for child in root.children]
        chunks, left = kit.pack_lines([title, *lines], budget=min(share, 2800))
        text = chunks[0] if chunks else kit.shorten(title, 2800)
        if left:
            more = tr.ngettext(
                "…and {n} more: `/hoshin status {ref}`",
                "…and {n} more: `/hoshin status {ref}`",
                left,
            )
            text += "\n      " + more.format(n=left, ref=kit.escape(root.row.ref))
        budget -= len(text)
        blocks.append(kit.section(text))
    hint = tr.gettext("Drill down with `/hoshin status REF` or `/hoshin status @person`.")
    if len(status.roots) > MAX_ROOT_SECTIONS:
        more = len(status.roots) - MAX_ROOT_SECTIONS
        hint = tr.ngettext(
            "…and {n} more top-level objective. {hint}",
            "…and {n} more top-level objectives. {hint}",
            more,
        ).format(n=more, hint=hint)
    if not status.roots:
        hint = tr.gettext(
            "This year's plan is empty. An admin can load one with `hoshin plan import`."
        )
    blocks.append(kit.context(hint))
    blocks.append(_share_actions(query, tr))
    counts = status.counts()
    text = tr.gettext(
        "Hoshin status FY{year}: {on_track} on track, {at_risk} at risk, "
        "{off_track} off track, {no_data} without a check-in yet."
    ).format(
        year=status.year,
        on_track=counts[Health.ON_TRACK],
        at_risk=counts[Health.AT_RISK],
        off_track=counts[Health.OFF_TRACK],
        no_data=counts[Health.NO_DATA],
    )
    return kit.Message(text, blocks)


def _bowling_lines(
    status: PlanStatus, node: StatusNode, history: list[CheckInRow], tr: Translator = ENGLISH
) -> list[str]:
    unit = node.row.metric_unit
    lines = []
    for check_in in history:
        plan = status.plan_value(node, check_in.period)
        icon = (
            HEALTH_ICON[Health(check_in.status)] if check_in.status else HEALTH_ICON[Health.NO_DATA]
        )
        month = localized.period_label(check_in.period, tr)
        actual = kit.with_unit(check_in.actual, unit, tr)
        if plan is None:
            line = tr.gettext("{icon} `{month}` actual {actual}")
        else:
            line = tr.gettext("{icon} `{month}` actual {actual} · plan {plan}")
        lines.append(
            line.format(icon=icon, month=month, actual=actual, plan=kit.with_unit(plan, unit, tr))
        )
    return lines


def _action_line(
    action: ActionRow, people: dict[int, PersonRow], today: date, tr: Translator = ENGLISH
) -> str:
    owner = people.get(action.owner_id)
    line = f"{ACTION_ICON.get(action.state, '')} {kit.clip(action.title, 120)}"
    if owner:
        line += f" · <@{owner.slack_user_id}>"
    if action.state == "blocked":  # the icon says done; blocked needs saying in words
        line += " · " + tr.gettext("blocked")
    if action.due:
        line += " · " + tr.gettext("due {date}").format(date=action.due.isoformat())
        if action.state != "done" and action.due < today:
            line += " · " + tr.gettext(":warning: *overdue*")
    return line


def _fields(status: PlanStatus, node: StatusNode, tr: Translator) -> list[str]:
    """The drill-down's facts: health, owner, metric, baseline and target, latest, parent."""
    row = node.row
    unit = row.metric_unit
    health = f"{HEALTH_ICON[node.health]} {tr.gettext(HEALTH_LABEL[node.health])}"
    fields = [
        tr.gettext("*Health*\n{health}").format(health=health),
        tr.gettext("*Owner*\n{owner}").format(owner=f"<@{node.owner.slack_user_id}>")
        if node.owner
        else tr.gettext("*Owner*\nnobody yet"),
    ]
    if row.metric_name:
        metric = kit.clip(row.metric_name, 80)
        if row.higher_is_better:
            fields.append(tr.gettext("*Metric*\n{metric} (higher is better)").format(metric=metric))
        else:
            fields.append(tr.gettext("*Metric*\n{metric} (lower is better)").format(metric=metric))
        fields.append(
            tr.gettext("*Baseline → target*\n{baseline} → {target}").format(
                baseline=kit.with_unit(row.baseline, unit, tr),
                target=kit.with_unit(row.target, unit, tr),
            )
        )
    if node.latest:
        plan = status.plan_value(node, node.latest.period)
        actual = kit.with_unit(node.latest.actual, unit, tr)
        month = localized.period_label(node.latest.period, tr)
        if plan is None:
            latest = tr.gettext("*Latest actual*\n{actual} in {month}")
        else:
            latest = tr.gettext("*Latest actual*\n{actual} in {month} (plan {plan})")
        fields.append(latest.format(actual=actual, month=month, plan=kit.number(plan, tr)))
    parent = status.by_id.get(row.parent_id) if row.parent_id else None
    if parent:
        ref, title = kit.escape(parent.row.ref), kit.clip(parent.row.title, 60)
        fields.append(tr.gettext("*Part of*\n{ref} · {title}").format(ref=ref, title=title))
    return fields


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
    tr: Translator = ENGLISH,
) -> kit.Message:
    row = node.row
    blocks: list[Block] = [
        HeaderBlock(text=kit.shorten(f"{row.ref} · {row.title}", kit.HEADER_LIMIT))
    ]
    blocks += _true_north(vision, tr)
    fields = _fields(status, node, tr)
    blocks.append(SectionBlock(fields=[MarkdownTextObject(text=f) for f in fields]))
    budget = kit.MESSAGE_TEXT_BUDGET - 2500
    if row.description:
        text = kit.clip(row.description, 1500)
        budget -= len(text)
        blocks.append(kit.section(text))
    sections = [
        (tr.gettext("Plan vs actual"), _bowling_lines(status, node, history, tr)),
        (
            tr.gettext("Cascaded objectives"),
            [node_line(status, child, tr) for child in node.children],
        ),
        (tr.gettext("Action plan"), [_action_line(a, people, today, tr) for a in actions]),
        (tr.gettext("A3 countermeasures"), [a3_status_line(a, tr) for a in a3s]),
    ]
    latest_notes = history[-1] if history else None
    if latest_notes and (latest_notes.challenges or latest_notes.countermeasure):
        notes = []
        if latest_notes.challenges:
            text = kit.clip(latest_notes.challenges, 600)
            notes.append(tr.gettext("*Challenges:* {text}").format(text=text))
        if latest_notes.countermeasure:
            text = kit.clip(latest_notes.countermeasure, 600)
            notes.append(tr.gettext("*Countermeasure:* {text}").format(text=text))
        month = localized.period_label(latest_notes.period, tr)
        sections.append((tr.gettext("Notes from {month}").format(month=month), notes))
    for title, lines in sections:
        if not lines:
            continue
        chunks, left = kit.pack_lines(lines, budget=min(budget // 2, 2800))
        text = f"*{title}*\n" + (chunks[0] if chunks else "")
        if left:
            text += "\n" + _more(left, tr)
        budget -= len(text)
        blocks.append(kit.section(text))
    blocks.append(_share_actions(query, tr))
    text = tr.gettext("{ref} {title}: {health}").format(
        ref=kit.escape(row.ref),
        title=kit.clip(row.title, 200),
        health=tr.gettext(HEALTH_LABEL[node.health]),
    )
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
    tr: Translator = ENGLISH,
) -> kit.Message:
    owned = status.owned_by(person.id)
    header = tr.gettext("{name}'s objectives · FY{year}").format(name=person.name, year=status.year)
    blocks: list[Block] = [HeaderBlock(text=kit.shorten(header, kit.HEADER_LIMIT))]
    blocks += _true_north(vision, tr)
    if owned:
        lines = [node_line(status, n, tr) for n in owned]
        chunks, left = kit.pack_lines(lines, budget=6000)
        for chunk in chunks:
            blocks.append(kit.section(chunk))
        if left:
            more = tr.ngettext("…and {n} more objective.", "…and {n} more objectives.", left)
            blocks.append(kit.context(more.format(n=left)))
    else:
        text = tr.gettext("<@{user}> owns no active objective in FY{year}.")
        blocks.append(kit.section(text.format(user=person.slack_user_id, year=status.year)))
    open_actions = [a for a in actions if a.state != "done"]
    if open_actions:
        chunks, left = kit.pack_lines(
            [_action_line(a, people, today, tr) for a in open_actions], budget=2500
        )
        text = tr.gettext("*Open actions*") + "\n" + chunks[0]
        if left:
            text += "\n" + _more(left, tr)
        blocks.append(kit.section(text))
    blocks.append(_share_actions(query, tr))
    text = tr.ngettext(
        "{name}: {n} objective in FY{year}", "{name}: {n} objectives in FY{year}", len(owned)
    )
    return kit.Message(
        text.format(name=kit.clip(person.name, 80), n=len(owned), year=status.year), blocks
    )
