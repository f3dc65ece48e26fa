"""The stand-in's Socket Mode, driven by slack_sdk's own client (the one Bolt's handler uses).

Acks are due within 0.5 s here instead of Slack's 3 s, so redeliveries come quickly.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect

from bot.standin import SlackStandIn

ACK_TIMEOUT = 0.5


@pytest.fixture
def s(new_standin) -> SlackStandIn:
    return new_standin(rate_limits=False, socket_ack_timeout=ACK_TIMEOUT)


class App:
    """One Socket Mode connection of an app: what it received, and whether it acks."""

    def __init__(self, standin: SlackStandIn, *, acks: bool = True) -> None:
        self.acks = acks
        self.messages: list[dict] = []
        web = WebClient(base_url=standin.api_url, token=standin.bot_token)
        self.client = SocketModeClient(app_token=standin.app_token, web_client=web)
        self.client.message_listeners.append(
            lambda _c, message, _raw: self.messages.append(message)
        )
        self.client.socket_mode_request_listeners.append(self._ack)

    def _ack(self, client: SocketModeClient, request) -> None:
        if self.acks:
            answer = {"seen_attempt": request.retry_attempt}
            client.send_socket_mode_response(
                SocketModeResponse(envelope_id=request.envelope_id, payload=answer)
            )

    def of_type(self, kind: str) -> list[dict]:
        return [m for m in self.messages if m.get("type") == kind]


@pytest.fixture
def app(s) -> Iterator[Callable[..., App]]:
    """Connect an app (one link each call) and wait until the stand-in has its link."""
    apps: list[App] = []

    def connect(**kwargs) -> App:
        one = App(s, **kwargs)
        apps.append(one)
        before = len(s.socket.open_links)
        one.client.connect()
        s.socket.wait_for_links(before + 1, timeout=5)
        return one

    yield connect
    # slack_sdk's close waits for its reader's 3 s socket timeout: let it finish on its own.
    for one in apps:
        threading.Thread(target=one.client.close, daemon=True).start()


def link_url(s: SlackStandIn) -> str:
    return WebClient(base_url=s.api_url).apps_connections_open(app_token=s.app_token)["url"]


def wait(predicate, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while not (found := predicate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    return found


def test_apps_connections_open_takes_the_app_level_token_only(s) -> None:
    web = WebClient(base_url=s.api_url, token=s.bot_token)
    url = web.apps_connections_open(app_token=s.app_token)["url"]
    assert url.startswith(f"ws://127.0.0.1:{s.socket.port}/link/?ticket=")
    assert url.endswith(f"&app_id={s.app_id}")
    with pytest.raises(SlackApiError) as refused:
        web.apps_connections_open(app_token=s.bot_token)
    assert refused.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as unknown:
        web.apps_connections_open(app_token="xapp-1-A0OTHER-1-nope")
    assert unknown.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as app_token_elsewhere:
        WebClient(base_url=s.api_url, token=s.app_token).chat_postMessage(
            channel="C0REVIEW", text="x"
        )
    assert app_token_elsewhere.value.response["error"] == "not_allowed_token_type"
    assert [c.error for c in s.calls_to("apps.connections.open")] == [
        None,
        "not_allowed_token_type",
        "invalid_auth",
    ]


def test_each_link_gets_slacks_hello_with_the_number_of_connections(s, app) -> None:
    first, second = app(), app()
    assert wait(lambda: first.of_type("hello") and second.of_type("hello"))
    [hello_1], [hello_2] = first.of_type("hello"), second.of_type("hello")
    assert (hello_1["num_connections"], hello_2["num_connections"]) == (1, 2)
    assert hello_1["connection_info"] == {"app_id": s.app_id}
    assert {"host", "approximate_connection_time"} <= set(hello_1["debug_info"])


def test_envelopes_go_to_one_link_in_turn_or_to_the_one_named_and_acks_are_timed(s, app) -> None:
    app(), app()
    first, second = s.socket.open_links
    sent = [s.socket.deliver("slash_commands", {"command": "/hoshin", "n": i}) for i in range(4)]
    sent.append(s.socket.deliver("events_api", {"type": "event_callback"}, to=second))
    acked = [s.socket.wait_for_ack(e.envelope_id, timeout=5) for e in sent]
    assert [e.acked.link for e in acked] == [first, second, first, second, second]
    assert all(len(e.deliveries) == 1 for e in acked)  # one link each, never both
    assert all(0 <= e.acked.latency < ACK_TIMEOUT for e in acked)
    assert acked[0].acked.ack == {
        "envelope_id": acked[0].envelope_id,
        "payload": {"seen_attempt": 0},
    }
    assert acked[0].response == {"seen_attempt": 0}
    # What the app received is Slack's envelope, whole.
    wire = next(m for m in s.socket.link(first).sent if m.get("envelope_id") == sent[0].envelope_id)
    assert wire == {
        "envelope_id": sent[0].envelope_id,
        "type": "slash_commands",
        "payload": {"command": "/hoshin", "n": 0},
        "accepts_response_payload": True,
        "retry_attempt": 0,
        "retry_reason": "",
    }


@pytest.mark.parametrize(
    ("kind", "payload", "answers"),
    [
        ("slash_commands", {"command": "/hoshin"}, True),
        ("interactive", {"type": "view_submission"}, True),
        ("interactive", {"type": "block_actions"}, False),
        ("events_api", {"type": "event_callback"}, False),
    ],
)
def test_slack_says_which_envelopes_take_a_response_payload(s, kind, payload, answers) -> None:
    with ws_connect(link_url(s)) as raw:
        assert json.loads(raw.recv(timeout=5))["type"] == "hello"
        s.socket.wait_for_links(1)
        s.socket.deliver(kind, payload)
        assert json.loads(raw.recv(timeout=5))["accepts_response_payload"] is answers


def test_an_event_not_acked_in_time_goes_to_another_link_with_its_retry_attempt(s, app) -> None:
    silent, answering = app(acks=False), app()
    quiet_link, other_link = s.socket.open_links
    sent = s.socket.deliver("events_api", {"event_id": "Ev1"}, to=quiet_link)
    envelope = s.socket.wait_for_ack(sent.envelope_id, timeout=5)
    first, retry = envelope.deliveries
    assert (first.link, first.retry_attempt, first.acked_at) == (quiet_link, 0, None)
    assert (retry.link, retry.retry_attempt, retry.retry_reason) == (other_link, 1, "timeout")
    assert retry.sent_at - first.sent_at >= ACK_TIMEOUT
    assert envelope.response == {"seen_attempt": 1}
    [redelivered] = answering.of_type("events_api")
    assert (redelivered["retry_attempt"], redelivered["retry_reason"]) == (1, "timeout")
    assert [m["envelope_id"] for m in silent.of_type("events_api")] == [sent.envelope_id]


def test_an_event_is_tried_three_more_times_at_most_and_a_command_not_again(s, app) -> None:
    app(acks=False)
    event = s.socket.deliver("events_api", {"event_id": "Ev2"})
    command = s.socket.deliver("slash_commands", {"command": "/hoshin"})
    assert wait(lambda: s.socket.envelope(event.envelope_id).timed_out, timeout=4 * ACK_TIMEOUT + 2)
    given_up = s.socket.envelope(event.envelope_id)
    assert [d.retry_attempt for d in given_up.deliveries] == [0, 1, 2, 3]  # the one link, again
    assert given_up.acked is None
    timed_out = s.socket.envelope(command.envelope_id)
    assert timed_out.timed_out and len(timed_out.deliveries) == 1
    with pytest.raises(AssertionError, match="not acked"):
        s.socket.wait_for_ack(command.envelope_id, timeout=0.1)


def test_a_lost_ack_makes_slack_send_the_event_again_to_another_link(s, app) -> None:
    app(), app()
    first_link, second_link = s.socket.open_links
    sent = s.socket.deliver("events_api", {"event_id": "Ev3"}, to=first_link, lose_acks=1)
    envelope = s.socket.wait_for_ack(sent.envelope_id, timeout=5)
    lost, counted = envelope.deliveries
    assert lost.link == first_link and lost.ack_lost and lost.latency < ACK_TIMEOUT
    assert counted.link == second_link and not counted.ack_lost and counted.retry_attempt == 1
    assert envelope.acked == counted


@pytest.mark.parametrize("reason", ["refresh_requested", "warning"])
def test_a_disconnect_makes_the_client_move_to_a_new_link(s, app, reason) -> None:
    connected = app()
    [old] = s.socket.open_links
    s.socket.disconnect(old, reason)
    assert wait(lambda: s.socket.open_links and old not in s.socket.open_links)
    [new] = s.socket.open_links
    assert len(s.calls_to("apps.connections.open")) == 2  # a new URL, a new ticket
    assert s.socket.link(old).sent[-1] == {
        "type": "disconnect",
        "reason": reason,
        "debug_info": {"host": "applink-standin"},
    }
    assert s.socket.link(old).closed_at is not None
    envelope = s.socket.wait_for_ack(s.socket.deliver("events_api", {}).envelope_id, timeout=5)
    assert envelope.acked.link == new
    assert len(connected.of_type("hello")) == 2


def test_a_link_that_ignores_the_disconnect_is_closed_after_the_grace_period(s) -> None:
    with ws_connect(link_url(s)) as raw:
        assert json.loads(raw.recv(timeout=5))["type"] == "hello"
        [link] = s.socket.wait_for_links(1)
        s.socket.disconnect(link, "warning", close_after=0.2)
        assert json.loads(raw.recv(timeout=5))["type"] == "disconnect"
        assert wait(lambda: not s.socket.open_links, timeout=3)
    assert s.socket.link(link).closed_at is not None


def test_a_ticket_opens_one_link_and_a_made_up_one_none(s) -> None:
    url = link_url(s)
    with ws_connect(url) as raw:
        assert json.loads(raw.recv(timeout=5))["type"] == "hello"
        with pytest.raises(InvalidStatus) as reused:
            ws_connect(url)
        assert reused.value.response.status_code == 401
    made_up = url.split("?")[0] + "?ticket=0123456789abcdef"
    with pytest.raises(InvalidStatus):
        ws_connect(made_up)
    assert len(s.socket.links) == 1


def test_the_eleventh_link_of_an_app_is_told_too_many_websockets(s) -> None:
    with ExitStack() as stack:
        links = [stack.enter_context(ws_connect(link_url(s))) for _ in range(11)]
        greetings = [json.loads(link.recv(timeout=5)) for link in links]
        assert [g["type"] for g in greetings] == ["hello"] * 10 + ["disconnect"]
        assert greetings[-1]["reason"] == "too_many_websockets"
        assert greetings[9]["num_connections"] == 10
        assert len(s.socket.wait_for_links(10)) == 10


def test_delivering_with_no_link_open_says_so(s) -> None:
    with pytest.raises(AssertionError, match="no Socket Mode link is open"):
        s.socket.deliver("events_api", {})
    with pytest.raises(ValueError, match="kind must be one of"):
        s.socket.deliver("block_actions", {})
