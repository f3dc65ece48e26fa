"""The `hoshin` command: run the bot, upgrade the database, import and export plans, the demo,
the message catalogs."""

from __future__ import annotations

import logging
import signal
import sys
from datetime import UTC
from pathlib import Path

import click

from bot.clock import SystemClock
from bot.errors import HoshinError
from bot.logs import configure_logging
from bot.runtime import tune_gc
from bot.settings import Settings, SettingsError, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def _engine(settings: Settings):
    from storage.db import make_engine

    return make_engine(settings.database_url)


@click.group(help=__doc__)
def main() -> None:
    # Imports are done by now: every command (a long-running bot, a 10,000-objective export)
    # gains from collections that skip start-up objects and run less often.
    tune_gc()


@main.command()
@click.option(
    "--http", "use_http", is_flag=True, help="Serve Slack's HTTP requests instead of Socket Mode."
)
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on (HTTP).")
@click.option("--port", default=3000, show_default=True, help="Port to listen on (HTTP).")
@click.option(
    "--health-port",
    type=int,
    help="Socket Mode: also serve GET /healthz and GET /metrics on this port.",
)
def run(use_http: bool, host: str, port: int, health_port: int | None) -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, or HTTP with --http."""
    from bot.app import create_app
    from bot.services import Services
    from storage.db import upgrade

    settings = _settings()
    configure_logging(settings.log_level, settings.log_format, settings.secrets())
    try:
        settings.require("slack_bot_token", "slack_signing_secret")
        if not use_http:
            settings.require("slack_app_token")
    except SettingsError as exc:
        hint = " (or run with --http)" if "APP_TOKEN" in str(exc) else ""
        raise click.ClickException(f"{exc}{hint}") from exc
    from dataclasses import replace

    from schedules.leader import LeaderElection
    from schedules.review_poster import ReviewPoster
    from schedules.scheduler import JobContext, Scheduler

    engine = _engine(settings)
    upgrade(engine)
    services = Services(settings=settings, engine=engine, clock=SystemClock())
    # The deliver job and the posts sent right after a click share one pacer: together they
    # stay within what Slack grants, a channel's posts a second apart whoever sends them.
    jobs = JobContext(services)
    poster = ReviewPoster(services, limits=jobs.limits, pacer=jobs.pacer)
    app = create_app(replace(services, review_poster=poster))
    # SIGTERM ends the process through `finally`, so the scheduler stops cleanly and the lease
    # is released. In HTTP mode uvicorn catches the signal first, stops accepting connections,
    # finishes the requests in flight, and raises it again to this handler.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # Every instance serves Slack; only the holder of the scheduler lease runs the jobs.
    election = LeaderElection(engine)
    scheduler = Scheduler(jobs, leader=election)
    election.on_elected = scheduler.wake
    election.on_clock_step = scheduler.clock_stepped  # this host's clock stepped back
    election.start()
    scheduler.start()
    try:
        if use_http:
            from bot.server import serve_http

            click.echo(f"Hoshin Bot serving http://{host}:{port}/slack/events")
            serve_http(
                app,
                engine,
                host=host,
                port=port,
                leadership=election,
                max_body_bytes=settings.http_max_body_bytes,
            )
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            click.echo("Hoshin Bot connecting to Slack over Socket Mode")
            if health_port is not None:
                from bot.server import start_http_in_background

                start_http_in_background(
                    app,
                    engine,
                    host=host,
                    port=health_port,
                    leadership=election,
                    max_body_bytes=settings.http_max_body_bytes,
                )
            socket_mode = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
            try:
                socket_mode.start()
            finally:
                socket_mode.close()
    except KeyboardInterrupt:
        pass
    finally:
        # Stop first (the Slack call in flight finishes, the rest stays queued), then hand the
        # lease over so that a follower takes over at once rather than after its expiry.
        scheduler.stop()
        app.close()
        election.stop(release=True)
        logging.getLogger(__name__).info("stopped")


def _stop_on_sigterm(_signum, _frame) -> None:
    raise SystemExit(0)


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the schema up to date (the bot also does this when it starts)."""
    from storage.db import current_revision, upgrade

    engine = _engine(_settings())
    upgrade(engine)
    click.echo(f"database at revision {current_revision(engine)}")


@main.group()
def plan() -> None:
    """Import and export the plan as a YAML file."""


