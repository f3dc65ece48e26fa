"""The demo's fiscal year: twelve monthly cycles of the example organisation on a moving clock.

Part of the demo's composition root (with `bot.demo`), so it may reach into `schedules/`. Each
month the clock moves to the check-in time, the scheduler's jobs run as the scheduler would run
them (`schedules.scheduler.registry()`, then delivery until the outbox is empty), and the cast of
`bot.demo_story` answers through signed requests to the real app: the Check in button, the modal
it opens, the submission. `play_year` returns the state, so that year-end steps can follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot import demo_story as story
from bot import ids
from bot.clock import ManualClock
from bot.context import CheckInRef
from bot.cycle import due_at, parse_local_time
from bot.slack_side import SlackSide
from bot.standin import StoredMessage
from bot.transcript import Transcript, render_message
from schedules.scheduler import DELIVER, REVIEW_SYNC, JobContext, registry
from storage import checkins
from storage import status as reads
from storage.db import session_scope
from storage.models import Workspace

# The channel whose review threads `review-threads.md` holds, month by month.
MAIN_REVIEW_CHANNEL = "C0ENGREVIEW"
# Months whose review thread of the main channel the transcript shows in full.
THREADS_SHOWN = ("2027-04", "2027-12")


@dataclass
class MonthResult:
    """What happened in one month's cycle, by Slack member id."""

    period: str
    prompted: list[str] = field(default_factory=list)
    checked_in: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)  # owners whose manager was told
    away: list[str] = field(default_factory=list)
    replied_in_words: list[str] = field(default_factory=list)


@dataclass
class DemoYear:
    """The state a step of the demo continues from: the clock, the people, the cast's Slack."""

    t: Transcript
    ui: SlackSide
    clock: ManualClock
    jobs: JobContext
    workspace_id: int
    people: dict[str, Any]  # Slack member id -> reads.PersonRow
    objectives: list[reads.ObjectiveRow]
    channel_names: dict[str, str]
    managers: dict[str, str]  # Slack member id -> their manager's
    months: list[MonthResult] = field(default_factory=list)
    # What the transcript has shown once already ("reminder", ...).
    shown: set[str] = field(default_factory=set)
    # A check-in modal as the bot opened it: the shape of every check-in's submission.
    modal: dict | None = None

    def name(self, slack_user_id: str) -> str:
        return self.people[slack_user_id].name

    def names(self, slack_user_ids: list[str]) -> str:
        return ", ".join(self.name(u) for u in slack_user_ids) or "nobody"


# ---- the scheduler's jobs, run as the scheduler runs them -----------------------------------


def tick(year: DemoYear, *, review: bool = True) -> None:
    """One round of every scheduled job at the clock's time, then delivery until all is sent.

    The scheduler runs each job every few seconds or minutes; the demo runs them all at each
    moment that matters, which is what the scheduler would have done by then.
    """
    deliverer = year.jobs.deliverer()
    for job in registry():
        if job not in (DELIVER, REVIEW_SYNC):
            job.run(year.jobs)
    deliverer.run_until_idle(timeout=60)
    for _ in range(
        6 if review else 0
    ):  # the review threads: parent, replies, their ts, the parent's update
        report = REVIEW_SYNC.run(year.jobs)
        deliverer.run_until_idle(timeout=60)
        if not report.lines:
            break


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
            check_in_all(year, user, period, result)
            acted = True
    if period == story.ACTION_DONE_PERIOD and day == 8:
        action_done(year)
    if period == story.AWAY[0] and day == 8:
        go_away(year, story.AWAY[1], story.AWAY[2])
    if acted:
        # The app brought the threads up to date after each check-in; the review-sync job
        # catches up at the month's end (its every-minute runs would find nothing more).
        tick(year, review=False)


def reminder_day(year: DemoYear, period: str, result: MonthResult, due: datetime, *, day: int):
    year.clock.set(due + timedelta(days=day, minutes=30))
    mark = len(year.ui.standin.calls)
    tick(year)
    told = _dms_since(year, mark, "Reminder:")
    result.reminded = [u for u in result.prompted if u in told]
    if result.reminded and "reminder" not in year.shown:
        year.shown.add("reminder")
        first = result.reminded[0]
        year.t.message(
            _dms_with(year, first, "Reminder:")[-1],
            f"*Hoshin Bot → DM to {year.name(first)}, {day} days after the prompt:*",
        )


