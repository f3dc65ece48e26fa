"""The annual reflection in Slack: an admin's Try again on a stopped one, and starting next year."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import ids
from bot.context import ReflectionRef
from bot.errors import InvalidInput
from bot.reflection import carryover
from bot.reflection import post as posting
from bot.reflection import post_blocks as blocks
from bot.scope import Scope, load_scope_for
from bot.services import Services
from handlers.errors import answers_privately, reply_privately
from storage.db import session_scope

log = logging.getLogger(__name__)


def register(app: App, services: Services, _registry: object = None) -> None:
    engine = services.engine
    poster = services.review_poster

    def acknowledge(ack) -> None:
        ack()

    def scope_for(session, body: dict[str, Any], ref: ReflectionRef) -> Scope:
        scope = load_scope_for(session, body)
        if scope.workspace.id != ref.workspace_id:
            raise InvalidInput("That button belongs to another workspace's reflection.")
        return scope

    def deliver(workspace_id: int, *, wait: bool) -> None:
        if poster is not None:
            poster.after(workspace_id, wait=wait)  # sends what is queued, on the poster's thread

    # ---- Try again on a reflection that stopped (held in its channel, or a part failed) ------

    @answers_privately
    def retry(body, action, client, respond) -> None:
        ref = ReflectionRef.parse(action.get("value"))
        with session_scope(engine) as session:
            scope = scope_for(session, body, ref)
            scope.require_admin(session, "post the reflection again")
            retried = posting.try_again(
                session, workspace_id=ref.workspace_id, year=ref.year, now=services.clock.now()
            )
        reply_privately(
            body, client, respond, blocks.retry_answer(retried.channel, ref.year, retried.state)
        )
        if retried.state == "posting":
            # The first part goes now; the deliverer and the annual-reflection job do the rest.
            deliver(ref.workspace_id, wait=False)

    app.action(ids.ACTION_REFLECTION_RETRY)(ack=acknowledge, lazy=[retry])

    # ---- start next year's plan from the carry-overs ---------------------------------------------

    @answers_privately
    def start_next_year(body, action, client, respond) -> None:
        ref = ReflectionRef.parse(action.get("value"))
        with session_scope(engine) as session:
            scope = scope_for(session, body, ref)
            result = carryover.start(session, scope, year=ref.year, now=services.clock.now())
        if not result.started:
            reply_privately(
                body, client, respond, blocks.already_started(result.by, result.at, result.year)
            )
            return
        # The drafts' catchball DMs were queued with them, and the closing reply's update (it
        # says who started the year): sent now, before the admin's answer.
        deliver(ref.workspace_id, wait=True)
        reply_privately(
            body, client, respond, blocks.carryover_answer(result.year, result.refs, result.skipped)
        )

    app.action(ids.ACTION_REFLECTION_CARRYOVER)(ack=acknowledge, lazy=[start_next_year])
