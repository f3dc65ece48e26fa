"""The countermeasure A3 in Slack: Write the A3 → the modal, and next month's "did it work?"."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.a3 import blocks
from bot.a3 import service as a3
from bot.context import A3Ref, A3WorkedRef
from bot.scope import load_scope_for
from bot.services import Services
from handlers.commands import CommandRegistry
from handlers.common import acknowledge, bind, deliver, modal_on_click, republish
from handlers.errors import answers_privately, reply_privately, saved_in_ack
from handlers.modal_values import read_values
from storage.db import session_scope

RACED = "Someone saved this A3 at the same moment. Please submit again."


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    app.action(ids.ACTION_A3_OPEN)(ack=acknowledge, lazy=[modal_on_click(services, a3_modal)])
    app.view(ids.VIEW_A3)(bind(submitted, services))
    app.action(ids.ACTION_A3_WORKED)(
        ack=acknowledge, lazy=[answers_privately(bind(worked, services))]
    )


# ---- Write the A3 (the DM, the Home) -------------------------------------------------------------


def a3_modal(services: Services, session, scope, value: str | None) -> dict:
    return blocks.a3_modal(a3.open_form(session, scope, a3_id=A3Ref.parse(value).a3_id))


# ---- the modal: validated and stored inside the ack ----------------------------------------------


def submitted(services: Services, ack, body, view, client, **_) -> None:
    def save():
        ref = A3Ref.parse(view.get("private_metadata"))
        with session_scope(services.engine) as session:
            return a3.submit(
                session,
                client,
                load_scope_for(session, body),
                a3_id=ref.a3_id,
                values=read_values(view),
                today=services.today(),
                now=services.clock.now(),
                view_id=view.get("id", ""),
            )

    # The modal closes; the DM that asked for the A3 is brought up to date after.
    saved = saved_in_ack(ack, save, field=ids.FIELD_PROBLEM, raced=RACED, what="A3")
    if saved is None:
        return
    deliver(services, saved.workspace_id)
    republish(services, client, body)


# ---- did it work? (the select on next month's prompt) -------------------------------------------


def worked(services: Services, body, action, client, respond) -> None:
    ref = A3WorkedRef.parse((action.get("selected_option") or {}).get("value"))
    with session_scope(services.engine) as session:
        scope = load_scope_for(session, body)
        answer = a3.answer_worked(session, scope, ref=ref, now=services.clock.now())
    reply_privately(body, client, respond, blocks.worked_reply(answer))
