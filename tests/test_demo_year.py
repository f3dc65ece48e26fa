"""The demo's year, played once: what reached the stand-in and what the database kept.

`hoshin demo` always runs on its own SQLite file, so this test has no PostgreSQL half.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

import pytest
from sqlmodel import Session, select

from bot import ids
from bot.demo import a3 as demo_a3
from bot.demo import story
from bot.demo.run import play_demo
from bot.demo.yearend import CHART_FILE, HTML_FILE, MARKDOWN_FILE
from storage.db import make_engine
from storage.models import (
    A3Report,
    CatchballRound,
    CheckIn,
    CheckInPrompt,
    HanseiAnswer,
    Objective,
    Person,
    Reflection,
    ReviewThread,
)

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
            "prompts": list(
                session.exec(select(CheckInPrompt).where(CheckInPrompt.kind == "checkin"))
            ),
            "hansei_prompts": list(
                session.exec(select(CheckInPrompt).where(CheckInPrompt.kind == "hansei"))
            ),
            "a3": list(session.exec(select(A3Report))),
            "hansei": list(session.exec(select(HanseiAnswer))),
            "reflections": list(session.exec(select(Reflection))),
            "rounds": list(session.exec(select(CatchballRound))),
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
    checkin_reminders = [
        c for c in posts(year, "Reminder:") if "year-end reflection" not in c.args["text"]
    ]
    assert len(checkin_reminders) == len(expected)
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


# ---- the A3, the hansei, the year-end files ----------------------------------------------------


def test_the_a3_is_written_once_and_judged_in_august(demo):
    year, db, out = demo
    ref, months = story.TWICE_OFF_TRACK
    by_ref = {o.ref: o for o in db["objectives"].values()}
    [a3] = db["a3"]
    assert (a3.objective_id, a3.period) == (by_ref[ref].id, months[-1])
    assert a3.submitted_at is not None and a3.root_cause == demo_a3.A3_TEXT[ids.FIELD_ROOT_CAUSE]
    assert a3.due.isoformat() == demo_a3.A3_TEXT[ids.FIELD_DUE]  # not the refused date
    assert db["people"][a3.action_owner_id] == demo_a3.A3_TEXT[ids.FIELD_A3_OWNER]
    assert (a3.worked, a3.worked_period) == (demo_a3.WORKED.lower(), "2027-08")
    # One DM asked for it; the refused due date was shown inline, not stored.
    asks = [
        c
        for c in year.ui.standin.calls_to("chat.postMessage")
        if c.ok and "off track two months running" in (c.args.get("text") or "")
    ]
    assert len(asks) == 1
    transcript = (out / "transcript.md").read_text()
    august = transcript.split("### August 2027")[1].split("### September 2027")[0]
    assert "**Did it work?**" in august and "[ Yes / Partly / No ▾ ]" in august
    assert "Noted: on **AN8.1.1**, it worked" in august
    july = transcript.split("### July 2027")[1].split("### August 2027")[0]
    assert "is in the past" in july and "📝 The A3 is written" in july


def test_every_owner_reflects_on_every_objective_once(demo):
    year, db, out = demo
    objectives = [
        o for o in db["objectives"].values() if o.year == 2027 and o.level != "breakthrough"
    ]
    answered = Counter(a.objective_id for a in db["hansei"] if a.year == 2027)
    assert set(answered) == {o.id for o in objectives} and set(answered.values()) == {1}
    annual_owners = {o.owner_id for o in objectives if o.level == "annual"}
    assert annual_owners <= {a.person_id for a in db["hansei"]}
    for answer in db["hansei"]:
        owner = db["objectives"][answer.objective_id].owner_id
        assert answer.person_id == owner and answer.went_well and answer.went_badly
    # Some lessons name next year's change, in the owners' words.
    assert sum("Next year we will" in (a.learned or "") for a in db["hansei"]) >= 5
    # One DM per owner, all answered; one reminder, to the one owner who was late.
    prompts = db["hansei_prompts"]
    assert len(prompts) == len({o.owner_id for o in objectives})
    assert {p.state for p in prompts} == {"answered"}
    reminded = [db["people"][p.person_id] for p in prompts if p.reminded_at]
    assert reminded == year.reminded_hansei == ["U0KEVI09"]
    assert not [p for p in prompts if p.escalated_at]
    transcript = (out / "transcript.md").read_text()
    yearend = transcript.split("## 14. The year-end reflection (hansei)")[1]
    assert "**Year-end reflection · FY2027**" in yearend and "1 of 1 done" in yearend
    assert "Please say what did not go well" in yearend  # the inline error, as shown
    assert "🔔 A reminder: your year-end reflection" in yearend
    preview = yearend.split("previews the annual reflection")[1]
    assert "**Reflection so far · FY2027**" in preview and "❌ 1 missed" in preview


def test_the_chart_and_the_report_are_written_next_to_the_transcript(demo):
    _, _, out = demo
    png = (out / CHART_FILE).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    page = (out / HTML_FILE).read_text()
    assert 'src="data:image/png;base64,' in page and "<img" in page and "AN8.1.1" in page
    assert "Next year we will start security reviews at the first demo" in page
    markdown = (out / MARKDOWN_FILE).read_text()
    assert "AN3" in markdown and "missed" in markdown.lower()


def test_the_reflection_is_posted_once_with_its_chart_and_next_year_starts_once(demo):
    year, db, out = demo
    leadership = next(c for c, n in year.channel_names.items() if n == "leadership")
    messages = year.ui.standin.messages(leadership)
    [parent] = [m for m in messages if m.thread_ts is None and "Annual reflection" in str(m.blocks)]
    replies = [m for m in messages if m.thread_ts == parent.ts]
    assert [bool(r.files) for r in replies].count(True) == 1 and replies[0].files
    [chart] = year.ui.standin.files
    assert chart.filename == CHART_FILE and chart.content.startswith(b"\x89PNG")
    assert len(year.ui.standin.calls_to("files.completeUploadExternal")) == 1
    [reflection] = db["reflections"]
    assert reflection.year == 2027 and reflection.posted_at and reflection.channel == leadership
    assert reflection.carryover_by == "U0DANA01" and reflection.carryover_started_at
    # One draft of FY2028 per carry-over, each once, each in catchball with its owner.
    drafts = [o for o in db["objectives"].values() if o.year == 2028]
    carried = Counter(o.carried_from_id for o in drafts)
    annual = {o.id for o in db["objectives"].values() if o.year == 2027 and o.level == "annual"}
    assert set(carried) == annual and set(carried.values()) == {1}
    assert {o.state for o in drafts} == {"proposed"}
    rounds = Counter(r.objective_id for r in db["rounds"])
    assert all(rounds[o.id] == 1 for o in drafts)
    for draft in drafts:
        owner = db["people"][draft.owner_id]
        assert any(draft.ref in m.text for m in year.ui.dms(owner)), draft.ref
    transcript = (out / "transcript.md").read_text()
    posted = transcript.split("the annual reflection in #leadership")[1]
    assert "**Annual reflection · FY2027**" in posted and f"📎 `{CHART_FILE}`" in posted
    assert "**Carry-overs for FY2028**" in posted and "[ Start FY2028 from these ]" in posted
    assert "🌱 FY2028's plan was started from these carry-overs by @Dana Whitfield" in posted
    assert "**Proposal AN" in posted and "Raise the win rate" in posted.split("**Proposal AN")[1]
