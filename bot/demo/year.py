"""The demo's fiscal year: twelve monthly cycles of the example organisation on a moving clock.

Part of the demo's composition root (with `bot.demo.run`), so it may reach into `schedules/`. Each
month the clock moves to the check-in time, the scheduler's jobs run as the scheduler would run
them (`schedules.scheduler.registry()`, then delivery until the outbox is empty), and the cast of
`bot.demo.story` answers through signed requests to the real app: the Check in button, the modal
it opens, the submission. `play_year` returns the state, so that year-end steps can follow.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot import ids
from bot.a3.service import next_period as a3_next_period
from bot.cycle import due_at, parse_local_time
from bot.demo import a3 as demo_a3
from bot.demo import hansei as demo_hansei
from bot.demo import story
from bot.demo.cast import action_done, check_in_all, go_away, prompt_of, reply_in_words
from bot.demo.state import (
    DemoYear,
    MonthResult,
    dms_since,
    dms_with,
    escalations,
    manager_of,
    statuses,
    thread_parents,
    tick,
)
from bot.demo.transcript import render_message
from bot.standin import StoredMessage
from storage.db import session_scope
from storage.models import Workspace

# The channel whose review threads `review-threads.md` holds, month by month.
MAIN_REVIEW_CHANNEL = "C0ENGREVIEW"
# Months whose review thread of the main channel the transcript shows in full.
THREADS_SHOWN = ("2027-04", "2027-12")


# ---- the year -------------------------------------------------------------------------------


def play_year(year: DemoYear, *, periods: tuple[str, ...] = story.PERIODS) -> DemoYear:
    year.t.heading("13. The year 2027, month by month")
    year.t.note(
        "Each month the clock moves to the check-in time and the scheduler's jobs run "
        "(`monthly-checkin`, `deliver`, `reminders`, `review-sync`). Owners answer through the "
        "real app: **Check in** on their prompt, the modal, the submission. Below, each month's "
        "outcome in a line or two, and in full a few messages as people saw them."
    )
    for period in periods:
        year.months.append(play_month(year, period))
    return year


def play_month(year: DemoYear, period: str) -> MonthResult:
    """One month's cycle: prompts, the answers on time, reminders, late answers, escalations."""
    result = MonthResult(period)
    year.t.heading(_month_name(period), level=3)
    due = prompt_day(year, period, result)
    answer_day(year, period, result, due, day=1)
    reminder_day(year, period, result, due, day=3)
    answer_day(year, period, result, due, day=4)
    escalation_day(year, period, result, due, day=7)
    answer_day(year, period, result, due, day=8)
    if period == story.PERIODS[-1]:
        # The year-end reflection's prompts went out on 10 December (`hansei-prompts`); the
        # owners answer before the month closes. Told after the year (`bot.demo.hansei`).
        demo_hansei.hansei_week(year)
    month_end(year, period, result, due)
    return result


def _when(year: DemoYear, period: str) -> datetime:
    """The latest check-in time of `period` across the owners' timezones (New York's)."""
    with session_scope(year.jobs.engine) as session:
        ws = session.get(Workspace, year.workspace_id)
        day, at = ws.checkin_business_day, parse_local_time(ws.checkin_time)
    zones = {"America/New_York", "Europe/Berlin", "Asia/Tokyo"}
    return max(due_at(period, business_day_of_month=day, local_time=at, timezone=z) for z in zones)


def prompt_day(year: DemoYear, period: str, result: MonthResult) -> datetime:
    due = _when(year, period)
    year.clock.set(due + timedelta(minutes=5))
    tick(year)
    result.prompted = [u for u in year.people if prompt_of(year, u, period) is not None]
    away = story.AWAY
    if away[1] in year.people and period > away[0] and _is_away(away[2], due.date()):
        result.away.append(away[1])
    return due


def _is_away(until: date, day: date) -> bool:
    return day <= until