@plan.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def plan_import(file: Path) -> None:
    """Load FILE into the database: all or nothing, idempotent by ref."""
    from bot.plan.file import PlanFileError, too_big
    from bot.plan.store import import_plan
    from storage.db import upgrade

    engine = _engine(_settings())
    upgrade(engine)
    try:
        if error := too_big(file.stat().st_size):  # refused before it is read into memory
            raise error
        try:
            text = file.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:  # a spreadsheet saved as Latin-1, a binary file
            click.echo(
                f"{file}: not UTF-8 text (byte {exc.start} is {exc.object[exc.start]:#04x}); "
                "save it as UTF-8 and import again. Nothing was imported.",
                err=True,
            )
            sys.exit(1)
        report = import_plan(engine, text)
    except PlanFileError as exc:
        click.echo(f"{file}: {len(exc.problems)} problem(s); nothing was imported.", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    except HoshinError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo("\n".join(report.lines()))


@plan.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--workspace", "team_id", help="Slack team id, when the database holds several.")
def plan_export(file: Path | None, team_id: str | None) -> None:
    """Write the plan as YAML to FILE (or to standard output)."""
    from bot.plan.store import export_plan

    engine = _engine(_settings())
    try:
        text = export_plan(engine, team_id=team_id)
    except HoshinError as exc:
        raise click.ClickException(exc.message) from exc
    if file is None:
        click.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")
        click.echo(f"plan written to {file}")


@main.group()
def jobs() -> None:
    """The scheduled jobs `hoshin run` runs: list them, or run one now."""


@jobs.command("list")
def jobs_list() -> None:
    """Each job, how often it runs, and what comes next (check-ins: per workspace)."""
    from schedules.jobs import upcoming_prompts, waiting_posts
    from schedules.scheduler import registry
    from storage.db import upgrade

    engine = _engine(_settings())
    upgrade(engine)
    clock = SystemClock()
    for job in registry():
        click.echo(f"{job.name:<16} every {_every(job.every_seconds):<7} {job.summary}")
        if job.name == "monthly-checkin":
            for line in upcoming_prompts(engine, clock) or ["no workspace yet"]:
                click.echo(f"{'':<16} next: {line}")
        elif job.name == "deliver":
            click.echo(f"{'':<16} {waiting_posts(engine)} message(s) waiting")
        elif job.name == "hansei-prompts":
            from schedules.hansei import upcoming_hansei

            for line in upcoming_hansei(engine, clock):
                click.echo(f"{'':<16} next: {line}")
    _echo_suspended(engine)


def _echo_suspended(engine) -> None:
    """A revoked token leaves the bot no way to tell anyone in Slack: the operator hears here."""
    from storage.db import session_scope
    from storage.workspaces import suspended_workspaces

    with session_scope(engine) as session:
        suspended = suspended_workspaces(session)
    for team_id, reason in suspended:
        click.echo(
            f"SUSPENDED {team_id}: {reason}; its jobs and deliveries are stopped (queued posts "
            f"are kept). Fix the token, then run `hoshin jobs resume {team_id}`."
        )


@jobs.command("resume")
@click.argument("team_id")
def jobs_resume(team_id: str) -> None:
    """Restart a workspace's jobs and deliveries after its token was fixed."""
    from storage.db import session_scope, upgrade
    from storage.workspaces import resume_workspace

    engine = _engine(_settings())
    upgrade(engine)
    with session_scope(engine) as session:
        resumed = resume_workspace(session, team_id=team_id)
    if not resumed:
        raise click.ClickException(f"{team_id} is not suspended.")
    click.echo(f"{team_id}: resumed; queued posts go out on the next delivery run.")


def _every(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


@jobs.command("run")
@click.argument("name")
@click.option(
    "--period",
    metavar="YYYY-MM",
    help="monthly-checkin: queue that period's prompts for everyone, whatever the time.",
)
@click.option(
    "--year",
    type=click.IntRange(2000, 2999),
    metavar="YYYY",
    help="Year-end jobs (hansei-prompts, annual-reflection): that fiscal year, whatever the date.",
)
def jobs_run(name: str, period: str | None, year: int | None) -> None:
    """Run the job NAME once, now (monthly-checkin, reminders, deliver, ...)."""
    from bot.services import Services
    from schedules.jobs import JobReport, check_period
    from schedules.scheduler import JobContext, find_job
    from storage.db import upgrade

    settings = _settings()
    configure_logging("WARNING")  # the report is printed below; only trouble is logged
    try:
        job = find_job(name)
        given = {"period": period, "year": year}
        options = {key: value for key, value in given.items() if value is not None}
        for key in options:
            if key not in job.options:
                takes = [j.name for j in _jobs_taking(key)]
                raise click.UsageError(f"--{key} is for {' and '.join(takes) or 'no job'} only")
        check_period(period)
        # The buttons of the messages a job writes are signed with it, so the app can read them.
        settings.require("slack_signing_secret")
        engine = _engine(settings)
        upgrade(engine)
        context = JobContext(
            Services(settings=settings, engine=engine, clock=SystemClock()), operator=True
        )
        if job.name == "deliver":
            options["max_messages"] = None  # an operator's run sends everything due
        report = job.run(context, **options)
    except HoshinError as exc:
        raise click.ClickException(exc.message) from exc
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    text = report.text() if hasattr(report, "text") else str(report)
    click.echo(f"{job.name}: {text}")
    # Any job whose report names errors (a workspace, a thread, a part that failed) exits 1,
    # with the reason in one line where scripts and cron mails look for it.
    failure = report.failure(job.name) if isinstance(report, JobReport) else None
    if failure:
        click.echo(f"Error: {failure}", err=True)
        sys.exit(1)


def _jobs_taking(option: str) -> list:
    from schedules.scheduler import registry

    return [job for job in registry() if option in job.options]


@main.command()
@click.option("--year", required=True, type=click.IntRange(2000, 2999), metavar="YYYY")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "csv", "html"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: standard output).",
)
@click.option("--team", "team_ids", multiple=True, help="Slack team id; repeat for several.")
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Count the months due up to this day (default: today).",
)
def report(year: int, fmt: str, out_file: Path | None, team_ids: tuple[str, ...], as_of) -> None:
    """Write fiscal YEAR's reflection for people outside Slack (the HTML embeds the chart)."""
    from bot.reflection.report import render_report, year_reports

    engine = _engine(_settings())
    try:
        now = as_of.replace(tzinfo=UTC) if as_of else SystemClock().now()
        reports = year_reports(engine, year=year, now=now, team_ids=team_ids)
    except HoshinError as exc:
        raise click.ClickException(exc.message) from exc
    text = render_report(reports, fmt)
    if out_file is None:
        click.echo(text, nl=False)
        return
    out_file.write_text(text, encoding="utf-8")
    objectives = sum(len(facts.objectives) for facts, _ in reports)
    click.echo(f"FY{year} reflection ({fmt}, {objectives} objectives) written to {out_file}")


