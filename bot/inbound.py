"""Requests built exactly as Slack builds them, signed, and sent to the running app over HTTP.

The end-to-end tests and the demo play the Slack side with this: slash commands and button
clicks arrive as Slack's form-encoded bodies with a valid `X-Slack-Signature`, and their
`response_url` and `trigger_id` come from the local Slack stand-in, which records the answers.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk.signature import SignatureVerifier


class StandInLike(Protocol):
    def new_response_url(self, channel: str = ..., user: str = ...) -> str: ...
    def new_trigger_id(self) -> str: ...


@dataclass
class Delivery:
    """What the app answered to one request, and the response_url Slack gave it."""

    status: int
    body: str
    response_url: str | None
    elapsed: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackSender:
    def __init__(
        self,
        app_url: str,
        *,
        signing_secret: str,
        standin: StandInLike,
        team_id: str,
        team_domain: str = "acme",
        api_app_id: str = "A0HOSHIN",
    ) -> None:
        self.events_url = app_url.rstrip("/") + "/slack/events"
        self.verifier = SignatureVerifier(signing_secret)
        self.standin = standin
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id

    def post(
        self,
        body: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        content_type: str = "application/x-www-form-urlencoded",
        extra_headers: dict[str, str] | None = None,
        response_url: str | None = None,
        timeout: float = 10.0,
    ) -> Delivery:
        timestamp = int(time.time()) if timestamp is None else timestamp
        if signature is None:
            signature = self.verifier.generate_signature(timestamp=str(timestamp), body=body)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature,
            **(extra_headers or {}),
        }
        request = urllib.request.Request(
            self.events_url, data=body.encode(), headers=headers, method="POST"
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        return Delivery(status, text, response_url, time.perf_counter() - started)

    def slash_command(
        self,
        *,
        user_id: str,
        text: str = "",
        channel_id: str = "C0HOSHIN",
        command: str = "/hoshin",
        user_name: str = "someone",
        channel_name: str = "hoshin",
        **overrides: Any,
    ) -> Delivery:
        response_url = self.standin.new_response_url(channel=channel_id, user=user_id)
        form = {
            "token": "deprecated-verification-token",
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": self.standin.new_trigger_id(),
        }
        form.update(overrides)
        return self.post(urllib.parse.urlencode(form), response_url=response_url)

    def block_action(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str | None = None,
        block_id: str = "b",
        channel_id: str = "C0HOSHIN",
        message_ts: str = "1700000000.000100",
        is_ephemeral: bool = False,
        team_id: str | None = None,
    ) -> Delivery:
        response_url = self.standin.new_response_url(channel=channel_id, user=user_id)
        team = team_id or self.team_id
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": "button",
            "text": {"type": "plain_text", "text": "button", "emoji": True},
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            action["value"] = value
        payload = {
            "type": "block_actions",
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "name": user_id.lower(),
                "team_id": team,
            },
            "api_app_id": self.api_app_id,
            "token": "deprecated-verification-token",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": is_ephemeral,
            },
            "trigger_id": self.standin.new_trigger_id(),
            "team": {"id": team, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel_id, "name": "hoshin"},
            "response_url": response_url,
            "actions": [action],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, response_url=response_url)