def answer_day(year: DemoYear, period: str, result: MonthResult, due: datetime, *, day: int):
    year.clock.set(due + timedelta(days=day, hours=1))
    acted = False
    for user in result.prompted:
        words = story.TEXT_REPLIES.get((period, user))
        if words and day == 1:
            reply_in_words(year, user, period, words, result)
        if story.answer_time_day(period, user) == day:
            if (period, user) == _a3_worked_moment(year):
                demo_a3.answer_worked(year, user, prompt_of(year, user, period))
            check_in_all(year, user, period, result)
            acted = True
    if period == story.ACTION_DONE_PERIOD and day == 8:
        action_done(year)
    if period == story.AWAY[0] and day == 8:
        go_away(year, story.AWAY[1], story.AWAY[2])
    if acted:
        tick(year, jobs=False)  # the deliver job, which runs every two seconds


def reminder_day(year: DemoYear, period: str, result: MonthResult, due: datetime, *, day: int):
    year.clock.set(due + timedelta(days=day, minutes=30))
    mark = len(year.ui.standin.calls)
    tick(year)
    told = dms_since(year, mark, "Reminder:")
    result.reminded = [u for u in result.prompted if u in told]
    if result.reminded and "reminder" not in year.shown:
        year.shown.add("reminder")
        first = result.reminded[0]
        year.t.message(
            dms_with(year, first, "Reminder:")[-1],
            f"*Hoshin Bot → DM to {year.name(first)}, {day} days after the prompt:*",
        )


def escalation_day(year: DemoYear, period: str, result: MonthResult, due: datetime, *, day: int):
    year.clock.set(due + timedelta(days=day, minutes=30))
    mark = len(year.ui.standin.calls)
    tick(year)
    told = dms_since(year, mark, "has not checked in")
    result.escalated = [
        u
        for u in result.prompted
        if any(t.startswith(f"{year.name(u)} has not") for t in told.get(manager_of(year, u), []))
    ]
    for owner in result.escalated:
        manager = year.managers[owner]
        year.t.message(
            escalations(year, manager, owner)[-1],
            f"*Hoshin Bot → DM to {year.name(manager)}, a week after {year.name(owner)}'s prompt:*",
        )


def month_end(year: DemoYear, period: str, result: MonthResult, due: datetime) -> None:
    year.clock.set(due + timedelta(days=14))
    tick(year, review=True)
    parts = [f"**{len(result.checked_in)} of {len(result.prompted)}** owners checked in"]
    if result.reminded:
        parts.append(f"reminded: {year.names(result.reminded)}")
    for owner in result.escalated:
        parts.append(f"escalated: {year.name(owner)} (told {year.name(year.managers[owner])})")
    if result.away:
        parts.append(f"away: {year.names(result.away)}")
    if result.replied_in_words:
        parts.append(f"replied in words: {year.names(result.replied_in_words)}")
    lines = [" · ".join(parts)]
    stored = statuses(year, period)
    off = [ref for ref, status in stored.items() if status == "off_track"]
    risk = [ref for ref, status in stored.items() if status == "at_risk"]
    if off or risk:
        lines.append(
            f"🔴 Off track: {', '.join(off) or 'none'} · 🟡 at risk: {', '.join(risk) or 'none'}"
        )
    # The heading was written when the month began; its summary goes under it now.
    at = year.t.lines.index(_month_heading(period)) + 2
    year.t.lines[at:at] = [*lines, ""]
    if period in THREADS_SHOWN:
        show_thread(
            year, MAIN_REVIEW_CHANNEL, period, reply_of="AN7.1.2" if period < "2027-12" else None
        )
    twice, months = story.TWICE_OFF_TRACK
    if period == months[0]:
        show_reply(year, MAIN_REVIEW_CHANNEL, period, twice)
    if period == months[-1]:
        show_a3_prompt(year, twice)
        owner = _owner_of(year, twice)
        if owner:
            demo_a3.write_a3(year, owner)