@main.command()
@click.option(
    "--out",
    "out_dir",
    default="demo-output",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the transcript.",
)
def demo(out_dir: Path) -> None:
    """Play a scripted walk through the bot against the local Slack stand-in."""
    from bot.demo.run import run_demo

    configure_logging("WARNING")
    transcript = run_demo(out_dir)
    click.echo(f"Transcript written to {transcript}")
    from bot.demo.yearend import FILES

    for name in ("review-threads.md", *FILES):
        if (out_dir / name).exists():
            click.echo(f"  and {out_dir / name}")


@main.group()
def i18n() -> None:
    """The message catalogs (bot/i18n/locales): English is the source, the rest translate it."""


@i18n.command("extract")
def i18n_extract() -> None:
    """Collect the messages from the code into messages.pot and update every language's .po."""
    from bot.i18n.extract import ROOT, refresh

    changed = refresh()
    for path in changed:
        click.echo(f"Updated {path.relative_to(ROOT)}")
    if not changed:
        click.echo("The catalogs are current.")


@i18n.command("init")
@click.argument("language")
def i18n_init(language: str) -> None:
    """Start the catalog of a new LANGUAGE (a code like de or uk) from messages.pot."""
    from babel import UnknownLocaleError

    from bot.i18n.extract import ROOT, init

    try:
        path = init(language)
    except (FileExistsError, ValueError, UnknownLocaleError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Created {path.relative_to(ROOT)}: translate it, then add {language!r} to LANGUAGES"
    )


@main.command()
@click.option("--port", default=8765, show_default=True)
@click.option("--rate-limit-scale", default=1.0, show_default=True)
def standin(port: int, rate_limit_scale: float) -> None:
    """Run the local Slack stand-in on its own (point SLACK_API_URL at it)."""
    from bot.standin.__main__ import main as standin_main

    standin_main(["--port", str(port), "--rate-limit-scale", str(rate_limit_scale)])


if __name__ == "__main__":
    main()
