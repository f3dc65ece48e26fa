"""The demo's year-end: the hansei week told, `/hoshin reflect 2027`, the report's files, the
annual reflection posted on the first day of the next year, and next year started from it.

Part of the demo's composition root (with `bot.demo.run`), so it may reach into `schedules/`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import ids
from bot.demo import story
from bot.demo.state import DemoYear, current, tick
from bot.demo.transcript import render_message
from bot.reflection.report import render_report, year_reports
from bot.reflection.service import chart_png
from bot.standin import StoredMessage
from schedules.scheduler import ANNUAL_REFLECTION
from storage import reflections
from storage.db import session_scope

CEO = "U0DANA01"  # Dana Whitfield, an admin
PREVIEW_AT = datetime(2027, 12, 20, 15, 0, tzinfo=UTC)  # the Monday after the hansei week
CHART_FILE = f"bowling-chart-{story.YEAR}.png"
HTML_FILE = f"reflection-{story.YEAR}.html"
MARKDOWN_FILE = f"reflection-{story.YEAR}.md"
FILES = (CHART_FILE, HTML_FILE, MARKDOWN_FILE)
POST_AT = datetime(2028, 1, 1, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, the first day of FY2028
MISSED_TITLE = "Raise the win rate"  # AN3, the one annual objective 2027 missed
REPLY_LINES = 14  # lines of each long thread reply the transcript shows


def play_year_end(year: DemoYear, out_dir: Path) -> None:
    t = year.t
    t.heading("14. The year-end reflection (hansei)")
    t.lines += year.yearend_lines
    preview(year)
    write_files(year, out_dir)
    _play_reflection_posting(year)


def preview(year: DemoYear) -> None:
    """The CEO types `/hoshin reflect 2027` in #leadership: the private preview."""
    t, ui = year.t, year.ui
    if year.clock.now() < PREVIEW_AT:
        year.clock.set(PREVIEW_AT)
    tick(year)
    channel = _leadership(year)
    delivery = ui.sender.slash_command(
        user_id=CEO, text=f"reflect {story.YEAR}", channel_id=channel
    )
    url = delivery.response_url
    if delivery.status != 200 or not ui.standin.wait_for(
        lambda s: s.response_posts(url), ui.timeout
    ):
        raise RuntimeError(f"`/hoshin reflect` had no answer: {delivery.body[:200]}")
    t.heading(f"15. {year.name(CEO)} previews the annual reflection")
    t.said(
        CEO,
        f"types `/hoshin reflect {story.YEAR}`",
        year.channel_names.get(channel, channel),
        ui.standin.response_posts(url)[0],
    )


def write_files(year: DemoYear, out_dir: Path) -> list[Path]:
    """The bowling chart (PNG) and the report (HTML, Markdown) next to the transcript."""
    reports = year_reports(year.jobs.engine, year=story.YEAR, now=year.clock.now())
    [(facts, _)] = reports
    written = [out_dir / name for name in FILES]
    written[0].write_bytes(chart_png(facts))
    written[1].write_text(render_report(reports, "html"), encoding="utf-8")
    written[2].write_text(render_report(reports, "markdown"), encoding="utf-8")
    year.t.note(
        f"The same reflection for people outside Slack (`hoshin report --year {story.YEAR}`): "
        f"`{HTML_FILE}` (self-contained, the chart embedded), `{MARKDOWN_FILE}`, and the "
        f"bowling chart alone as `{CHART_FILE}`, next to this transcript."
    )
    return written


def _leadership(year: DemoYear) -> str:
    return next(
        (c for c, n in year.channel_names.items() if n == "leadership"),
        next(iter(year.channel_names)),
    )


def _play_reflection_posting(year: DemoYear) -> None:
    """On the first day of FY2028 the `annual-reflection` job posts the reflection to
    #leadership (run as the scheduler runs it: the job, then delivery, until the thread is
    complete); then the CEO, an admin, starts FY2028 from its carry-overs, into catchball."""
    t, ui = year.t, year.ui
    channel = _leadership(year)
    where = year.channel_names.get(channel, channel)
    year.clock.set(POST_AT)
    mark = len(ui.standin.calls)
    tick(year)  # every job of the registry, `annual-reflection` among them: the parent
    for _ in range(20):  # the job each minute: the chart's upload, then each reply in turn
        if _posted(year):
            break
        year.clock.set(year.clock.now() + timedelta(minutes=1))
        ANNUAL_REFLECTION.run(year.jobs)
        year.jobs.deliverer().run_until_idle(timeout=60)
    if not _posted(year):
        raise RuntimeError("the annual reflection was not posted")
    ANNUAL_REFLECTION.run(year.jobs)  # its next run finds the year posted: nothing more
    year.jobs.deliverer().run_until_idle(timeout=60)
    parent, replies = _reflection_thread(ui.standin, channel, mark)
    t.heading(f"16. {POST_AT:%d %B %Y}: the annual reflection in #{where}")
    t.note(
        "On the first day of FY2028 the `annual-reflection` job posts FY2027's reflection to "
        f"#{where}, once: the summary, the bowling chart uploaded into its thread "
        "(`files.getUploadURLExternal`, the upload, `files.completeUploadExternal`), then one "
        "reply per breakthrough with the owners' hansei, and the carry-overs last."
    )
    t.message(parent, f"*Hoshin Bot in #{where}:*")
    files = {f.id: f for f in ui.standin.files}
    for reply in replies:
        if reply.files:
            names = ", ".join(f"`{files[i].filename}`" for i in reply.files if i in files)
            t.note(f"*In the thread, the chart's upload:* 📎 {names}")
            continue
        if reply is replies[-1]:
            t.message(reply, "*…and the last reply, the carry-overs:*")
        else:
            t.lines += ["*…a reply in the thread:*", "", _shortened(reply, t.names), ""]
    _carry_over(year, channel, replies[-1])


