"""One review thread that cannot be built or posted never stops another thread, workspace or
run of `review-sync`: the job, the outbox and the stand-in, on both backends."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError
from sqlmodel import Session, select

from bot.review import blocks as render
from bot.review import threads as review
from bot.review.refused import REFUSALS_TRIED
from bot.services import Services
from schedules.ratelimit import DeliveryLimits
from schedules.scheduler import JobContext, find_job
from storage.models import Objective, OutboxMessage, Workspace
from tests import factories as f
from tests.e2e.seed import small_plan
from tests.security.twoworkspaces import OTHER, other_workspace

JUNE = "2027-06"
FAST = DeliveryLimits(post_per_channel_per_second=100.0, backoff_base_seconds=0.05)


def setup_threads(slack) -> None:
    """Three threads of June: C0ADS (AN1, AN1.1) and C0HOSHIN (AN2) in T0ACME, C0OTHER (AN9)
    in the second workspace; the failing one (C0ADS) comes first in both loops."""
    small_plan(slack.engine)
    other_workspace(slack.engine)
    for channel in ("C0ADS", "C0HOSHIN", "C0OTHER"):
        slack.standin.add_channel(channel, name=channel.lower(), is_member=True)
    for user_id in ("U0CEO", "U0VP", "U0MGR"):  # the same ids in both workspaces
        slack.standin.add_user(user_id)
    with Session(slack.engine) as session:
        objectives = {(o.workspace_id, o.ref): o for o in session.exec(select(Objective))}
        for workspace in session.exec(select(Workspace).order_by(Workspace.id)):
            mine = [o for (ws, _), o in objectives.items() if ws == workspace.id]
            for objective in mine:
                if objective.ref == "AN1":
                    objective.review_channel = "C0ADS"
                    session.add(objective)
            session.flush()
            checked = [o for o in mine if o.ref in ("AN1", "AN1.1", "AN2", "AN9")]
            for objective in checked:
                f.check_in(
                    session,
                    objective,
                    JUNE,
                    person_id=objective.owner_id,
                    actual=1,
                    status="on_track",
                    what_happened=f"News of {objective.ref}",
                )
            review.note_check_ins(session, workspace, [o.id for o in checked], JUNE)
        session.commit()


def run(slack, context: JobContext):
    """One run of the job, then delivery of what it queued (the scheduler's deliver job)."""
    report = find_job("review-sync").run(context)
    context.deliverer().run_until_idle(timeout=10)
    return report


def context_of(slack) -> JobContext:
    services = Services(settings=slack.settings, engine=slack.engine, clock=slack.clock)
    return JobContext(services, limits=FAST, operator=True)


def texts(slack, channel: str) -> list[str]:
    return [m.text for m in slack.standin.messages(channel)]


def replies_in(slack, channel: str) -> list[str]:
    return [m.text for m in slack.standin.messages(channel) if m.thread_ts]


@pytest.fixture
def builder_fails_for_an1(monkeypatch):
    """The reply builder raises for AN1's check-in (as slack_sdk does for a section too long),
    for every other check-in it builds as always; `broken.clear()` mends it."""
    broken = {"AN1"}
    build = render.check_in_reply

    def check_in_reply(reply):
        if reply.line.ref in broken:
            raise SlackObjectFormationError("text attribute cannot exceed 3000 characters")
        return build(reply)

    monkeypatch.setattr(render, "check_in_reply", check_in_reply)
    return broken


def test_a_reply_that_cannot_be_built_stops_no_other_thread_workspace_or_run(
    slack, builder_fails_for_an1
):
    setup_threads(slack)
    context = context_of(slack)

    reports = [run(slack, context) for _ in range(4)]

    # Every other thread is posted in full, in both workspaces; in C0ADS, AN1.1's reply too.
    assert len(replies_in(slack, "C0HOSHIN")) == 1 and len(replies_in(slack, "C0OTHER")) == 1
    assert [t for t in replies_in(slack, "C0ADS")] == ["AN1.1 Jun 2027: on track"]
    # The failure is named each run from the second (the first posts the parents alone):
    # workspace, thread, objective and what went wrong.
    assert not reports[0].errors and reports[1].errors, reports[1].lines
    assert all(r.errors == reports[1].errors for r in reports[2:])
    [error] = reports[1].errors
    assert "T0ACME" in error and "C0ADS" in error and JUNE in error and "AN1" in error
    assert "SlackObjectFormationError" in error and OTHER not in error

    # Once the builder can build it, the next run posts the missing reply, once.
    builder_fails_for_an1.clear()
    report = run(slack, context)
    assert not report.errors
    assert sorted(replies_in(slack, "C0ADS")) == [
        "AN1 Jun 2027: on track",
        "AN1.1 Jun 2027: on track",
    ]
    run(slack, context)
    assert len(replies_in(slack, "C0ADS")) == 2


def test_a_thread_whose_parent_cannot_be_built_stops_no_other_thread_or_workspace(
    slack, monkeypatch
):
    setup_threads(slack)
    build = render.review_parent
    broken = {"C0ADS"}

    def review_parent(summary):
        if summary.channel in broken:
            raise ValueError("cannot build this parent")
        return build(summary)

    monkeypatch.setattr(render, "review_parent", review_parent)
    context = context_of(slack)

    reports = [run(slack, context) for _ in range(3)]

    assert texts(slack, "C0ADS") == []
    assert len(replies_in(slack, "C0HOSHIN")) == 1 and len(replies_in(slack, "C0OTHER")) == 1
    [error] = reports[-1].errors
    assert "C0ADS" in error and "ValueError" in error
    broken.clear()
    for _ in range(3):
        run(slack, context)
    assert len(replies_in(slack, "C0ADS")) == 2


def test_a_post_slack_refuses_is_posted_again_on_the_next_run(slack):
    setup_threads(slack)
    context = context_of(slack)
    # Slack refuses C0ADS's parent once: the outbox marks it failed.
    slack.standin.inject("chat.postMessage", error="invalid_blocks", channel="C0ADS")

    run(slack, context)
    with Session(slack.engine) as session:
        failed = [r for r in session.exec(select(OutboxMessage)) if r.state == "failed"]
    assert len(failed) == 1 and failed[0].channel == "C0ADS"

    for _ in range(3):
        run(slack, context)
    # The others went on meanwhile; the refused parent went out again and its thread follows.
    assert len(replies_in(slack, "C0HOSHIN")) == 1 and len(replies_in(slack, "C0OTHER")) == 1
    parents = [m for m in slack.standin.messages("C0ADS") if not m.thread_ts]
    assert len(parents) == 1 and len(replies_in(slack, "C0ADS")) == 2
    assert not alerts(slack)


def alerts(slack) -> list[str]:
    """What the admins were told of messages Slack refused for good."""
    return [m.text for m in slack.standin.messages("U0CEO") if "Slack refused a message" in m.text]


def test_a_post_slack_refuses_every_time_is_tried_a_few_times_told_once_and_sent_once_changed(
    slack,
):
    setup_threads(slack)
    context = context_of(slack)
    tries = REFUSALS_TRIED
    slack.standin.inject("chat.postMessage", error="invalid_blocks", times=tries, channel="C0ADS")

    reports = [run(slack, context) for _ in range(tries + 3)]

    refused = [c for c in slack.standin.calls_to("chat.postMessage") if not c.ok]
    assert len(refused) == tries and {c.args["channel"] for c in refused} == {"C0ADS"}
    assert texts(slack, "C0ADS") == []  # given up, although Slack would take it now
    assert len(replies_in(slack, "C0HOSHIN")) == 1 and len(replies_in(slack, "C0OTHER")) == 1
    # The admins of the workspace are told once, with the channel, the month and Slack's error.
    [alert] = alerts(slack)
    assert "C0ADS" in alert and "invalid_blocks" in alert and "Jun 2027" in alert
    assert not any(r.errors for r in reports)  # the job did its part; delivery logged each

    # A change to what the parent shows (AN1's check-in is edited) is sent: it may now pass.
    with Session(slack.engine) as session:
        objective = session.exec(select(Objective).where(Objective.ref == "AN1")).one()
        [check_in] = [c for c in objective_check_ins(session, objective.id)]
        check_in.status = "off_track"
        session.add(check_in)
        session.commit()
    for _ in range(3):
        run(slack, context)
    parents = [m for m in slack.standin.messages("C0ADS") if not m.thread_ts]
    assert len(parents) == 1 and len(replies_in(slack, "C0ADS")) == 2
    assert len(alerts(slack)) == 1


def objective_check_ins(session, objective_id: int) -> list:
    from storage.models import CheckIn

    return list(
        session.exec(
            select(CheckIn).where(CheckIn.objective_id == objective_id, CheckIn.period == JUNE)
        )
    )
