"""The Slack Web API client: honours SLACK_API_URL and retries 429s, 5xx and connection errors.

A method that creates something (a message) is never retried after a 5xx or a broken
connection: Slack may have carried it out (`internal_error`), and a blind resend posts it twice.
A 429 is always safe to retry (Slack did nothing), and so is a connection that was refused.
"""

from __future__ import annotations

from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings

CREATES = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "chat.meMessage",
        "files.completeUploadExternal",
    }
)


def creates(request) -> bool:
    """Whether this call makes something a resend would make twice."""
    return request.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] in CREATES


class SafeServerErrorRetryHandler(ServerErrorRetryHandler):
    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if creates(request):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class SafeConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if creates(request):
            reason = getattr(error, "reason", error) if isinstance(error, URLError) else error
            return isinstance(reason, ConnectionRefusedError)  # nothing reached Slack
        return super()._can_retry(state=state, request=request, response=response, error=error)


def make_web_client(settings: Settings) -> WebClient:
    """A client whose retries sleep in the calling thread: keep it off the ack path."""
    retries = settings.slack_max_retries
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.api_url,
        timeout=settings.slack_timeout_seconds,
        retry_handlers=[
            SafeConnectionErrorRetryHandler(max_retry_count=retries),
            RateLimitErrorRetryHandler(max_retry_count=retries),
            SafeServerErrorRetryHandler(max_retry_count=retries),
        ],
    )
