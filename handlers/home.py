"""The App Home tab: `app_home_opened` publishes the person's Home afresh."""

from __future__ import annotations

import functools
import logging

from slack_bolt import App

from bot.home.service import publish_home
from bot.scope import team_id_of
from bot.services import Services
from handlers.commands import CommandRegistry
from handlers.errors import tell_privately, user_message_for

log = logging.getLogger(__name__)


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    # Events are acknowledged by Bolt before the listener runs; publishing is one fast call.
    @app.event("app_home_opened")
    def home_opened(event, body, client) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab opened: nothing to publish
        team_id = body.get("team_id") or (event.get("view") or {}).get("team_id")
        if not team_id or not event.get("user"):
            log.warning("app_home_opened without a team or user")
            return
        publish_home(
            client, services.engine, team_id=team_id, user_id=event["user"], today=services.today()
        )


def tells_errors(listener):
    """Wrap a lazy click listener (Home buttons have no response_url) so errors reach the person.

    The answer goes where the click was: ephemeral in the channel, else a DM from the bot.
    """

    @functools.wraps(listener)
    def wrapper(client, body, **kwargs):
        try:
            return listener(client=client, body=body, **kwargs)
        except Exception as exc:
            tell_privately(client, body, f":warning: {user_message_for(exc)}")
            return None

    return wrapper


def republish(services: Services, client, body: dict) -> bool:
    """Publish the acting person's Home again after they changed something; False if Slack
    refused (logged).

    From a submission, call it after `ack()` inside the ack function, not from a lazy listener:
    Bolt starts lazy listeners alongside the ack function, so one could read the database
    before the change is committed.
    """
    return publish_home(
        client,
        services.engine,
        team_id=team_id_of(body) or "",
        user_id=body["user"]["id"],
        today=services.today(),
    )
