"""What every handler and job needs: settings, the database engine and the clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import Engine

from bot.clock import Clock
from bot.settings import Settings


class ReviewPoster(Protocol):
    """Brings review threads up to date after a change (schedules.review_poster has the one)."""

    def after(
        self, workspace_id: int, thread_ids: Iterable[int] = (), *, wait: bool = False
    ) -> bool: ...

    def stop(self, timeout: float = 10.0) -> bool: ...


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    clock: Clock
    # Set by the composition root (bot.app.create_app), which alone may reach into schedules/.
    review_poster: ReviewPoster | None = None

    def today(self) -> date:
        return self.clock.now().date()
