"""`hoshin run --http` caps request bodies at HTTP_MAX_BODY_BYTES, on every endpoint."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from bot.inbound import SlackSender
from bot.standin import SlackStandIn
from tests.ops.instances import SECRET, TEAM, TOKEN, start, stop_all, wait_healthy
from tests.security.test_bodies_e2e import connect, head, read_response


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    s = SlackStandIn(team_id=TEAM, bot_token=TOKEN)
    s.start()
    yield s
    s.stop()


def test_the_cap_is_the_setting(database_url, standin, tmp_path):
    instance = start(database_url, standin, tmp_path, "a", HTTP_MAX_BODY_BYTES="65536")
    try:
        wait_healthy(instance)
        for method, path in (("POST", "/slack/events"), ("GET", "/healthz")):
            with connect(instance.url) as sock:
                sock.sendall(head(method, path, {"Content-Length": "65537"}))
                status, raw, closed = read_response(sock)
            assert status == 413 and b"65536 bytes" in raw and closed, raw[:300]
        # Under the cap a body is read: a signed command of 60 KB is acked.
        sender = SlackSender(instance.url, signing_secret=SECRET, standin=standin, team_id=TEAM)
        assert sender.slash_command(user_id="U0CEO", text="status " + "x" * 60_000).status == 200
        request = urllib.request.Request(
            instance.url + "/healthz", data=b"x" * 70_000, method="GET"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 413
    finally:
        stop_all(instance)
