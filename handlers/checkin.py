"""The monthly check-in in Slack: the Check in button and modal, DM replies, and `/hoshin away`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import ids, metrics
from bot.checkin import blocks
from bot.checkin import service as checkin
from bot.context import CheckInRef
from bot.i18n import N_
from bot.scope import load_scope
from bot.services import Services
from handlers.commands import CommandRegistry, CommandRequest, Subcommand
from handlers.common import acknowledge, bind, modal_on_click, submit_in_ack
from handlers.slack_text import decode_message_text
from storage.db import session_scope

log = logging.getLogger(__name__)
RACED = "Someone saved this check-in at the same moment. Please submit again."


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    app.action(ids.ACTION_CHECKIN_OPEN)(
        ack=acknowledge, lazy=[modal_on_click(services, checkin_modal)]
    )
    app.view(ids.VIEW_CHECKIN)(bind(submitted, services))
    app.event({"type": "message", "subtype": None})(bind(dm_reply, services))
    registry.add(
        Subcommand(
            name="away",
            # Translators: "until" and "off" are typed as they are.
            usage=N_("/hoshin away until YYYY-MM-DD | off"),
            summary=N_(
                "Pause your monthly check-in prompts while you are away (your manager is "
                "told); `off` when you are back."
            ),
            run=away,
        )
    )


# ---- the Check in button ------------------------------------------------------------------------


def checkin_modal(services: Services, session, scope, value: str | None) -> dict:
    ref = CheckInRef.parse(value)
    return blocks.checkin_modal(
        checkin.open_form(session, scope, ref=ref, now=services.clock.now())
    )


# ---- the modal: validated and stored inside the ack, then the review thread ---------------------


def submitted(services: Services, ack, body, view, **_) -> None:
    # The modal closes while the thread is brought up to date.
    done = submit_in_ack(
        services,
        ack,
        body,
        view,
        ref_type=CheckInRef,
        submit=checkin.submit,
        field=ids.FIELD_STATUS,
        raced=RACED,
        what="check-in",
    )
    if done is not None:
        if done.created:
            metrics.CHECKINS_RECEIVED.labels(via="modal").inc()
        services.review_poster.after(done.workspace_id, done.thread_ids)


# ---- words written back to the prompt DM -------------------------------------------------------


def dm_reply(services: Services, event: dict[str, Any], body: dict[str, Any]) -> None:
    if event.get("channel_type") != "im" or event.get("bot_id") or not event.get("user"):
        return
    team_id = body.get("team_id") or event.get("team")
    event_id = body.get("event_id")
    if not team_id or not event_id:
        return
    try:
        with session_scope(services.engine) as session:
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
        services.review_poster.after(kept.workspace_id, kept.thread_ids)


# ---- /hoshin away -------------------------------------------------------------------------------


def away(request: CommandRequest) -> None:
    services = request.services
    with session_scope(services.engine) as session:
        scope = load_scope(session, team_id=request.team_id, user_id=request.user_id)
        change = checkin.set_away(session, scope, args=request.args, today=services.today())
        workspace_id = scope.workspace.id
    request.respond(response_type="ephemeral", text=blocks.away_answer(change))
    if change.changed:
        services.review_poster.after(workspace_id)
