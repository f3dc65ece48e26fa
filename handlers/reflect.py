"""`/hoshin reflect [year]`: the annual reflection so far, privately, any time of the year."""

from __future__ import annotations

from slack_bolt import App

from bot.reflection.service import answer_reflect
from bot.services import Services
from handlers.commands import CommandRegistry, CommandRequest, Subcommand


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    def reflect(request: CommandRequest) -> None:
        message = answer_reflect(
            services.engine, team_id=request.team_id, args=request.args, now=services.clock.now()
        )
        request.respond(response_type="ephemeral", **message.as_kwargs())

    registry.add(
        Subcommand(
            name="reflect",
            usage="/hoshin reflect [YEAR]",
            summary="The annual reflection so far, privately: per breakthrough its annual "
            "objectives' results, green months and check-in rate, and the biggest gaps.",
            run=reflect,
        )
    )
