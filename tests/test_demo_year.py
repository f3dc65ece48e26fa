"""The demo's year, played once: what reached the stand-in and what the database kept.

`hoshin demo` always runs on its own SQLite file, so this test has no PostgreSQL half.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

import pytest
from sqlmodel import Session, select

from bot import demo_story as story
from bot.demo import play_demo
from storage.db import make_engine
from storage.models import CheckIn, CheckInPrompt, Objective, Person, ReviewThread

MONTHS = [datetime.strptime(p, "%Y-%m").strftime("%b %Y") for p in story.PERIODS]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    year = play_demo(out)
    engine = make_engine(f"sqlite:///{out / 'hoshin-demo.db'}")
    with Session(engine) as session:
        db = {
            "people": {p.id: p.slack_user_id for p in session.exec(select(Person))},
            "objectives": {o.id: o for o in session.exec(select(Objective))},
            "prompts": list(session.exec(select(CheckInPrompt))),
            "check_ins": list(session.exec(select(CheckIn))),
            "threads": list(session.exec(select(ReviewThread))),
        }
    engine.dispose()
    yield year, db, out
    year.ui.standin.stop()


def posts(year, prefix: str):
    return [
        c
        for c in year.ui.standin.calls_to("chat.postMessage")
        if c.ok and (c.args.get("text") or "").startswith(prefix)
    ]


def test_every_review_channel_has_one_thread_a_month(demo):
    year, db, _ = demo
    by_channel = defaultdict(list)
    for thread in db["threads"]:
        by_channel[thread.channel].append(thread.period)
    assert len(by_channel) >= 6  # sales, APAC, product, customer success, engineering, people
    for channel, periods in by_channel.items():
        assert sorted(periods) == list(story.PERIODS), channel
        parents = [m for m in year.ui.standin.messages(channel) if not m.thread_ts]
        headers = [b["text"]["text"] for m in parents for b in m.blocks if b["type"] == "header"]
        assert headers == [f"Monthly review · {m}" for m in MONTHS], channel


def test_every_owner_is_prompted_once_a_month_except_while_away(demo):
    year, db, _ = demo
    owners = {db["people"][o.owner_id] for o in db["objectives"].values() if o.year == 2027}
    assert len(owners) == 25
    _, away_user, _ = story.AWAY
    for period, month in zip(story.PERIODS, MONTHS, strict=True):
        sent = Counter(c.args["channel"] for c in posts(year, f"Monthly check-in for {month}"))
        expected = owners - ({away_user} if period == "2027-08" else set())
        assert set(sent) == expected, period
        assert set(sent.values()) == {1}, f"someone was prompted twice in {period}"
    [skipped] = [p for p in db["prompts"] if p.state == "skipped"]
    assert (db["people"][skipped.person_id], skipped.period) == (away_user, "2027-08")
    # Her manager was told once, when she went away.
    notices = [
        c
        for c in posts(year, f"<@{away_user}> is away until")
        if c.args["channel"] == year.managers[away_user]
    ]
    assert len(notices) == 1


def test_late_answers_are_stored_after_the_reminder_and_one_escalation(demo):
    year, db, _ = demo
    prompts = {(db["people"][p.person_id], p.period): p for p in db["prompts"]}
    submitted = defaultdict(list)
    for c in db["check_ins"]:
        submitted[(db["people"][c.person_id], c.period)].append(c)
    repliers = {key[::-1] for key in story.TEXT_REPLIES}  # (owner, period)
    for period, late in story.LATE.items():
        for owner in late:
            prompt, rows = prompts[(owner, period)], submitted[(owner, period)]
            assert rows and all(r.status for r in rows), (owner, period)
            if (owner, period) in repliers:
                continue  # words in reply to the prompt count as an answer for the reminder
            assert prompt.reminded_at is not None, (owner, period)
            assert all(r.submitted_at > prompt.reminded_at for r in rows), (owner, period)
    reminded = {key for key, p in prompts.items() if p.reminded_at}
    expected = {
        (o, p) for p, late in story.LATE.items() for o in late if (o, p) not in repliers
    } | {(o, p) for p, o in story.ESCALATED.items()}
    assert reminded == expected
    assert len(posts(year, "Reminder:")) == len(expected)
    [(owner, period)] = [key for key, p in prompts.items() if p.escalated_at]
    assert {period: owner} == story.ESCALATED
    escalation = prompts[(owner, period)]
    assert all(r.submitted_at > escalation.escalated_at for r in submitted[(owner, period)])
    [told] = posts(year, f"{year.name(owner)} has not checked in")
    assert told.args["channel"] == year.managers[owner]


def test_the_story_is_in_the_database(demo):
    _, db, _ = demo
    by_ref = {o.ref: o.id for o in db["objectives"].values()}
    status = {(c.objective_id, c.period): c for c in db["check_ins"]}
    ref, months = story.TWICE_OFF_TRACK
    for period in months:
        row = status[(by_ref[ref], period)]
        assert row.status == "off_track" and row.countermeasure
    assert status[(by_ref[ref], "2027-08")].status == "on_track"
    for (period, owner), words in story.TEXT_REPLIES.items():
        rows = [c for c in db["check_ins"] if c.period == period and c.comment == words]
        assert rows and all(db["people"][c.person_id] == owner for c in rows)
    # Every owner answered every objective of every month they were asked about.
    asked = [p for p in db["prompts"] if p.state != "skipped"]
    answered = {(c.person_id, c.period) for c in db["check_ins"] if c.status}
    assert {(p.person_id, p.period) for p in asked} <= answered


def test_the_transcript_tells_each_month(demo):
    _, _, out = demo
    transcript = (out / "transcript.md").read_text()
    for period in story.PERIODS:
        month = datetime.strptime(period, "%Y-%m").strftime("%B %Y")
        assert f"### {month}\n\n**" in transcript, month
    for shown in ("Reminder", "has not checked in", "off track", "Countermeasure", "away until"):
        assert shown in transcript or shown.lower() in transcript.lower(), shown
    assert "Traceback" not in transcript and "Something went wrong" not in transcript
    threads = (out / "review-threads.md").read_text()
    assert [m for m in MONTHS if f"Monthly review · {m}" in threads] == MONTHS
    # December's bowling chart has a dot per month of the year for every objective.
    december = threads.split("Monthly review · Dec 2027")[1]
    rows = [line for line in december.splitlines() if "**AN" in line]
    assert rows and all(sum(line.count(d) for d in "🟢🟡🔴⚪") == 12 for line in rows)
