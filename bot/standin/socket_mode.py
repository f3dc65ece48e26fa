"""Socket Mode in the Slack stand-in: the WebSocket links, Slack's envelopes, and the app's acks.

What Slack does, as far as tests need it:
- `apps.connections.open` (app-level token) hands out a URL with a one-use ticket.
- Every connection gets Slack's `hello`; an app has at most 10 at once (the 11th is told
  `too_many_websockets` and closed).
- `deliver()` sends one envelope to ONE open connection: the next in turn, or the one named.
- The app's ack, `{"envelope_id": ..., "payload": ...}`, is recorded with its latency.
- An Events API envelope not acked within `ack_timeout` (3 s) is sent again to another
  connection, with `retry_attempt` + 1 and `retry_reason` "timeout", at most 3 times. Slash
  commands and interactions are not sent again (the person sees an error): they time out.
- `disconnect()` sends Slack's `disconnect` message (refresh_requested, warning, ...) and closes
  the link after a grace period unless the app has left it by then.

Simplified: Slack spaces the Events API retries out (at once, ~1 min, ~5 min); here each one
comes `ack_timeout` after the one before.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

try:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.server import ServerConnection, serve
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError(
        "Socket Mode in the Slack stand-in needs the websockets package: pip install -e '.[dev]'"
    ) from exc

log = logging.getLogger(__name__)

KINDS = ("events_api", "slash_commands", "interactive")
ACK_TIMEOUT = 3.0
MAX_CONNECTIONS = 10
EVENT_RETRIES = 3
HOST_NAME = "applink-standin"  # Slack names the host it serves a link from in debug_info
# Interactions whose ack body Slack reads: a modal's response_action, a select's options.
ANSWERED_INTERACTIONS = ("view_submission", "block_suggestion")


@dataclass
class Delivery:
    """One attempt at an envelope on one link, and the app's ack to it."""

    link: str
    retry_attempt: int
    retry_reason: str
    sent_at: float
    acked_at: float | None = None
    ack: dict | None = None
    # The app acked, but the test made the ack go missing on its way: Slack never saw it.
    ack_lost: bool = False
    send_failed: bool = False

    @property
    def latency(self) -> float | None:
        return None if self.acked_at is None else self.acked_at - self.sent_at


@dataclass
class Envelope:
    envelope_id: str
    type: str
    payload: dict
    accepts_response_payload: bool
    deliveries: list[Delivery] = field(default_factory=list)
    # No ack in time and no attempt left: what Slack gave up on.
    timed_out: bool = False
    lose_acks: int = 0

    @property
    def acked(self) -> Delivery | None:
        """The attempt whose ack reached Slack, if one did."""
        return next((d for d in self.deliveries if d.acked_at is not None and not d.ack_lost), None)

    @property
    def response(self) -> dict | None:
        """The payload the app sent with its ack (a command's answer, a modal's errors)."""
        delivery = self.acked
        return (delivery.ack or {}).get("payload") if delivery else None


@dataclass
class Link:
    """One WebSocket connection of the app, and every message it sent."""

    link_id: str
    opened_at: float
    closed_at: float | None = None
    received: list[Any] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.closed_at is None


