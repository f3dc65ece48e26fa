"""Slack failing under the fan-out: 429 storms, "may have succeeded", timeouts, and crashes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schedules.delivery import SimulatedCrash
from storage.db import session_scope
from storage.outbox import claims, stops
from tests.delivery.conftest import Rig, exactly_once


def calls_within(calls, start: float, seconds: float) -> list:
    return [c for c in calls if start < c.at < start + seconds]


def test_a_429_storm_is_waited_out_and_everything_still_arrives(rig: Rig):
    users = rig.people(30)
    rig.dms(users)
    rig.standin.inject("chat.postMessage", status=429, retry_after=1, times=2)

    report = rig.deliverer(max_in_flight=1).run_until_idle(timeout=20)

    exactly_once(rig, users)
    assert report.rate_limited == 2
    posts = rig.posts()
    refused = [c for c in posts if c.status == 429]
    assert len(refused) == 2
    for call in refused:  # not one call to the method before its Retry-After elapsed
        assert calls_within(posts, call.at, call.retry_after) == []
        assert min(c.at for c in posts if c.at > call.at) >= call.at + call.retry_after


def test_other_methods_go_on_while_posts_wait(rig: Rig):
    users = rig.people(30)
    rig.dms(users)
    parent = rig.client().chat_postMessage(channel="C0REVIEW", text="Review 2027-03")
    updates = [
        {"channel": "C0REVIEW", "ts": parent["ts"], "text": f"Review 2027-03 ({i})"}
        for i in range(5)
    ]
    rig.enqueue("chat.update", updates, "parent")
    rig.standin.inject("chat.postMessage", status=429, retry_after=1, times=1)

    rig.deliverer(max_in_flight=4).run_until_idle(timeout=20)

    exactly_once(rig, users)
    [refused] = [c for c in rig.posts() if c.status == 429]
    # Calls already under way when the 429 came back may land; nothing new is sent.
    assert len(calls_within(rig.posts(), refused.at, 1.0)) <= 3
    assert calls_within(rig.standin.calls_to("chat.update"), refused.at, 1.0)
    assert rig.standin.messages("C0REVIEW")[0].text == "Review 2027-03 (4)"


@pytest.mark.parametrize("fault", ["internal_error", "fatal_error"])
def test_may_have_succeeded_is_looked_up_not_posted_twice(rig: Rig, fault: str):
    users = rig.people(10)
    rig.dms(users)
    rig.standin.inject("chat.postMessage", error=fault, apply=True, times=2)

    report = rig.deliverer().run_until_idle(timeout=10)

    exactly_once(rig, users)
    assert report.in_doubt == 2 and report.found_posted == 2 and report.resent == 0
    assert len(rig.posts()) == 10
    looked = rig.standin.calls_to("conversations.history")
    assert len(looked) == 2 and all(c.args["include_all_metadata"] for c in looked)


def test_an_error_before_posting_is_sent_again_once(rig: Rig):
    users = rig.people(10)
    rig.dms(users)
    rig.standin.inject("chat.postMessage", status=500, error="internal_error", times=1)

    report = rig.deliverer().run_until_idle(timeout=10)

    exactly_once(rig, users)
    assert report.in_doubt == 1 and report.resent == 1 and report.found_posted == 0
    assert len([c for c in rig.posts() if c.ok]) == 10


def test_a_post_that_always_may_have_failed_gives_up_after_its_attempts(rig: Rig):
    [user] = rig.people(1)
    [row_id] = rig.dms([user])
    rig.standin.inject("chat.postMessage", status=500, error="internal_error", times=100)

    report = rig.deliverer(max_attempts=3, doubt_grace_seconds=0.0).run_until_idle(timeout=20)

    # Each 500 is looked for (absent) and sent again, three attempts in all, then it fails.
    assert len(rig.posts()) == 3 and report.resent == 2 and report.failed == 1
    row = rig.rows()[row_id]
    assert row.state == "failed" and row.last_error == "gave_up:absent_after_doubt"


def test_a_timeout_is_not_posted_twice(rig: Rig):
    users = rig.people(8)
    rig.dms(users)
    # Slack carries the post out but answers after the client gave up.
    rig.standin.inject("chat.postMessage", delay=0.6, apply=True, times=1)

    report = rig.deliverer(timeout=0.3).run_until_idle(timeout=10)

    exactly_once(rig, users)
    assert report.in_doubt == 1 and report.found_posted == 1
    assert len(rig.posts()) == 8


def test_a_dropped_connection_is_settled_by_what_slack_holds(rig: Rig):
    users = rig.people(6)
    rig.dms(users)
    rig.standin.inject("chat.postMessage", drop=True, apply=True, times=1)  # posted, then cut
    rig.standin.inject("chat.postMessage", drop=True, times=1)  # cut before posting

    report = rig.deliverer().run_until_idle(timeout=10)

    exactly_once(rig, users)
    assert report.in_doubt == 2 and report.found_posted == 1 and report.resent == 1


def test_a_crash_between_call_and_record_sends_nothing_twice(rig: Rig):
    users = rig.people(40)
    ids = rig.dms(users)
    doomed = set(ids[10:14])

    def die(outbox_id: int) -> None:
        if outbox_id in doomed:
            raise SimulatedCrash

    first = rig.deliverer(after_call=die).run_once()
    assert first.sent == 36
    rows = rig.rows()
    assert {i for i, r in rows.items() if r.state == "in_flight"} == doomed
    assert all(len(rig.standin.messages(rows[i].channel)) == 1 for i in doomed)

    # Killed after claiming, before calling: in flight, never sent.
    [late] = rig.people(1, prefix="U0LATE")
    [unsent] = rig.dms([late], key="late")
    with session_scope(rig.engine) as session:
        assert claims.claim(session, message_id=unsent, at=datetime.now(UTC))

    report = rig.deliverer().run_until_idle(timeout=10)  # a fresh process, after the lease

    assert report.found_posted == 4 and report.resent == 1 and report.sent == 1
    exactly_once(rig, [*users, late])
    assert len(rig.posts()) == 41


def test_a_thread_reply_in_doubt_is_looked_for_in_its_thread(rig: Rig):
    parent = rig.client().chat_postMessage(channel="C0REVIEW", text="Review 2027-03")["ts"]
    replies = [{"channel": "C0REVIEW", "thread_ts": parent, "text": f"AN{i}"} for i in range(3)]
    rig.enqueue("chat.postMessage", replies, "reply")
    rig.standin.inject("chat.postMessage", error="internal_error", apply=True, times=1)

    report = rig.deliverer().run_until_idle(timeout=10)

    assert report.found_posted == 1
    [looked] = rig.standin.calls_to("conversations.replies")
    assert looked.args["ts"] == parent
    texts = [m.text for m in rig.standin.messages("C0REVIEW") if m.thread_ts == parent]
    assert texts == ["AN0", "AN1", "AN2"]
    assert rig.states() == {"sent": 3}


def test_a_429_in_a_thread_does_not_reorder_its_replies(rig: Rig):
    parent = rig.client().chat_postMessage(channel="C0REVIEW", text="Review 2027-03")["ts"]
    replies = [{"channel": "C0REVIEW", "thread_ts": parent, "text": f"AN{i}"} for i in range(5)]
    rig.enqueue("chat.postMessage", replies, "reply")
    rig.standin.inject("chat.postMessage", status=429, retry_after=1, times=1)

    report = rig.deliverer().run_until_idle(timeout=10)

    assert report.rate_limited == 1 and report.sent == 5
    texts = [m.text for m in rig.standin.messages("C0REVIEW") if m.thread_ts == parent]
    assert texts == ["AN0", "AN1", "AN2", "AN3", "AN4"]


@pytest.mark.parametrize("posted", [True, False], ids=["posted", "not_posted"])
def test_a_reply_held_in_doubt_is_looked_for_again_when_released_never_resent_blindly(
    rig: Rig, posted: bool
):
    parent = rig.client().chat_postMessage(channel="C0REVIEW", text="Review 2027-03")["ts"]
    [reply] = rig.enqueue(
        "chat.postMessage", [{"channel": "C0REVIEW", "thread_ts": parent, "text": "AN1"}], "reply"
    )
    if posted:  # Slack posts it, but answers after the client gave up
        rig.standin.inject("chat.postMessage", delay=0.6, apply=True, times=1)
    else:  # the connection is cut before Slack acts on it
        rig.standin.inject("chat.postMessage", drop=True, times=1)
    # The history check is refused: whether it was posted cannot be told.
    rig.standin.inject("conversations.replies", error="not_in_channel", times=1)

    rig.deliverer(timeout=0.3).run_until_idle(timeout=10)

    held = rig.rows()[reply]
    assert (held.state, held.last_error) == ("held", "in_doubt:not_in_channel")
    # The admin fixes the channel and presses Try again.
    with session_scope(rig.engine) as session:
        assert stops.release_channel(session, workspace_id=rig.workspace_id, channel="C0REVIEW")
    report = rig.deliverer(timeout=0.3).run_until_idle(timeout=10)

    texts = [m.text for m in rig.standin.messages("C0REVIEW") if m.thread_ts == parent]
    assert texts == ["AN1"]
    row = rig.rows()[reply]
    assert row.state == "sent"
    assert (report.found_posted, report.resent) == ((1, 0) if posted else (0, 1))
    assert len(rig.standin.calls_to("conversations.replies")) == 2
