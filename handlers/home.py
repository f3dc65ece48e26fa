"""The App Home tab: `app_home_opened` publishes the person's Home afresh."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.home.service import publish_home
from bot.services import Services
from handlers.commands import CommandRegistry
from handlers.common import bind

log = logging.getLogger(__name__)


def register(app: App, services: Services, registry: CommandRegistry) -> None:
    # Events are acknowledged by Bolt before the listener runs; publishing is one fast call.
    app.event("app_home_opened")(bind(home_opened, services))


def home_opened(services: Services, event, body, client) -> None:
    if event.get("tab", "home") != "home":
        return  # the Messages tab opened: nothing to publish
    team_id = body.get("team_id") or (event.get("view") or {}).get("team_id")
    if not team_id or not event.get("user"):
        log.warning("app_home_opened without a team or user")
        return
    publish_home(
        client, services.engine, team_id=team_id, user_id=event["user"], today=services.today()
    )
