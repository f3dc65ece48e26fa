"""Slack's inbound traffic over Socket Mode: bot.standin.inbound's bodies, sent as envelopes.

EnvelopeSender has SlackSender's methods, so SlackSide drives either transport. Each call sends
one envelope through the stand-in's Socket Mode server to one of the app's links and waits for
the app's ack: status 200 when it came within Slack's 3 s, 504 when not (the person would see
an error). `to` picks the link, `lose_acks` makes the app's next acks go missing on the way.
"""

from __future__ import annotations

import json
from typing import Any

from bot.standin import SlackStandIn
from bot.standin.inbound import Delivery, SlackPayloads


class EnvelopeSender(SlackPayloads):
    def __init__(self, standin: SlackStandIn, *, timeout: float = 15.0, **workspace: str) -> None:
        """`workspace`: team_id and optionally team_domain, api_app_id (as for SlackSender)."""
        super().__init__(standin=standin, **workspace)
        self.socket = standin.socket
        self.timeout = timeout

    def slash_command(
        self, *, to: str | None = None, lose_acks: int = 0, **fields: Any
    ) -> Delivery:
        """A `slash_commands` envelope; `fields` as for slash_command_payload."""
        return self._send("slash_commands", self.slash_command_payload(**fields), to, lose_acks)

    def block_action(self, *, to: str | None = None, lose_acks: int = 0, **fields: Any) -> Delivery:
        """An `interactive` envelope of a click; `fields` as for block_action_payload."""
        return self._send("interactive", self.block_action_payload(**fields), to, lose_acks)

    def submit_view(self, *, to: str | None = None, lose_acks: int = 0, **fields: Any) -> Delivery:
        """An `interactive` envelope of a modal submission; the body is the ack's payload."""
        return self._send("interactive", self.view_submission_payload(**fields), to, lose_acks)

    def event(
        self,
        event: dict[str, Any],
        *,
        to: str | None = None,
        lose_acks: int = 0,
        **fields: Any,
    ) -> Delivery:
        """An `events_api` envelope; a lost ack makes Slack send it again to another link."""
        return self._send("events_api", self.event_payload(event, **fields), to, lose_acks)

    def _send(self, kind: str, payload: dict, to: str | None, lose_acks: int) -> Delivery:
        sent = self.socket.deliver(kind, payload, to=to, lose_acks=lose_acks)
        try:
            envelope = self.socket.wait_for_ack(sent.envelope_id, self.timeout)
        except AssertionError:
            envelope = self.socket.envelope(sent.envelope_id)
        acked = envelope.acked
        latency = acked.latency if acked and acked.latency is not None else self.timeout
        in_time = acked is not None and latency <= self.socket.ack_timeout
        body = json.dumps(envelope.response) if envelope.response else ""
        return Delivery(
            200 if in_time else 504,
            body,
            payload.get("response_url"),
            latency,
            envelope_id=envelope.envelope_id,
        )
