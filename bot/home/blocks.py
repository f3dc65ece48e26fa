"""The App Home tab: True North on top, what waits for the person, their objectives, admin tools.

A pure function of `bot.home.model.Home`. It stays within Slack's 100 blocks and far under 250 KB for
someone who owns or decides hundreds of objectives: the first few rows get buttons, the rest
are summarised with the command that shows them all.
"""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
)
from slack_sdk.models.views import View

from bot import ids
from bot.a3.blocks import a3_button
from bot.blocks.common import (
    clip,
    context,
    escape,
    number,
    pack_lines,
    section,
    shorten,
    with_unit,
)
from bot.context import ActionRef, CheckInRef, ObjectiveRef
from bot.hansei.blocks import home_hansei_blocks
from bot.home.model import CheckInDue, Home, HomeObjective
from bot.objectives.checks_blocks import checks_section
from bot.objectives.vision_blocks import true_north_blocks
from bot.periods import month_label
from bot.scope import NO_PLAN
from bot.status.blocks import HEALTH_ICON, HEALTH_LABEL, node_line
from bot.status.model import Health
from storage.a3 import A3Row
from storage.home import OpenActionRow, PendingDecisionRow

VIEW_BLOCK_LIMIT = 100
MINE_WITH_BUTTONS = 10
PLAN_WITH_BUTTONS = 8
CHECKINS_WITH_BUTTONS = 5
CHECKS_SHOWN = 5  # admins: the first plan checks; `/hoshin check` lists them all
SEE_ALL_MINE = "type `/hoshin status` and mention yourself to see them all"
UNKNOWN_PERSON = (
    "You're not part of this workspace's Hoshin plan yet. Once an admin makes you the owner "
    "of an objective, or someone proposes one for you through catchball, your objectives and "
    "everything waiting for you show up here. Meanwhile `/hoshin status` shows the whole plan "
    "and `/hoshin help` what you can ask."
)


def home_view(home: Home) -> dict:
    """The `views.publish` view of one person's Home."""
    blocks: list[Block] = [HeaderBlock(text="True North")]
    if not home.has_plan:
        blocks.append(section(NO_PLAN))
        return _view(blocks)
    blocks += true_north_blocks(home.vision, home.values)
    if home.is_admin:
        blocks.append(_admin_tools())
    if not home.known:
        blocks += [DividerBlock(), section(UNKNOWN_PERSON)]
        return _view(blocks)
    blocks += _waiting(home)
    blocks += _mine(home)
    if home.is_admin:
        blocks += _plan(home)
    if home.alignment is not None:
        blocks += [DividerBlock(), *checks_section(home.alignment, limit=CHECKS_SHOWN)]
    blocks.append(context(f"Updated {home.today:%d %b %Y}. `/hoshin help` lists every command."))
    return _view(blocks)


def _view(blocks: list[Block]) -> dict:
    if len(blocks) > VIEW_BLOCK_LIMIT:
        raise ValueError(f"a Home of {len(blocks)} blocks breaks Slack's limit of 100")
    return View(type="home", blocks=blocks).to_dict()


def _button(text: str, action_id: str, value: str | None = None, style: str | None = None):
    return ButtonElement(text=text, action_id=action_id, value=value, style=style)


def _admin_tools() -> ActionsBlock:
    return ActionsBlock(
        elements=[
            _button("Edit vision", ids.ACTION_HOME_EDIT_VISION),
            _button("New breakthrough", ids.ACTION_HOME_NEW_BREAKTHROUGH),
            _button("New annual objective", ids.ACTION_HOME_NEW_ANNUAL),
        ]
    )


# ---- waiting for me --------------------------------------------------------------------------


def _waiting(home: Home) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text="Waiting for you")]
    if home.pending:
        blocks += _proposals(home.pending, home.pending_total)
    if home.actions:
        blocks += _actions_due(home.actions, home.actions_total, home.today)
    if home.check_ins_due:
        blocks += _check_ins_due(home.check_ins_due)
    if home.a3s_due:
        blocks += _a3s_due(home.a3s_due)
    blocks += home_hansei_blocks(home.hansei_due)
    if len(blocks) == 2:
        blocks.append(section("Nothing is waiting for you right now. :tada:"))
    return blocks