def escalation_day(year: DemoYear, period: str, result: MonthResult, due: datetime, *, day: int):
    year.clock.set(due + timedelta(days=day, minutes=30))
    mark = len(year.ui.standin.calls)
    tick(year)
    told = _dms_since(year, mark, "has not checked in")
    result.escalated = [
        u
        for u in result.prompted
        if any(t.startswith(f"{year.name(u)} has not") for t in told.get(_manager_of(year, u), []))
    ]
    for owner in result.escalated:
        manager = year.managers[owner]
        year.t.message(
            _escalations(year, manager, owner)[-1],
            f"*Hoshin Bot → DM to {year.name(manager)}, a week after {year.name(owner)}'s prompt:*",
        )


def month_end(year: DemoYear, period: str, result: MonthResult, due: datetime) -> None:
    year.clock.set(due + timedelta(days=14))
    tick(year)
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
    stored = _statuses(year, period)
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


def _month_heading(period: str) -> str:
    return f"### {_month_name(period)}"


def _month_name(period: str) -> str:
    return datetime.strptime(period + "-01", "%Y-%m-%d").strftime("%B %Y")


# ---- what the cast does -----------------------------------------------------------------------


def prompt_of(year: DemoYear, user: str, period: str) -> StoredMessage | None:
    """The owner's check-in prompt DM for `period`, as it now stands."""
    for message in reversed(year.ui.dms(user)):
        refs = _checkin_refs(message)
        if refs and next(iter(refs.values())).period == period:
            return message
    return None


def _checkin_refs(message: StoredMessage) -> dict[int, CheckInRef]:
    """{objective id: ref} of the message's Check in buttons."""
    found = {}
    for block in message.blocks or []:
        elements = [block["accessory"]] if block.get("accessory") else block.get("elements") or []
        for element in elements:
            if element.get("action_id") == ids.ACTION_CHECKIN_OPEN:
                ref = CheckInRef.parse(element["value"])
                found[ref.objective_id] = ref
    return found


def check_in_all(year: DemoYear, user: str, period: str, result: MonthResult) -> None:
    """The owner clicks Check in for each objective of their prompt and submits the modal."""
    prompt = prompt_of(year, user, period)
    if prompt is None:
        return
    objectives = {o.id: o for o in year.objectives}
    for objective_id, ref in _checkin_refs(prompt).items():
        objective = objectives[objective_id]
        reply = story.answer(_metric(objective), period)
        if year.modal is None or story.told(user, objective.ref, period):
            modal = open_checkin(year.ui, user, prompt, ref)
            year.modal = year.modal or modal
        else:
            # The rest of the cast skips the click that opens the modal: Slack's submission is
            # the same whichever Check in opened it (the view's blocks, its private_metadata,
            # a view id of its own), and the click is played in full for every owner whose
            # answer the story tells. It keeps the demo's year well under a minute.
            modal = {
                **year.modal,
                "id": f"VDEMO{period.replace('-', '')}N{objective_id}",
                "private_metadata": ref.dump(),
            }
        delivery = year.ui.submit(
            user,
            modal,
            {
                ids.FIELD_ACTUAL: reply.actual_text(),
                ids.FIELD_STATUS: reply.status,
                ids.FIELD_WHAT_HAPPENED: reply.what_happened,
                ids.FIELD_CHALLENGES: reply.challenges,
                ids.FIELD_COUNTERMEASURE: reply.countermeasure,
            },
        )
        if delivery.body and "errors" in delivery.body:
            raise RuntimeError(f"{objective.ref} {period} refused: {delivery.body[:300]}")
        _narrate_check_in(year, user, period, objective, reply, prompt)
    result.checked_in.append(user)
    if story.answer_time_day(period, user) > 1:
        result.late.append(user)


def open_checkin(ui: SlackSide, user: str, prompt: StoredMessage, ref: CheckInRef) -> dict:
    """Click the prompt's Check in button for `ref` and return the modal it opens."""
    before = len(ui.modals(ids.VIEW_CHECKIN))
    ui.sender.block_action(
        user_id=user,
        action_id=ids.ACTION_CHECKIN_OPEN,
        value=ref.dump(),
        channel_id=prompt.channel,
        message_ts=prompt.ts,
    )
    return ui.next_modal(ids.VIEW_CHECKIN, before)


def _metric(objective: reads.ObjectiveRow) -> story.Metric:
    plan = tuple(objective.monthly_plan or [objective.target or 0.0] * 12)
    return story.Metric(
        objective.ref,
        objective.baseline if objective.baseline is not None else plan[0],
        objective.target if objective.target is not None else plan[-1],
        plan,
        objective.higher_is_better,
        objective.metric_unit,
    )


