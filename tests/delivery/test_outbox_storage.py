"""The outbox's SQL: idempotent enqueueing, compare-and-set claims, due rows and rows in doubt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from storage.outbox import claims
from storage.outbox import queue as outbox
from storage.outbox.queue import NewMessage
from tests import factories as f

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def dm(user: str, text: str = "Check-in") -> dict:
    return {"channel": user, "text": text}


def test_enqueue_many_adds_only_new_keys(session: Session):
    ws = f.workspace(session)
    first = outbox.enqueue(
        session,
        workspace_id=ws.id,
        dedup_key="checkin:U1",
        method="chat.postMessage",
        payload=dm("U1"),
    )
    messages = [
        NewMessage(f"checkin:U{i}", "chat.postMessage", dm(f"U{i}", "new")) for i in (1, 2, 3)
    ]

    assert outbox.enqueue_many(session, workspace_id=ws.id, messages=messages) == 2
    assert outbox.enqueue_many(session, workspace_id=ws.id, messages=messages, chunk=2) == 0
    session.commit()

    again = outbox.by_key(session, workspace_id=ws.id, dedup_key="checkin:U1")
    assert again.id == first.id and again.payload["text"] == "Check-in"
    second = outbox.by_key(session, workspace_id=ws.id, dedup_key="checkin:U2")
    assert (second.channel, second.state, second.not_before) == ("U2", "queued", outbox.EPOCH)
    other = f.workspace(session, "T0OTHER")  # keys are per workspace
    assert outbox.enqueue_many(session, workspace_id=other.id, messages=messages) == 3


def test_a_claim_succeeds_once(session: Session):
    ws = f.workspace(session)
    row = outbox.enqueue(
        session, workspace_id=ws.id, dedup_key="k", method="chat.postMessage", payload=dm("U1")
    )
    session.commit()
    claimed = claims.claim(session, message_id=row.id, at=NOW)
    assert claimed is not None and claimed.payload == dm("U1") and claimed.attempts == 1
    assert claims.claim(session, message_id=row.id, at=NOW) is None


def test_due_rows_come_in_id_order_from_active_workspaces_only(session: Session):
    ws, suspended = f.workspace(session), f.workspace(session, "T0GONE", suspended_reason="x")
    ids = []
    for i in range(4):
        ids.append(
            outbox.enqueue(
                session,
                workspace_id=ws.id,
                dedup_key=f"k{i}",
                method="chat.postMessage",
                payload=dm(f"U{i}"),
                not_before=NOW + timedelta(minutes=i - 1),
            ).id
        )
    outbox.enqueue(
        session,
        workspace_id=suspended.id,
        dedup_key="k",
        method="chat.postMessage",
        payload=dm("U9"),
    )
    session.commit()

    assert [r.id for r in outbox.due(session, now=NOW)] == ids[:2]
    assert [r.id for r in outbox.due(session, now=NOW, after_id=ids[0])] == ids[1:2]
    assert [r.id for r in outbox.due(session, now=NOW + timedelta(hours=1), limit=3)] == ids[:3]
    assert outbox.pending_count(session) == 4  # the suspended workspace's row is not owed now


def test_rows_in_doubt_and_stale_rows_in_flight_are_found(session: Session):
    ws = f.workspace(session)
    rows = [
        outbox.enqueue(
            session,
            workspace_id=ws.id,
            dedup_key=f"k{i}",
            method="chat.postMessage",
            payload={"channel": "C1", "thread_ts": "1.5", "text": "x"} if i == 2 else dm("U1"),
        )
        for i in range(4)
    ]
    session.commit()
    for row in rows:
        claims.claim(session, message_id=row.id, at=NOW)
    claims.mark_sent(session, message_id=rows[0].id, ts="1.1", channel="D1", at=NOW)
    claims.mark_in_doubt(session, message_id=rows[2].id, until=NOW, error="internal_error")
    claims.mark_in_doubt(session, message_id=rows[3].id, until=NOW + timedelta(hours=1), error="x")
    session.commit()

    found = claims.doubtful(session, now=NOW, stale_before=NOW + timedelta(seconds=1))
    assert [(r.id, r.thread_ts) for r in found] == [(rows[1].id, None), (rows[2].id, "1.5")]
    assert claims.doubtful(session, now=NOW, stale_before=NOW) == [found[1]]  # lease not over
    assert outbox.known_dm_channel(session, workspace_id=ws.id, user_id="U1") == "D1"
    assert outbox.counts_by_state(session, workspace_id=ws.id) == {
        "queued": 0,
        "in_flight": 1,
        "in_doubt": 2,
        "sent": 1,
        "held": 0,
        "failed": 0,
    }