class SocketModeServer:
    """Slack's Socket Mode side: one WebSocket server, its links, envelopes and their acks."""

    def __init__(
        self,
        *,
        app_id: str,
        host: str = "127.0.0.1",
        ack_timeout: float = ACK_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
        event_retries: int = EVENT_RETRIES,
    ) -> None:
        self.app_id, self.host = app_id, host
        self.ack_timeout = ack_timeout
        self.max_connections = max_connections
        self.event_retries = event_retries
        self._lock = threading.Lock()
        self._tickets: set[str] = set()
        self._links: dict[str, Link] = {}
        self._sockets: dict[str, ServerConnection] = {}  # the open links
        self._greeted: set[str] = set()  # those that had their hello: envelopes may go there
        self._handshakes: dict[int, tuple[Link, int]] = {}
        self._envelopes: dict[str, Envelope] = {}
        self._pending: set[str] = set()
        self._link_ids = itertools.count(1)
        self._turn = itertools.count()
        self._stopped = threading.Event()
        self._server = serve(
            self._serve_link,
            host,
            0,
            process_request=self._check_ticket,
            process_response=self._handshake_done,
            compression=None,  # Slack's links do not negotiate permessage-deflate either
            close_timeout=2,
            logger=log,
        )
        self.port = self._server.socket.getsockname()[1]
        self._threads = [
            threading.Thread(target=self._server.serve_forever, daemon=True),
            threading.Thread(target=self._redeliver_loop, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)

    # ---- apps.connections.open and the handshake ----------------------------------------------

    def open_url(self) -> str:
        """A new link URL, as apps.connections.open answers it; its ticket works once."""
        ticket = secrets.token_hex(16)
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://{self.host}:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def _check_ticket(self, connection: ServerConnection, request) -> Any:
        parts = urlsplit(request.path)
        ticket = (parse_qs(parts.query).get("ticket") or [""])[0]
        with self._lock:
            known = ticket in self._tickets
            self._tickets.discard(ticket)
            if parts.path.rstrip("/") == "/link" and known:
                # A link counts from its handshake on: num_connections follows their order.
                link = Link(f"link-{next(self._link_ids)}", time.monotonic())
                self._links[link.link_id] = link
                count = sum(1 for other in self._links.values() if other.open)
                self._handshakes[id(connection)] = (link, count)
                return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid_ticket\n")

    def _handshake_done(self, connection: ServerConnection, request, response) -> None:
        if response.status_code != HTTPStatus.SWITCHING_PROTOCOLS:
            with self._lock:
                failed = self._handshakes.pop(id(connection), None)
            if failed is not None:  # the link never opened: it must not count
                self._closed(failed[0])

    def _serve_link(self, connection: ServerConnection) -> None:
        with self._lock:
            link, count = self._handshakes.pop(id(connection))
            if count <= self.max_connections:
                self._sockets[link.link_id] = connection
        if count > self.max_connections:
            self._send(link, connection, self._disconnect_message("too_many_websockets"))
            connection.close()
            self._closed(link)
            return
        hello = {
            "type": "hello",
            "num_connections": count,
            "debug_info": {
                "host": HOST_NAME,
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }
        self._send(link, connection, hello)
        with self._lock:
            self._greeted.add(link.link_id)  # envelopes only after the hello
        try:
            for raw in connection:
                self._receive(link, raw)
        except ConnectionClosed:
            pass  # the app went away without a close frame (kill -9)
        finally:
            self._closed(link)

    def _closed(self, link: Link) -> None:
        with self._lock:
            self._sockets.pop(link.link_id, None)
            self._greeted.discard(link.link_id)
            if link.closed_at is None:
                link.closed_at = time.monotonic()

    @staticmethod
    def _disconnect_message(reason: str) -> dict:
        return {"type": "disconnect", "reason": reason, "debug_info": {"host": HOST_NAME}}

    def _send(self, link: Link, connection: ServerConnection, message: dict) -> bool:
        with self._lock:
            link.sent.append(copy.deepcopy(message))
        try:
            connection.send(json.dumps(message))
            return True
        except ConnectionClosed:
            return False

    def _receive(self, link: Link, raw: str | bytes) -> None:
        at = time.monotonic()
        try:
            message = json.loads(raw)
        except ValueError:
            message = raw
        with self._lock:
            link.received.append(message)
            envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
            envelope = self._envelopes.get(envelope_id) if envelope_id else None
            if envelope is None:
                return
            delivery = next(
                (
                    d
                    for d in reversed(envelope.deliveries)
                    if d.link == link.link_id and d.acked_at is None
                ),
                None,
            )
            if delivery is None:
                return  # a second ack to one attempt: Slack ignores it
            delivery.acked_at, delivery.ack = at, message
            if envelope.lose_acks > 0:
                envelope.lose_acks -= 1
                delivery.ack_lost = True
            else:
                self._pending.discard(envelope.envelope_id)

    # ---- envelopes -------------------------------------------------------------------------------

    def deliver(
        self, kind: str, payload: dict, *, to: str | None = None, lose_acks: int = 0
    ) -> Envelope:
        """Send one envelope to one open link (`to`, or the next in turn); a snapshot of it.

        lose_acks=N drops the app's next N acks on their way, as if Slack never got them.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        responds = kind == "slash_commands" or (
            kind == "interactive" and payload.get("type") in ANSWERED_INTERACTIONS
        )
        envelope = Envelope(str(uuid.uuid4()), kind, copy.deepcopy(payload), responds)
        envelope.lose_acks = lose_acks
        with self._lock:
            link_id = self._choose(to)
            self._envelopes[envelope.envelope_id] = envelope
            self._pending.add(envelope.envelope_id)
        self._attempt(envelope, link_id, 0, "")
        return self.envelope(envelope.envelope_id)

    def _choose(self, to: str | None, avoid: str | None = None) -> str:
        """Under the lock: the link to use. Slack spreads envelopes over the open links."""
        open_ids = self._ready()
        if to is not None:
            if to not in open_ids:
                raise AssertionError(f"{to} is not an open link; open: {open_ids}")
            return to
        if not open_ids:
            raise AssertionError("no Socket Mode link is open: the app is not connected")
        others = [i for i in open_ids if i != avoid] or open_ids
        return others[next(self._turn) % len(others)]

    def _attempt(self, envelope: Envelope, link_id: str, attempt: int, reason: str) -> None:
        message = {
            "envelope_id": envelope.envelope_id,
            "type": envelope.type,
            "payload": envelope.payload,
            "accepts_response_payload": envelope.accepts_response_payload,
            "retry_attempt": attempt,
            "retry_reason": reason,
        }
        delivery = Delivery(link_id, attempt, reason, time.monotonic())
        with self._lock:
            envelope.deliveries.append(delivery)  # before sending: the ack may come at once
            link, connection = self._links[link_id], self._sockets.get(link_id)
        if connection is None or not self._send(link, connection, message):
            with self._lock:
                delivery.send_failed = True

    def _redeliver_loop(self) -> None:
        while not self._stopped.wait(0.02):
            due: list[tuple[Envelope, str, int]] = []
            now = time.monotonic()
            with self._lock:
                for envelope_id in list(self._pending):
                    envelope = self._envelopes[envelope_id]
                    last = envelope.deliveries[-1]
                    if envelope.acked is not None or now - last.sent_at < self.ack_timeout:
                        continue
                    retries = envelope.type == "events_api"
                    if not retries or last.retry_attempt >= self.event_retries:
                        envelope.timed_out = True
                        self._pending.discard(envelope_id)
                    elif self._greeted:  # with no link open, Slack waits for one
                        link_id = self._choose(None, avoid=last.link)
                        due.append((envelope, link_id, last.retry_attempt + 1))
            for envelope, link_id, attempt in due:
                self._attempt(envelope, link_id, attempt, "timeout")

    # ---- disconnects -----------------------------------------------------------------------------

    def disconnect(
        self, link_id: str, reason: str = "refresh_requested", *, close_after: float | None = 10.0
    ) -> None:
        """Tell the app to leave this link; close it after `close_after` s if it is still there."""
        with self._lock:
            link, connection = self._links[link_id], self._sockets.get(link_id)
        if connection is None:
            raise AssertionError(f"{link_id} is not open")
        self._send(link, connection, self._disconnect_message(reason))
        if close_after is not None:
            timer = threading.Timer(close_after, self.close, (link_id,))
            timer.daemon = True
            timer.start()

    def close(self, link_id: str) -> None:
        """Close a link from Slack's side (code 1001, going away), as a Slack restart does."""
        with self._lock:
            connection = self._sockets.get(link_id)
        if connection is not None and not self._stopped.is_set():
            connection.close(1001, "going away")

    # ---- observation -----------------------------------------------------------------------------

    @property
    def links(self) -> list[Link]:
        """Every link so far, in the order they opened."""
        with self._lock:
            return copy.deepcopy(list(self._links.values()))

    @property
    def open_links(self) -> list[str]:
        """The links envelopes may go to now: open, and greeted with their hello."""
        with self._lock:
            return self._ready()

    def _ready(self) -> list[str]:
        return [i for i in self._sockets if i in self._greeted]

    def link(self, link_id: str) -> Link:
        with self._lock:
            return copy.deepcopy(self._links[link_id])

    @property
    def envelopes(self) -> list[Envelope]:
        with self._lock:
            return copy.deepcopy(list(self._envelopes.values()))

    def envelope(self, envelope_id: str) -> Envelope:
        with self._lock:
            return copy.deepcopy(self._envelopes[envelope_id])

    def wait_for_links(self, count: int, timeout: float = 10.0) -> list[str]:
        """The open links once there are exactly `count` of them."""
        deadline = time.monotonic() + timeout
        while len(found := self.open_links) != count:
            if time.monotonic() >= deadline:
                raise AssertionError(f"expected {count} open link(s), have {found}")
            time.sleep(0.02)
        return found

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> Envelope:
        """The envelope once Slack has its ack (or an AssertionError naming its attempts)."""
        deadline = time.monotonic() + timeout
        while (envelope := self.envelope(envelope_id)).acked is None:
            if time.monotonic() >= deadline or envelope.timed_out:
                raise AssertionError(f"envelope not acked: {envelope.deliveries}")
            time.sleep(0.01)
        return envelope

    def reset(self) -> None:
        """Forget envelopes; keep the links (the app stays connected)."""
        with self._lock:
            self._envelopes.clear()
            self._pending.clear()
