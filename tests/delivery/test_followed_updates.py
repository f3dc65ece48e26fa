"""An update written before its post has gone out, and a post for someone Slack can't reach."""

from __future__ import annotations

from storage.db import session_scope
from storage.outbox import queue as outbox
from storage.outbox import stops
from tests.delivery.conftest import Rig


def enqueue(rig: Rig, key: str, method: str, payload: dict) -> int:
    with session_scope(rig.engine) as session:
        return outbox.enqueue(
            session, workspace_id=rig.workspace_id, dedup_key=key, method=method, payload=payload
        ).id


def test_an_update_waits_for_its_post_then_edits_it_where_it_landed(rig: Rig):
    [user] = rig.people(1)
    post = enqueue(rig, "ask:1", "chat.postMessage", {"channel": user, "text": "Approve?"})
    update = enqueue(
        rig,
        "outcome:1",
        "chat.update",
        {"channel": user, outbox.UPDATE_OF: "ask:1", "text": "Approved"},
    )
    rig.standin.inject("chat.postMessage", error="service_unavailable", times=1)

    rig.deliverer().run_until_idle(timeout=10)

    rows = rig.rows()
    assert rows[post].state == "sent" and rows[post].attempts == 2
    assert rows[update].state == "sent"
    assert rows[update].attempts == 1  # waiting for the post was no attempt of its own
    [message] = rig.standin.messages(user)
    assert (message.ts, message.text) == (rows[post].result_ts, "Approved")
    [call] = rig.standin.calls_to("chat.update")
    assert call.args["channel"] == rows[post].result_channel and call.args["ts"] == message.ts
    assert outbox.UPDATE_OF not in call.args


def test_a_post_to_someone_unreachable_posts_its_fallback_once_and_its_update_fails(rig: Rig):
    gone, proposer = rig.people(2)
    rig.standin.set_user(gone, deleted=True)
    fallback = {"channel": proposer, "text": f"I couldn't reach <@{gone}>."}
    post = enqueue(
        rig,
        "ask:1",
        "chat.postMessage",
        {"channel": gone, "text": "Approve?", outbox.IF_UNREACHABLE: fallback},
    )
    update = enqueue(
        rig, "outcome:1", "chat.update", {"channel": gone, outbox.UPDATE_OF: "ask:1", "text": "x"}
    )
    missing = enqueue(  # an update of a post nobody enqueued
        rig,
        "outcome:2",
        "chat.update",
        {"channel": proposer, outbox.UPDATE_OF: "ask:2", "text": "x"},
    )

    sender = rig.deliverer()
    sender.run_until_idle(timeout=10)
    sender.run_until_idle(timeout=10)  # a second run finds nothing more to do

    rows = rig.rows()
    assert rows[post].state == "failed" and rig.person(gone).unreachable_reason
    assert rows[update].state == "failed" and rows[missing].state == "failed"
    assert rows[missing].last_error == "nothing_to_update:ask:2"
    [told] = rig.standin.messages(proposer)
    assert told.text == fallback["text"]
    assert rig.standin.messages(gone) == []
    assert not rig.standin.calls_to("chat.update")
    for call in rig.posts():
        assert outbox.IF_UNREACHABLE not in call.args and outbox.UPDATE_OF not in call.args


def ask_with_fallback(rig: Rig, key: str, decider: str, proposer: str) -> tuple[int, dict]:
    fallback = {"channel": proposer, "text": f"I couldn't send {key} to <@{decider}>."}
    payload = {"channel": decider, "text": f"Approve {key}?", outbox.IF_UNREACHABLE: fallback}
    return enqueue(rig, key, "chat.postMessage", payload), fallback


def warnings(rig: Rig, proposer: str) -> list[str]:
    return [m.text for m in rig.standin.messages(proposer)]


def test_every_proposer_of_an_unreachable_decider_is_told_once(rig: Rig):
    gone, ana, bo = rig.people(3)
    rig.standin.set_user(gone, deleted=True)
    first, told_ana = ask_with_fallback(rig, "ask:1", gone, ana)
    second, told_bo = ask_with_fallback(rig, "ask:2", gone, bo)  # failed with the first's refusal

    sender = rig.deliverer()
    sender.run_until_idle(timeout=10)
    sender.run_until_idle(timeout=10)

    rows = rig.rows()
    assert rows[first].state == "failed" and rows[second].state == "failed"
    assert len([c for c in rig.posts() if c.args["channel"] == gone]) == 1
    assert warnings(rig, ana) == [told_ana["text"]]
    assert warnings(rig, bo) == [told_bo["text"]]


def test_a_decision_dm_that_gives_up_after_its_retries_tells_the_proposer_once(rig: Rig):
    decider, proposer = rig.people(2)
    post, fallback = ask_with_fallback(rig, "ask:1", decider, proposer)
    # Slack says nothing happened, every time (a 5xx would be "may have succeeded" for a post).
    rig.standin.inject("chat.postMessage", error="service_unavailable", times=3)

    sender = rig.deliverer(max_attempts=3)
    sender.run_until_idle(timeout=10)
    sender.run_until_idle(timeout=10)

    row = rig.rows()[post]
    assert (row.state, row.last_error) == ("failed", "gave_up:service_unavailable")
    assert rig.standin.messages(decider) == []
    assert warnings(rig, proposer) == [fallback["text"]]


def test_a_held_decision_dm_tells_the_proposer_once_even_if_it_fails_later(rig: Rig):
    decider, proposer = rig.people(2)
    post, fallback = ask_with_fallback(rig, "ask:1", decider, proposer)
    with session_scope(rig.engine) as session:
        assert stops.hold(session, message_id=post, reason="not_in_channel")
    with session_scope(rig.engine) as session:
        assert stops.release_channel(session, workspace_id=rig.workspace_id, channel=decider)
        assert stops.fail(session, message_id=post, error="invalid_blocks")

    rig.deliverer().run_until_idle(timeout=10)

    assert warnings(rig, proposer) == [fallback["text"]]
