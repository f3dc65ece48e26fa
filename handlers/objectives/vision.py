"""`/hoshin vision`, the Edit button that opens the vision modal, and the modal's submission."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.i18n import N_
from bot.objectives.vision import save_vision, show_vision, vision_editor
from bot.scope import team_id_of
from bot.services import Services
from handlers.commands import CommandRegistry, CommandRequest, Subcommand
from handlers.common import acknowledge, bind, republish
from handlers.errors import form_error_response, tells_errors
from handlers.modal_values import read_values


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    registry.add(
        Subcommand(
            name="vision",
            usage=N_("/hoshin vision"),
            summary=N_("The vision and values (True North); admins can edit them."),
            run=vision,
            aliases=("values", "true-north"),
        )
    )
    app.action(ids.ACTION_HOME_EDIT_VISION)(
        ack=acknowledge, lazy=[tells_errors(bind(open_editor, services))]
    )
    app.view(ids.VIEW_VISION)(bind(submit, services))


def vision(request: CommandRequest) -> None:
    message = show_vision(request.services.engine, team_id=request.team_id, user_id=request.user_id)
    request.respond(response_type="ephemeral", **message.as_kwargs())


def open_editor(services: Services, client, body, **_) -> None:
    view = vision_editor(
        services.engine, team_id=team_id_of(body) or "", user_id=body["user"]["id"]
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def submit(services: Services, ack, body, view, client) -> None:
    # Validated and stored inside the ack: errors go back inline under their fields; the
    # Home is republished after the ack has gone (Bolt runs this function off the request).
    try:
        save_vision(
            services.engine,
            team_id=team_id_of(body) or "",
            user_id=body["user"]["id"],
            values=read_values(view),
        )
    except Exception as exc:
        ack(**form_error_response(exc, fallback_block=ids.FIELD_VISION))
        return
    ack()
    republish(services, client, body)
