"""`hoshin run --http` caps request bodies at HTTP_MAX_BODY_BYTES, on every endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.standin import SlackStandIn
from bot.standin.inbound import SlackSender
from tests.ops.instances import SECRET, TEAM, TOKEN, start, stop_all, wait_healthy
from tests.security.test_bodies_e2e import connect, head, read_response


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    s = SlackStandIn(team_id=TEAM, bot_token=TOKEN)
    s.start()
    yield s
    s.stop()


def test_the_cap_is_the_setting(database_url, standin, tmp_path):
    instance = start(database_url, standin, tmp_path, "a", HTTP_MAX_BODY_BYTES="524288")
    try:
        wait_healthy(instance)
        for method, path in (("POST", "/slack/events"), ("GET", "/healthz")):
            with connect(instance.url) as sock:
                sock.sendall(head(method, path, {"Content-Length": "524289"}))
                status, raw, closed = read_response(sock)
            assert status == 413 and b"524288 bytes" in raw and closed, raw[:300]
        # Under the cap a body is read: a signed command of 300 KB (more than a modal of five
        # 3,000-character CJK answers, form-encoded) is acked.
        sender = SlackSender(instance.url, signing_secret=SECRET, standin=standin, team_id=TEAM)
        assert sender.slash_command(user_id="U0CEO", text="status " + "x" * 300_000).status == 200
        # A body over the cap that is being sent: refused without waiting for the rest (a
        # client that sends all of it meets the closed connection, so send only its start).
        with connect(instance.url) as sock:
            sock.sendall(head("GET", "/healthz", {"Content-Length": "530000"}) + b"x" * 16_384)
            status, raw, closed = read_response(sock)
        assert status == 413 and closed, raw[:300]
    finally:
        stop_all(instance)