def _narrate_check_in(year, user, period, objective, reply, prompt) -> None:
    t = year.t
    if period == "2027-04" and objective.ref == "AN7.1.2":
        t.message(prompt, f"*Hoshin Bot → DM to {year.name(user)}, the April prompt:*")
        t.note(
            f"**{year.name(user)}** clicks **Check in** on {objective.ref}: actual "
            f"{reply.actual_text()} {objective.metric_unit or ''}, *at risk*, with what happened, "
            "the challenge and a countermeasure."
        )
    elif (objective.ref, period) in story.SCRIPT and reply.status != "on_track":
        t.note(
            f"**{year.name(user)}** checks in on **{objective.ref}**: {reply.actual_text()} "
            f"{objective.metric_unit or ''}, *{reply.status.replace('_', ' ')}*. "
            f"Countermeasure: “{reply.countermeasure}”"
        )


def reply_in_words(year: DemoYear, user: str, period: str, words: str, result) -> None:
    prompt = prompt_of(year, user, period)
    if prompt is None:
        return
    before = len(year.ui.dms(user))
    year.ui.sender.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": prompt.channel,
            "user": user,
            "text": words,
            "ts": f"{year.clock.now().timestamp():.6f}",
        },
        event_id=f"Ev{period.replace('-', '')}{user}",
    )
    year.ui.standin.wait_for(lambda s: len(year.ui.dms(user)) > before, year.ui.timeout)
    result.replied_in_words.append(user)
    year.t.note(f"**{year.name(user)}** answers the prompt in words: “{words}”")
    year.t.message(year.ui.dms(user)[-1], "*Hoshin Bot → DM:*")


def go_away(year: DemoYear, user: str, until: date) -> None:
    t, ui = year.t, year.ui
    delivery = ui.sender.slash_command(
        user_id=user, text=f"away until {until:%Y-%m-%d}", channel_id="D" + user[1:]
    )
    url = delivery.response_url
    ui.standin.wait_for(lambda s: s.response_posts(url), ui.timeout)
    t.note(f"**{year.name(user)}** types `/hoshin away until {until:%Y-%m-%d}`:")
    t.lines += [render_message(ui.standin.response_posts(url)[0], t.names), ""]
    tick(year)
    manager = _manager_of(year, user)
    if manager:
        t.message(ui.dms(manager)[-1], f"*Hoshin Bot → DM to {year.name(manager)}:*")


def action_done(year: DemoYear) -> None:
    """Jan Novak marks the action under AN7.1.2 done, from the card the bot sent in January."""
    jan = "U0JANN18"
    cards = [m for m in year.ui.dms(jan) if "legacy services" in m.text]
    if not cards:
        return
    card = cards[-1]
    year.ui.click(jan, card, ids.ACTION_ACTION_DONE)
    year.ui.standin.wait_for(
        lambda s: _current(s, card).edited_count > card.edited_count, year.ui.timeout
    )
    year.t.message(
        _current(year.ui.standin, card),
        f"**{year.name(jan)}** moves the two legacy services and clicks **Done** on the "
        "action card:",
    )


# ---- reading what reached Slack ----------------------------------------------------------------


def _current(standin, message: StoredMessage) -> StoredMessage:
    return next(m for m in standin.messages(message.channel) if m.ts == message.ts)


def _dms_since(year: DemoYear, mark: int, words: str) -> dict[str, list[str]]:
    """{member id: texts of the DMs with `words` posted to them since call number `mark`}."""
    found: dict[str, list[str]] = {}
    for call in year.ui.standin.calls[mark:]:
        text = call.args.get("text") or ""
        if call.method == "chat.postMessage" and call.ok and words in text:
            found.setdefault(call.args.get("channel", ""), []).append(text)
    return found


def _dms_with(year: DemoYear, user: str, words: str) -> list[StoredMessage]:
    return [m for m in year.ui.dms(user) if words in m.text]


def _escalations(year: DemoYear, manager: str, owner: str) -> list[StoredMessage]:
    return [
        m
        for m in year.ui.dms(manager)
        if m.text.startswith(f"{year.name(owner)} has not checked in")
    ]


def _manager_of(year: DemoYear, user: str) -> str | None:
    return year.managers.get(user)


def _statuses(year: DemoYear, period: str) -> dict[str, str | None]:
    """{objective ref: its stored status for `period`}, in plan order, as the database has it."""
    with session_scope(year.jobs.engine) as session:
        stored = checkins.statuses(
            session,
            workspace_id=year.workspace_id,
            objective_ids=[o.id for o in year.objectives],
            period=period,
        )
    return {o.ref: stored[o.id] for o in year.objectives if o.id in stored}


def thread_parents(standin, channel: str) -> dict[str, StoredMessage]:
    """{period label ("Apr 2027"): the thread's parent as it now stands} of a review channel."""
    found = {}
    for message in standin.messages(channel):
        if message.thread_ts:
            continue
        for block in message.blocks or []:
            if block.get("type") == "header":
                found[block["text"]["text"].split("·")[-1].strip()] = message
    return found


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
