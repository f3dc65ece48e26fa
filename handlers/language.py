"""`/hoshin language [en | ru | ja | auto]`: the language Hoshin Bot speaks to a person."""

from __future__ import annotations

from slack_bolt import App

from bot.i18n import N_
from bot.languages import change_language
from bot.services import Services
from handlers.commands import CommandRegistry, CommandRequest, Subcommand
from storage.db import session_scope


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    registry.add(
        Subcommand(
            name="language",
            usage=N_("/hoshin language [en | ru | ja | auto]"),
            summary=N_(
                "The language Hoshin Bot speaks to you in: English, Russian or Japanese; auto "
                "follows your Slack language."
            ),
            run=language,
        )
    )


def language(request: CommandRequest) -> None:
    with session_scope(request.services.engine) as session:
        answer = change_language(
            session,
            request.client,
            team_id=request.team_id,
            user_id=request.user_id,
            args=request.args,
        )
    request.respond(response_type="ephemeral", text=answer)