def _check_ins_due(due: list[CheckInDue]) -> list[Block]:
    """The first few check-ins owed, each with its Check in button; the rest by ref."""
    month = month_label(due[0].period)
    when = f" · due since {due[0].due:%d %b}" if due[0].due else ""
    blocks: list[Block] = [section(f"*Check-ins due* for {month} ({len(due)}){when}")]
    for c in due[:CHECKINS_WITH_BUTTONS]:
        text = f"*{clip(c.objective_ref, 64)}* {clip(c.objective_title, 150)}"
        button = None
        if c.objective_id:
            value = CheckInRef(objective_id=c.objective_id, period=c.period).dump()
            button = _button("Check in", ids.ACTION_CHECKIN_OPEN, value, style="primary")
        blocks.append(section(text, accessory=button))
    rest = due[CHECKINS_WITH_BUTTONS:]
    if rest:
        refs = ", ".join(clip(c.objective_ref, 64) for c in rest)
        blocks.append(
            context(f"…and {len(rest)} more: {shorten(refs, 1500)}. The check-in DM lists all.")
        )
    return blocks


def _a3s_due(a3s: list[A3Row]) -> list[Block]:
    blocks: list[Block] = [section(f"*A3s to write* ({len(a3s)})")]
    for a in a3s:
        text = (
            f":rotating_light: *{clip(a.objective_ref, 64)}* "
            f"{clip(a.objective_title, 120)} · off track two months running, "
            f"up to {month_label(a.period)}"
        )
        blocks.append(section(text, accessory=a3_button(a.id, written=False)))
    return blocks


def _proposals(pending: list[PendingDecisionRow], total: int) -> list[Block]:
    lines = []
    for p in pending:
        line = f"• *{escape(p.objective_ref)}* {clip(p.objective_title, 80)}"
        line += f" — from <@{p.proposer_slack_id}>"
        if p.parent_ref:
            line += f" under *{escape(p.parent_ref)}*"
        line += f" · round {p.round_no}"
        if p.dm_channel:
            line += f" · <https://slack.com/app_redirect?channel={p.dm_channel}|answer in the DM>"
        lines.append(line)
    chunks, left = pack_lines(lines, budget=2800)
    head = f"*Proposals to decide* ({total})"
    blocks: list[Block] = [section(head + "\n" + (chunks[0] if chunks else ""))]
    more = total - len(pending) + left
    note = "Approve, ask for changes or reject in the message Hoshin Bot sent you."
    if more:
        note = f"…and {more} more proposals waiting in your DMs with Hoshin Bot. " + note
    blocks.append(context(note))
    return blocks


def due_phrase(due: date | None, today: date, state: str) -> str:
    if state == "blocked":
        return ":no_entry: blocked" + (f" · due {due:%d %b %Y}" if due else "")
    if due is None:
        return "no due date"
    if due < today:
        return f":warning: *overdue* since {due:%d %b %Y}"
    if due == today:
        return "*due today*"
    return f"due {due:%d %b %Y}"


def _actions_due(actions: list[OpenActionRow], total: int, today: date) -> list[Block]:
    blocks: list[Block] = [section(f"*Actions due* ({total})")]
    for a in actions:
        text = (
            f"{clip(a.title, 150)}\n*{escape(a.objective_ref)}* · "
            f"{due_phrase(a.due, today, a.state)}"
        )
        blocks.append(section(text))
        value = ActionRef(action_id=a.id).dump()
        buttons = [_button("Done", ids.ACTION_ACTION_DONE, value, style="primary")]
        if a.state != "blocked":
            buttons.append(_button("Blocked", ids.ACTION_ACTION_BLOCKED, value))
        blocks.append(ActionsBlock(elements=buttons))
    if total > len(actions):
        blocks.append(context(f"…and {total - len(actions)} more actions: {SEE_ALL_MINE}."))
    return blocks


# ---- my objectives ---------------------------------------------------------------------------


