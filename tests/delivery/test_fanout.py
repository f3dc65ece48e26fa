"""A fan-out of check-in DMs: every owner once, within Slack's limits, and re-runs change nothing."""

from __future__ import annotations

import itertools

import pytest
from slack_sdk import WebClient
from sqlmodel import Session

from bot.clock import SystemClock
from bot.services import Services
from bot.settings import Settings
from schedules import scheduler
from schedules.delivery import Deliverer, make_delivery_client
from schedules.delivery_doubts import EVENT_TYPE
from schedules.scheduler import DELIVER, DELIVER_BATCH, JobContext
from storage.db import session_scope
from storage.outbox import queue as outbox
from tests.delivery.conftest import SCALE, TOKEN, Rig, exactly_once


def test_a_fan_out_reaches_every_owner_exactly_once(rig: Rig):
    users = rig.people(300)
    ids = rig.dms(users)

    report = rig.deliverer().run_until_idle(timeout=30)

    assert report.sent == 300 and report.calls == 300
    exactly_once(rig, users)
    assert rig.states() == {"sent": 300}
    # Within the budget: the stand-in enforces the same limits and never had to refuse.
    assert report.rate_limited == 0
    assert rig.standin.stats()["chat.postMessage"]["ratelimited"] == 0
    # Every post carries its outbox id, which is how a post in doubt is found again.
    first = rig.standin.messages(users[0])[0]
    assert first.metadata == {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": ids[0]}}
    assert first.text == f"Your check-in for 2027-03, {users[0]}"


def test_enqueueing_the_same_keys_again_changes_nothing(rig: Rig):
    users = rig.people(20)
    ids = rig.dms(users)
    rig.deliverer().run_until_idle(timeout=10)
    calls = len(rig.standin.calls)

    # The monthly job runs again (a restart, a second instance): same keys, other text.
    again = rig.enqueue(
        "chat.postMessage", [{"channel": u, "text": "changed"} for u in users], "checkin:2027-03"
    )
    assert again == ids
    report = rig.deliverer().run_until_idle(timeout=10)

    assert report.calls == 0 and len(rig.standin.calls) == calls
    exactly_once(rig, users)
    assert {r.payload["text"] for r in rig.rows().values()} != {"changed"}


def test_a_row_enqueued_twice_in_one_transaction_is_one_row(session: Session, rig: Rig):
    first = outbox.enqueue(
        session,
        workspace_id=rig.workspace_id,
        dedup_key="reflection:2027",
        method="chat.postMessage",
        payload={"channel": "C0REVIEW", "text": "Hansei 2027"},
    )
    second = outbox.enqueue(
        session,
        workspace_id=rig.workspace_id,
        dedup_key="reflection:2027",
        method="chat.postMessage",
        payload={"channel": "C0LEAD", "text": "other"},
    )
    session.commit()
    assert first.id == second.id and second.channel == "C0REVIEW"
    assert outbox.counts_by_state(session, workspace_id=rig.workspace_id)["queued"] == 1


def test_posts_to_one_channel_keep_their_order_and_a_second_apart(rig: Rig):
    replies = [{"channel": "C0REVIEW", "text": f"AN{i}"} for i in range(6)]
    rig.enqueue("chat.postMessage", replies, "review:2027-03")
    users = rig.people(20)
    rig.dms(users)  # DMs are other channels: they go on meanwhile

    rig.deliverer().run_until_idle(timeout=20)

    review = [c for c in rig.posts() if c.args["channel"] == "C0REVIEW"]
    assert [c.args["text"] for c in review] == [f"AN{i}" for i in range(6)]
    interval = 1 / SCALE  # Slack's one post per second per channel, scaled
    gaps = [b.at - a.at for a, b in itertools.pairwise(review)]
    assert min(gaps) >= interval * 0.98
    assert [m.text for m in rig.standin.messages("C0REVIEW")] == [f"AN{i}" for i in range(6)]
    dms_done = max(c.at for c in rig.posts() if c.args["channel"] != "C0REVIEW")
    assert dms_done < review[-1].at  # the DMs did not queue behind the channel
    exactly_once(rig, users)


def test_other_methods_keep_to_their_tier(rig: Rig):
    posted = rig.client().chat_postMessage(channel="C0REVIEW", text="Review thread 2027-03")
    updates = [
        {"channel": posted["channel"], "ts": posted["ts"], "text": f"Review 2027-03 ({i} in)"}
        for i in range(12)
    ]
    rig.enqueue("chat.update", updates, "review-parent")
    budget = 30.0  # per minute, × SCALE: 10 per second
    deliverer = rig.deliverer(method_per_minute={"chat.update": budget})

    report = deliverer.run_until_idle(timeout=20)

    assert report.sent == 12
    calls = rig.standin.calls_to("chat.update")
    rate = budget * SCALE / 60
    burst = 5  # what the bucket may save up (DeliveryLimits.burst)
    for k, call in enumerate(calls):
        assert call.at - calls[0].at >= (k - burst) / rate - 0.01
    assert rig.standin.messages("C0REVIEW")[0].text == "Review 2027-03 (11 in)"
    with session_scope(rig.engine) as session:
        row = outbox.by_key(session, workspace_id=rig.workspace_id, dedup_key="review-parent:11")
        assert (row.result_channel, row.result_ts) == (posted["channel"], posted["ts"])


def test_delivery_refuses_a_client_that_retries_by_itself(rig: Rig):
    with pytest.raises(ValueError, match="retry_handlers"):
        Deliverer(rig.engine, WebClient(base_url=rig.standin.api_url), SystemClock())
    client = make_delivery_client(Settings(slack_api_url=rig.standin.api_url, _env_file=None))
    assert client.retry_handlers == [] and client.base_url == rig.standin.api_url


# ---- the scheduler's `deliver` job: batch after batch in one run ------------------------------


def job_context(rig: Rig) -> JobContext:
    settings = Settings(
        _env_file=None,
        slack_bot_token=TOKEN,
        slack_api_url=rig.standin.api_url,
        database_url=str(rig.engine.url),
    )
    services = Services(settings=settings, engine=rig.engine, clock=SystemClock())
    return JobContext(services, limits=rig.limits)


def test_one_deliver_run_sends_batch_after_batch_until_nothing_is_due(rig: Rig):
    users = rig.people(DELIVER_BATCH * 2 + 50)
    rig.dms(users)

    report = DELIVER.run(job_context(rig))

    # Not one batch per tick (two seconds apart): a fan-out goes at the rate Slack allows.
    assert report.delivery.sent == len(users) and report.delivery.dispatched == len(users)
    assert rig.states() == {"sent": len(users)}
    exactly_once(rig, users)


def test_a_deliver_run_told_to_stop_leaves_the_next_batches_queued(rig: Rig, monkeypatch):
    users = rig.people(DELIVER_BATCH * 2 + 50)
    rig.dms(users)
    ctx = job_context(rig)
    batches: list[int] = []
    real_deliver = scheduler.deliver

    def one_batch(deliverer, *, max_messages):
        report = real_deliver(deliverer, max_messages=max_messages)
        batches.append(report.delivery.sent)
        ctx.keep_going = lambda: False  # leadership lost, or shutting down
        return report

    monkeypatch.setattr(scheduler, "deliver", one_batch)
    report = DELIVER.run(ctx)

    assert batches == [DELIVER_BATCH] and report.delivery.sent == DELIVER_BATCH
    assert rig.states() == {"sent": DELIVER_BATCH, "queued": len(users) - DELIVER_BATCH}
