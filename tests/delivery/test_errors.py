"""Slack's refusals: held channels, unreachable people, a revoked token, malformed payloads."""

from __future__ import annotations

from storage.db import session_scope
from storage.outbox import stops
from tests.delivery.conftest import Rig, exactly_once


def test_a_channel_the_bot_is_not_in_is_held_until_fixed(rig: Rig):
    replies = [{"channel": "C0OUTSIDE", "text": f"AN{i}"} for i in range(3)]
    held_ids = rig.enqueue("chat.postMessage", replies, "review:2027-03")
    users = rig.people(10)
    rig.dms(users)

    report = rig.deliverer().run_until_idle(timeout=10)

    exactly_once(rig, users)  # the others went on
    assert report.held == 1 and report.held_channels == [
        (rig.workspace_id, "C0OUTSIDE", "not_in_channel")
    ]
    outside = [c for c in rig.posts() if c.args["channel"] == "C0OUTSIDE"]
    assert len(outside) == 1  # one refusal was enough for the whole channel
    with session_scope(rig.engine) as session:
        [held] = stops.held_by_channel(session, workspace_id=rig.workspace_id)
    assert (held.channel, held.reason, held.messages, held.oldest_id) == (
        "C0OUTSIDE",
        "not_in_channel",
        3,
        held_ids[0],
    )
    assert rig.states() == {"sent": 10, "held": 3}

    rig.standin.set_channel("C0OUTSIDE", is_member=True)  # an admin invites the bot
    with session_scope(rig.engine) as session:
        assert (
            stops.release_channel(session, workspace_id=rig.workspace_id, channel="C0OUTSIDE") == 3
        )
    rig.deliverer().run_until_idle(timeout=10)

    assert [m.text for m in rig.standin.messages("C0OUTSIDE")] == ["AN0", "AN1", "AN2"]
    assert rig.states() == {"sent": 13}
    with session_scope(rig.engine) as session:
        assert stops.held_by_channel(session, workspace_id=rig.workspace_id) == []


def test_an_archived_channel_is_held_with_its_reason(rig: Rig):
    rig.enqueue("chat.postMessage", [{"channel": "C0OLD", "text": "Review"}], "review")
    rig.deliverer().run_until_idle(timeout=10)
    with session_scope(rig.engine) as session:
        [held] = stops.held_by_channel(session)
    assert (held.channel, held.reason) == ("C0OLD", "is_archived")


def test_people_slack_cannot_reach_are_marked_and_the_others_get_theirs(rig: Rig):
    users = rig.people(10)
    [gone] = rig.people(1, prefix="U0GONE", in_slack=False)  # channel_not_found for their id
    users.insert(5, gone)
    rig.standin.set_user(users[3], deleted=True)  # deactivated: account_inactive
    rig.dms(users)
    rig.dms([users[3]], key="reminder:2027-03")  # their next DM is not even tried

    report = rig.deliverer().run_until_idle(timeout=10)

    reachable = [u for i, u in enumerate(users) if i not in (3, 5)]
    assert len(reachable) == 9
    exactly_once(rig, reachable)
    assert rig.person(users[3]).unreachable_reason == "account_inactive"
    assert rig.person(users[5]).unreachable_reason == "user_not_found"
    assert rig.person(users[0]).unreachable_reason is None
    assert set(report.unreachable_people) == {
        (rig.workspace_id, users[3]),
        (rig.workspace_id, users[5]),
    }
    assert rig.states() == {"sent": 9, "failed": 3}
    assert len([c for c in rig.posts() if c.args["channel"] == users[3]]) == 1
    assert rig.workspace().suspended_reason is None  # auth.test told the person from the token


def test_a_revoked_token_suspends_the_workspace_without_a_retry_loop(rig: Rig):
    users = rig.people(50)
    rig.dms(users[:10])
    rig.deliverer().run_until_idle(timeout=10)
    rig.dms(users[10:], key="reminder:2027-03")
    rig.standin.revoke_token()
    before = len(rig.posts())

    deliverer = rig.deliverer()
    report = deliverer.run_until_idle(timeout=10)
    again = deliverer.run_until_idle(timeout=10)

    refused = rig.posts()[before:]
    assert 1 <= len(refused) <= 4  # at most what was already in flight
    assert {c.error for c in refused} == {"token_revoked"}
    assert rig.workspace().suspended_reason == "token_revoked"
    assert report.suspended_workspaces == [rig.workspace_id] and again.calls == 0
    assert rig.states() == {"sent": 10, "queued": 40}  # kept for when the token is fixed


def test_a_malformed_payload_fails_and_the_fan_out_goes_on(rig: Rig):
    users = rig.people(5)
    rig.dms(users)
    bad = {"channel": "C0REVIEW", "text": "x", "blocks": [{"type": "section"}]}
    [bad_id] = rig.enqueue("chat.postMessage", [bad], "bad")

    report = rig.deliverer().run_until_idle(timeout=10)

    exactly_once(rig, users)
    assert report.failed == 1
    row = rig.rows()[bad_id]
    assert (row.state, row.last_error) == ("failed", "invalid_blocks")


def test_server_errors_on_updates_are_retried_with_backoff(rig: Rig):
    posted = rig.client().chat_postMessage(channel="C0REVIEW", text="Review 2027-03")
    update = {"channel": "C0REVIEW", "ts": posted["ts"], "text": "Review 2027-03 (3 in)"}
    [row_id] = rig.enqueue("chat.update", [update], "parent")
    rig.standin.inject("chat.update", status=503, times=2)

    report = rig.deliverer().run_until_idle(timeout=10)

    assert report.retried == 2 and report.sent == 1 and report.in_doubt == 0
    calls = rig.standin.calls_to("chat.update")
    assert [c.status for c in calls] == [503, 503, 200]
    assert calls[2].at - calls[1].at >= 0.05 * 2 * 0.8  # backed off, doubling
    assert rig.rows()[row_id].attempts == 3
    assert rig.standin.messages("C0REVIEW")[0].text == "Review 2027-03 (3 in)"
