"""The bot's settings, read from the environment and `.env` with pydantic-settings."""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.body_limit import DEFAULT_MAX_BODY_BYTES, MAX_MAX_BODY_BYTES, MIN_MAX_BODY_BYTES

SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///hoshin.db"
# Values copied from .env.example unchanged must not start a bot that cannot work.
PLACEHOLDER_MARKERS = ("changeme", "your-", "xoxb-...", "xapp-...", "<", "replace-me")


class SettingsError(Exception):
    """A setting is missing or still a placeholder; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None  # Socket Mode only
    slack_api_url: str = SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = "INFO"
    # auto: JSON lines when the logs go to a file, pipe or collector; text on a terminal.
    log_format: Literal["auto", "json", "text"] = "auto"
    # Retries of the Web API client: 429s honour Retry-After; 5xx and connection errors back off.
    slack_max_retries: int = Field(default=3, ge=0, le=10)
    slack_timeout_seconds: int = Field(default=10, ge=1, le=120)
    # chat.postMessage's workspace-wide budget. Slack says "several hundred per minute" without
    # a figure: start low, raise it when Slack's answers show more is granted.
    slack_post_messages_per_minute: int = Field(default=300, ge=1, le=10_000)
    # The largest HTTP request body any endpoint reads (413 above it; why 1 MiB: bot/body_limit.py).
    http_max_body_bytes: int = Field(
        default=DEFAULT_MAX_BODY_BYTES, ge=MIN_MAX_BODY_BYTES, le=MAX_MAX_BODY_BYTES
    )

    # After an upgrade from a version whose buttons were not signed: read those until this day
    # (UTC) so the month's prompts and open catchball rounds keep working (bot/context.py).
    unsigned_buttons_until: date | None = None

    @cached_property
    def api_url(self) -> str:
        return self.slack_api_url if self.slack_api_url.endswith("/") else self.slack_api_url + "/"

    def secrets(self) -> list[str]:
        """The secret values, for the log filter that masks them wherever they appear."""
        values = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token)
        return [v.get_secret_value() for v in values if v is not None]

    def require(self, *names: str) -> None:
        """Stop with one clear line when a needed setting is missing or a placeholder."""
        for name in names:
            value = getattr(self, name)
            raw = value.get_secret_value() if isinstance(value, SecretStr) else value
            env = name.upper()
            if not raw:
                raise SettingsError(f"{env} is not set: add it to the environment or to .env")
            if any(marker in str(raw).lower() for marker in PLACEHOLDER_MARKERS):
                raise SettingsError(f"{env} is still the placeholder from .env.example: set it")


def load_settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "a setting"
        raise SettingsError(f"{name} is invalid: {error['msg']}") from exc
