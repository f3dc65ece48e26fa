"""The demo's year-end: the hansei week told, `/hoshin reflect 2027`, the report's files, and
(once it is built) the annual reflection posted on the first day of the next year.

Part of the demo's composition root (with `bot.demo`), so it may reach into `schedules/`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot import demo_story as story
from bot.demo_state import DemoYear, tick
from bot.reflection import chart_png
from bot.report import render_report, year_reports

CEO = "U0DANA01"  # Dana Whitfield, an admin
PREVIEW_AT = datetime(2027, 12, 20, 15, 0, tzinfo=UTC)  # the Monday after the hansei week
CHART_FILE = f"bowling-chart-{story.YEAR}.png"
HTML_FILE = f"reflection-{story.YEAR}.html"
MARKDOWN_FILE = f"reflection-{story.YEAR}.md"
FILES = (CHART_FILE, HTML_FILE, MARKDOWN_FILE)


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


def _play_reflection_posting(year: DemoYear) -> None:
    """On the first day of the next fiscal year, the `annual-reflection` job posts the
    reflection to #leadership; then the carry-over into catchball. Not built yet: this hook
    is where it goes once the job is on main."""


def _leadership(year: DemoYear) -> str:
    return next(
        (c for c, n in year.channel_names.items() if n == "leadership"),
        next(iter(year.channel_names)),
    )
