"""`hoshin jobs` and the scheduler inside `hoshin run`, as operators run them: subprocesses."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session, select

from bot.standin import SlackStandIn
from storage.db import make_engine
from storage.models import CheckInPrompt, OutboxMessage
from tests.test_cli import EXAMPLE, ROOT, SETTINGS, hoshin

TOKEN = "xoxb-jobs-cli-test"
# The jobs sign the buttons of the messages they write with it, as the app that reads them back.
SECRET = {"SLACK_SIGNING_SECRET": "jobs-cli-signing-secret"}


def imported(tmp_path: Path, plan: Path = EXAMPLE) -> dict[str, str]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/hoshin.db", **SECRET}
    result = hoshin("plan", "import", str(plan), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return env


def rows(env: dict[str, str], model) -> list:
    engine = make_engine(env["DATABASE_URL"])
    try:
        with Session(engine) as session:
            return list(session.exec(select(model)))
    finally:
        engine.dispose()


def example_people() -> list[str]:
    return [p["id"] for p in yaml.safe_load(EXAMPLE.read_text())["people"]]


def test_jobs_list_shows_each_job_and_the_next_check_in_per_workspace(tmp_path):
    env = imported(tmp_path)
    result = hoshin("jobs", "list", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    for name in ("monthly-checkin", "reminders", "deliver"):
        assert re.search(rf"^{name}\s+every ", out, re.M), out
    # The example's owners are in Berlin, New York and Tokyo; check-ins at 09:30 local.
    next_line = re.search(r"next: T0ACME: (\d{4}-\d\d) due (.*)", out)
    assert next_line, out
    assert "09:30 Asia/Tokyo" in next_line.group(2) and "09:30 America/New_York" in out
    assert "in 3 timezones" in out
    assert "0 message(s) waiting" in out


def test_jobs_run_monthly_checkin_for_a_period_queues_each_owner_once(tmp_path):
    env = imported(tmp_path)

    first = hoshin("jobs", "run", "monthly-checkin", "--period", "2027-03", env=env, cwd=tmp_path)
    again = hoshin("jobs", "run", "monthly-checkin", "--period", "2027-03", env=env, cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    found = re.search(r"T0ACME 2027-03: (\d+) prompt\(s\) queued", first.stdout)
    assert found, first.stdout
    queued = int(found.group(1))
    assert queued > 10
    assert again.returncode == 0 and again.stdout.strip() == "monthly-checkin: nothing to do"
    prompts = rows(env, CheckInPrompt)
    assert len(prompts) == queued and {p.period for p in prompts} == {"2027-03"}
    assert len({p.person_id for p in prompts}) == queued
    assert len(rows(env, OutboxMessage)) == queued
    listed = hoshin("jobs", "list", env=env, cwd=tmp_path)
    assert f"{queued} message(s) waiting" in listed.stdout


def test_jobs_run_deliver_sends_the_prompts_to_slack(tmp_path):
    env = imported(tmp_path)
    queued = hoshin("jobs", "run", "monthly-checkin", "--period", "2027-03", env=env, cwd=tmp_path)
    assert queued.returncode == 0, queued.stderr
    with SlackStandIn(team_id="T0ACME", bot_token=TOKEN) as standin:
        for user in example_people():
            standin.add_user(user)
        slack = {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": standin.api_url}

        result = hoshin("jobs", "run", "deliver", env=slack, cwd=tmp_path, timeout=120)
        reminders = hoshin("jobs", "run", "reminders", env=slack, cwd=tmp_path)

        assert result.returncode == 0, result.stderr
        prompts = rows(env, CheckInPrompt)
        assert f"deliver: {len(prompts)} sent, 0 failed" in result.stdout
        posts = standin.calls_to("chat.postMessage")
        assert len(posts) == len(prompts)
        assert len({c.args["channel"] for c in posts}) == len(prompts)  # one DM per owner
        assert {p.state for p in prompts} == {"sent"} and all(p.ts for p in prompts)
        assert reminders.returncode == 0 and "nothing to do" in reminders.stdout


def test_jobs_run_refuses_what_it_cannot_do(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/hoshin.db"}
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    runs = {
        "bad period": ("monthly-checkin", "--period", "March"),
        "unknown": ("weekly-digest",),
        "misplaced": ("reminders", "--period", "2027-03"),
        "no token": ("deliver",),
        "no secret": ("monthly-checkin", "--period", "2027-03"),
    }
    started = {  # side by side: each is a whole interpreter start
        name: subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "jobs", "run", *args],
            env={**clean, "PYTHONPATH": str(ROOT), **env, **({} if "secret" in name else SECRET)},
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, args in runs.items()
    }
    errors = {}
    for name, process in started.items():
        errors[name] = process.communicate(timeout=60)[1]
        assert process.returncode != 0, name

    assert "write it as YYYY-MM" in errors["bad period"]
    assert "There is no job 'weekly-digest'" in errors["unknown"]
    assert "monthly-checkin" in errors["unknown"]
    assert "--period is for monthly-checkin only" in errors["misplaced"]
    assert "SLACK_BOT_TOKEN is not set" in errors["no token"]
    assert "SLACK_SIGNING_SECRET is not set" in errors["no secret"]
    assert "Traceback" not in "".join(errors.values())


def this_years_plan(tmp_path: Path) -> Path:
    """A plan of the fiscal year running now (and the last), checked in at 00:00 on day 1."""
    year = date.today().year
    plan = {
        "workspace": "T0ACME",
        "settings": {"timezone": "UTC", "checkin_business_day": 1, "checkin_time": "00:00"},
        "vision": "Close the books in a day.",
        "people": [{"id": "U0ANA", "name": "Ana"}, {"id": "U0MO", "name": "Mo"}],
        "breakthroughs": [
            {
                "ref": "BT1",
                "title": "Double ARR",
                "years": [year - 1, year + 1],
                "owner": "U0ANA",
                "annual": [
                    {"ref": "AN0", "year": year - 1, "title": "Last year's", "owner": "U0ANA"},
                    {"ref": "AN1", "year": year, "title": "Grow ARR", "owner": "U0ANA"},
                    {"ref": "AN2", "year": year, "title": "Win logos", "owner": "U0MO"},
                ],
            }
        ],
    }
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_schedules_the_prompts_and_stops_cleanly_on_sigterm(tmp_path):
    env = imported(tmp_path, this_years_plan(tmp_path))
    with SlackStandIn(team_id="T0ACME", bot_token=TOKEN) as standin:
        for user in ("U0ANA", "U0MO"):
            standin.add_user(user)
        clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--http", "--port", str(free_port())],
            env={
                **clean,
                "PYTHONPATH": str(ROOT),
                **env,
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": "jobs-secret",
                "SLACK_API_URL": standin.api_url,
            },
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            # The first tick runs at start: the month due now goes out to both owners, once.
            # (Counting check-in DMs only: from mid-December the year-end hansei comes too.)
            arrived = standin.wait_for(
                lambda s: len(checkin_dms(s, "U0ANA")) == 1 and len(checkin_dms(s, "U0MO")) == 1,
                timeout=30,
            )
            # Delivery records where each landed right after Slack's answer.
            recorded = standin.wait_for(
                lambda s: {p.state for p in checkin_prompts(env)} == {"sent"}, timeout=10
            )
            if not (arrived and recorded):
                process.terminate()
                pytest.fail(f"no prompts arrived: {process.communicate(timeout=15)[1]}")
        finally:
            process.send_signal(signal.SIGTERM)
            _, log = process.communicate(timeout=30)
    assert process.returncode == 0, log
    assert "scheduler stopped" in log and "Traceback" not in log and TOKEN not in log
    assert checkin_dms(standin, "U0ANA")[0].text.startswith("Monthly check-in for ")
    assert len(checkin_prompts(env)) == 2


def checkin_dms(standin: SlackStandIn, user: str) -> list:
    return [m for m in standin.messages(user) if m.text.startswith("Monthly check-in")]


def checkin_prompts(env: dict[str, str]) -> list:
    return [p for p in rows(env, CheckInPrompt) if p.kind == "checkin"]


def test_jobs_run_exits_non_zero_naming_the_part_and_slacks_error_when_it_could_not_post(
    tmp_path,
):
    plan = yaml.safe_load(this_years_plan(tmp_path).read_text())
    plan["settings"]["leadership_channel"] = "C0LEAD"
    path = tmp_path / "lead.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False))
    env = imported(tmp_path, path)
    last_year = str(date.today().year - 1)
    with SlackStandIn(team_id="T0ACME", bot_token=TOKEN) as standin:
        for user in ("U0ANA", "U0MO"):
            standin.add_user(user)
        standin.add_channel("C0LEAD", name="leadership")
        # Slack refuses the reflection's summary, every time: nothing can hang below it.
        standin.inject("chat.postMessage", error="invalid_blocks", times=50)
        slack = {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": standin.api_url}

        result = hoshin(
            "jobs", "run", "annual-reflection", "--year", last_year, env=slack, cwd=tmp_path
        )

        refused = [
            c for c in standin.calls_to("chat.postMessage") if c.args.get("channel") == "C0LEAD"
        ]
    assert refused and not any(c.ok for c in refused)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    why = f"T0ACME FY{last_year} reflection summary failed: invalid_blocks"
    said = [line for line in result.stdout.splitlines() if line.startswith("error: ")]
    assert said == [f"error: {why}"], result.stdout
    assert f"Error: annual-reflection could not do all of its work: {why}\n" in result.stderr


def test_jobs_run_exits_zero_when_the_job_did_its_work(tmp_path):
    plan = yaml.safe_load(this_years_plan(tmp_path).read_text())
    plan["settings"]["leadership_channel"] = "C0LEAD"
    path = tmp_path / "lead.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False))
    env = imported(tmp_path, path)
    last_year = str(date.today().year - 1)
    with SlackStandIn(team_id="T0ACME", bot_token=TOKEN) as standin:
        for user in ("U0ANA", "U0MO"):
            standin.add_user(user)
        standin.add_channel("C0LEAD", name="leadership")
        slack = {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": standin.api_url}

        result = hoshin(
            "jobs", "run", "annual-reflection", "--year", last_year, env=slack, cwd=tmp_path
        )

    assert result.returncode == 0, (result.stdout, result.stderr)
    assert f"T0ACME: FY{last_year} reflection posted" in result.stdout


def test_jobs_run_deliver_exits_non_zero_naming_a_post_slack_refused(tmp_path):
    env = imported(tmp_path)
    queued = hoshin("jobs", "run", "monthly-checkin", "--period", "2027-03", env=env, cwd=tmp_path)
    assert queued.returncode == 0, queued.stderr
    with SlackStandIn(team_id="T0ACME", bot_token=TOKEN) as standin:
        for user in example_people():
            standin.add_user(user)
        standin.inject("chat.postMessage", error="invalid_blocks")  # the first post, once
        slack = {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": standin.api_url}

        result = hoshin("jobs", "run", "deliver", env=slack, cwd=tmp_path, timeout=120)

        posted = [c for c in standin.calls_to("chat.postMessage") if c.ok]
    failed = [r for r in rows(env, OutboxMessage) if r.state == "failed"]
    assert len(failed) == 1 and len(posted) == len(rows(env, CheckInPrompt)) - 1
    assert result.returncode == 1, (result.stdout, result.stderr)
    why = f"T0ACME outbox {failed[0].id} (chat.postMessage) refused: invalid_blocks"
    assert f"Error: deliver could not do all of its work: {why}\n" in result.stderr