def _posted(year: DemoYear) -> bool:
    with session_scope(year.jobs.engine) as session:
        row = reflections.find(session, workspace_id=year.workspace_id, year=story.YEAR)
        return row is not None and row.posted_at is not None


def _reflection_thread(standin, channel: str, mark: int):
    messages = standin.messages(channel)
    first_post = next(
        c.response["ts"]
        for c in standin.calls[mark:]
        if c.method == "chat.postMessage" and c.ok and c.args.get("channel") == channel
    )
    parent = next(m for m in messages if m.ts == first_post)
    return parent, [m for m in messages if m.thread_ts == parent.ts]


def _shortened(message: StoredMessage, names, *, lines: int = REPLY_LINES) -> str:
    """The message as the transcript quotes it, cut after `lines` lines when longer."""
    shown = render_message({"text": message.text, "blocks": message.blocks}, names).split("\n")
    if len(shown) <= lines:
        return "\n".join(shown)
    return "\n".join([*shown[:lines], f"> _… ({len(shown) - lines} more lines in Slack)_"])


def _carry_over(year: DemoYear, channel: str, closing: StoredMessage) -> None:
    """The CEO clicks the closing reply's carry-over button: drafts of FY2028 into catchball."""
    t, ui = year.t, year.ui
    mark = len(ui.standin.calls)
    button = next(
        e
        for b in closing.blocks or []
        if b.get("type") == "actions"
        for e in b["elements"]
        if e.get("action_id") == ids.ACTION_REFLECTION_CARRYOVER
    )
    delivery = ui.sender.block_action(
        user_id=CEO,
        action_id=ids.ACTION_REFLECTION_CARRYOVER,
        value=button["value"],
        block_id=ids.BLOCK_REFLECTION_ACTIONS,
        channel_id=channel,
        message_ts=closing.ts,
    )
    url = delivery.response_url
    if delivery.status != 200 or not ui.standin.wait_for(
        lambda s: s.response_posts(url), ui.timeout
    ):
        raise RuntimeError(f"the carry-over button had no answer: {delivery.body[:200]}")
    tick(year, jobs=False)  # the proposal DMs and the closing reply's update
    ui.standin.wait_for(
        lambda s: current(s, closing).edited_count > closing.edited_count, ui.timeout
    )
    t.heading(f"17. {year.name(CEO)} starts FY2028 from the carry-overs")
    t.note(
        f"**{year.name(CEO)}** (an admin) clicks **{button['text']['text']}** on the closing "
        f"reply and confirms. Only {year.name(CEO).split()[0]} sees the answer:"
    )
    t.lines += [render_message(ui.standin.response_posts(url)[0], t.names), ""]
    updated = render_message(
        {"blocks": current(ui.standin, closing).blocks, "text": ""}, t.names
    ).split("\n")
    t.note("*The closing reply, updated in place: the button gave way to*")
    t.lines += [line for line in updated if "🌱" in line] + [""]
    asks = [
        c
        for c in ui.standin.calls[mark:]
        if c.method == "chat.postMessage"
        and c.ok
        and c.args.get("channel", "").startswith("U")
        and (c.args.get("text") or "").startswith("Proposal")
    ]
    if asks:
        # The draft carried over from the objective the year missed, when there is one.
        ask = next((c for c in asks if MISSED_TITLE in c.args.get("text", "")), asks[0])
        owner = ask.args["channel"]
        dm = next(m for m in ui.dms(owner) if m.ts == ask.response["ts"])
        t.message(dm, f"*Hoshin Bot → DM to {year.name(owner)}, catchball's proposal:*")
        t.note(
            f"_({len(asks)} proposal DMs in all, one per draft: each owner accepts or "
            "counter-proposes, as in January's catchball.)_"
        )
