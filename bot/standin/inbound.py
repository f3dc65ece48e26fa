"""Requests built exactly as Slack builds them, signed, and sent to the running app over HTTP.

The end-to-end tests and the demo play the Slack side with this: slash commands and button
clicks arrive as Slack's form-encoded bodies with a valid `X-Slack-Signature`, and their
`response_url` and `trigger_id` come from the local Slack stand-in, which records the answers.
The same bodies go over Socket Mode with bot/standin/inbound_socket.py.
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
    """What the app answered to one request, and the response_url Slack gave it.

    Over Socket Mode the body is the payload of the app's ack, and envelope_id names the
    envelope in the stand-in's record.
    """

    status: int
    body: str
    response_url: str | None
    elapsed: float
    envelope_id: str | None = None

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackPayloads:
    """The bodies Slack sends for slash commands, clicks, modal submissions and events, as dicts.

    One source for both transports: SlackSender posts them signed over HTTP, EnvelopeSender
    (bot/standin/inbound_socket.py) sends them as Socket Mode envelopes.
    """

    def __init__(
        self,
        *,
        standin: StandInLike,
        team_id: str,
        team_domain: str = "acme",
        api_app_id: str = "A0HOSHIN",
    ) -> None:
        self.standin = standin
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id

    def slash_command_payload(
        self,
        *,
        user_id: str,
        text: str = "",
        channel_id: str = "C0HOSHIN",
        command: str = "/hoshin",
        user_name: str = "someone",
        channel_name: str = "hoshin",
        **overrides: Any,
    ) -> dict[str, str]:
        """A slash command's fields (all strings, as in Slack's form post)."""
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
        return form

    def block_action_payload(
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
        view: dict | None = None,
        selected_option: dict | None = None,
    ) -> dict[str, Any]:
        """A click on a message's button, or inside a view (App Home, a modal) when `view` is given.

        With `selected_option` (an option as the message has it) it is a choice in a static
        select instead, as Slack sends it: no `value`, the option chosen.
        """
        team = team_id or self.team_id
        if view is not None:
            return self._view_action(
                user_id=user_id,
                action_id=action_id,
                value=value,
                block_id=block_id,
                view=view,
                team=team,
            )
        response_url = self.standin.new_response_url(
            channel=channel_id, user=user_id, message_ts=message_ts
        )
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": "button",
            "text": {"type": "plain_text", "text": "button", "emoji": True},
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            action["value"] = value
        if selected_option is not None:
            action.pop("text")
            action.pop("value", None)
            action.update(type="static_select", selected_option=selected_option)
        return {
            "type": "block_actions",
            "user": self._user(user_id, team),
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

    def _user(self, user_id: str, team: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": team,
        }

    def _view_action(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str | None,
        block_id: str,
        view: dict,
        team: str,
    ) -> dict[str, Any]:
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": "button",
            "text": {"type": "plain_text", "text": "button"},
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            action["value"] = value
        return {
            "type": "block_actions",
            "user": self._user(user_id, team),
            "api_app_id": self.api_app_id,
            "token": "deprecated-verification-token",
            "container": {"type": "view", "view_id": view.get("id", "V0")},
            "trigger_id": self.standin.new_trigger_id(),
            "team": {"id": team, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "view": view,
            "actions": [action],
        }

    def view_submission_payload(
        self, *, user_id: str, view: dict, values: dict[str, Any], team_id: str | None = None
    ) -> dict[str, Any]:
        """A modal submitted as Slack does: `values` by block id, shaped by each input's element."""
        team = team_id or self.team_id
        submitted = dict(view)
        submitted["state"] = {"values": view_state(view, values)}
        submitted.setdefault("id", "V0STANDIN")
        submitted.setdefault("hash", f"{time.time():.6f}")
        return {
            "type": "view_submission",
            "team": {"id": team, "domain": self.team_domain},
            "user": self._user(user_id, team),
            "api_app_id": self.api_app_id,
            "token": "deprecated-verification-token",
            "trigger_id": self.standin.new_trigger_id(),
            "view": submitted,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def event_payload(
        self, event: dict[str, Any], *, event_id: str | None = None, team_id: str | None = None
    ) -> dict[str, Any]:
        """An Events API delivery (`event_callback`) of one event."""
        team = team_id or self.team_id
        return {
            "token": "deprecated-verification-token",
            "team_id": team,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{int(time.time() * 1000)}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "UHOSHINBOT", "is_bot": True}],
        }


class SlackSender(SlackPayloads):
    """Slack's requests, signed and posted to the app's /slack/events over HTTP."""

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
        super().__init__(
            standin=standin, team_id=team_id, team_domain=team_domain, api_app_id=api_app_id
        )
        self.events_url = app_url.rstrip("/") + "/slack/events"
        self.verifier = SignatureVerifier(signing_secret)

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

    def slash_command(self, **fields: Any) -> Delivery:
        """Type a slash command; `fields` as for slash_command_payload."""
        form = self.slash_command_payload(**fields)
        return self.post(urllib.parse.urlencode(form), response_url=form["response_url"])

    def block_action(self, **fields: Any) -> Delivery:
        """Click a button or choose an option; `fields` as for block_action_payload."""
        return self._interaction(self.block_action_payload(**fields))

    def submit_view(self, **fields: Any) -> Delivery:
        """Submit a modal; `fields` as for view_submission_payload.

        The answer's body is the app's ack: empty to close the modal, or
        {"response_action": "errors", "errors": {block_id: message}}.
        """
        return self._interaction(self.view_submission_payload(**fields))

    def _interaction(self, payload: dict[str, Any]) -> Delivery:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, response_url=payload.get("response_url"))

    def event(
        self,
        event: dict[str, Any],
        *,
        retry_num: int = 0,
        retry_reason: str = "http_timeout",
        **fields: Any,
    ) -> Delivery:
        """An Events API delivery (`fields` as for event_payload); a retry carries Slack's
        X-Slack-Retry-* headers."""
        body = json.dumps(self.event_payload(event, **fields))
        headers = {}
        if retry_num:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.post(body, content_type="application/json", extra_headers=headers)


def view_state(view: dict, values: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Slack's `view.state.values` for the given {block_id: value}, per the input's element type."""
    elements = {
        block["block_id"]: block["element"]
        for block in view.get("blocks", [])
        if block.get("type") == "input" and "block_id" in block
    }
    state: dict[str, dict[str, dict[str, Any]]] = {}
    for block_id, element in elements.items():
        kind, action_id = element["type"], element.get("action_id", "value")
        value = values.get(block_id)
        entry: dict[str, Any] = {"type": kind}
        if kind == "users_select":
            entry["selected_user"] = value
        elif kind == "conversations_select":
            entry["selected_conversation"] = value
        elif kind == "datepicker":
            entry["selected_date"] = value
        elif kind in ("static_select", "radio_buttons"):
            options = {o["value"]: o for o in element.get("options", [])}
            entry["selected_option"] = options.get(value) if value is not None else None
        else:
            entry["value"] = value
        state[block_id] = {action_id: entry}
    unknown = set(values) - set(elements)
    if unknown:
        raise ValueError(f"the view has no input blocks {sorted(unknown)}")
    return state
