"""Posting the annual reflection, end to end against the Slack stand-in: once, in order, whole."""

from __future__ import annotations

import base64
import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from schedules.delivery import Deliverer, SimulatedCrash, make_delivery_client
from schedules.reflection_job import run_annual_reflection
from storage.models import OutboxMessage, Reflection
from storage.outbox import queue as outbox
from tests.e2e.reflection_bed import (
    FAST,
    LEAD,
    FakeBuilder,
    deliverer,
    png,
    reflection_row,
    run_job,
    setup_year,
    thread_of,
)


def test_the_job_posts_summary_then_chart_then_replies_in_the_thread_once(slack):
    setup_year(slack)
    build = FakeBuilder()
    report = run_job(slack, build)
    assert not report.errors, report.errors
    assert report.posted == [("T0ACME", 2027)]

    parent, replies = thread_of(slack)
    assert "FY2027 reflection" in parent.text
    # The chart first, then the replies in the order built, all in the parent's thread.
    assert replies[0].files and len(replies) == 4
    assert [r.text for r in replies[1:]] == [
        "BT1 (1 of 2)",
        "BT1 (2 of 2)",
        "FY2027: carry-overs for FY2028",
    ]
    [chart] = slack.standin.files
    assert chart.shared and chart.channel_id == LEAD and chart.thread_ts == parent.ts
    assert chart.content == png() and chart.content.startswith(b"\x89PNG")
    assert chart.filename == "bowling-chart-2027.png" and chart.title == "FY2027 bowling chart"
    # The calls reached Slack in this order: parent, the three upload calls, then the replies.
    order = [
        c.method
        for c in slack.standin.calls
        if c.ok
        and c.method
        in (
            "chat.postMessage",
            "files.getUploadURLExternal",
            "upload",
            "files.completeUploadExternal",
        )
    ]
    assert order == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
        "chat.postMessage",
        "chat.postMessage",
        "chat.postMessage",
    ]
    complete = slack.standin.calls_to("files.completeUploadExternal")[0]
    assert complete.args["channel_id"] == LEAD and complete.args["thread_ts"] == parent.ts

    row = reflection_row(slack.engine)
    assert (row.channel, row.ts, row.chart_file_id) == (LEAD, parent.ts, chart.id)
    assert row.posted_at is not None and row.blocked_reason is None
    assert row.summary["hit"] == 1 and row.summary["missed"] == 1  # the facts, as built
    assert build.calls == 1

    # Again: nothing new is built or posted.
    calls = len(slack.standin.calls)
    again = run_job(slack, build)
    assert not again.errors and not again.claimed and not again.posted
    assert build.calls == 1
    assert len(slack.standin.messages(LEAD)) == 5 and len(slack.standin.files) == 1
    assert len(slack.standin.calls) == calls


def test_the_content_is_the_snapshot_taken_when_it_was_built(slack):
    setup_year(slack)
    build = FakeBuilder()
    sender = deliverer(slack)
    # The first run claims and queues the parent, without delivering (as the scheduler's tick).
    first = run_annual_reflection(slack.engine, slack.clock, year=2027, build=build)
    assert first.claimed == [("T0ACME", 2027)] and not slack.standin.messages(LEAD)
    with Session(slack.engine) as session:
        [parent_row] = session.exec(select(OutboxMessage)).all()
        assert parent_row.dedup_key.endswith(":summary")
        snapshot = session.exec(select(Reflection)).one().summary["_post"]
        assert base64.b64decode(snapshot["chart"]["png_b64"]) == png()
    # Whatever happens to the plan meanwhile, the rest comes from the snapshot: no new build.
    run_job(slack, build, deliver=sender)
    assert build.calls == 1
    _, replies = thread_of(slack)
    assert len(replies) == 4


def test_the_year_is_due_on_the_first_local_day_of_the_next_fiscal_year(slack):
    setup_year(slack)
    with Session(slack.engine) as session:
        from storage.models import Workspace

        workspace = session.exec(select(Workspace)).one()
        workspace.timezone = "Europe/Berlin"
        session.add(workspace)
        session.commit()
    build = FakeBuilder()
    # 23:30 on 31 Dec in Berlin (22:30 UTC): FY2027 is not over there yet.
    slack.clock.set(datetime(2027, 12, 31, 22, 30, tzinfo=UTC))
    assert not run_job(slack, build, year=None).claimed and build.calls == 0
    # 00:30 on 1 Jan in Berlin, still 31 Dec in UTC: it is.
    slack.clock.set(datetime(2027, 12, 31, 23, 30, tzinfo=UTC))
    report = run_job(slack, build, year=None)
    assert report.claimed == [("T0ACME", 2027)] and report.posted == [("T0ACME", 2027)]
    # A year with no plan (FY2028 has no annual objectives) is never posted by the tick.
    slack.clock.set(datetime(2029, 1, 2, 9, tzinfo=UTC))
    assert not run_job(slack, build, year=None).claimed and build.calls == 1


