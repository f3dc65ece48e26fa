"""Slack listeners; `register_all` wires every listener module into one Bolt app."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import (
    a3,
    actions,
    catchball,
    checkin,
    commands,
    hansei,
    home,
    language,
    reflection,
    review,
    status,
)
from handlers.objectives import admin as objectives_admin
from handlers.objectives import checks as objectives_checks
from handlers.objectives import vision as objectives_vision

# In this order Bolt tries their listeners and `/hoshin help` lists their subcommands.
MODULES = (
    commands,
    status,
    objectives_vision,
    objectives_admin,
    home,
    actions,
    objectives_checks,
    catchball,
    checkin,
    review,
    a3,
    hansei,
    reflection,
    language,
)


def register_all(app: App, services: Services) -> commands.CommandRegistry:
    registry = commands.CommandRegistry()
    for module in MODULES:
        module.register(app, services, registry)
    return registry