def _objective_line(home: Home, item: HomeObjective) -> str:
    node, status = item.node, home.status
    row = node.row
    line = (
        f"{HEALTH_ICON[node.health]} *{escape(row.ref)}* {clip(row.title, 90)}"
        f" · {HEALTH_LABEL[node.health]}"
    )
    if row.target is not None:
        actual = node.latest.actual if node.latest else None
        line += (
            f"\n{with_unit(actual, row.metric_unit)} of {with_unit(row.target, row.metric_unit)}"
        )
        if node.latest and status is not None:
            plan = status.plan_value(node, node.latest.period)
            line += f" in {month_label(node.latest.period)}"
            if plan is not None:
                line += f" (plan {number(plan)})"
    return line


def _objective_buttons(item: HomeObjective) -> list[ButtonElement]:
    value = ObjectiveRef(objective_id=item.node.row.id).dump()
    buttons = []
    if item.can_cascade:
        buttons.append(_button("Propose a cascaded objective", ids.ACTION_HOME_PROPOSE, value))
        buttons.append(_button("Add action", ids.ACTION_HOME_ADD_ACTION, value))
    if item.can_edit:
        buttons.append(_button("Edit", ids.ACTION_HOME_EDIT_OBJECTIVE, value))
    return buttons


def _with_buttons(text: str, buttons: list[ButtonElement]) -> list[Block]:
    if len(buttons) == 1:
        return [section(text, accessory=buttons[0])]
    if not buttons:
        return [section(text)]
    return [section(text), ActionsBlock(elements=buttons)]


def _mine(home: Home) -> list[Block]:
    year = home.status.year if home.status else home.today.year
    blocks: list[Block] = [DividerBlock(), HeaderBlock(text=f"My objectives · FY{year}")]
    if home.mine:
        counts = dict.fromkeys(Health, 0)
        for item in home.mine:
            counts[item.node.health] += 1
        blocks.append(
            context(
                " · ".join(
                    f"{HEALTH_ICON[h]} {counts[h]} {HEALTH_LABEL[h]}" for h in Health if counts[h]
                )
            )
        )
    for item in home.mine[:MINE_WITH_BUTTONS]:
        blocks += _with_buttons(_objective_line(home, item), _objective_buttons(item))
    rest = home.mine[MINE_WITH_BUTTONS:]
    if rest:
        lines = [
            f"{HEALTH_ICON[i.node.health]} *{escape(i.node.row.ref)}* {clip(i.node.row.title, 70)}"
            for i in rest
        ]
        # One chunk at most: the budget is below a section's limit, so `left` is exact.
        chunks, left = pack_lines(lines, budget=2800)
        blocks += [section(chunk) for chunk in chunks]
        if left:
            blocks.append(context(f"…and {left} more: {SEE_ALL_MINE}."))
    if home.in_catchball:
        lines = [
            f":hourglass_flowing_sand: *{escape(o.ref)}* {clip(o.title, 80)}"
            for o in home.in_catchball
        ]
        chunks, left = pack_lines(lines, budget=1500)
        text = "*In catchball* (not yet approved)\n" + (chunks[0] if chunks else "")
        blocks.append(section(text + (f"\n…and {left} more." if left else "")))
    if not home.mine and not home.in_catchball:
        blocks.append(section(f"You own no active objective in FY{year}."))
    return blocks


# ---- the plan, for admins --------------------------------------------------------------------


def _plan(home: Home) -> list[Block]:
    blocks: list[Block] = [
        DividerBlock(),
        HeaderBlock(text="Breakthrough and annual objectives"),
    ]
    if not home.plan or home.status is None:
        blocks.append(section("No breakthrough or annual objectives yet."))
    for item in home.plan[:PLAN_WITH_BUTTONS]:
        indent = "" if item.node.row.level == "breakthrough" else "      "
        edit = _button(
            "Edit",
            ids.ACTION_HOME_EDIT_OBJECTIVE,
            ObjectiveRef(objective_id=item.node.row.id).dump(),
        )
        blocks.append(section(indent + node_line(home.status, item.node), accessory=edit))
    hint = "`/hoshin edit REF` edits any of them; `/hoshin archive REF` archives one."
    if len(home.plan) > PLAN_WITH_BUTTONS:
        hint = f"…and {len(home.plan) - PLAN_WITH_BUTTONS} more. " + hint
    blocks.append(context(hint))
    return blocks