def test_two_instances_at_the_same_moment_post_one_reflection(slack):
    setup_year(slack)
    build = FakeBuilder()
    start = threading.Barrier(2)
    reports = []

    def instance() -> None:
        sender = deliverer(slack)  # each instance has its own deliverer, as two processes do
        start.wait()
        reports.append(run_job(slack, build, deliver=sender))

    threads = [threading.Thread(target=instance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not r.errors for r in reports), [r.errors for r in reports]
    assert sum(len(r.claimed) for r in reports) == 1 and build.calls == 1
    _parent, replies = thread_of(slack)
    assert len(replies) == 4 and len(slack.standin.files) == 1
    assert len(slack.standin.calls_to("files.completeUploadExternal")) == 1
    with Session(slack.engine) as session:
        assert len(session.exec(select(Reflection)).all()) == 1
        assert outbox.counts_by_state(session)["sent"] == 5


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"error": "internal_error", "apply": True},  # Slack shared it, then said it failed
        {"status": 500, "apply": True},
    ],
    ids=["500", "internal_error_after_sharing", "500_after_sharing"],
)
def test_an_upload_that_fails_halfway_is_retried_and_never_makes_two_charts(slack, fault):
    setup_year(slack)
    slack.standin.inject("files.completeUploadExternal", **fault)
    report = run_job(slack, FakeBuilder())
    assert report.posted == [("T0ACME", 2027)], report.lines
    [chart] = slack.standin.files
    assert chart.shared and chart.content == png()
    _parent, replies = thread_of(slack)
    assert [bool(r.files) for r in replies] == [True, False, False, False]
    assert len(slack.standin.calls_to("files.getUploadURLExternal")) == 1
    assert len(slack.standin.calls_to("upload")) == 1
    assert reflection_row(slack.engine).chart_file_id == chart.id
    completes = slack.standin.calls_to("files.completeUploadExternal")
    if fault.get("apply"):
        # Slack had shared it: the retry looked it up instead of completing it again.
        assert len(completes) == 1 and slack.standin.calls_to("files.info")
    else:
        assert len(completes) == 2 and completes[1].ok


def test_an_upload_url_that_fails_is_posted_again_to_the_same_file(slack):
    setup_year(slack)
    slack.standin.inject("upload", status=500)
    slack.standin.inject("files.getUploadURLExternal", status=503)
    report = run_job(slack, FakeBuilder())
    assert report.posted == [("T0ACME", 2027)], report.lines
    [chart] = slack.standin.files
    assert chart.shared and chart.content == png()
    assert len(slack.standin.calls_to("upload")) == 2
    assert [c.ok for c in slack.standin.calls_to("files.getUploadURLExternal")] == [False, True]


def test_without_a_leadership_channel_it_goes_to_the_review_channel(slack):
    setup_year(slack, leadership=None)
    report = run_job(slack, FakeBuilder())
    assert report.posted == [("T0ACME", 2027)]
    _parent, replies = thread_of(slack, "C0HOSHIN")
    assert len(replies) == 4


def test_without_any_channel_the_admins_are_told_once_and_nothing_is_claimed(slack):
    setup_year(slack, leadership=None)
    with Session(slack.engine) as session:
        from storage.models import Workspace

        workspace = session.exec(select(Workspace)).one()
        workspace.review_channel = None
        session.add(workspace)
        session.commit()
    build = FakeBuilder()
    run_job(slack, build)
    run_job(slack, build)
    told = [
        m
        for m in slack.standin.messages("U0CEO")
        if "nowhere to post" in m.blocks[0]["text"]["text"]
    ]
    assert len(told) == 1 and build.calls == 0
    with Session(slack.engine) as session:
        assert session.exec(select(Reflection)).all() == []


def test_a_crash_after_the_chart_was_shared_finds_it_instead_of_sharing_it_again(slack):
    setup_year(slack)
    crashed = []

    def crash_once(outbox_id: int) -> None:
        with Session(slack.engine) as session:
            method = session.get(OutboxMessage, outbox_id).method
        if method == "files.uploadV2" and not crashed:
            crashed.append(outbox_id)
            raise SimulatedCrash

    dying = Deliverer(
        slack.engine,
        make_delivery_client(slack.settings),
        slack.clock,
        limits=replace(FAST, in_flight_lease_seconds=0),
        after_call=crash_once,
    )
    report = run_job(slack, FakeBuilder(), deliver=dying)
    assert crashed and report.posted == [("T0ACME", 2027)], report.lines
    [chart] = slack.standin.files
    assert chart.shared
    assert len(slack.standin.calls_to("files.completeUploadExternal")) == 1
    assert slack.standin.calls_to("files.info")
    _, replies = thread_of(slack)
    assert [bool(r.files) for r in replies] == [True, False, False, False]


def test_under_the_scheduler_each_part_follows_its_delivery(slack, monkeypatch):
    from bot.services import Services
    from schedules import reflection_job
    from schedules.scheduler import JobContext, find_job

    setup_year(slack)
    build = FakeBuilder()
    monkeypatch.setattr(reflection_job, "build_reflection_post", build)
    ctx = JobContext(
        Services(settings=slack.settings, engine=slack.engine, clock=slack.clock), limits=FAST
    )
    assert find_job("annual-reflection").options == ("year",)
    slack.clock.set(datetime(2028, 1, 1, 9, tzinfo=UTC))
    tick = find_job("annual-reflection").run(ctx)  # a tick: claims and queues the parent only
    assert tick.claimed == [("T0ACME", 2027)] and not slack.standin.messages(LEAD)
    for _ in range(10):  # the deliver job's ticks: each sends a part and queues the next
        find_job("deliver").run(ctx)
        if reflection_row(slack.engine).posted_at is None:
            continue
        break
    assert reflection_row(slack.engine).posted_at is not None
    _, replies = thread_of(slack)
    assert len(replies) == 4 and replies[0].files and build.calls == 1
    assert not find_job("annual-reflection").run(ctx).claimed
