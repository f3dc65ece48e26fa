"""The monthly check-in in Slack: the Check in button and modal, DM replies, Try again, away."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import ids, metrics
from bot.checkin import blocks
from bot.checkin import service as checkin
from bot.context import CheckInRef
from bot.review import blocks as review_blocks
from bot.review import threads as review
from bot.review.threads import ReviewChannelRef
from bot.scope import load_scope, load_scope_for
from bot.services import Services
from handlers.actions import modal_on_click
from handlers.commands import CommandRegistry, CommandRequest, Subcommand
from handlers.errors import answers_privately, reply_privately, saved_in_ack
from handlers.modal_values import read_values
from handlers.slack_text import decode_message_text
from storage.db import session_scope

log = logging.getLogger(__name__)
RACED = "Someone saved this check-in at the same moment. Please submit again."


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    engine = services.engine
    poster = services.review_poster

    def acknowledge(ack) -> None:
        ack()

    # ---- the Check in button --------------------------------------------------------------------

    def checkin_modal(session, scope, value: str | None) -> dict:
        ref = CheckInRef.parse(value)
        return blocks.checkin_modal(
            checkin.open_form(session, scope, ref=ref, now=services.clock.now())
        )

    app.action(ids.ACTION_CHECKIN_OPEN)(
        ack=acknowledge, lazy=[modal_on_click(engine, checkin_modal)]
    )

    # ---- the modal: validated and stored inside the ack, then the review thread -----------------

    def submitted(ack, body, view, **_) -> None:
        # Not a lazy listener: Bolt starts those beside this function, so one could sync the
        # review thread before this transaction has committed the check-in.
        def save():
            ref = CheckInRef.parse(view.get("private_metadata"))
            with session_scope(engine) as session:
                return checkin.submit(
                    session,
                    load_scope_for(session, body),
                    ref=ref,
                    values=read_values(view),
                    now=services.clock.now(),
                    view_id=view.get("id", ""),
                )

        # The modal closes while the thread is brought up to date.
        done = saved_in_ack(ack, save, field=ids.FIELD_STATUS, raced=RACED, what="check-in")
        if done is not None:
            if done.created:
                metrics.CHECKINS_RECEIVED.labels(via="modal").inc()
            poster.after(done.workspace_id, done.thread_ids)

    app.view(ids.VIEW_CHECKIN)(submitted)

    # ---- words written back to the prompt DM ---------------------------------------------------

    @app.event({"type": "message", "subtype": None})
    def dm_reply(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or not event.get("user"):
            return
        team_id = body.get("team_id") or event.get("team")
        event_id = body.get("event_id")
        if not team_id or not event_id:
            return
        try:
            with session_scope(engine) as session:
                kept = checkin.keep_dm_reply(
                    session,
                    team_id=team_id,
                    user_id=event["user"],
                    # Slack sends it escaped; kept as typed, escaped once when shown.
                    text=decode_message_text(event.get("text") or ""),
                    event_id=event_id,
                    now=services.clock.now(),
                )
        except Exception:
            log.exception("a DM reply could not be kept")
            return
        if kept is not None:
            metrics.CHECKINS_RECEIVED.labels(via="dm").inc()
            poster.after(kept.workspace_id, kept.thread_ids)

    # ---- an admin's Try again on a review channel that was held -----------------------------------

    @answers_privately
    def retry(body, action, client, respond) -> None:
        channel = ReviewChannelRef.parse(action.get("value")).channel
        with session_scope(engine) as session:
            scope = load_scope_for(session, body)
            scope.require_admin(session, "post the review thread again")
            released = review.release_channel(
                session, workspace_id=scope.workspace.id, channel=channel
            )
            workspace_id = scope.workspace.id
        # Waits (a few seconds at most) so that the answer can say whether the posts went.
        posted = poster.after(workspace_id, released.thread_ids, wait=True)
        reason = review.held_reason(engine, workspace_id=workspace_id, channel=channel)
        answer = review_blocks.retry_answer(channel, reason, released.rows, posted=posted)
        reply_privately(body, client, respond, answer)

    app.action(ids.ACTION_REVIEW_RETRY)(ack=acknowledge, lazy=[retry])

    # ---- /hoshin away ---------------------------------------------------------------------------

    def away(request: CommandRequest) -> None:
        with session_scope(engine) as session:
            scope = load_scope(session, team_id=request.team_id, user_id=request.user_id)
            change = checkin.set_away(session, scope, args=request.args, today=services.today())
            workspace_id = scope.workspace.id
        request.respond(response_type="ephemeral", text=blocks.away_answer(change))
        if change.changed:
            poster.after(workspace_id)

    registry.add(
        Subcommand(
            name="away",
            usage="/hoshin away until YYYY-MM-DD | off",
            summary="Pause your monthly check-in prompts while you are away (your manager is "
            "told); `off` when you are back.",
            run=away,
        )
    )
