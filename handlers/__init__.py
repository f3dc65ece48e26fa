"""Slack listeners; `register_all` wires every listener module into one Bolt app."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import (
    a3,
    actions,
    catchball,
    checkin,
    checks,
    commands,
    hansei,
    home,
    objective_admin,
    reflect,
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
    a3.register(app, services, registry)
    reflect.register(app, services, registry)
    hansei.register(app, services, registry)
    reflection.register(app, services, registry)
    return registry
