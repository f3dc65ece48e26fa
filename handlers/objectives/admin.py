"""Admins shaping breakthrough and annual objectives: `/hoshin new|edit|archive`, Home buttons,
the objective modal's submission and the Archive button."""

from __future__ import annotations

from slack_bolt import App

from bot import forms, ids
from bot.context import ObjectiveRef
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.objectives.admin import (
    archive_objective,
    archive_preview,
    edit_objective_modal,
    new_objective_modal,
    submit_objective,
)
from bot.objectives.admin_blocks import archived_modal, archived_text
from bot.scope import team_id_of
from bot.services import Services
from handlers.commands import CommandRegistry, CommandRequest, Subcommand
from handlers.common import acknowledge, bind, republish
from handlers.errors import form_error_response, tells_errors
from handlers.modal_values import read_values

LEVEL_WORDS = {
    "breakthrough": "breakthrough",
    "bt": "breakthrough",
    "annual": "annual",
    "an": "annual",
}
NEW_USAGE = "`/hoshin new breakthrough` or `/hoshin new annual [BT1]`"


def parse_new_args(args: str) -> tuple[str, str | None]:
    """`breakthrough` | `annual [BT1]` → (level, parent ref or None)."""
    words = args.split()
    level = LEVEL_WORDS.get(words[0].lower()) if words else None
    if (
        level is None
        or len(words) > 2
        or (level == "breakthrough" and len(words) > 1)
        or (len(words) == 2 and not forms.REF.match(words[1]))
    ):
        raise InvalidInput(f"Say what to create: {NEW_USAGE}.")
    return level, words[1] if len(words) == 2 else None


def one_ref(args: str, verb: str) -> str:
    words = args.split()
    if len(words) != 1 or not forms.REF.match(words[0]):
        raise InvalidInput(f"Name the objective to {verb}, like `/hoshin {verb} AN1`.")
    return words[0]


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    for name, usage, summary, run in (
        (
            "new",
            # Translators: "breakthrough" and "annual" are typed as they are.
            N_("/hoshin new breakthrough | annual [BT1]"),
            N_("Admins: create a breakthrough objective, or an annual one (under BT1), in a form."),
            new,
        ),
        (
            "edit",
            N_("/hoshin edit REF"),
            N_(
                "Admins: edit a breakthrough or annual objective (cascaded ones change through "
                "catchball)."
            ),
            edit,
        ),
        (
            "archive",
            N_("/hoshin archive REF"),
            N_(
                "Admins: archive an objective and those below it; nothing is deleted, history kept."
            ),
            archive,
        ),
    ):
        registry.add(Subcommand(name=name, usage=usage, summary=summary, run=run, opens_modal=True))
    for action_id, lazy in (
        (ids.ACTION_HOME_NEW_BREAKTHROUGH, bind(open_new, services, "breakthrough")),
        (ids.ACTION_HOME_NEW_ANNUAL, bind(open_new, services, "annual")),
        (ids.ACTION_HOME_EDIT_OBJECTIVE, bind(open_edit, services)),
        (ids.ACTION_OBJECTIVE_ARCHIVE, bind(do_archive, services)),
    ):
        app.action(action_id)(ack=acknowledge, lazy=[tells_errors(lazy)])
    app.view(ids.VIEW_OBJECTIVE)(bind(submit, services))


# ---- /hoshin new|edit|archive -------------------------------------------------------------------


def new(request: CommandRequest) -> None:
    level, parent_ref = parse_new_args(request.args)
    view = new_objective_modal(
        request.services.engine,
        team_id=request.team_id,
        user_id=request.user_id,
        level=level,
        parent_ref=parent_ref,
        today=request.services.today(),
    )
    request.client.views_open(trigger_id=request.trigger_id, view=view)


def edit(request: CommandRequest) -> None:
    ref = one_ref(request.args, "edit")
    view = edit_objective_modal(
        request.services.engine, team_id=request.team_id, user_id=request.user_id, ref=ref
    )
    request.client.views_open(trigger_id=request.trigger_id, view=view)


def archive(request: CommandRequest) -> None:
    ref = one_ref(request.args, "archive")
    message = archive_preview(
        request.services.engine, team_id=request.team_id, user_id=request.user_id, ref=ref
    )
    request.respond(response_type="ephemeral", **message.as_kwargs())


# ---- the Home's buttons, the objective modal's Archive button -----------------------------------


def open_new(services: Services, level: str, client, body, **_) -> None:
    view = new_objective_modal(
        services.engine,
        team_id=team_id_of(body) or "",
        user_id=body["user"]["id"],
        level=level,
        today=services.today(),
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def open_edit(services: Services, client, body, action, **_) -> None:
    ref = ObjectiveRef.parse(action.get("value"))
    view = edit_objective_modal(
        services.engine,
        team_id=team_id_of(body) or "",
        user_id=body["user"]["id"],
        objective_id=ref.objective_id,
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def do_archive(services: Services, client, body, action, respond, **_) -> None:
    ref = ObjectiveRef.parse(action.get("value"))
    team_id, user_id = team_id_of(body) or "", body["user"]["id"]
    result = archive_objective(
        services.engine, team_id=team_id, user_id=user_id, objective_id=ref.objective_id
    )
    if (body.get("container") or {}).get("type") == "view" and body.get("view"):
        view = archived_modal(result.ref, result.below, already=result.already)
        client.views_update(view_id=body["view"]["id"], view=view)
    else:
        text = archived_text(result.ref, result.below, already=result.already)
        respond(replace_original=True, text=text)
    republish(services, client, body)


# ---- the objective modal: validated and stored inside the ack -----------------------------------


def submit(services: Services, ack, body, view, client) -> None:
    # Validated and stored inside the ack so errors go back inline (Slack keeps what was
    # typed); the Home is republished after the ack has gone.
    try:
        saved = submit_objective(
            services.engine,
            client,
            team_id=team_id_of(body) or "",
            user_id=body["user"]["id"],
            view_id=view["id"],
            private_metadata=view.get("private_metadata"),
            values=read_values(view),
        )
    except Exception as exc:
        ack(**form_error_response(exc, fallback_block=ids.FIELD_TITLE))
        return
    ack()
    if saved is not None:
        republish(services, client, body)
