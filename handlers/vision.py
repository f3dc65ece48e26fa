"""`/hoshin vision`, the Edit button that opens the vision modal, and the modal's submission."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.objectives.vision import save_vision, show_vision, vision_editor
from bot.scope import team_id_of
from bot.services import Services
from handlers.commands import CommandRegistry, CommandRequest, Subcommand
from handlers.errors import form_error_response
from handlers.home import republish, tells_errors
from handlers.modal_values import read_values


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    def vision(request: CommandRequest) -> None:
        message = show_vision(services.engine, team_id=request.team_id, user_id=request.user_id)
        request.respond(response_type="ephemeral", **message.as_kwargs())

    registry.add(
        Subcommand(
            name="vision",
            usage="/hoshin vision",
            summary="The vision and values (True North); admins can edit them.",
            run=vision,
            aliases=("values", "true-north"),
        )
    )

    def acknowledge(ack) -> None:
        ack()

    @tells_errors
    def open_editor(client, body, **_) -> None:
        view = vision_editor(
            services.engine, team_id=team_id_of(body) or "", user_id=body["user"]["id"]
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    app.action(ids.ACTION_HOME_EDIT_VISION)(ack=acknowledge, lazy=[open_editor])

    def submit(ack, body, view, client) -> None:
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

    app.view(ids.VIEW_VISION)(submit)
