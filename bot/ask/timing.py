"""When a question is asked: timezones, the workspace's asking time, who is away."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cycle import parse_local_time
from storage.models import Workspace

DEFAULT_ASK_TIME = time(9, 0)


@lru_cache(maxsize=1024)
def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_of(timezone: str | None, default: str | None) -> str:
    """The owner's timezone from Slack's profile, else the workspace's, else UTC."""
    for candidate in (timezone, default):
        if candidate and _known_zone(candidate):
            return candidate
    return "UTC"


def workspace_zone(workspace: Workspace) -> str:
    return zone_of(None, workspace.timezone)


def ask_time(workspace: Workspace) -> time:
    """The local time of day prompts fall due (the workspace's check-in time)."""
    try:
        return parse_local_time(workspace.checkin_time)
    except (ValueError, AttributeError):
        return DEFAULT_ASK_TIME


def local_date(when: datetime, timezone: str) -> date:
    return when.astimezone(ZoneInfo(timezone)).date()


def away_on(away_until: date | None, day: date) -> date | None:
    """`away_until` when someone is away on `day` (through `away_until`, inclusive), else None."""
    return away_until if away_until is not None and away_until >= day else None
