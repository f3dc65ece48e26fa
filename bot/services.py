"""What every handler and job needs: settings, the database engine and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from bot.clock import Clock
from bot.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    clock: Clock

    def today(self) -> date:
        return self.clock.now().date()
