"""`/hoshin status [REF | @person | YEAR]` and its "Share in channel" button."""

from __future__ import annotations

import re

from slack_bolt import App

from bot import forms, ids
from bot.blocks.common import clip
from bot.context import StatusQuery
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.scope import team_id_of
from bot.services import Services
from bot.status.service import answer_status
from handlers.commands import CommandRegistry, CommandRequest, Subcommand
from handlers.common import acknowledge, bind, channel_translator, requester_translator
from handlers.errors import replies_errors

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
YEAR = re.compile(r"^(?:FY)?(\d{4})$", re.IGNORECASE)


def parse_status_args(args: str) -> StatusQuery:
    """Read what follows `/hoshin status`: nothing, a ref, a mention, a name or a year."""
    args = args.strip()
    if not args:
        return StatusQuery(kind="plan")
    # A mention's label may hold spaces (<@U0ANA|Ana Ferreira>): match it before splitting.
    if mention := MENTION.match(args):
        return StatusQuery(kind="person", user=mention.group(1))
    words = args.split()
    if len(words) > 1:
        raise InvalidInput(
            "`/hoshin status` takes one thing to look at: an objective (`AN1`), a person "
            "(`@ana`) or a year (`2027`)."
        )
    word = words[0]
    if word.startswith("@") and len(word) > 1:
        return StatusQuery(kind="person", user=word[1:])
    if year := YEAR.match(word):
        return StatusQuery(kind="plan", year=int(year.group(1)))
    if forms.REF.match(word):
        return StatusQuery(kind="objective", ref=word)
    raise InvalidInput(
        f"`{clip(word, forms.REF_LIMIT)}` is not an objective ref, a person or a year."
    )


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    registry.add(
        Subcommand(
            name="status",
            usage=N_("/hoshin status [REF | @person | YEAR]"),
            summary=N_(
                "The plan with each objective's health, latest actual and target; "
                "drill into one objective or one person's objectives."
            ),
            run=status,
        )
    )
    app.action(ids.ACTION_STATUS_SHARE)(
        ack=acknowledge, lazy=[replies_errors(bind(share, services))]
    )


def status(request: CommandRequest) -> None:
    services = request.services
    query = parse_status_args(request.args)
    tr = requester_translator(
        services, request.client, team_id=request.team_id, user_id=request.user_id
    )
    message = answer_status(
        services.engine, team_id=request.team_id, query=query, today=services.today(), tr=tr
    )
    request.respond(response_type="ephemeral", **message.as_kwargs())


def share(services: Services, respond, body, action, **_) -> None:
    # The value came back through Slack: parse it, then read everything afresh.
    query = StatusQuery.parse(action.get("value"))
    team_id = team_id_of(body) or ""
    tr = channel_translator(services, team_id=team_id)  # the channel reads the workspace's language
    message = answer_status(
        services.engine, team_id=team_id, query=query, today=services.today(), tr=tr
    )
    user = body["user"]["id"]
    respond(
        response_type="in_channel",
        replace_original=False,
        text=f"<@{user}> shared: {message.text}",
        blocks=message.blocks[:-1],  # the share button itself is not shared
    )
