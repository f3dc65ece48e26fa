"""Slack listeners; `register_all` wires every listener module into one Bolt app."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import (
    actions,
    catchball,
    checkin,
    checks,
    commands,
    home,
    objective_admin,
    reflection,
    status,
    vision,
)


def register_all(app: App, services: Services) -> commands.CommandRegistry:
    registry = commands.CommandRegistry()
    commands.register(app, services, registry)
    status.register(app, services, registry)
    vision.register(app, services, registry)
    objective_admin.register(app, services, registry)
    home.register(app, services, registry)
    actions.register(app, services, registry)
    checks.register(app, services, registry)
    catchball.register(app, services, registry)
    checkin.register(app, services, registry)
    reflection.register(app, services, registry)
    return registry
