"""What Slack must hear of a catchball change: outbox rows, written in the change's transaction.

So a stored proposal, counter or decision and its DMs are both there or neither, and the
deliverer sends each DM once, after a Slack outage or a crash too. Every row's key names what
it says (`Catchball.due`), so a replayed or raced change enqueues nothing twice. The outcome of
a round is an update of its decision DM's row (`outbox.UPDATE_OF`), sent once that DM is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from bot.catchball import blocks, rounds
from bot.catchball.model import RoundView
from bot.catchball.rules import Delivery, Send
from storage import catchball as stored
from storage.models import CatchballRound, Objective, OutboxMessage
from storage.outbox import queue as outbox
from storage.outbox.queue import NewMessage

POST, UPDATE = "chat.postMessage", "chat.update"


def queue(
    session: Session,
    objective: Objective,
    *,
    created: Iterable[CatchballRound] = (),
    decided: Iterable[CatchballRound] = (),
) -> int:
    """Enqueue the DMs of a change to `objective`'s catchball that added `created` and answered
    `decided`; returns how many rows were new.

    The messages are built from the rounds and people as stored now (read again in the
    change's transaction), as the one who reads them will find them.
    """
    created_ids = {r.id for r in created}
    decided_ids = {r.id for r in decided}
    workspace_id = objective.workspace_id
    ball = rounds.load(session, workspace_id=workspace_id, objective_id=objective.id)
    # The rounds whose outcome may show in a DM: those answered now, and those before a new one.
    candidates = decided_ids | {
        r.id
        for r, after in zip(ball.rounds, ball.rounds[1:], strict=False)
        if after.id in created_ids
    }
    asked = {
        round_id
        for round_id in candidates
        if outbox.by_key(session, workspace_id=workspace_id, dedup_key=stored.ask_key(round_id))
    }
    due = ball.due(created=created_ids, decided=decided_ids, asked=asked)
    return outbox.enqueue_many(
        session, workspace_id=workspace_id, messages=[_message(d) for d in due]
    )


def own_notice(
    session: Session, *, workspace_id: int, round_id: int, user_id: str
) -> OutboxMessage | None:
    """The notice the bot recorded for how `round_id` was answered, if it went to `user_id`'s
    DM: the one message a revision may update. None for any other round, person or message."""
    row = outbox.by_key(session, workspace_id=workspace_id, dedup_key=stored.notice_key(round_id))
    return row if row is not None and row.channel == user_id else None


def queue_revised_notice(
    session: Session, objective: Objective, round: CatchballRound, *, notice: OutboxMessage
) -> None:
    """The "changes requested" notice (its outbox row) whose Revise made `round`: its button
    goes. Delivery finds where the notice landed from that row, never from the request."""
    ball = rounds.load(session, workspace_id=objective.workspace_id, objective_id=objective.id)
    outbox.enqueue(
        session,
        workspace_id=objective.workspace_id,
        dedup_key=f"catchball.revised:{round.id}",
        method=UPDATE,
        payload={
            "channel": notice.channel,
            outbox.UPDATE_OF: notice.dedup_key,
            **blocks.revised_notice(ball.view(round)).as_kwargs(),
        },
    )


def _message(item: Delivery) -> NewMessage:
    view = item.round
    if item.send == Send.ASK:
        payload: dict[str, Any] = {"channel": item.to, **blocks.decision_message(view).as_kwargs()}
        if view.proposer != item.to:
            payload[outbox.IF_UNREACHABLE] = {
                "channel": view.proposer,
                **blocks.undelivered_message(view).as_kwargs(),
            }
        return NewMessage(item.key, POST, payload)
    if item.send == Send.OUTCOME:
        message = blocks.decision_message(view).as_kwargs()  # the outcome in place of buttons
        return NewMessage(item.key, UPDATE, {**_where_asked(view, item.to), **message})
    build = blocks.notice_message if item.send == Send.NOTICE else blocks.receipt_message
    return NewMessage(item.key, POST, {"channel": item.to, **build(view).as_kwargs()})


def _where_asked(view: RoundView, decider: str) -> dict[str, Any]:
    """The decision DM to update: recorded on the round (before the outbox carried catchball),
    else its outbox row's post, wherever and whenever it lands."""
    if view.dm_channel and view.dm_ts:
        return {"channel": view.dm_channel, "ts": view.dm_ts}
    return {"channel": decider, outbox.UPDATE_OF: stored.ask_key(view.round_id)}
