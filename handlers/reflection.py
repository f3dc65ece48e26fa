"""The annual reflection in Slack: `/hoshin reflect [year]` (the reflection so far, privately, any
time of the year), an admin's Try again on a stopped one, and starting next year."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import ids
from bot.context import ReflectionRef
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.reflection import carryover
from bot.reflection import post as posting
from bot.reflection import post_blocks as blocks
from bot.reflection.service import answer_reflect
from bot.scope import Scope, load_scope_for
from bot.services import Services
from handlers.commands import CommandRegistry, CommandRequest, Subcommand
from handlers.common import acknowledge, bind, deliver
from handlers.errors import answers_privately, reply_privately
from storage.db import session_scope


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    registry.add(
        Subcommand(
            name="reflect",
            usage=N_("/hoshin reflect [YEAR]"),
            summary=N_(
                "The annual reflection so far, privately: per breakthrough its annual "
                "objectives' results, green months and check-in rate, and the biggest gaps."
            ),
            run=reflect,
        )
    )
    app.action(ids.ACTION_REFLECTION_RETRY)(
        ack=acknowledge, lazy=[answers_privately(bind(retry, services))]
    )
    app.action(ids.ACTION_REFLECTION_CARRYOVER)(
        ack=acknowledge, lazy=[answers_privately(bind(start_next_year, services))]
    )


def reflect(request: CommandRequest) -> None:
    services = request.services
    message = answer_reflect(
        services.engine, team_id=request.team_id, args=request.args, now=services.clock.now()
    )
    request.respond(response_type="ephemeral", **message.as_kwargs())


def _scope_for(session, body: dict[str, Any], ref: ReflectionRef) -> Scope:
    scope = load_scope_for(session, body)
    if scope.workspace.id != ref.workspace_id:
        raise InvalidInput("That button belongs to another workspace's reflection.")
    return scope


# ---- Try again on a reflection that stopped (held in its channel, or a part failed) ------------


def retry(services: Services, body, action, client, respond) -> None:
    ref = ReflectionRef.parse(action.get("value"))
    with session_scope(services.engine) as session:
        scope = _scope_for(session, body, ref)
        scope.require_admin(session, "post the reflection again")
        retried = posting.try_again(
            session, workspace_id=ref.workspace_id, year=ref.year, now=services.clock.now()
        )
    reply_privately(
        body, client, respond, blocks.retry_answer(retried.channel, ref.year, retried.state)
    )
    if retried.state == "posting":
        # The first part goes now; the deliverer and the annual-reflection job do the rest.
        deliver(services, ref.workspace_id, wait=False)


# ---- start next year's plan from the carry-overs -----------------------------------------------


def start_next_year(services: Services, body, action, client, respond) -> None:
    ref = ReflectionRef.parse(action.get("value"))
    with session_scope(services.engine) as session:
        scope = _scope_for(session, body, ref)
        result = carryover.start(session, scope, year=ref.year, now=services.clock.now())
    if not result.started:
        reply_privately(
            body, client, respond, blocks.already_started(result.by, result.at, result.year)
        )
        return
    # The drafts' catchball DMs were queued with them, and the closing reply's update (it
    # says who started the year): sent now, before the admin's answer.
    deliver(services, ref.workspace_id, wait=True)
    reply_privately(
        body, client, respond, blocks.carryover_answer(result.year, result.refs, result.skipped)
    )
