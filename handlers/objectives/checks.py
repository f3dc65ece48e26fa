"""`/hoshin check`: the X-matrix checks, privately to whoever asks."""

from __future__ import annotations

from slack_bolt import App

from bot.i18n import N_
from bot.objectives.checks import check_plan
from bot.objectives.checks_blocks import check_message
from bot.scope import load_scope
from bot.services import Services
from handlers.commands import CommandRegistry, CommandRequest, Subcommand
from storage.db import session_scope


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    registry.add(
        Subcommand(
            name="check",
            usage=N_("/hoshin check"),
            summary=N_(
                "What breaks the plan's alignment: objectives with no breakthrough, owner, "
                "metric or monthly plan, overloaded owners, proposals waiting over a week."
            ),
            run=check,
            aliases=("checks",),
        )
    )


def check(request: CommandRequest) -> None:
    services = request.services
    with session_scope(services.engine) as session:
        scope = load_scope(session, team_id=request.team_id, user_id=request.user_id)
        result = check_plan(session, workspace=scope.workspace, today=services.today())
    message = check_message(result.issues, year=result.year)
    request.respond(response_type="ephemeral", **message.as_kwargs())
