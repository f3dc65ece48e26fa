"""The annual reflection in Slack: an admin's Try again on a held one, and starting next year."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import carryover, ids
from bot import reflection_post as posting
from bot.blocks import reflection_post as blocks
from bot.context import ReflectionRef
from bot.errors import InvalidInput
from bot.scope import Scope, load_scope
from bot.services import Services
from handlers.catchball import deliver_rounds
from handlers.errors import answers_privately, reply_privately
from storage import outbox
from storage import reflections as store
from storage.db import session_scope

log = logging.getLogger(__name__)
# Steps of the thread a Try again takes at once (parent, chart, replies); the scheduler's
# deliver job finishes whatever is left.
RETRY_ROUNDS = 12


def register(app: App, services: Services, _registry: object = None) -> None:
    engine = services.engine
    poster = services.review_poster

    def acknowledge(ack) -> None:
        ack()

    def scope_for(session, body: dict[str, Any], ref: ReflectionRef) -> Scope:
        team = (body.get("team") or {}).get("id") or body.get("team_id") or ""
        scope = load_scope(session, team_id=team, user_id=body["user"]["id"])
        if scope.workspace.id != ref.workspace_id:
            raise InvalidInput("That button belongs to another workspace's reflection.")
        return scope

    def deliver(workspace_id: int) -> None:
        if poster is not None:
            poster.after(workspace_id, wait=True)  # sends what is queued, this workspace's first

    # ---- Try again on a reflection held in its channel ---------------------------------------

    @answers_privately
    def retry(body, action, client, respond) -> None:
        ref = ReflectionRef.parse(action.get("value"))
        with session_scope(engine) as session:
            scope = scope_for(session, body, ref)
            scope.require_admin(session, "post the reflection again")
            released = posting.release(session, workspace_id=ref.workspace_id, year=ref.year)
        if released.reflection_id is not None:
            for _ in range(RETRY_ROUNDS):
                deliver(ref.workspace_id)
                with session_scope(engine) as session:
                    step = posting.advance(
                        session, reflection_id=released.reflection_id, now=services.clock.now()
                    )
                if not step.changed or step.held or step.done:
                    break
        with session_scope(engine) as session:
            reflection = store.find(session, workspace_id=ref.workspace_id, year=ref.year)
            state, reason, channel = _state(reflection)
        reply_privately(
            body, client, respond, blocks.retry_answer(channel, ref.year, state, reason)
        )

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
        for objective_id in result.drafts:
            deliver_rounds(engine, client, ref.workspace_id, objective_id)
        closing = result.closing
        if closing is not None and closing.get("ts"):
            content = blocks.closing_started(
                closing, by=result.by or "", at=result.at, year=result.year, refs=result.refs
            )
            with session_scope(engine) as session:
                outbox.enqueue(
                    session,
                    workspace_id=ref.workspace_id,
                    dedup_key=posting.key_prefix(result.reflection_id) + "closing",
                    method=posting.UPDATE,
                    payload={"channel": closing["channel"], "ts": closing["ts"], **content},
                )
            deliver(ref.workspace_id)
        reply_privately(
            body, client, respond, blocks.carryover_answer(result.year, result.refs, result.skipped)
        )

    app.action(ids.ACTION_REFLECTION_CARRYOVER)(ack=acknowledge, lazy=[start_next_year])


def _state(reflection) -> tuple[str, str | None, str | None]:
    if reflection is None:
        return "none", None, None
    if reflection.posted_at is not None:
        return "posted", None, reflection.channel
    reason = reflection.blocked_reason
    if reason and reason.startswith("gave_up"):
        return "failed", reason, reflection.channel
    if reason:
        return "held", reason, reflection.channel
    return "posting", None, reflection.channel
