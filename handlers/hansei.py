"""The hansei in Slack: the Reflect button (DM or App Home) and the year-end reflection modal."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.context import HanseiRef
from bot.hansei import answers as hansei_answers
from bot.hansei import blocks
from bot.services import Services
from handlers.commands import CommandRegistry
from handlers.common import acknowledge, bind, deliver, modal_on_click, republish, submit_in_ack

RACED = "Someone saved this reflection at the same moment. Please submit again."


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    app.action(ids.ACTION_HANSEI_OPEN)(
        ack=acknowledge, lazy=[modal_on_click(services, hansei_modal)]
    )
    app.view(ids.VIEW_HANSEI)(bind(submitted, services))


def hansei_modal(services: Services, session, scope, value: str | None) -> dict:
    ref = HanseiRef.parse(value)
    return blocks.hansei_modal(
        hansei_answers.open_form(session, scope, ref=ref, now=services.clock.now())
    )


def submitted(services: Services, ack, body, view, client, **_) -> None:
    # Stored inside the ack, as check-ins are: the answer is either saved or shown inline.
    # The modal closes; the DM update (or confirmation) goes out next.
    done = submit_in_ack(
        services,
        ack,
        body,
        view,
        ref_type=HanseiRef,
        submit=hansei_answers.submit,
        field=ids.FIELD_WENT_WELL,
        raced=RACED,
        what="hansei",
    )
    if done is None:
        return
    deliver(services, done.workspace_id)
    if HanseiRef.parse(view.get("private_metadata")).home:  # parsed once already
        republish(services, client, body)
