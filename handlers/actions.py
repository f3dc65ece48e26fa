"""`/hoshin action REF`, the Home's "Add action" button, the modal, and Done/Blocked/Reopen clicks."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.actions.blocks import action_message, add_action_modal, mark_reply
from bot.actions.model import MarkOutcome
from bot.actions.service import (
    MARK_BY_ACTION_ID,
    add_action,
    mark_action,
    objective_for_id,
    objective_for_ref,
    send_new_action_dm,
)
from bot.context import ActionRef, ObjectiveRef
from bot.i18n import N_
from bot.scope import load_scope, load_scope_for
from bot.services import Services
from handlers.commands import CommandRegistry, CommandRequest, Subcommand
from handlers.common import acknowledge, bind, open_modal, republish
from handlers.errors import form_error_response, tell_privately, user_message_for
from handlers.modal_values import read_values
from storage.db import session_scope
from storage.models import ActionItem

log = logging.getLogger(__name__)


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    registry.add(
        Subcommand(
            name="action",
            usage=N_("/hoshin action REF [what will be done]"),
            summary=N_(
                "Add an action to an objective's action plan; its owner gets a DM with "
                "Done and Blocked buttons."
            ),
            run=action_command,
            opens_modal=True,
        )
    )
    app.action(ids.ACTION_HOME_ADD_ACTION)(ack=acknowledge, lazy=[bind(open_from_home, services)])
    app.view(ids.VIEW_ACTION)(bind(submit, services))
    for action_id in MARK_BY_ACTION_ID:
        app.action(action_id)(ack=acknowledge, lazy=[bind(on_mark, services)])


def action_command(request: CommandRequest) -> None:
    ref, _, title = request.args.strip().partition(" ")
    with session_scope(request.services.engine) as session:
        scope = load_scope(session, team_id=request.team_id, user_id=request.user_id)
        view = add_action_modal(objective_for_ref(session, scope, ref), title=title.strip() or None)
    open_modal(request.client, request.trigger_id, view)


def open_from_home(
    services: Services, body: dict[str, Any], action: dict[str, Any], client, **_
) -> None:
    try:
        ref = ObjectiveRef.parse(action.get("value"))
        with session_scope(services.engine) as session:
            scope = load_scope_for(session, body)
            view = add_action_modal(objective_for_id(session, scope, ref.objective_id))
        open_modal(client, body.get("trigger_id"), view)
    except Exception as exc:
        tell_privately(client, body, f":warning: {user_message_for(exc)}")


def submit(
    services: Services, ack, body: dict[str, Any], view: dict[str, Any], client, **_
) -> None:
    # Validate and store inside the ack (fast database work); the DM goes out after ack().
    # Not a lazy listener: Bolt starts those alongside this function, not after it, so one
    # could look for the queued DM before this transaction has committed it.
    try:
        ref = ObjectiveRef.parse(view.get("private_metadata"))
        with session_scope(services.engine) as session:
            scope = load_scope_for(session, body)
            added = add_action(
                session,
                client,
                scope=scope,
                objective_id=ref.objective_id,
                values=read_values(view),
                today=services.today(),
                now=services.clock.now(),
                view_id=view["id"],
            )
    except Exception as exc:
        ack(**form_error_response(exc, fallback_block=ids.FIELD_TITLE))
        return
    ack()  # Bolt answers Slack now; what follows runs on after the modal has closed
    if added is not None:
        _tell_owner(services, body["user"]["id"], added, client)


def _tell_owner(services: Services, adder: str, added: ActionItem, client) -> None:
    try:
        error = send_new_action_dm(services.engine, client, action=added, now=services.clock.now())
    except Exception:
        # The action is stored: say what failed, not the generic "nothing was saved".
        log.exception("the new action's DM could not be sent")
        error = "an error on our side"
    if error:
        _dm(
            client,
            adder,
            ":warning: The action was added, but I could not send its owner the DM "
            f"({error}). It shows in `/hoshin status`; please tell them yourself.",
        )


def on_mark(
    services: Services, body: dict[str, Any], action: dict[str, Any], client, respond, **_
) -> None:
    container = body.get("container") or {}
    on_message = container.get("type") == "message" and bool(body.get("response_url"))

    def reply(text: str) -> None:
        if on_message:
            respond(response_type="ephemeral", replace_original=False, text=text)
        else:
            tell_privately(client, body, text)

    try:
        ref = ActionRef.parse(action.get("value"))
        with session_scope(services.engine) as session:
            scope = load_scope_for(session, body)
            outcome = mark_action(
                session,
                scope=scope,
                action_id=ref.action_id,
                mark=MARK_BY_ACTION_ID[action["action_id"]],
                today=services.today(),
                now=services.clock.now(),
            )
    except Exception as exc:
        reply(f":warning: {user_message_for(exc)}")
        return
    updated = False
    # Only the action's own DM is rebuilt from the click; buttons borrowed by a bigger
    # message (a check-in prompt, say) sit in another block and must not replace it.
    clicked_dm = on_message and action.get("block_id") == ids.BLOCK_ACTION_BUTTONS
    if clicked_dm:
        updated = _update(client, container["channel_id"], container["message_ts"], outcome)
    elif outcome.changed and outcome.dm:
        _update(client, *outcome.dm, outcome)  # marked elsewhere: the DM follows
    if (body.get("view") or {}).get("type") == "home":
        try:
            updated = republish(services, client, body)
        except Exception:
            log.exception("could not republish the Home after marking an action")
    text = mark_reply(outcome, message_updated=updated)
    if text:
        reply(text)


def _update(client, channel: str, ts: str, outcome: MarkOutcome) -> bool:
    """Rebuild the owner's DM about the action from what is stored now."""
    try:
        client.chat_update(channel=channel, ts=ts, **action_message(outcome.card).as_kwargs())
    except SlackApiError as exc:
        log.warning("could not update the action DM: %s", (exc.response or {}).get("error"))
        return False
    return True


def _dm(client, user: str, text: str) -> None:
    try:
        client.chat_postMessage(channel=user, text=text)
    except SlackApiError as exc:
        log.warning("could not DM %s: %s", user, (exc.response or {}).get("error"))
