"""`hoshin demo`: the example organisation's plan, the real app, the Slack stand-in, a transcript.

Everything runs on this machine: a fresh SQLite file, the stand-in answering as Slack, the real
app serving signed HTTP requests. Each step is what a person would do in Slack; the transcript
shows what they would see.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot import ids
from bot.app import create_app
from bot.clock import ManualClock
from bot.demo.state import DemoYear
from bot.demo.transcript import Transcript, render_blocks, render_message
from bot.demo.year import play_year, review_threads
from bot.demo.yearend import play_year_end
from bot.plan.store import export_plan, import_plan
from bot.server import start_http_in_background
from bot.services import Services
from bot.settings import Settings
from bot.standin import SlackStandIn
from bot.standin.inbound import Delivery, SlackSender
from bot.standin.slack_side import SlackSide
from schedules.delivery import limits_from
from schedules.review_poster import ReviewPoster
from schedules.scheduler import JobContext
from storage import status as reads
from storage.db import make_engine, session_scope, upgrade
from storage.workspaces import all_workspaces, find_person

EXAMPLE_PLAN = Path(__file__).parents[1] / "examples" / "acme-2027.yaml"
DEMO_START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # the Monday before January's check-in
# Every rate limit, the stand-in's and delivery's alike, runs this many times faster than
# Slack's, so that a year's posts take seconds; the ratio between them is what counts.
DEMO_SPEED = 20


def run_demo(out_dir: Path) -> Path:
    """Play the demo into `out_dir`; the transcript's path."""
    play_demo(out_dir)
    return out_dir / "transcript.md"


