"""`hoshin jobs run hansei-prompts --year 2027` and `hoshin jobs list`, as operators run them."""

from __future__ import annotations

import re

from bot.standin import SlackStandIn
from storage.models import CheckInPrompt, OutboxMessage
from tests.test_cli import hoshin
from tests.test_jobs_cli import TOKEN, example_people, imported, rows


def test_jobs_run_hansei_prompts_for_a_year_queues_each_owner_once_and_delivers(tmp_path):
    env = imported(tmp_path)

    first = hoshin("jobs", "run", "hansei-prompts", "--year", "2027", env=env, cwd=tmp_path)
    again = hoshin("jobs", "run", "hansei-prompts", "--year", "2027", env=env, cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    found = re.search(r"T0ACME FY2027: (\d+) hansei prompt\(s\) queued", first.stdout)
    assert found, first.stdout
    queued = int(found.group(1))
    assert queued > 10
    assert again.returncode == 0 and again.stdout.strip() == "hansei-prompts: nothing to do"
    prompts = rows(env, CheckInPrompt)
    assert len(prompts) == queued and {(p.kind, p.period) for p in prompts} == {("hansei", "2027")}
    assert len({p.person_id for p in prompts}) == queued
    posts = rows(env, OutboxMessage)
    assert len(posts) == queued and all(p.dedup_key.startswith("hansei-prompt:") for p in posts)

    with SlackStandIn(team_id="T0ACME", bot_token=TOKEN) as standin:
        for user in example_people():
            standin.add_user(user)
        slack = {**env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": standin.api_url}
        delivered = hoshin("jobs", "run", "deliver", env=slack, cwd=tmp_path, timeout=120)

        assert delivered.returncode == 0, delivered.stderr
        assert f"deliver: {queued} sent, 0 failed" in delivered.stdout
        dms = standin.calls_to("chat.postMessage")
        assert len({c.args["channel"] for c in dms}) == queued  # one DM per owner
        assert all(c.args["text"].startswith("Year-end reflection for FY2027") for c in dms)
        assert {p.state for p in rows(env, CheckInPrompt)} == {"sent"}


def test_jobs_list_shows_the_next_hansei_and_the_year_option_is_checked(tmp_path):
    env = imported(tmp_path)
    listed = hoshin("jobs", "list", env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^hansei-prompts\s+every 10 min ", listed.stdout, re.M), listed.stdout
    # The example plan's workspace is in Berlin with a January start: due three weeks before
    # the year's end, on a weekday, at its check-in time.
    assert re.search(r"next: T0ACME: FY\d{4} due \d{4}-12-\d\d \d\d:\d\d UTC", listed.stdout)

    misplaced = hoshin("jobs", "run", "reminders", "--year", "2027", env=env, cwd=tmp_path)
    assert misplaced.returncode != 0
    assert "--year is for hansei-prompts" in misplaced.stderr
    bad = hoshin("jobs", "run", "hansei-prompts", "--year", "27", env=env, cwd=tmp_path)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
