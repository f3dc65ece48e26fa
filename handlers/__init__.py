"""Slack listeners; `register_all` wires every listener module into one Bolt app."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import commands, status


def register_all(app: App, services: Services) -> commands.CommandRegistry:
    registry = commands.CommandRegistry()
    commands.register(app, services, registry)
    status.register(app, services, registry)
    return registry
