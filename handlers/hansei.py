"""The hansei in Slack: the Reflect button (DM or App Home) and the year-end reflection modal."""

from __future__ import annotations

import logging

from slack_bolt import App
from sqlalchemy.exc import IntegrityError

from bot import hansei_answers, ids
from bot.blocks import hansei as blocks
from bot.context import HanseiRef
from bot.scope import load_scope_for
from bot.services import Services
from handlers.actions import open_modal
from handlers.commands import CommandRegistry
from handlers.errors import answers_privately, form_error_response
from handlers.home import republish
from handlers.modal_values import read_values
from storage.db import session_scope

log = logging.getLogger(__name__)
RACED = "Someone saved this reflection at the same moment. Please submit again."


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    engine = services.engine

    def acknowledge(ack) -> None:
        ack()

    @answers_privately
    def open_reflection(body, action, client, respond) -> None:
        ref = HanseiRef.parse(action.get("value"))
        with session_scope(engine) as session:
            scope = load_scope_for(session, body)
            form = hansei_answers.open_form(session, scope, ref=ref, now=services.clock.now())
        open_modal(client, body.get("trigger_id"), blocks.hansei_modal(form))

    app.action(ids.ACTION_HANSEI_OPEN)(ack=acknowledge, lazy=[open_reflection])

    def submitted(ack, body, view, client, **_) -> None:
        # Stored inside the ack, as check-ins are: the answer is either saved or shown inline.
        try:
            ref = HanseiRef.parse(view.get("private_metadata"))
            with session_scope(engine) as session:
                scope = load_scope_for(session, body)
                done = hansei_answers.submit(
                    session,
                    scope,
                    ref=ref,
                    values=read_values(view),
                    now=services.clock.now(),
                    view_id=view.get("id", ""),
                )
        except IntegrityError:
            log.warning("hansei submission raced another one")
            ack(response_action="errors", errors={ids.FIELD_WENT_WELL: RACED})
            return
        except Exception as exc:
            ack(**form_error_response(exc, fallback_block=ids.FIELD_WENT_WELL))
            return
        ack()  # the modal closes; the DM update (or confirmation) goes out next
        if done is None:
            return
        if services.review_poster is not None:
            services.review_poster.after(done.workspace_id)
        if ref.home:
            republish(services, client, body)

    app.view(ids.VIEW_HANSEI)(submitted)
