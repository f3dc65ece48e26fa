"""What a Slack Web API answer means for a queued post: sent, wait, look first, hold, or give up."""

from __future__ import annotations

import http.client
import socket
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from slack_sdk.errors import SlackApiError

# Methods that create something new, so a resend after "may have succeeded" can duplicate it.
# Their posts carry the outbox id in metadata and are looked for before being sent again.
# Everything else the outbox sends (chat.update, views.publish...) is safe to repeat. The chart
# upload (FILES_UPLOAD_V2) creates a file share but is left out on purpose: a share carries no
# metadata to look for, and the upload checks for itself with files.info before completing
# again (`schedules.files_upload`), so a crashed one is resumed rather than looked for.
CREATING_METHODS = frozenset({"chat.postMessage"})

HOLD_ERRORS = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "missing_scope"}
)
UNREACHABLE_ERRORS = frozenset({"user_not_found", "user_disabled", "cannot_dm_bot"})
TOKEN_ERRORS = frozenset(
    {"invalid_auth", "token_revoked", "token_expired", "not_authed", "org_login_required"}
)
# Slack answers account_inactive both for a deactivated person (DMs) and for a dead token.
AMBIGUOUS_ERRORS = frozenset({"account_inactive"})
MAY_HAVE_SUCCEEDED = frozenset({"internal_error", "fatal_error"})
TRANSIENT_ERRORS = frozenset({"service_unavailable", "request_timeout", "team_added_to_org"})
MALFORMED_ERRORS = frozenset(
    {
        "msg_too_long",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_blocks_too_long",
        "no_text",
        "too_many_attachments",
        "invalid_arguments",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
    }
)


class Verdict(StrEnum):
    OK = "ok"
    RATE_LIMITED = "rate_limited"  # wait Retry-After, nothing happened
    RETRY = "retry"  # nothing happened: back off and send again
    DOUBT = "doubt"  # Slack may have carried it out: look before sending again
    HOLD = "hold"  # the bot cannot post there until an admin fixes the channel
    UNREACHABLE = "unreachable"  # the person cannot be reached
    TOKEN = "token"  # the workspace's token is gone
    AMBIGUOUS = "ambiguous"  # account_inactive: the person or the token; auth.test tells
    FAIL = "fail"  # never to be sent: a malformed payload or an error we do not know


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    error: str | None = None
    retry_after: float | None = None
    data: dict[str, Any] | None = None

    @property
    def ts(self) -> str | None:
        return (self.data or {}).get("ts")

    @property
    def channel(self) -> str | None:
        channel = (self.data or {}).get("channel")
        if isinstance(channel, dict):  # conversations.open answers a channel object
            channel = channel.get("id")
        return channel if isinstance(channel, str) else None


def is_person(channel: str | None) -> bool:
    """A user id given as the channel of a post: Slack opens (or finds) the DM."""
    return bool(channel) and channel[:1] in ("U", "W")


def ask(call: Callable[[], Any], *, method: str, channel: str | None = None) -> Answer:
    """Make one Web API call and read its answer; never raises for what Slack or the network do."""
    creates = method in CREATING_METHODS
    try:
        response = call()
    except SlackApiError as exc:
        return _refusal(exc, creates=creates, channel=channel)
    except urllib.error.URLError as exc:
        # Refused or unresolvable: the request never reached Slack.
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError | socket.gaierror):
            return Answer(Verdict.RETRY, f"connection:{type(reason).__name__}")
        return Answer(Verdict.DOUBT if creates else Verdict.RETRY, f"connection:{reason!s:.60}")
    except (OSError, http.client.HTTPException) as exc:
        # Timed out or cut off after the request went out: Slack may have acted on it.
        return Answer(Verdict.DOUBT if creates else Verdict.RETRY, f"network:{type(exc).__name__}")
    return Answer(Verdict.OK, data=dict(response.data) if isinstance(response.data, dict) else {})


def _refusal(exc: SlackApiError, *, creates: bool, channel: str | None) -> Answer:
    response = exc.response
    status = getattr(response, "status_code", 200)
    data = response.data if isinstance(response.data, dict) else {}
    error = str(data.get("error") or f"http_{status}")
    if status == 429 or error == "ratelimited":
        return Answer(Verdict.RATE_LIMITED, "ratelimited", retry_after=_retry_after(response))
    if error in MAY_HAVE_SUCCEEDED or status >= 500:
        return Answer(Verdict.DOUBT if creates else Verdict.RETRY, error)
    if error in TRANSIENT_ERRORS:
        return Answer(Verdict.RETRY, error)
    if error in TOKEN_ERRORS:
        return Answer(Verdict.TOKEN, error)
    if error in AMBIGUOUS_ERRORS:
        person = is_person(channel) or _is_dm(channel)
        return Answer(Verdict.AMBIGUOUS if person else Verdict.TOKEN, error)
    if error == "channel_not_found" and is_person(channel):
        # chat.postMessage to a user id Slack does not know answers channel_not_found.
        return Answer(Verdict.UNREACHABLE, "user_not_found")
    if error in UNREACHABLE_ERRORS:
        return Answer(Verdict.UNREACHABLE, error)
    if error in HOLD_ERRORS:
        return Answer(Verdict.HOLD, error)
    return Answer(Verdict.FAIL, error)


def _is_dm(channel: str | None) -> bool:
    return bool(channel) and channel[:1] == "D"


def _retry_after(response: Any) -> float:
    headers = getattr(response, "headers", None) or {}
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                return max(1.0, float(value[0] if isinstance(value, list) else value))
            except (TypeError, ValueError):
                break
    return 1.0  # no usable header: at least a second, never at once
