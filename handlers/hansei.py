"""The hansei in Slack: the Reflect button (DM or App Home) and the year-end reflection modal."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot import ids
from bot.context import HanseiRef
from bot.hansei import answers as hansei_answers
from bot.hansei import blocks
from bot.scope import load_scope_for
from bot.services import Services
from handlers.actions import modal_on_click
from handlers.commands import CommandRegistry
from handlers.errors import saved_in_ack
from handlers.home import republish
from handlers.modal_values import read_values
from storage.db import session_scope

log = logging.getLogger(__name__)
RACED = "Someone saved this reflection at the same moment. Please submit again."


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    engine = services.engine

    def acknowledge(ack) -> None:
        ack()

    def hansei_modal(session, scope, value: str | None) -> dict:
        ref = HanseiRef.parse(value)
        return blocks.hansei_modal(
            hansei_answers.open_form(session, scope, ref=ref, now=services.clock.now())
        )

    app.action(ids.ACTION_HANSEI_OPEN)(ack=acknowledge, lazy=[modal_on_click(engine, hansei_modal)])

    def submitted(ack, body, view, client, **_) -> None:
        # Stored inside the ack, as check-ins are: the answer is either saved or shown inline.
        def save():
            ref = HanseiRef.parse(view.get("private_metadata"))
            with session_scope(engine) as session:
                return hansei_answers.submit(
                    session,
                    load_scope_for(session, body),
                    ref=ref,
                    values=read_values(view),
                    now=services.clock.now(),
                    view_id=view.get("id", ""),
                )

        # The modal closes; the DM update (or confirmation) goes out next.
        done = saved_in_ack(ack, save, field=ids.FIELD_WENT_WELL, raced=RACED, what="hansei")
        if done is None:
            return
        if services.review_poster is not None:
            services.review_poster.after(done.workspace_id)
        if HanseiRef.parse(view.get("private_metadata")).home:  # parsed once already
            republish(services, client, body)

    app.view(ids.VIEW_HANSEI)(submitted)
