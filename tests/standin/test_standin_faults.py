"""Rate limits, injected faults, auth failures, the HTTP control surface and standalone mode."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.client import RemoteDisconnected

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.standin import SlackStandIn
from bot.standin.ratelimit import RateLimiter, retry_after_header


def post(client: WebClient, channel: str = "C0REVIEW", text: str = "hi"):
    return client.chat_postMessage(channel=channel, text=text)


def test_fourth_quick_post_to_one_channel_gets_429(new_standin, client_for) -> None:
    s = new_standin(rate_limits=True)
    client = client_for(s)
    for i in range(3):
        post(client, text=f"#{i}")
    with pytest.raises(SlackApiError) as exc:
        post(client, text="#4")
    assert exc.value.response.status_code == 429
    assert exc.value.response["error"] == "ratelimited"
    assert exc.value.response.headers["Retry-After"] == "1"
    last = s.calls_to("chat.postMessage")[-1]
    assert last.status == 429 and last.retry_after == 1 and 0 < last.wait <= 1
    assert len(s.messages()) == 3
    post(client, channel="U0CEO")  # another channel (a DM) has its own allowance
    assert s.stats()["chat.postMessage"] == {"ok": 4, "ratelimited": 1, "error": 0, "dropped": 0}


def test_scaled_limits_refill_faster(new_standin, client_for) -> None:
    s = new_standin(rate_limits=True, rate_limit_scale=10)
    client = client_for(s)
    for _ in range(3):
        post(client)
    with pytest.raises(SlackApiError) as exc:
        post(client)
    exact = float(exc.value.response.headers["X-Standin-Retry-After-Exact"])
    assert exact <= 0.1 and exc.value.response.headers["Retry-After"] == "1"
    time.sleep(exact + 0.01)
    assert post(client)["ok"]


def test_tier_2_allows_a_minutes_burst_and_auth_test_is_never_limited(
    new_standin, client_for
) -> None:
    s = new_standin(rate_limits=True)
    client = client_for(s)
    for _ in range(20):
        client.users_list()
    with pytest.raises(SlackApiError) as exc:
        client.users_list()
    assert exc.value.response.status_code == 429
    for _ in range(120):
        client.auth_test()
    assert s.stats()["auth.test"]["ok"] == 120


def test_rate_limiter_buckets_directly() -> None:
    limiter = RateLimiter(post_message_workspace_per_minute=6, post_message_workspace_burst=2)
    assert limiter.check("chat.postMessage", "C1", 0.0) == 0
    assert limiter.check("chat.postMessage", "C2", 0.0) == 0
    assert limiter.check("chat.postMessage", "C3", 0.0) == pytest.approx(10.0)  # 6/min workspace
    assert limiter.check("conversations.open", None, 0.0) == 0
    assert retry_after_header(0.01) == 1 and retry_after_header(2.2) == 3


def test_rate_limits_can_be_switched_off(standin: SlackStandIn, client: WebClient) -> None:
    for _ in range(10):
        post(client)
    assert len(standin.messages()) == 10


def test_injected_500_once_then_ok(standin: SlackStandIn, client: WebClient) -> None:
    standin.inject("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as exc:
        post(client)
    assert exc.value.response.status_code == 500
    assert standin.messages() == []
    assert post(client)["ok"] and len(standin.messages()) == 1
    # A client with a server-error handler rides over it.
    standin.inject("chat.postMessage", status=503)
    retrying = WebClient(
        base_url=standin.api_url,
        token="xoxb-test-token",
        retry_handlers=[
            ServerErrorRetryHandler(interval_calculator=FixedValueRetryIntervalCalculator(0.01))
        ],
    )
    assert post(retrying)["ok"]
    assert [c.status for c in standin.calls_to("chat.postMessage")] == [500, 200, 503, 200]


def test_internal_error_with_apply_stores_the_message(standin: SlackStandIn, client) -> None:
    standin.inject("chat.postMessage", error="internal_error", apply=True)
    with pytest.raises(SlackApiError) as exc:
        post(client, text="maybe sent")
    assert exc.value.response["error"] == "internal_error"
    assert [m.text for m in standin.messages()] == ["maybe sent"]
    standin.inject("chat.postMessage", error="internal_error")
    with pytest.raises(SlackApiError):
        post(client, text="not sent")
    assert [m.text for m in standin.messages()] == ["maybe sent"]
    assert standin.calls_to("chat.postMessage")[0].fault == "error"


def test_injected_errors_match_method_and_count(standin: SlackStandIn, client: WebClient) -> None:
    standin.inject("*", error="fatal_error", times=2)
    with pytest.raises(SlackApiError):
        client.auth_test()
    with pytest.raises(SlackApiError):
        client.users_info(user="U0CEO")
    assert client.auth_test()["ok"]
    standin.inject("users.info", error="ratelimited", retry_after=7)
    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U0CEO")
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["Retry-After"] == "7"


def test_injected_delay_slows_the_answer(standin: SlackStandIn, client: WebClient) -> None:
    standin.inject("chat.postMessage", delay=0.3)
    started = time.monotonic()
    assert post(client)["ok"]
    assert time.monotonic() - started >= 0.3


def test_delay_past_the_client_timeout_still_posts(standin: SlackStandIn) -> None:
    impatient = WebClient(base_url=standin.api_url, token="xoxb-test-token", timeout=0.2)
    standin.inject("chat.postMessage", delay=0.5)
    with pytest.raises(TimeoutError):
        post(impatient, text="slow")
    assert [m.text for m in standin.messages()] == ["slow"]  # a blind resend would duplicate it


def test_dropped_connection(standin: SlackStandIn, client: WebClient) -> None:
    standin.inject("chat.postMessage", drop=True)
    with pytest.raises((RemoteDisconnected, urllib.error.URLError, ConnectionError)):
        post(client)
    assert standin.messages() == []
    # slack_sdk's connection-error handler resends once; with apply=True that duplicates.
    resending = WebClient(
        base_url=standin.api_url,
        token="xoxb-test-token",
        retry_handlers=[
            ConnectionErrorRetryHandler(interval_calculator=FixedValueRetryIntervalCalculator(0.01))
        ],
    )
    standin.inject("chat.postMessage", drop=True, apply=True)
    assert post(resending, text="twice")["ok"]
    assert [m.text for m in standin.messages()] == ["twice", "twice"]
    assert standin.stats()["chat.postMessage"]["dropped"] == 2


@pytest.mark.parametrize(("token", "error"), [(None, "not_authed"), ("xoxb-wrong", "invalid_auth")])
def test_bad_tokens(standin: SlackStandIn, token: str | None, error: str) -> None:
    client = WebClient(base_url=standin.api_url, token=token, retry_handlers=[])
    with pytest.raises(SlackApiError) as exc:
        client.auth_test()
    assert exc.value.response["error"] == error


def test_revoked_token(standin: SlackStandIn, client: WebClient) -> None:
    assert client.auth_test()["ok"]
    standin.revoke_token()
    for call in (client.auth_test, lambda: post(client)):
        with pytest.raises(SlackApiError) as exc:
            call()
        assert exc.value.response["error"] == "token_revoked"
    assert standin.messages() == []


def test_unknown_method(standin: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call("chat.frobnicate", json={"x": 1})
    assert exc.value.response.status_code == 200
    assert exc.value.response["error"] == "unknown_method"


def test_wait_helpers(standin: SlackStandIn, client: WebClient) -> None:
    threading.Timer(0.05, lambda: post(client)).start()
    (call,) = standin.wait_for_calls("chat.postMessage", timeout=2)
    assert call.ok and call.args == {"channel": "C0REVIEW", "text": "hi"}
    assert standin.wait_for(lambda s: len(s.messages()) == 1, timeout=1)
    assert standin.wait_for(lambda s: len(s.messages()) == 2, timeout=0.05) is False
    with pytest.raises(AssertionError, match=r"views.open.*chat.postMessage -> 200 ok"):
        standin.wait_for_calls("views.open", timeout=0.05)


def test_reset_keeps_directory_and_forgets_the_rest(standin: SlackStandIn, client) -> None:
    post(client)
    standin.inject("users.info", error="fatal_error")
    standin.reset()
    assert standin.calls == [] and standin.messages() == [] and standin.stats() == {}
    assert client.users_info(user="U0CEO")["ok"]  # the fault went too


def test_concurrent_posts_are_all_kept(standin: SlackStandIn) -> None:
    def worker(n: int) -> None:
        c = WebClient(base_url=standin.api_url, token="xoxb-test-token")
        for i in range(5):
            post(c, text=f"{n}-{i}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    msgs = standin.messages()
    assert len(msgs) == 40 and len({m.ts for m in msgs}) == 40
    assert [m.ts for m in msgs] == sorted((m.ts for m in msgs), key=float)


def _http(url: str, data: dict | None = None) -> dict:
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def test_http_control_surface(standin: SlackStandIn, client: WebClient) -> None:
    base = standin.url + "/_standin/"
    _http(base + "users", {"id": "U0NEW", "name": "nina", "tz": "Asia/Tokyo"})
    _http(base + "channels", [{"id": "C0NEW", "name": "new"}])
    _http(base + "inject", {"method": "users.info", "error": "internal_error"})
    with pytest.raises(SlackApiError):
        client.users_info(user="U0NEW")
    assert client.users_info(user="U0NEW")["user"]["tz"] == "Asia/Tokyo"
    post(client, channel="C0NEW")
    calls = _http(base + "calls")["calls"]
    assert [c["method"] for c in calls] == ["users.info", "users.info", "chat.postMessage"]
    assert _http(base + "messages?channel=C0NEW")["messages"][0]["text"] == "hi"
    trigger = _http(base + "triggers", {})["trigger_id"]
    client.views_open(
        trigger_id=trigger,
        view={"type": "modal", "title": {"type": "plain_text", "text": "t"}, "blocks": []},
    )
    _http(base + "reset", {})
    assert _http(base + "calls")["calls"] == []


def test_standalone_module_prints_its_api_url() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.standin", "--port", "0", "--rate-limit-scale", "10"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        api_url = proc.stdout.readline().strip()
        assert api_url.startswith("http://127.0.0.1:") and api_url.endswith("/api/")
        assert WebClient(base_url=api_url, token="xoxb-test-token").auth_test()["ok"]
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_bolt_app_starts_against_the_standin(standin: SlackStandIn) -> None:
    from slack_bolt import App

    app = App(
        signing_secret="secret",
        client=WebClient(base_url=standin.api_url, token="xoxb-test-token"),
    )
    assert app.client.base_url == standin.api_url
    assert standin.calls_to("auth.test")[0].ok
