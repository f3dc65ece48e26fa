"""A reflection part that stops, end to end: held in its channel or failed for good, the admins
told once per stop, and their Try again finishing the thread in the background, once, in order."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, select

from bot import ids
from bot.reflection import post as posting
from schedules.reflection_job import run_annual_reflection
from storage.models import OutboxMessage
from storage.outbox import queue as outbox
from tests.e2e.reflection_bed import (
    FAST,
    LEAD,
    FakeBuilder,
    alerts,
    click,
    deliverer,
    drain,
    finish_in_background,
    reflection_row,
    run_job,
    setup_year,
    thread_of,
    wait_until,
)

THREAD = ["BT1 (1 of 2)", "BT1 (2 of 2)", "FY2027: carry-overs for FY2028"]


def part(slack, key: str) -> OutboxMessage | None:
    with Session(slack.engine) as session:
        return outbox.by_key(
            session, workspace_id=reflection_row(slack.engine).workspace_id, dedup_key=key
        )


def assert_posted_once_in_order(slack) -> None:
    parent, replies = thread_of(slack)
    assert "FY2027 reflection" in parent.text
    assert replies[0].files and [r.text for r in replies[1:]] == THREAD
    assert len(slack.standin.messages(LEAD)) == 5
    [chart] = slack.standin.files
    assert chart.shared and chart.thread_ts == parent.ts
    assert len([c for c in slack.standin.calls_to("files.completeUploadExternal") if c.ok]) == 1
    row = reflection_row(slack.engine)
    assert row.posted_at is not None and row.blocked_reason is None


@pytest.mark.parametrize(
    "channel, reason, words",
    [
        ({"is_archived": True}, "is_archived", "it is archived"),
        ({"is_member": False}, "not_in_channel", "not a member"),
    ],
)
def test_a_held_reflection_is_kept_an_admin_told_per_hold_and_posted_on_try_again(
    slack, channel, reason, words
):
    setup_year(slack, lead=channel)
    build = FakeBuilder()
    report = run_job(slack, build)
    assert report.held == [("T0ACME", 2027, reason)]
    assert slack.standin.messages(LEAD) == []
    row = reflection_row(slack.engine)
    assert row.blocked_reason == reason and row.summary["_post"]["replies"]
    [alert] = alerts(slack)
    assert "<#C0LEAD>" in alert.text and words in alert.blocks[0]["text"]["text"]
    # Running again changes nothing and tells nobody twice.
    run_job(slack, build)
    assert len(alerts(slack)) == 1 and build.calls == 1

    # Not an admin: refused privately, nothing released.
    answer = click(slack, "U0MGR", alert, ids.ACTION_REFLECTION_RETRY)
    assert "Only admins can" in answer["text"]
    assert part(slack, posting.parent_key(row.id)).state == "held"
    # An admin, before the fix: it goes again in the background and is held again, a new
    # hold that the admins hear about once (ticks after it tell nobody again).
    answer = click(slack, "U0CEO", alert, ids.ACTION_REFLECTION_RETRY)
    assert "again now" in answer["text"] and "background" in answer["text"]
    wait_until(slack, lambda: part(slack, posting.parent_key(row.id)).stops == 2, "held again")
    run_job(slack, build)
    run_job(slack, build)
    assert len(alerts(slack)) == 2 and slack.standin.messages(LEAD) == []

    slack.standin.set_channel(LEAD, is_archived=False, is_member=True)
    answer = click(slack, "U0CEO", alerts(slack)[-1], ids.ACTION_REFLECTION_RETRY)
    assert "again now" in answer["text"]
    # The click sends the stopped part and queues the next; it does not wait for the rest.
    wait_until(slack, lambda: part(slack, posting.chart_key(row.id)) is not None, "chart queued")
    assert len(slack.standin.messages(LEAD)) == 1 and reflection_row(slack.engine).posted_at is None
    finish_in_background(slack)
    assert_posted_once_in_order(slack)
    assert build.calls == 1 and len(alerts(slack)) == 2
    # A click after it is posted says so and posts nothing.
    answer = click(slack, "U0CEO", alert, ids.ACTION_REFLECTION_RETRY)
    assert "Posted" in answer["text"]
    assert len(slack.standin.messages(LEAD)) == 5


@pytest.mark.parametrize(
    "case, reason, words",
    [
        ("chart refused", "file_uploads_disabled", "its bowling chart"),
        ("reply gave up", "gave_up:service_unavailable", "reply 2 of 3"),
    ],
)
def test_a_part_that_fails_for_good_is_told_once_and_try_again_posts_the_rest_in_order(
    slack, case, reason, words
):
    setup_year(slack)
    build = FakeBuilder()
    sender = deliverer(slack)
    sender.limits = replace(FAST, max_attempts=2)
    faulted = []

    def deliver() -> None:
        if case == "chart refused" and not faulted:
            slack.standin.inject("files.getUploadURLExternal", error=reason)
            faulted.append(True)
        reply = part(slack, posting.reply_key(reflection_row(slack.engine).id, 1))
        if case == "reply gave up" and reply is not None and not faulted:
            # Slack's "nothing happened" on every attempt of the second reply.
            slack.standin.inject("chat.postMessage", error="service_unavailable", times=2)
            faulted.append(True)
        drain(slack, sender)

    def tick():
        return run_annual_reflection(
            slack.engine, slack.clock, year=2027, build=build, deliver=deliver
        )

    report = tick()
    assert report.held == [("T0ACME", 2027, reason)], report.lines
    assert reflection_row(slack.engine).blocked_reason == reason
    [alert] = alerts(slack)
    said = alert.blocks[0]["text"]["text"]
    assert words in said and "<#C0LEAD>" in said and reason.split(":")[-1] in said
    # What came before the failed part is posted; nothing after it.
    posted = slack.standin.messages(LEAD)
    if case == "chart refused":
        assert [m.text for m in posted] == ["FY2027 reflection"]
    else:
        assert [bool(m.files) for m in posted] == [False, True, False]
        assert posted[2].text == THREAD[0]
    # The job's next ticks change nothing and tell nobody twice.
    tick()
    tick()
    assert len(alerts(slack)) == 1 and len(slack.standin.messages(LEAD)) == len(posted)

    # The fault is gone (injected faults are used up); the admin presses Try again.
    answer = click(slack, "U0CEO", alert, ids.ACTION_REFLECTION_RETRY)
    assert "again now" in answer["text"] and "background" in answer["text"]
    finish_in_background(slack)
    assert_posted_once_in_order(slack)
    assert build.calls == 1 and len(alerts(slack)) == 1
    with Session(slack.engine) as session:
        states = {r.state for r in session.exec(select(OutboxMessage)).all()}
    assert states == {"sent"}