def play_demo(out_dir: Path) -> DemoYear:
    """Play the demo, write its files, and return the year's state (the stand-in, stopped,
    keeps what reached it; the database stays in `out_dir`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / "hoshin-demo.db"
    for stale in out_dir.glob("hoshin-demo.db*"):
        stale.unlink()
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    report = import_plan(engine, EXAMPLE_PLAN.read_text(encoding="utf-8"), actor="demo")

    with session_scope(engine) as session:
        [workspace] = all_workspaces(session)
        people = reads.people(session, workspace_id=workspace.id)
        rows = reads.active_objectives(session, workspace_id=workspace.id)
    team_id = workspace.team_id
    names = {p.slack_user_id: p.name for p in people.values()}

    standin = SlackStandIn(
        team_id=team_id,
        team_name=workspace.name or "Acme",
        bot_token="xoxb-demo-token",
        rate_limit_scale=DEMO_SPEED,
    )
    for person in people.values():
        standin.add_user(person.slack_user_id, name=person.name.lower(), real_name=person.name)
    channel_names = {
        workspace.review_channel: "hoshin-review",
        workspace.leadership_channel: "leadership",
    }
    for row in rows:  # a department's review channel, named after the first objective using it
        channel_names.setdefault(row.review_channel, f"review-{row.ref.lower()}")
    for channel, name in channel_names.items():
        if channel:
            standin.add_channel(channel, name=name, is_member=True)
            names[channel] = name
    standin.start()
    signing_secret = secrets.token_hex(16)
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-demo-token",
        slack_signing_secret=signing_secret,
        slack_api_url=standin.api_url,
        database_url=f"sqlite:///{database}",
    )
    clock = ManualClock(DEMO_START)
    limits = limits_from(settings).scaled(DEMO_SPEED)
    services = Services(settings=settings, engine=engine, clock=clock)
    jobs = JobContext(services, limits=limits)  # one pacer for the jobs and the app's posts
    services = replace(
        services, review_poster=ReviewPoster(services, limits=limits, pacer=jobs.pacer)
    )
    app = create_app(services)
    server = start_http_in_background(app, engine)
    sender = SlackSender(
        server.url, signing_secret=signing_secret, standin=standin, team_id=team_id
    )
    try:
        transcript = _play(sender, standin, rows, people, workspace, names, report)
        _play_catchball(transcript, SlackSide(sender, standin), clock, rows, people, channel_names)
        ui = SlackSide(sender, standin)
        year = _year(transcript, ui, jobs, channel_names)
        play_year(year)
        play_year_end(year, out_dir)
        (out_dir / "review-threads.md").write_text(review_threads(year), encoding="utf-8")
        _in_numbers(transcript, standin)
    finally:
        server.stop()
        app.close()
        standin.stop()
    (out_dir / "plan-export.yaml").write_text(
        export_plan(engine, team_id=team_id), encoding="utf-8"
    )
    engine.dispose()
    path = out_dir / "transcript.md"
    path.write_text("\n".join(transcript.lines).lstrip() + "\n", encoding="utf-8")
    return year


def _in_numbers(t: Transcript, standin: SlackStandIn) -> None:
    counts = Counter(c.method for c in standin.calls)
    t.heading("The demo in numbers")
    t.note(
        f"The stand-in answered {sum(counts.values())} Web API calls: "
        + ", ".join(f"{n} `{method}`" for method, n in counts.most_common())
        + ". The whole year's review threads of one channel are in `review-threads.md`."
    )


def _play(sender, standin, rows, people, workspace, names, report) -> Transcript:
    t = Transcript(names)
    t.lines.append(f"# Hoshin Bot demo · {workspace.name or workspace.team_id}")
    t.note(
        f"The example plan `{EXAMPLE_PLAN.name}` was imported into a fresh SQLite database. "
        f"The clock reads {DEMO_START:%d %B %Y}. Every answer below went through the real app "
        "over signed HTTP requests and reached the local Slack stand-in."
    )
    t.lines += [f"- {line}" for line in report.lines()]
    admin = next(p for p in people.values() if p.id == _first_breakthrough_owner(rows, people))
    annual = next(r for r in rows if r.level == "annual")
    deep = next(
        (
            r
            for r in rows
            if r.level == "cascaded" and r.parent_id and any(c.parent_id == r.id for c in rows)
        ),
        annual,
    )
    owner = people[annual.owner_id]
    channel = workspace.review_channel or "C0HOSHIN"
    where = names.get(channel, channel)

    def ask(person, text: str, heading: str) -> dict:
        delivery = sender.slash_command(
            user_id=person.slack_user_id,
            text=text,
            channel_id=channel,
            user_name=person.name.lower(),
        )
        answer = _answer(standin, delivery)
        t.heading(heading)
        t.said(person.slack_user_id, f"types `/hoshin {text}`", where, answer)
        return answer

    ask(admin, "help", "1. What can the bot do?")
    ask(admin, "status", "2. The whole plan at a glance")
    answer = ask(owner, f"status {annual.ref}", f"3. Drilling into {annual.ref}")
    ask(owner, f"status {deep.ref}", f"4. Further down the cascade: {deep.ref}")
    ask(
        admin,
        f"status <@{owner.slack_user_id}|{owner.name.lower()}>",
        f"5. Everything {owner.name} owns",
    )
    share = next(b for b in answer["blocks"] if b["type"] == "actions")["elements"][0]
    delivery = sender.block_action(
        user_id=owner.slack_user_id,
        action_id=share["action_id"],
        value=share["value"],
        channel_id=channel,
        is_ephemeral=True,
    )
    t.heading(f"6. {owner.name} shares {annual.ref} with the channel")
    t.said(owner.slack_user_id, "clicks **Share in channel**", where, _answer(standin, delivery))
    ask(admin, f"status {annual.ref}X", "7. A mistyped objective gets a helpful answer")
    t.note(
        f"The plan was exported again to `plan-export.yaml`; the stand-in recorded "
        f"{len(standin.calls)} Web API calls and {len(standin.response_posts())} answers."
    )
    return t


def _first_breakthrough_owner(rows, people) -> int:
    for row in rows:
        if row.level == "breakthrough" and row.owner_id in people:
            return row.owner_id
    return next(iter(people))


def _answer(standin: SlackStandIn, delivery: Delivery) -> dict:
    if delivery.status != 200:
        raise RuntimeError(f"the app answered HTTP {delivery.status}: {delivery.body[:200]}")
    url = delivery.response_url
    if not standin.wait_for(lambda s: s.response_posts(url), timeout=15):
        raise RuntimeError("the app did not answer within 15 seconds")
    return standin.response_posts(url)[0]


def _play_catchball(
    t: Transcript, ui: SlackSide, clock: ManualClock, rows, people, channels
) -> None:
    """Step 4 and 5: a proposal down the cascade, a counter-proposal, approval, an action plan."""
    by_slack = {p.slack_user_id: p for p in people.values()}
    parent = next(r for r in rows if r.ref == "AN7.1")
    leader = people[parent.owner_id]  # Stefan, who owns "Restore service within 30 minutes"
    felix, jan = by_slack["U0FELI16"], by_slack["U0JANN18"]
    where = channels.get("C0ENGREVIEW", "review-an7")

    t.heading(f"8. Catchball: {leader.name} proposes an objective down to {felix.name}")
    modal = ui.command_modal(
        leader.slack_user_id, f"propose {parent.ref}", ids.VIEW_PROPOSE, channel_id="C0ENGREVIEW"
    )
    proposal = {
        ids.FIELD_TITLE: "Page the owning team within 2 minutes",
        ids.FIELD_OWNER: felix.slack_user_id,
        ids.FIELD_METRIC_NAME: "Time to page the owning team (p90)",
        ids.FIELD_METRIC_UNIT: "minutes",
        ids.FIELD_BASELINE: "9",
        ids.FIELD_TARGET: "2",
        ids.FIELD_DIRECTION: "lower",
        ids.FIELD_MONTHLY_PLAN: "8.5 8 7 6.5 6 5 4.5 4 3.5 3 2.5 2",
        ids.FIELD_DESCRIPTION: "Every alert routes straight to the team that owns the service.",
    }
    t.note(
        f"**{leader.name}** types `/hoshin propose {parent.ref}` in #{where} and fills in the "
        f"modal: *{proposal[ids.FIELD_TITLE]}*, owner {felix.name}, target 2 minutes "
        "(lower is better), a plan from 8.5 down to 2."
    )
    ui.submit(leader.slack_user_id, modal, proposal)
    ask = ui.wait_dm_with(felix.slack_user_id, proposal[ids.FIELD_TITLE])
    _dm(t, felix, ask)

    t.heading(f"9. {felix.name} counter-proposes")
    counter = ui.click_modal(
        felix.slack_user_id, ask, ids.ACTION_CATCHBALL_COUNTER, ids.VIEW_COUNTER
    )
    reason = (
        "Two legacy services page through a shared rota until the Q3 migration: "
        "3 minutes is honest for 2027, 2 next year."
    )
    t.note(
        f"**{felix.name}** clicks **Counter-propose**, sets the target to 3 minutes and says "
        f"why: “{reason}”"
    )
    ui.submit(
        felix.slack_user_id,
        counter,
        {
            ids.FIELD_TITLE: "Page the owning team within 3 minutes",
            ids.FIELD_TARGET: "3",
            ids.FIELD_MONTHLY_PLAN: "8.5 8 7.5 7 6.5 6 5.5 5 4.5 4 3.5 3",
            ids.FIELD_REASON: reason,
        },
    )
    decide = ui.wait_dm_with(leader.slack_user_id, "within 3 minutes")
    _dm(t, leader, decide)

    t.heading(f"10. {leader.name} approves")
    ui.click(leader.slack_user_id, decide, ids.ACTION_CATCHBALL_APPROVE)
    ui.standin.wait_for(lambda s: not _has_buttons(_current(s, decide)), ui.timeout)
    t.note(f"**{leader.name}** clicks **Approve**. The decision message is updated in place:")
    _dm(t, leader, _current(ui.standin, decide), heading=False)
    told = ui.wait_dm_with(felix.slack_user_id, "pproved")
    _dm(t, felix, told)
    new_ref = _ref_in(told.text) or f"{parent.ref}.2"

    t.heading(f"11. An action plan under {new_ref}")
    modal = ui.command_modal(felix.slack_user_id, f"action {new_ref}", ids.VIEW_ACTION)
    title = "Move the two legacy services to per-team paging"
    t.note(
        f"**{felix.name}** types `/hoshin action {new_ref}`: *{title}*, for {jan.name}, "
        "due 30 June 2027."
    )
    ui.submit(
        felix.slack_user_id,
        modal,
        {
            ids.FIELD_TITLE: title,
            ids.FIELD_OWNER: jan.slack_user_id,
            ids.FIELD_DUE: "2027-06-30",
        },
    )
    card = ui.wait_dm_with(jan.slack_user_id, title)
    _dm(t, jan, card)
    t.heading(f"12. {felix.name}'s App Home")
    ui.sender.event(
        {
            "type": "app_home_opened",
            "user": felix.slack_user_id,
            "tab": "home",
            "channel": "D" + felix.slack_user_id[1:],
            "event_ts": "1",
        }
    )
    ui.standin.wait_for(lambda s: felix.slack_user_id in s.home_views, ui.timeout)
    home = ui.standin.home_views[felix.slack_user_id]
    t.lines += ["> " + line if line else ">" for line in render_blocks(home["blocks"], t.names)]
    t.lines.append("")


def _dm(t: Transcript, person, message, *, heading: bool = True) -> None:
    if heading:
        t.lines += [f"*Hoshin Bot → DM to {person.name}:*", ""]
    t.lines += [render_message({"text": message.text, "blocks": message.blocks}, t.names), ""]


def _current(standin: SlackStandIn, message):
    return next(m for m in standin.messages(message.channel) if m.ts == message.ts)


def _has_buttons(message) -> bool:
    return any(b["type"] == "actions" for b in message.blocks or [])


def _ref_in(text: str) -> str | None:
    import re

    match = re.search(r"\b(AN7\.1\.\d+)\b", text)
    return match.group(1) if match else None


def _year(t: Transcript, ui: SlackSide, jobs: JobContext, channel_names) -> DemoYear:
    """The state the year starts from, read again: catchball added an objective."""
    with session_scope(jobs.engine) as session:
        [workspace] = all_workspaces(session)
        people = reads.people(session, workspace_id=workspace.id)
        rows = reads.active_objectives(session, workspace_id=workspace.id)
        managers = {}
        for person in people.values():
            row = find_person(
                session, workspace_id=workspace.id, slack_user_id=person.slack_user_id
            )
            if row is not None and row.manager_id in people:
                managers[person.slack_user_id] = people[row.manager_id].slack_user_id
    return DemoYear(
        t=t,
        ui=ui,
        clock=jobs.clock,
        jobs=jobs,
        workspace_id=workspace.id,
        people={p.slack_user_id: p for p in people.values()},
        objectives=rows,
        channel_names={c: n for c, n in channel_names.items() if c},
        managers=managers,
    )