def _owner_of(year: DemoYear, ref: str) -> str | None:
    objective = next((o for o in year.objectives if o.ref == ref), None)
    return next(
        (u for u, p in year.people.items() if objective and p.id == objective.owner_id), None
    )


def _a3_worked_moment(year: DemoYear) -> tuple[str, str | None]:
    """(month, owner): the prompt that asks whether the A3's countermeasure worked."""
    ref, months = story.TWICE_OFF_TRACK
    return a3_next_period(months[-1]), _owner_of(year, ref)


def _month_heading(period: str) -> str:
    return f"### {_month_name(period)}"


def _month_name(period: str) -> str:
    return datetime.strptime(period + "-01", "%Y-%m-%d").strftime("%B %Y")


def _thread(year: DemoYear, channel: str, period: str):
    label = datetime.strptime(period, "%Y-%m").strftime("%b %Y")
    parent = thread_parents(year.ui.standin, channel).get(label)
    if parent is None:
        return None, []
    return parent, [m for m in year.ui.standin.messages(channel) if m.thread_ts == parent.ts]


def show_thread(year: DemoYear, channel: str, period: str, *, reply_of: str | None) -> None:
    """The month's review thread of `channel`: its parent, and the reply about `reply_of`."""
    parent, replies = _thread(year, channel, period)
    if parent is None:
        return
    where = year.channel_names.get(channel, channel)
    year.t.message(parent, f"*Hoshin Bot in #{where}, the {_month_name(period)} review thread:*")
    for reply in replies:
        if reply_of and f"*{reply_of}*" in _text(reply):
            year.t.message(reply, "*…and one of its replies:*")
    year.t.note(f"_({len(replies)} check-ins replied in the thread.)_")


def show_reply(year: DemoYear, channel: str, period: str, ref: str) -> None:
    _, replies = _thread(year, channel, period)
    where = year.channel_names.get(channel, channel)
    for reply in replies:
        if f"*{ref}*" in _text(reply):
            year.t.message(
                reply, f"*Hoshin Bot in #{where}, a reply in the {_month_name(period)} thread:*"
            )


def _text(message: StoredMessage) -> str:
    import json

    return json.dumps(message.blocks or [], ensure_ascii=False)


def review_threads(year: DemoYear, channel: str = MAIN_REVIEW_CHANNEL) -> str:
    """`review-threads.md`: every month's review-thread parent of `channel`, as it now stands."""
    where = year.channel_names.get(channel, channel)
    parents = thread_parents(year.ui.standin, channel)
    lines = [
        f"# The review threads of #{where}, fiscal year {story.YEAR}",
        "",
        "Each month's thread parent as the channel shows it at the end of the demo: who checked "
        "in, each objective's status and its bowling-chart row (plan vs actual per month).",
    ]
    for period in story.PERIODS:
        label = datetime.strptime(period, "%Y-%m").strftime("%b %Y")
        lines += ["", f"## {_month_name(period)}", ""]
        parent = parents.get(label)
        if parent is None:
            lines.append("_No thread._")
            continue
        lines.append(render_message({"text": parent.text, "blocks": parent.blocks}, year.t.names))
    return "\n".join(lines) + "\n"


def show_a3_prompt(year: DemoYear, ref: str) -> None:
    """The A3 countermeasure DM after two off-track months, once the bot sends one."""
    objective = next((o for o in year.objectives if o.ref == ref), None)
    owner = next(
        (u for u, p in year.people.items() if objective and p.id == objective.owner_id), None
    )
    if owner is None:
        return
    for message in year.ui.dms(owner):
        buttons = [
            e
            for b in message.blocks or []
            for e in ([b["accessory"]] if b.get("accessory") else b.get("elements") or [])
        ]
        if any(e.get("action_id") == ids.ACTION_A3_OPEN for e in buttons):
            year.t.message(
                message, f"*Hoshin Bot → DM to {year.name(owner)}, after two months off track:*"
            )
            return
