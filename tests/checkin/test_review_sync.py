"""Review threads against the database: where check-ins go, and each sync step's outbox rows."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.review import threads as review
from bot.review.plan import ReviewPlan
from bot.standin.blockkit import validate_message_blocks
from storage import checkins
from storage.db import session_scope
from storage.models import CheckIn, Objective, ReviewThread, Workspace
from storage.outbox import queue as outbox
from tests import factories as f
from tests.checkin.conftest import NOW, deliver, refs, rows


def store_check_in(engine, ref: str, period: str = "2027-06", **answer) -> list[int]:
    answer = {"actual": 15.0, "status": "at_risk", **answer}
    ids_ = refs(engine)
    with session_scope(engine) as session:
        objective = session.get(Objective, ids_[ref])
        checkins.save(
            session,
            workspace_id=objective.workspace_id,
            objective_id=objective.id,
            period=period,
            person_id=objective.owner_id,
            answer=answer,
            actor="test",
            now=NOW,
        )
        workspace = session.get(Workspace, objective.workspace_id)
        return review.note_check_ins(session, workspace, [objective.id], period)


def sync(engine) -> review.SyncReport:
    with Session(engine) as session:
        workspace_id = session.exec(select(Workspace)).one().id
    return review.sync_workspace(engine, workspace_id)


def keys(engine) -> list[str]:
    return [r.dedup_key.split(":", 2)[2] for r in rows(engine) if r.dedup_key.startswith("review:")]


def test_check_ins_go_to_the_nearest_named_channel(plan):
    ids_ = refs(plan)
    with session_scope(plan) as session:
        session.get(Objective, ids_["AN1"]).review_channel = "C0SALES"
        ws = session.exec(select(Workspace)).one()
        plan_ = ReviewPlan(session, ws)
        assert plan_.channel_of(ids_["AN1"]) == "C0SALES"
        assert plan_.channel_of(ids_["AN1.1"]) == "C0SALES"  # its parent's
        assert plan_.channel_of(ids_["AN2"]) == "C0HOSHIN"  # the workspace's
        assert [r.ref for r in plan_.reviewed_in("C0SALES", "2027-06")] == ["AN1", "AN1.1"]
        ws.review_channel = None
        assert ReviewPlan(session, ws).channel_of(ids_["AN2"]) is None
        assert review.note_check_ins(session, ws, [ids_["AN2"]], "2027-06") == []


def test_a_thread_is_synced_step_by_step_and_a_rerun_adds_nothing(plan):
    [thread_id] = store_check_in(plan, "AN1.1")
    assert store_check_in(plan, "AN1", status="on_track") == [thread_id]  # one thread per month

    assert sync(plan).enqueued == 1 and keys(plan) == ["parent:post"]
    assert sync(plan).enqueued == 0  # not sent yet: nothing can hang below it
    [parent] = deliver(plan)
    assert "2 of 3" in parent.payload["text"]

    report = sync(plan)
    assert report.recorded == 1 and report.enqueued == 2
    with Session(plan) as session:
        thread = session.get(ReviewThread, thread_id)
        assert thread.ts and thread.blocked_reason is None
    replies = deliver(plan)
    assert len(replies) == 2
    assert all(r.payload["thread_ts"] == thread.ts for r in replies)
    assert sync(plan).recorded == 2  # the replies' ts, copied onto their check-ins
    assert not sync(plan).changed
    with Session(plan) as session:
        assert all(
            c.thread_reply_ts
            for c in session.exec(select(CheckIn).where(CheckIn.period == "2027-06"))
        )

    # An edit: one chat.update of that reply; the parent's content changed too (status count).
    store_check_in(plan, "AN1.1", status="off_track", countermeasure="Weekly pipeline review")
    assert sync(plan).enqueued == 2
    updates = [r for r in rows(plan) if r.method == "chat.update"]
    with Session(plan) as session:
        an11 = session.get(Objective, refs(plan)["AN1.1"])
        reply_ts = checkins.by_objective_period(
            session, workspace_id=an11.workspace_id, objective_id=an11.id, period="2027-06"
        ).thread_reply_ts
    assert {u.payload["ts"] for u in updates} == {thread.ts, reply_ts}
    assert not sync(plan).changed
    # Saving the same answer again changes nothing anywhere.
    store_check_in(plan, "AN1.1", status="off_track", countermeasure="Weekly pipeline review")
    assert not sync(plan).changed


def test_content_that_goes_back_and_forth_is_updated_each_time(plan):
    store_check_in(plan, "AN1.1")
    for _ in range(3):
        sync(plan)
        deliver(plan)
    for status in ("on_track", "at_risk", "on_track"):
        store_check_in(plan, "AN1.1", status=status)
        assert sync(plan).enqueued == 2  # the reply and the parent, even back to an old text
        deliver(plan)
    assert not sync(plan).changed


def test_a_held_channel_tells_each_admin_once_per_episode(plan):
    with session_scope(plan) as session:
        ws = session.exec(select(Workspace)).one()
        f.person(session, ws, "U0ADM2", name="Second admin", is_admin=True)
    store_check_in(plan, "AN1.1")
    sync(plan)
    deliver(plan, state="held")
    report = sync(plan)
    assert report.held_channels == {"C0HOSHIN"} and report.enqueued == 2  # two admins
    alerts = [r for r in rows(plan) if r.dedup_key.startswith("review-held:")]
    assert sorted(r.channel for r in alerts) == ["U0ADM2", "U0CEO"]
    store_check_in(plan, "AN1", status="on_track")
    assert sync(plan).enqueued == 0  # told already; nothing hangs below an unposted parent
    with Session(plan) as session:
        assert session.exec(select(ReviewThread)).one().blocked_reason == "not_in_channel"

    with session_scope(plan) as session:
        released = review.release_channel(session, workspace_id=ws.id, channel="C0HOSHIN")
        assert released.rows == 1
    deliver(plan, state="sent")  # the admins' DMs and the parent
    report = sync(plan)
    assert report.enqueued == 3  # the parent now says 2 of 3; a reply for each check-in
    assert not report.held_channels


def test_sync_all_leaves_closed_months_alone(plan):
    [april] = store_check_in(plan, "AN1.1", period="2027-04")
    [june] = store_check_in(plan, "AN1.1", period="2027-06")
    for _ in range(3):  # parents, then replies, then their ts
        review.sync_all(plan, now=NOW)
        deliver(plan)
    assert not review.sync_all(plan, now=NOW).changed
    # April is closed in June: a change there (by hand, say) leaves April's thread as it was;
    # June's thread shows April's dot in its charts, so its parent and reply follow.
    store_check_in(plan, "AN1.1", period="2027-04", status="on_track")
    before = len(rows(plan))
    assert review.sync_all(plan, now=NOW).enqueued == 2
    new = [r.dedup_key for r in rows(plan)[before:]]
    assert all(k.startswith(f"review:{june}:") for k in new) and april != june
    assert not review.sync_all(plan, now=NOW, workspace_id=999).changed


def test_settle_runs_the_steps_until_nothing_changes(plan):
    [thread_id] = store_check_in(plan, "AN1.1")
    with Session(plan) as session:
        workspace_id = session.exec(select(Workspace)).one().id
    passes = []

    def one_pass():
        passes.append(len(deliver(plan)))

    review.settle(plan, one_pass, now=NOW, workspace_id=workspace_id, thread_ids=[thread_id])
    assert passes == [1, 1, 0]  # parent; reply; then only the reply's ts to copy
    with Session(plan) as session:
        assert outbox.counts_by_state(session)["sent"] == 2


def test_a_channel_of_sixty_objectives_gets_a_parent_slack_accepts(plan):
    ids_ = refs(plan)
    with session_scope(plan) as session:
        ws = session.exec(select(Workspace)).one()
        an1 = session.get(Objective, ids_["AN1"])
        for i in range(57):
            child = f.objective(
                session,
                ws,
                f"AN1.{i + 2}",
                level="cascaded",
                parent_id=an1.id,
                title="A long title for a cascaded objective " * 5,
                owner_id=an1.owner_id,
                monthly_plan=[float(m) for m in range(12)],
            )
            f.check_in(session, child, "2027-06", actual=3, status="on_track")
    store_check_in(plan, "AN1.1")
    sync(plan)
    [parent] = [r for r in rows(plan) if r.dedup_key.endswith(":parent:post")]
    assert validate_message_blocks(parent.payload["blocks"]) == []
    assert len(parent.payload["blocks"]) <= 50
    assert "58 of 60" in parent.payload["text"]
