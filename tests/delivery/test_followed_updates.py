"""An update written before its post has gone out, and a post for someone Slack can't reach."""

from __future__ import annotations

from storage import outbox
from storage.db import session_scope
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
