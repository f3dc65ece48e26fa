"""A part that stops (held or failed) is told to the admins once per stop, and Try again frees it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.reflection import post as posting
from bot.reflection.model import ReflectionMessage, ReflectionPost
from storage.models import OutboxMessage
from storage.outbox import claims, stops
from storage.outbox import queue as outbox
from tests import factories as f

NOW = datetime(2028, 1, 1, 9, 0, tzinfo=UTC)
LEAD = "C0LEAD"


def build(_session, _workspace, year: int, *, now: datetime) -> ReflectionPost:
    message = ReflectionMessage(
        f"FY{year}", [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]
    )
    return ReflectionPost(
        year=year,
        summary=message,
        replies=[message, message],
        chart_png=b"png",
        chart_filename="chart.png",
        chart_title="chart",
    )


def started(session: Session):
    ws = f.workspace(session, leadership_channel=LEAD)
    f.person(session, ws, "U0CEO", is_admin=True)
    f.person(session, ws, "U0CFO", is_admin=True)
    f.person(session, ws, "U0MGR")
    reflection = posting.start(session, ws, 2027, build=build, now=NOW)
    session.commit()
    parent = outbox.by_key(session, workspace_id=ws.id, dedup_key=posting.parent_key(reflection.id))
    return ws, reflection, parent


def alerts(session: Session, kind: str) -> list[OutboxMessage]:
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(kind)))
    return sorted(rows.all(), key=lambda r: r.id)


def step(session: Session, reflection_id: int) -> posting.Step:
    done = posting.advance(session, reflection_id=reflection_id, now=NOW)
    session.commit()
    return done


def test_holding_and_failing_count_each_stop_of_a_row(session: Session):
    ws, _reflection, parent = started(session)
    assert parent.stops == 0
    assert stops.hold(session, message_id=parent.id, reason="is_archived")
    assert not stops.hold(session, message_id=parent.id, reason="is_archived")  # still one stop
    assert stops.release_channel(session, workspace_id=ws.id, channel=LEAD) == 1
    # Held again without a call of its own (another post to the channel was refused first).
    assert stops.hold_channel(session, workspace_id=ws.id, channel=LEAD, reason="is_archived")
    assert stops.release_channel(session, workspace_id=ws.id, channel=LEAD) == 1
    assert stops.fail(session, message_id=parent.id, error="invalid_blocks")
    session.commit()
    session.refresh(parent)
    assert (parent.state, parent.stops) == ("failed", 3)


def test_each_new_hold_of_the_same_part_is_told_once_and_a_repeated_tick_is_not(session: Session):
    ws, reflection, parent = started(session)
    stops.hold(session, message_id=parent.id, reason="is_archived")
    session.commit()
    assert step(session, reflection.id).held == "is_archived"
    assert [a.channel for a in alerts(session, "reflection-held")] == ["U0CEO", "U0CFO"]
    # The job's next ticks find the same stop: nobody is told again.
    assert step(session, reflection.id).queued == 0
    assert step(session, reflection.id).queued == 0
    assert len(alerts(session, "reflection-held")) == 2

    # Try again; the channel is still archived and a review post there is refused first, so
    # the part is held again by the channel, without a call (and an attempt) of its own.
    posting.release(session, workspace_id=ws.id, year=2027)
    session.commit()
    assert step(session, reflection.id).held is None
    attempts = session.get(OutboxMessage, parent.id).attempts
    stops.hold_channel(session, workspace_id=ws.id, channel=LEAD, reason="is_archived")
    session.commit()
    assert session.get(OutboxMessage, parent.id).attempts == attempts
    assert step(session, reflection.id).queued == 2  # a new stop: each admin told once more
    assert step(session, reflection.id).queued == 0
    told = alerts(session, "reflection-held")
    assert [a.channel for a in told] == ["U0CEO", "U0CFO"] * 2
    assert "Try again" in str(told[-1].payload["blocks"])


def test_a_part_that_failed_is_told_once_with_what_failed_and_try_again_queues_it(
    session: Session,
):
    ws, reflection, parent = started(session)
    claims.claim(session, message_id=parent.id, at=NOW)
    claims.mark_sent(session, message_id=parent.id, ts="1.0001", channel=LEAD, at=NOW)
    session.commit()
    assert step(session, reflection.id).queued == 1  # the chart
    chart = outbox.by_key(session, workspace_id=ws.id, dedup_key=posting.chart_key(reflection.id))
    claims.claim(session, message_id=chart.id, at=NOW)
    claims.mark_sent(session, message_id=chart.id, ts=None, channel=LEAD, at=NOW)
    session.commit()
    assert step(session, reflection.id).queued == 1  # the first reply
    first = outbox.by_key(
        session, workspace_id=ws.id, dedup_key=posting.reply_key(reflection.id, 0)
    )
    claims.claim(session, message_id=first.id, at=NOW)
    stops.fail(session, message_id=first.id, error="gave_up:service_unavailable")
    session.commit()

    stopped = step(session, reflection.id)
    assert stopped.failed == "gave_up:service_unavailable" and stopped.queued == 2
    assert step(session, reflection.id).queued == 0  # told once
    [alert, _] = alerts(session, "reflection-failed")
    text = alert.payload["blocks"][0]["text"]["text"]
    assert "reply 1 of 2" in text and "service_unavailable" in text and "<#C0LEAD>" in text
    session.refresh(reflection)
    assert reflection.blocked_reason == "gave_up:service_unavailable"
    # Nothing after the failed part is queued while it waits.
    assert (
        outbox.by_key(session, workspace_id=ws.id, dedup_key=posting.reply_key(reflection.id, 1))
        is None
    )

    retried = posting.try_again(session, workspace_id=ws.id, year=2027, now=NOW)
    session.commit()
    assert (retried.state, retried.rows, retried.channel) == ("posting", 1, LEAD)
    for row_id, state in ((parent.id, "sent"), (chart.id, "sent"), (first.id, "queued")):
        row = session.get(OutboxMessage, row_id)
        session.refresh(row)
        assert row.state == state
    assert session.get(OutboxMessage, first.id).attempts == 0  # its retries counted anew
    session.refresh(reflection)
    assert reflection.blocked_reason is None
    # Failing again is a new stop, told anew.
    claims.claim(session, message_id=first.id, at=NOW)
    stops.fail(session, message_id=first.id, error="invalid_blocks")
    session.commit()
    assert step(session, reflection.id).queued == 2
    assert len(alerts(session, "reflection-failed")) == 4


def test_try_again_on_a_year_without_a_reflection_says_so(session: Session):
    ws = f.workspace(session)
    assert posting.try_again(session, workspace_id=ws.id, year=2027, now=NOW).state == "none"
